-- grain: one directly-follows pair of activities (source → target) over all journeys
CREATE OR REPLACE TABLE mining.dfg_edges AS
WITH steps AS (
    SELECT
        case_id,
        activity AS source,
        next_activity AS target,
        date_diff('microsecond', ts, next_ts) AS wait_us,
        date_diff('microsecond', ts, next_ts) / 1e6 AS wait_s
    FROM mining.journey_events
)

SELECT
    source,
    target,
    count(*) AS n_transitions,
    count(DISTINCT case_id) AS n_cases,
    median(wait_s) AS median_wait_s,
    quantile_cont(wait_s, 0.9) AS p90_wait_s,
    -- an exact integer sum: a float average would differ in its last bits between runs
    sum(wait_us) / count(*) / 1e6 AS mean_wait_s,
    min(wait_s) AS min_wait_s,
    max(wait_s) AS max_wait_s
FROM steps
WHERE target IS NOT NULL
GROUP BY source, target
ORDER BY n_transitions DESC, source, target;

-- grain: one activity that starts or ends journeys
CREATE OR REPLACE TABLE mining.endpoints AS
WITH bounds AS (
    SELECT
        activities[1] AS first_activity,
        activities[len(activities)] AS last_activity
    FROM temp.int_journey_paths
)

SELECT 'start' AS kind, first_activity AS activity, count(*) AS n_cases FROM bounds GROUP BY ALL
UNION ALL
SELECT 'end' AS kind, last_activity AS activity, count(*) AS n_cases FROM bounds GROUP BY ALL
ORDER BY kind DESC, n_cases DESC, activity;

-- grain: one hand-off between two teams (consecutive events of a journey delivered by different teams)
CREATE OR REPLACE TABLE mining.handoffs AS
WITH steps AS (
    SELECT
        case_id,
        team AS from_team,
        next_team AS to_team,
        date_diff('microsecond', ts, next_ts) / 1e6 AS wait_s
    FROM mining.journey_events
)

SELECT
    from_team,
    to_team,
    count(*) AS n_handoffs,
    count(DISTINCT case_id) AS n_cases,
    median(wait_s) AS median_wait_s,
    quantile_cont(wait_s, 0.9) AS p90_wait_s
FROM steps
WHERE from_team IS NOT NULL AND to_team IS NOT NULL AND from_team <> to_team
GROUP BY from_team, to_team
ORDER BY n_handoffs DESC, from_team, to_team;
