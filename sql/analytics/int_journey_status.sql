-- grain: one journey (case): its status (converted, in_progress, stopped, off_path; see
-- marts/journeys.sql) and whether it was observed long enough for the findings
-- materialisation: temp table
CREATE OR REPLACE TEMP TABLE int_journey_status AS
WITH has_steps AS (
    SELECT count(*) > 0 AS has_steps FROM meta.happy_path_steps
)

SELECT
    facts.case_id,
    CASE
        WHEN facts.reached_goal THEN 'converted'
        WHEN has_steps.has_steps AND facts.furthest_step = 0 THEN 'off_path'
        WHEN (epoch_us(obs.observed_until) - epoch_us(facts.progressed_at)) / 1e6 < next_step.window_s
            THEN 'in_progress'
        ELSE 'stopped'
    END AS status,
    (NOT has_steps.has_steps OR (NOT facts.partial AND facts.furthest_step >= 1))
        AND facts.started_at <= obs.started_by AS observed
FROM temp.int_journey_facts AS facts
CROSS JOIN mining.analysis_window AS obs
CROSS JOIN has_steps
LEFT JOIN temp.int_step_parameters AS next_step ON next_step.step_no = facts.furthest_step + 1;
