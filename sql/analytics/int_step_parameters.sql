-- grain: one required happy-path step, with the time windows the funnel and the findings use
-- window_s     how long a journey may wait for this step before it counts as stopped rather
--              than in progress: the step's `within`, else the 95th percentile of the waits
--              of the journeys that reached it
-- landmark_s   the 25th percentile of the wait for this step among journeys that came straight
--              from the step before: findings about what happens while waiting compare journeys
--              still waiting at this point (see docs/findings.md)
-- threshold_s  a slow step: the step's `within`, else the 90th percentile of those waits
-- materialisation: temp table
CREATE OR REPLACE TEMP TABLE int_step_parameters AS
WITH waits AS (
    SELECT step_no, wait_s, previous_step_no = step_no - 1 AS direct
    FROM mining.journey_steps
    WHERE wait_s IS NOT NULL
)

SELECT
    steps.step_no,
    steps.within_s,
    coalesce(steps.within_s, quantile_cont(waits.wait_s, 0.95)) AS window_s,
    quantile_cont(waits.wait_s, 0.25) FILTER (WHERE waits.direct) AS landmark_s,
    coalesce(steps.within_s, quantile_cont(waits.wait_s, 0.9) FILTER (WHERE waits.direct)) AS threshold_s
FROM meta.happy_path_steps AS steps
LEFT JOIN waits USING (step_no)
GROUP BY steps.step_no, steps.within_s;
