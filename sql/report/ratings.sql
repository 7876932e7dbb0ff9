-- grain: one activity whose events carry the customer's voice (a rating): how many, and the
-- mean score where the ratings are numbers (CSAT 1–5); text ratings (good / bad) are counted
-- per value in activity_mix.sql
SELECT
    activity,
    sum(n_events)::BIGINT AS n_rated,
    sum(n_events) FILTER (WHERE try_cast(rating AS DOUBLE) IS NOT NULL)::BIGINT AS n_numeric,
    sum(try_cast(rating AS DOUBLE) * n_events) FILTER (WHERE try_cast(rating AS DOUBLE) IS NOT NULL)
        / sum(n_events) FILTER (WHERE try_cast(rating AS DOUBLE) IS NOT NULL) AS mean_rating
FROM temp.report_event_profile
WHERE rating IS NOT NULL
GROUP BY activity
ORDER BY activity;
