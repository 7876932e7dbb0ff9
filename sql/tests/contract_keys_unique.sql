-- test: every contract table is unique on its key (journey_events also on (case_id, ordinal):
-- see journey_ordinals_dense), and analysis_window has one row. Each table is grouped on its
-- own key columns; only a duplicate key is turned into text.
SELECT 'journey_events' AS table_name, row(event_id)::VARCHAR AS key, count(*) AS n_rows
FROM mining.journey_events GROUP BY event_id HAVING count(*) > 1
UNION ALL
SELECT 'journeys' AS table_name, row(case_id)::VARCHAR AS key, count(*) AS n_rows
FROM mining.journeys GROUP BY case_id HAVING count(*) > 1
UNION ALL
SELECT 'journey_steps' AS table_name, row(case_id, step_no)::VARCHAR AS key, count(*) AS n_rows
FROM mining.journey_steps GROUP BY case_id, step_no HAVING count(*) > 1
UNION ALL
SELECT 'variants' AS table_name, row(variant_id)::VARCHAR AS key, count(*) AS n_rows
FROM mining.variants GROUP BY variant_id HAVING count(*) > 1
UNION ALL
SELECT 'variants.rank' AS table_name, row(rank)::VARCHAR AS key, count(*) AS n_rows
FROM mining.variants GROUP BY rank HAVING count(*) > 1
UNION ALL
SELECT 'dfg_edges' AS table_name, row(source, target)::VARCHAR AS key, count(*) AS n_rows
FROM mining.dfg_edges GROUP BY source, target HAVING count(*) > 1
UNION ALL
SELECT 'endpoints' AS table_name, row(kind, activity)::VARCHAR AS key, count(*) AS n_rows
FROM mining.endpoints GROUP BY kind, activity HAVING count(*) > 1
UNION ALL
SELECT 'deviations' AS table_name, row(variant_id, kind, activity, position)::VARCHAR AS key, count(*) AS n_rows
FROM mining.deviations GROUP BY variant_id, kind, activity, position HAVING count(*) > 1
UNION ALL
SELECT 'deviation_rates' AS table_name, row(kind, activity)::VARCHAR AS key, count(*) AS n_rows
FROM mining.deviation_rates GROUP BY kind, activity HAVING count(*) > 1
UNION ALL
SELECT 'funnel' AS table_name, row(step_no)::VARCHAR AS key, count(*) AS n_rows
FROM mining.funnel GROUP BY step_no HAVING count(*) > 1
UNION ALL
SELECT 'friction' AS table_name, row(finding_id)::VARCHAR AS key, count(*) AS n_rows
FROM mining.friction GROUP BY finding_id HAVING count(*) > 1
UNION ALL
SELECT 'finding_journeys' AS table_name, row(finding_id, case_id)::VARCHAR AS key, count(*) AS n_rows
FROM mining.finding_journeys GROUP BY finding_id, case_id HAVING count(*) > 1
UNION ALL
SELECT 'handoffs' AS table_name, row(scope, from_team, to_team)::VARCHAR AS key, count(*) AS n_rows
FROM mining.handoffs GROUP BY scope, from_team, to_team HAVING count(*) > 1
UNION ALL
SELECT 'customers' AS table_name, row(customer_id)::VARCHAR AS key, count(*) AS n_rows
FROM mining.customers GROUP BY customer_id HAVING count(*) > 1
UNION ALL
SELECT 'customer_attributes' AS table_name, row(customer_id, attribute)::VARCHAR AS key, count(*) AS n_rows
FROM mining.customer_attributes GROUP BY customer_id, attribute HAVING count(*) > 1
UNION ALL
SELECT 'identity_map' AS table_name, row(kind, value)::VARCHAR AS key, count(*) AS n_rows
FROM mining.identity_map GROUP BY kind, value HAVING count(*) > 1
UNION ALL
SELECT 'segments' AS table_name, row(attribute, value)::VARCHAR AS key, count(*) AS n_rows
FROM mining.segments GROUP BY attribute, value HAVING count(*) > 1
UNION ALL
SELECT 'segment_funnel' AS table_name, row(attribute, value, step_no)::VARCHAR AS key, count(*) AS n_rows
FROM mining.segment_funnel GROUP BY attribute, value, step_no HAVING count(*) > 1
UNION ALL
SELECT 'trends' AS table_name, row(period, period_start)::VARCHAR AS key, count(*) AS n_rows
FROM mining.trends GROUP BY period, period_start HAVING count(*) > 1
UNION ALL
SELECT 'stitching' AS table_name, row(source)::VARCHAR AS key, count(*) AS n_rows
FROM mining.stitching GROUP BY source HAVING count(*) > 1
UNION ALL
SELECT 'shared_identifiers' AS table_name, row(kind, value)::VARCHAR AS key, count(*) AS n_rows
FROM mining.shared_identifiers GROUP BY kind, value HAVING count(*) > 1
UNION ALL
SELECT 'analysis_window' AS table_name, 'rows' AS key, count(*) AS n_rows
FROM mining.analysis_window HAVING count(*) <> 1
