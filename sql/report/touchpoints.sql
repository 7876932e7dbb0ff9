-- grain: one activity in one representative journey's group of journeys (temp.report_clusters:
-- variant → group): how many of the group's journeys do it (from the variants), the median
-- time from a journey's start to its events of that activity, and the team, channel, system
-- and rating most of those events name. One pass over mining.journey_events, joined to the
-- journeys (for the start and the group); times as integer microseconds since the epoch.
WITH groups AS (
    SELECT journeys.case_id, epoch_us(journeys.started_at) AS started_us, clusters.cluster
    FROM mining.journeys AS journeys
    INNER JOIN temp.report_clusters AS clusters USING (variant_id)
),

events AS (
    SELECT
        groups.cluster,
        events.activity,
        events.team,
        events.channel,
        events.system,
        {{ rating }} AS rating,
        epoch_us(events.ts) - groups.started_us AS since_start_us
    FROM mining.journey_events AS events
    INNER JOIN groups USING (case_id)
),

timing AS (
    SELECT cluster, activity, count(*) AS n_events, median(since_start_us) / 1e6 AS median_since_start_s
    FROM events
    GROUP BY cluster, activity
),

per_value AS (
    SELECT cluster, activity, team, channel, system, rating, count(*) AS n
    FROM events
    GROUP BY ALL
),

modes AS (
    -- the value most events name; ties go to the first value in sort order
    SELECT
        cluster,
        activity,
        arg_max(team, (n, team)) FILTER (WHERE team IS NOT NULL) AS team,
        arg_max(channel, (n, channel)) FILTER (WHERE channel IS NOT NULL) AS channel,
        arg_max(system, (n, system)) FILTER (WHERE system IS NOT NULL) AS system,
        sum(n) FILTER (WHERE rating IS NOT NULL)::BIGINT AS n_rated,
        sum(try_cast(rating AS DOUBLE) * n) FILTER (WHERE try_cast(rating AS DOUBLE) IS NOT NULL)
            / sum(n) FILTER (WHERE try_cast(rating AS DOUBLE) IS NOT NULL) AS mean_rating
    FROM (
        SELECT cluster, activity, team, channel, system, rating, sum(n) AS n
        FROM per_value GROUP BY ALL
    )
    GROUP BY cluster, activity
),

top_rating AS (
    SELECT cluster, activity, arg_max(rating, (n, rating)) AS top_rating
    FROM (
        SELECT cluster, activity, rating, sum(n) AS n FROM per_value
        WHERE rating IS NOT NULL GROUP BY ALL
    )
    GROUP BY cluster, activity
),

reach AS (
    SELECT clusters.cluster, variant_activities.activity, sum(variant_activities.n_cases)::BIGINT AS n_journeys
    FROM (
        SELECT DISTINCT variant_id, n_cases, unnest(activities) AS activity FROM mining.variants
    ) AS variant_activities
    INNER JOIN temp.report_clusters AS clusters USING (variant_id)
    GROUP BY ALL
)

SELECT
    timing.cluster,
    timing.activity,
    reach.n_journeys,
    timing.n_events,
    timing.median_since_start_s,
    modes.team,
    modes.channel,
    modes.system,
    coalesce(modes.n_rated, 0) AS n_rated,
    modes.mean_rating,
    top_rating.top_rating
FROM timing
INNER JOIN reach USING (cluster, activity)
INNER JOIN modes USING (cluster, activity)
LEFT JOIN top_rating USING (cluster, activity)
ORDER BY timing.cluster, timing.median_since_start_s, timing.activity;
