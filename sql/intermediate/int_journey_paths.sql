-- grain: one journey (case), before conformance: its activity sequence and variant
-- materialisation: temp table
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
