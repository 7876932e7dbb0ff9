-- grain: one event in one journey (case = customer), in its deterministic journey order
-- materialisation: table
-- Ordering within a journey: ts, then the source's position in the pipeline, then the
-- source's own sequence (e.g. a ticket event id), then file path and data row. The same
-- inputs give the same ordinals on every run; pm4py fed events in this order agrees.
-- One sort gives the ordinal and each event's successor (next activity, team and time), which
-- the process map, the hand-offs and friction read instead of sorting the journeys again.
-- customer_id and source_ref are virtual columns: computed when read, not stored.
CREATE OR REPLACE TABLE mining.journey_events (
    case_id VARCHAR NOT NULL,
    customer_id VARCHAR GENERATED ALWAYS AS (case_id) VIRTUAL,
    account_id VARCHAR,
    event_id BIGINT NOT NULL,       -- docs/tables.md: first 16 hex digits of md5(key), signed
    activity VARCHAR NOT NULL,
    stage VARCHAR,
    team VARCHAR,
    channel VARCHAR,
    system VARCHAR NOT NULL,
    ts TIMESTAMPTZ NOT NULL,
    ordinal BIGINT NOT NULL,
    source VARCHAR NOT NULL,
    source_file VARCHAR NOT NULL,
    source_row BIGINT NOT NULL,
    source_ref VARCHAR GENERATED ALWAYS AS (source_file || ':' || source_row) VIRTUAL,
    source_activity VARCHAR,
    episode VARCHAR,
    resource VARCHAR,
    rating VARCHAR,
    next_activity VARCHAR,
    next_team VARCHAR,
    next_ts TIMESTAMPTZ
);

INSERT INTO mining.journey_events BY NAME
WITH events AS (
    -- low-cardinality text as ENUM codes listed in sorted order (ordering.py): a narrower
    -- payload for the sort, ordered as the text is; the table's columns stay VARCHAR
    SELECT {{ event_columns }} FROM temp.int_rows WHERE is_journey_event
),

customers AS (
    SELECT nodes.node, nodes.customer_no, nodes.customer_id, customers.account_id
    FROM temp.int_node_customers AS nodes
    INNER JOIN mining.customers AS customers USING (customer_id)
)

SELECT
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
    events.file AS source_file,
    events.row_no AS source_row,
    events.source_activity,
    events.episode,
    events.resource,
    events.rating,
    lead(events.activity) OVER journey AS next_activity,
    lead(events.team) OVER journey AS next_team,
    lead(events.ts) OVER journey AS next_ts
FROM events
INNER JOIN customers ON customers.node = events.anchor
WINDOW journey AS (
    PARTITION BY customers.customer_no
    ORDER BY events.ts, events.source_rank, events.source_seq NULLS LAST, events.file, events.row_no
);
