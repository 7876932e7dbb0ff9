-- grain: one event in one journey (case = customer), in its deterministic journey order
-- Ordering within a journey: ts, then the source's position in the pipeline, then the
-- source's own sequence (e.g. a ticket event id), then file path and data row. The same
-- inputs give the same ordinals on every run; pm4py fed events in this order agrees.
CREATE OR REPLACE TABLE mining.journey_events AS
WITH events AS (
    SELECT * FROM temp.int_events_unioned
),

event_customer AS (
    SELECT DISTINCT ids.event_id, map.customer_id
    FROM temp.int_identifiers AS ids
    INNER JOIN mining.identity_map AS map ON map.kind = ids.kind AND map.value = ids.value
    WHERE ids.is_event
),

customers AS (
    SELECT customer_id, account_id FROM mining.customers
),

joined AS (
    SELECT
        event_customer.customer_id AS case_id,
        event_customer.customer_id,
        customers.account_id,
        events.event_id,
        events.activity,
        events.stage,
        events.team,
        events.channel,
        events.system,
        events.ts,
        events.source,
        events.source_ref,
        events.source_activity,
        events.source_rank,
        events.source_seq,
        events.file,
        events.row_no
    FROM events
    INNER JOIN event_customer USING (event_id)
    INNER JOIN customers ON customers.customer_id = event_customer.customer_id
)

SELECT
    case_id,
    customer_id,
    account_id,
    event_id,
    activity,
    stage,
    team,
    channel,
    system,
    ts,
    row_number() OVER (
        PARTITION BY case_id
        ORDER BY ts, source_rank, source_seq NULLS LAST, file, row_no
    ) AS ordinal,
    source,
    source_ref,
    source_activity
FROM joined
ORDER BY case_id, ordinal;
