-- grain: one activity that starts or ends journeys
-- materialisation: table
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
