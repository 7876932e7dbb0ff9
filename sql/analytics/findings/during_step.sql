-- Kind during_step: an activity done while waiting for a step.
-- population wait:<k>  journeys that reached step k-1 and, by the landmark (step k's
--                      landmark_s after reaching k-1: the first quarter of its wait), had done no activity of step k or of any
--                      later step (in order or not) and not the goal: they were still waiting
--                      for step k
-- exposed              did the activity after reaching k-1 and no later than the landmark
-- Every journey of the population had the same time to be exposed, so an activity that comes
-- at random moments (a support ticket) is not made to look harmful by the long waits of the
-- journeys that never went on.
INSERT INTO temp.int_finding_rows BY NAME
WITH context AS (
    SELECT * FROM temp.int_finding_context
),

steps AS (
    SELECT funnel.step_no, funnel.landmark_s
    FROM mining.funnel AS funnel, context
    WHERE funnel.step_no BETWEEN 2 AND context.goal_step AND funnel.landmark_s > 0
),

windows AS (
    SELECT
        journeys.journey_no,
        journeys.case_id,
        steps.step_no,
        opened.reached_ordinal AS opened_ordinal,
        opened.reached_at + to_microseconds(CAST(steps.landmark_s * 1e6 AS BIGINT)) AS landmark_at,
        journeys.goal_at,
        list_min(list_filter(progress.first_ats, lambda t, i: progress.step_nos[i] >= steps.step_no))
            AS progress_at,
        CASE WHEN onward.step_no = steps.step_no THEN onward.wait_s END AS wait_s
    FROM temp.int_finding_journeys AS journeys
    INNER JOIN mining.journey_steps AS opened ON opened.case_id = journeys.case_id
    INNER JOIN steps ON opened.step_no = steps.step_no - 1
    INNER JOIN temp.int_finding_progress AS progress USING (journey_no)
    LEFT JOIN mining.journey_steps AS onward
        ON onward.case_id = journeys.case_id AND onward.previous_step_no = opened.step_no
),

waiting AS (
    SELECT * FROM windows
    WHERE (progress_at IS NULL OR progress_at > landmark_at) AND (goal_at IS NULL OR goal_at > landmark_at)
),

done AS (
    SELECT waiting.journey_no, waiting.step_no, list(DISTINCT events.activity ORDER BY events.activity) AS activities
    FROM waiting
    INNER JOIN mining.journey_events AS events
        ON events.case_id = waiting.case_id
        AND events.ordinal > waiting.opened_ordinal
        AND events.ts <= waiting.landmark_at
    WHERE NOT list_contains((SELECT excluded_activities FROM context), events.activity)
    GROUP BY waiting.journey_no, waiting.step_no
)

SELECT
    'wait:' || waiting.step_no AS population_key,
    waiting.journey_no,
    coalesce(done.activities, []) AS exposures,
    waiting.wait_s,
    NULL::VARCHAR AS stratum
FROM waiting
LEFT JOIN done USING (journey_no, step_no);

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
