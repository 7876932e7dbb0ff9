-- grain: one event in one journey (case = customer), in its deterministic journey order
-- Ordering within a journey: ts, then the source's position in the pipeline, then the
-- source's own sequence (e.g. a ticket event id), then file path and data row. The same
-- inputs give the same ordinals on every run; pm4py fed events in this order agrees.
-- One sort gives the ordinal and each event's successor (next activity, team, wait), which
-- the process map, the hand-offs and friction read instead of sorting the journey again.
CREATE OR REPLACE TEMP TABLE int_journey_events AS
WITH events AS (
    SELECT * FROM temp.int_rows WHERE is_journey_event
),

customers AS (
    SELECT nodes.node, nodes.customer_no, nodes.customer_id, customers.account_id
    FROM temp.int_node_customers AS nodes
    INNER JOIN mining.customers AS customers USING (customer_id)
)

SELECT
    customers.customer_no AS case_no,
    customers.customer_id AS case_id,
    customers.account_id,
    events.event_id,
    events.activity,
    events.stage,
    events.team,
    events.channel,
    events.system,
    events.ts,
    row_number() OVER journey AS ordinal,
    events.source,
    events.file,
    events.row_no,
    events.source_activity,
    lead(events.activity) OVER journey AS next_activity,
    lead(events.team) OVER journey AS next_team,
    date_diff('microsecond', events.ts, lead(events.ts) OVER journey) AS wait_us
FROM events
INNER JOIN customers ON customers.node = events.anchor
WINDOW journey AS (
    PARTITION BY customers.customer_no
    ORDER BY events.ts, events.source_rank, events.source_seq NULLS LAST, events.file, events.row_no
);

CREATE OR REPLACE TABLE mining.journey_events AS
SELECT
    case_id,
    case_id AS customer_id,
    account_id,
    event_id,
    activity,
    stage,
    team,
    channel,
    system,
    ts,
    ordinal,
    source,
    file || ':' || row_no AS source_ref,
    source_activity
FROM temp.int_journey_events
ORDER BY case_no, ordinal;
