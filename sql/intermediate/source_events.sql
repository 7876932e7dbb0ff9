-- grain: one source: its staged events that a linking identifier places in a journey, and how
-- many of them its activity mapping drops
-- materialisation: table (meta schema, rebuilt every run; read by the SQL test
-- journey_events_are_staged_events, also after the run)
CREATE OR REPLACE TABLE meta.source_events AS
SELECT
    source,
    count(*) FILTER (WHERE is_event) AS n_events,
    count(*) FILTER (WHERE is_event AND NOT is_journey_event) AS n_dropped
FROM temp.int_rows
GROUP BY source;
