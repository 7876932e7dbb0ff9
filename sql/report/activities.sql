-- grain: one activity of the process map: its events (from the event profile), the journeys
-- doing it (from the variants, each counted with its journeys) and its mean position in them
WITH occurrences AS (
    SELECT activity, sum(n_cases)::BIGINT AS n_cases
    FROM (
        SELECT DISTINCT variant_id, n_cases, unnest(activities) AS activity
        FROM mining.variants
    )
    GROUP BY activity
),

profile AS (
    SELECT
        activity,
        sum(n_events)::BIGINT AS n_events,
        sum(sum_ordinal) / sum(n_events) AS mean_ordinal
    FROM temp.report_event_profile
    GROUP BY activity
)

SELECT profile.activity, profile.n_events, occurrences.n_cases, profile.mean_ordinal
FROM profile
INNER JOIN occurrences USING (activity)
ORDER BY profile.n_events DESC, profile.activity;
