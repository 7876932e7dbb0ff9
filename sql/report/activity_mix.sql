-- grain: one value of one dimension (stage, team, channel, system, resource, third party,
-- rating) at one activity, with its events; the most frequent values first, at most $top per
-- activity and dimension, and how many distinct values there are in all
WITH unpivoted AS (
    SELECT activity, 'stage' AS dimension, stage AS value, n_events FROM temp.report_event_profile
    UNION ALL
    SELECT activity, 'team', team, n_events FROM temp.report_event_profile
    UNION ALL
    SELECT activity, 'channel', channel, n_events FROM temp.report_event_profile
    UNION ALL
    SELECT activity, 'system', system, n_events FROM temp.report_event_profile
    UNION ALL
    SELECT activity, 'resource', resource, n_events FROM temp.report_event_profile
    UNION ALL
    SELECT activity, 'third_party', third_party, n_events FROM temp.report_event_profile
    UNION ALL
    SELECT activity, 'rating', rating, n_events FROM temp.report_event_profile
),

per_value AS (
    SELECT activity, dimension, value, sum(n_events)::BIGINT AS n_events
    FROM unpivoted
    WHERE value IS NOT NULL
    GROUP BY ALL
)

SELECT
    activity,
    dimension,
    value,
    n_events,
    count(*) OVER (PARTITION BY activity, dimension) AS n_values,
    sum(n_events) OVER (PARTITION BY activity, dimension)::BIGINT AS n_events_with_value
FROM per_value
QUALIFY row_number() OVER (PARTITION BY activity, dimension ORDER BY n_events DESC, value) <= $top
ORDER BY activity, dimension, n_events DESC, value;
