-- Kind during_step: an activity done while waiting for a step.
-- population wait:<k>  journeys that reached step k-1 and, by the landmark (step k's
--                      landmark_s after reaching k-1: the first quarter of its wait), had done no activity of step k or of any
--                      later step (in order or not) and not the goal: they were still waiting
--                      for step k
-- exposed              did the activity after reaching k-1 and no later than the landmark
-- Every journey of the population had the same time to be exposed, so an activity that comes
-- at random moments (a support ticket) is not made to look harmful by the long waits of the
-- journeys that never went on.
-- grain: one journey still waiting for step k at its landmark
CREATE OR REPLACE TEMP TABLE int_finding_windows AS
WITH context AS (
    SELECT * FROM temp.int_finding_context
),

steps AS (
    SELECT funnel.step_no, funnel.landmark_s
    FROM mining.funnel AS funnel, context
    WHERE funnel.step_no BETWEEN 2 AND context.goal_step AND funnel.landmark_s > 0
),

opened AS (
    -- the wait for step k opens when the journey reaches step k-1
    SELECT
        reach.journey_no,
        reach.step_no AS opened_step_no,
        steps.step_no,
        reach.reached_ordinal AS opened_ordinal,
        reach.reached_at + to_microseconds(CAST(steps.landmark_s * 1e6 AS BIGINT)) AS landmark_at,
        reach.goal_at
    FROM temp.int_finding_steps AS reach
    INNER JOIN steps ON reach.step_no = steps.step_no - 1
)

SELECT opened.journey_no, opened.step_no, opened.opened_ordinal, opened.landmark_at
FROM opened
INNER JOIN temp.int_finding_progress AS progress USING (journey_no)
WHERE (progress.onward_ats[opened.step_no] IS NULL OR progress.onward_ats[opened.step_no] > opened.landmark_at)
    AND (opened.goal_at IS NULL OR opened.goal_at > opened.landmark_at);

-- the activities done after reaching k-1 and by the landmark (off the path's steps, never the
-- goal or its negations), and the wait for step k of the journeys that reached it straight
INSERT INTO temp.int_finding_rows BY NAME
WITH done AS (
    SELECT windows.journey_no, windows.step_no, list(DISTINCT events.activity) AS activities
    FROM temp.int_finding_windows AS windows
    INNER JOIN temp.int_finding_events AS events
        ON events.journey_no = windows.journey_no
        AND events.ordinal > windows.opened_ordinal
        AND events.ts <= windows.landmark_at
    GROUP BY windows.journey_no, windows.step_no
)

SELECT
    'wait:' || windows.step_no AS population_key,
    windows.journey_no,
    coalesce(done.activities, []) AS exposures,
    onward.wait_s,
    NULL::VARCHAR AS stratum
FROM temp.int_finding_windows AS windows
LEFT JOIN done USING (journey_no, step_no)
LEFT JOIN (
    -- steps reached straight after the step before (a window opens at its step_no - 1)
    SELECT journey_no, step_no, wait_s FROM temp.int_finding_steps WHERE previous_step_no = step_no - 1
) AS onward ON onward.journey_no = windows.journey_no AND onward.step_no = windows.step_no;

INSERT INTO temp.int_finding_defs BY NAME
WITH exposures AS (
    SELECT DISTINCT population_key, unnest(exposures) AS exposure
    FROM temp.int_finding_rows
    WHERE starts_with(population_key, 'wait:')
)

SELECT
    exposures.population_key || '|' || exposures.exposure AS finding_key,
    exposures.population_key,
    exposures.exposure,
    'during_step' AS kind,
    exposures.exposure || ' while waiting for ' || funnel.step AS label,
    funnel.step_no,
    funnel.step,
    exposures.exposure AS activity,
    'journeys that reached ' || previous.step || ' and were still waiting for ' || funnel.step
        || ' (no activity of it or a later step) after the first quarter of its wait' AS population,
    funnel.landmark_s,
    true AS has_wait
FROM exposures
INNER JOIN mining.funnel AS funnel
    ON funnel.step_no = CAST(substr(exposures.population_key, 6) AS BIGINT)
INNER JOIN mining.funnel AS previous ON previous.step_no = funnel.step_no - 1;

DROP TABLE temp.int_finding_windows;
