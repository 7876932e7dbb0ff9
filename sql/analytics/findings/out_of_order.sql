-- Kind out_of_order: a required step done, but not in the path's order.
-- population did:<k>   journeys that did all of step k's activities before the goal
-- exposed              did not reach step k in order (its activities came before an earlier
--                      step it reached: mining.journey_steps has no row for k)
-- Both groups did the step, so a step that can only be done late (paying) is compared among
-- the journeys that got that far, not with the ones that never got there.
INSERT INTO temp.int_finding_rows BY NAME
WITH context AS (
    SELECT * FROM temp.int_finding_context
),

steps AS (
    SELECT steps.step_no, steps.activities
    FROM mining.funnel AS steps, context
    WHERE steps.step_no >= 2 AND steps.step_no < context.goal_step
),

variant_steps AS (
    -- variants that did every activity of the step before their first goal activity
    SELECT variants.variant_id, steps.step_no
    FROM mining.variants AS variants
    CROSS JOIN steps
    CROSS JOIN mining.analysis_window AS outcome
    WHERE list_has_all(variants.activities, steps.activities)
        AND (
            NOT list_contains(variants.activities, outcome.goal)
            OR list_max(list_transform(steps.activities, lambda a: list_position(variants.activities, a)))
                < list_position(variants.activities, outcome.goal)
        )
)

SELECT
    'did:' || variant_steps.step_no AS population_key,
    journeys.journey_no,
    CASE WHEN reach.case_id IS NULL THEN ['out_of_order'] ELSE [] END AS exposures,
    NULL::DOUBLE AS wait_s
FROM temp.int_finding_journeys AS journeys
INNER JOIN variant_steps USING (variant_id)
LEFT JOIN mining.journey_steps AS reach
    ON reach.case_id = journeys.case_id AND reach.step_no = variant_steps.step_no;

INSERT INTO temp.int_finding_defs BY NAME
SELECT
    'did:' || funnel.step_no || '|out_of_order' AS finding_key,
    'did:' || funnel.step_no AS population_key,
    'out_of_order' AS exposure,
    'out_of_order' AS kind,
    funnel.step || ' out of order' AS label,
    funnel.step_no,
    funnel.step,
    funnel.step AS activity,
    'journeys that did ' || funnel.step || ' before the goal' AS population,
    false AS has_wait
FROM mining.funnel AS funnel
WHERE 'did:' || funnel.step_no IN (SELECT DISTINCT population_key FROM temp.int_finding_rows);
