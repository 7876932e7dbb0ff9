-- grain: one directly-follows pair of activities (source → target) over all journeys
-- materialisation: table
-- Counts and waits come from the events; the journeys an edge occurs in (n_cases) from the
-- variants, each counted with its journeys: the same number without a distinct count over
-- every (edge, journey) pair.
CREATE OR REPLACE TABLE mining.dfg_edges AS
WITH steps AS (
    SELECT
        activity AS source,
        next_activity AS target,
        -- epoch microseconds: the same difference as date_diff('microsecond', ts, next_ts), without
        -- the calendar arithmetic date_diff does on TIMESTAMPTZ (docs/design-notes.md)
        epoch_us(next_ts) - epoch_us(ts) AS wait_us,
        (epoch_us(next_ts) - epoch_us(ts)) / 1e6 AS wait_s
    FROM mining.journey_events
    WHERE next_activity IS NOT NULL
),

edge_waits AS (
    SELECT
        source,
        target,
        count(*) AS n_transitions,
        median(wait_s) AS median_wait_s,
        quantile_cont(wait_s, 0.9) AS p90_wait_s,
        -- an exact integer sum: a float average would differ in its last bits between runs
        sum(wait_us) / count(*) / 1e6 AS mean_wait_s,
        min(wait_s) AS min_wait_s,
        max(wait_s) AS max_wait_s
    FROM steps
    GROUP BY source, target
),

variant_edges AS (
    SELECT DISTINCT variant_id, n_cases, activities[i] AS source, activities[i + 1] AS target
    FROM (
        SELECT variant_id, n_cases, activities, unnest(range(1, len(activities))) AS i
        FROM temp.int_variants
    )
),

edge_cases AS (
    SELECT source, target, sum(n_cases)::BIGINT AS n_cases FROM variant_edges GROUP BY ALL
)

SELECT
    edge_waits.source,
    edge_waits.target,
    edge_waits.n_transitions,
    edge_cases.n_cases,
    edge_waits.median_wait_s,
    edge_waits.p90_wait_s,
    edge_waits.mean_wait_s,
    edge_waits.min_wait_s,
    edge_waits.max_wait_s
FROM edge_waits
INNER JOIN edge_cases USING (source, target)
ORDER BY n_transitions DESC, source, target;
