-- Kind skipped_step: a required step skipped on the way to a later one.
-- population past:<k>  journeys that reached a step after k and before the goal's step
--                      (they got past the point where step k was due), and either reached k
--                      in order or never did its activities
-- exposed              never did step k's activities
-- Journeys that stopped before step k are not in the population: they did not skip it, they
-- stopped (mining.funnel). Skipping the step just before the goal is not tested: the skip and
-- the outcome are then the same moment.
INSERT INTO temp.int_finding_rows BY NAME
WITH context AS (
    SELECT * FROM temp.int_finding_context
),

steps AS (
    SELECT steps.step_no, steps.activities
    FROM mining.funnel AS steps, context
    WHERE steps.step_no >= 2 AND steps.step_no < context.goal_step - 1
),

past AS (
    SELECT DISTINCT journeys.journey_no, journeys.case_id, journeys.variant_id, steps.step_no, steps.activities
    FROM temp.int_finding_journeys AS journeys
    INNER JOIN mining.journey_steps AS later ON later.case_id = journeys.case_id
    INNER JOIN steps ON later.step_no > steps.step_no
    CROSS JOIN context
    WHERE later.step_no < context.goal_step
),

reached AS (
    SELECT past.journey_no, past.step_no, reach.case_id IS NOT NULL AS reached_step,
        list_has_any(variants.activities, past.activities) AS did_activity
    FROM past
    INNER JOIN mining.variants AS variants USING (variant_id)
    LEFT JOIN mining.journey_steps AS reach
        ON reach.case_id = past.case_id AND reach.step_no = past.step_no
)

SELECT
    'past:' || step_no AS population_key,
    journey_no,
    CASE WHEN reached_step THEN [] ELSE ['skipped'] END AS exposures,
    NULL::DOUBLE AS wait_s
FROM reached
WHERE reached_step OR NOT did_activity;

INSERT INTO temp.int_finding_defs BY NAME
SELECT
    'past:' || funnel.step_no || '|skipped' AS finding_key,
    'past:' || funnel.step_no AS population_key,
    'skipped' AS exposure,
    'skipped_step' AS kind,
    'skipped ' || funnel.step AS label,
    funnel.step_no,
    funnel.step,
    funnel.step AS activity,
    'journeys that reached a step after ' || funnel.step || ' (before the goal''s step)' AS population,
    false AS has_wait
FROM mining.funnel AS funnel
WHERE 'past:' || funnel.step_no IN (SELECT DISTINCT population_key FROM temp.int_finding_rows);
