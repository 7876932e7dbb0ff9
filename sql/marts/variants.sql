-- grain: one journey (case), before conformance: its activity sequence and variant
CREATE OR REPLACE TEMP TABLE int_journey_paths AS
WITH paths AS (
    SELECT
        case_id,
        any_value(account_id) AS account_id,
        min(ts) AS started_at,
        max(ts) AS ended_at,
        count(*) AS n_events,
        list(activity ORDER BY ordinal) AS activities,
        list(ts ORDER BY ordinal) AS timestamps,
        bool_or(activity = (SELECT goal FROM meta.outcome)) AS reached_goal
    FROM mining.journey_events
    GROUP BY case_id
)

SELECT
    case_id,
    case_id AS customer_id,
    account_id,
    started_at,
    ended_at,
    date_diff('microsecond', started_at, ended_at) / 1e6 AS duration_s,
    n_events,
    activities,
    timestamps,
    substr(md5(array_to_string(activities, chr(31))), 1, 16) AS variant_id,
    reached_goal
FROM paths;

-- grain: one distinct activity sequence (variant); fitness and fits_path are filled by
-- conformance (marts/deviations.sql), conforming_share by marts/journeys.sql
CREATE OR REPLACE TABLE mining.variants AS
WITH totals AS (
    SELECT count(*) AS n_journeys FROM temp.int_journey_paths
),

grouped AS (
    SELECT
        variant_id,
        any_value(activities) AS activities,
        count(*) AS n_cases,
        median(duration_s) AS median_duration_s,
        avg(reached_goal::INTEGER) AS goal_rate
    FROM temp.int_journey_paths
    GROUP BY variant_id
)

SELECT
    row_number() OVER (ORDER BY grouped.n_cases DESC, grouped.variant_id) AS rank,
    grouped.variant_id,
    grouped.activities,
    len(grouped.activities) AS n_activities,
    grouped.n_cases,
    grouped.n_cases / totals.n_journeys AS share,
    sum(grouped.n_cases) OVER (ORDER BY grouped.n_cases DESC, grouped.variant_id)
        / totals.n_journeys AS cumulative_share,
    grouped.median_duration_s,
    grouped.goal_rate,
    NULL::DOUBLE AS fitness,
    NULL::BOOLEAN AS fits_path,
    NULL::DOUBLE AS conforming_share
FROM grouped, totals
ORDER BY rank;
