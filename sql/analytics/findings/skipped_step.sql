-- Kind skipped_step: a required step skipped on the way to a later one.
-- population past:<k>  journeys that reached a step after k and before the goal's step
--                      (they got past the point where step k was due), and either reached k
--                      in order or never did its activities
-- exposed              never did step k's activities
-- Journeys that stopped before step k are not in the population: they did not skip it, they
-- stopped (mining.funnel). Skipping the step just before the goal is not tested: the skip and
-- the outcome are then the same moment. All of it depends only on the activity sequence, so it
-- is decided per variant.
INSERT INTO temp.int_finding_variant_rows BY NAME
WITH context AS (
    SELECT * FROM temp.int_finding_context
),

steps AS (
    SELECT steps.step_no, steps.activities
    FROM mining.funnel AS steps, context
    WHERE steps.step_no >= 2 AND steps.step_no < context.goal_step - 1
),

variant_reach AS (
    SELECT reached.variant_id, list(reached.step_no) AS reached_steps
    FROM temp.int_step_reached AS reached
    WHERE reached.variant_id IN (SELECT variant_id FROM temp.int_finding_variant_firsts)
    GROUP BY reached.variant_id
),

past AS (
    SELECT
        variant_reach.variant_id,
        steps.step_no,
        steps.activities AS step_activities,
        list_contains(variant_reach.reached_steps, steps.step_no) AS reached_step
    FROM variant_reach
    CROSS JOIN steps
    CROSS JOIN context
    WHERE len(list_filter(
        variant_reach.reached_steps, lambda s: s > steps.step_no AND s < context.goal_step
    )) > 0
)

SELECT
    'past:' || past.step_no AS population_key,
    past.variant_id,
    CASE WHEN past.reached_step THEN [] ELSE ['skipped'] END AS exposures
FROM past
INNER JOIN mining.variants AS variants USING (variant_id)
WHERE past.reached_step OR NOT list_has_any(variants.activities, past.step_activities);

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
WHERE 'past:' || funnel.step_no IN (SELECT DISTINCT population_key FROM temp.int_finding_variant_rows);
