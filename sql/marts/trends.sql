-- grain: one week or one month of journey starts (period = 'week' | 'month')
-- materialisation: table
-- Conformance and goal rate of the journeys that started in the period. complete = the period
-- ended at least analysis_window.follow_up_s before the end of the data, so its goal rate is
-- final; later periods still have journeys under way (in_progress) and their rate will rise.
CREATE OR REPLACE TABLE mining.trends AS
WITH periods AS (
    SELECT 'week' AS period, date_trunc('week', started_at) AS period_start, * FROM mining.journeys
    UNION ALL
    SELECT 'month' AS period, date_trunc('month', started_at) AS period_start, * FROM mining.journeys
),

grouped AS (
    SELECT
        period,
        period_start,
        count(*) AS journeys,
        count(*) FILTER (WHERE NOT partial AND furthest_step >= 1) AS entered_path,
        count(*) FILTER (WHERE partial) AS partial,
        count(*) FILTER (WHERE status = 'in_progress') AS in_progress,
        sum(fits_path::INTEGER) / count(fits_path) AS fits_path_share,
        sum(conforms::INTEGER) / count(conforms) AS conforming_share,
        count(*) FILTER (WHERE reached_goal) AS n_goal
    FROM periods
    GROUP BY period, period_start
)

SELECT
    grouped.period,
    grouped.period_start,
    grouped.journeys,
    grouped.entered_path,
    grouped.partial,
    grouped.in_progress,
    grouped.fits_path_share,
    grouped.conforming_share,
    grouped.n_goal,
    grouped.n_goal / grouped.journeys AS goal_rate,
    wilson_low(grouped.n_goal, grouped.journeys) AS goal_rate_low,
    wilson_high(grouped.n_goal, grouped.journeys) AS goal_rate_high,
    grouped.period_start + CASE grouped.period WHEN 'week' THEN INTERVAL 7 DAY ELSE INTERVAL 1 MONTH END
        + to_microseconds(CAST(obs.follow_up_s * 1e6 AS BIGINT)) <= obs.observed_until AS complete
FROM grouped
CROSS JOIN mining.analysis_window AS obs
ORDER BY grouped.period, grouped.period_start;
