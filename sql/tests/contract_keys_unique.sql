-- test: every contract table is unique on its key (journey_events on (case_id, ordinal) in
-- journey_ordinals_dense), and analysis_window has one row
WITH keyed AS (
    SELECT 'journeys' AS table_name, case_id AS key FROM mining.journeys
    UNION ALL SELECT 'journey_steps', row(case_id, step_no)::VARCHAR FROM mining.journey_steps
    UNION ALL SELECT 'variants', variant_id FROM mining.variants
    UNION ALL SELECT 'variants.rank', rank::VARCHAR FROM mining.variants
    UNION ALL SELECT 'dfg_edges', row(source, target)::VARCHAR FROM mining.dfg_edges
    UNION ALL SELECT 'endpoints', row(kind, activity)::VARCHAR FROM mining.endpoints
    UNION ALL SELECT 'deviations', row(variant_id, kind, activity, position)::VARCHAR FROM mining.deviations
    UNION ALL SELECT 'deviation_rates', row(kind, activity)::VARCHAR FROM mining.deviation_rates
    UNION ALL SELECT 'funnel', step_no::VARCHAR FROM mining.funnel
    UNION ALL SELECT 'friction', finding_id FROM mining.friction
    UNION ALL SELECT 'finding_journeys', row(finding_id, case_id)::VARCHAR FROM mining.finding_journeys
    UNION ALL SELECT 'handoffs', row(scope, from_team, to_team)::VARCHAR FROM mining.handoffs
    UNION ALL SELECT 'customers', customer_id FROM mining.customers
    UNION ALL SELECT 'customer_attributes', row(customer_id, attribute)::VARCHAR FROM mining.customer_attributes
    UNION ALL SELECT 'identity_map', row(kind, value)::VARCHAR FROM mining.identity_map
    UNION ALL SELECT 'segments', row(attribute, value)::VARCHAR FROM mining.segments
    UNION ALL SELECT 'segment_funnel', row(attribute, value, step_no)::VARCHAR FROM mining.segment_funnel
    UNION ALL SELECT 'trends', row(period, period_start)::VARCHAR FROM mining.trends
    UNION ALL SELECT 'stitching', source FROM mining.stitching
    UNION ALL SELECT 'shared_identifiers', row(kind, value)::VARCHAR FROM mining.shared_identifiers
)

SELECT table_name, key, count(*) AS n_rows FROM keyed GROUP BY ALL HAVING count(*) > 1
UNION ALL
SELECT 'journey_events', event_id::VARCHAR, count(*) FROM mining.journey_events GROUP BY event_id HAVING count(*) > 1
UNION ALL
SELECT 'analysis_window', 'rows', count(*) FROM mining.analysis_window HAVING count(*) <> 1
