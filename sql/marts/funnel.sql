-- grain: one required step of the happy path, in order (the funnel)
-- reached = reached_directly + reached_after_skip + started_here
--         = went_on + converted_here + in_progress + stopped
-- "reached" means in order: the step's activity after the latest earlier step the journey
-- reached (skips allowed), so it can rise from one step to the next (journeys that skipped the
-- step before, and partial journeys first seen at this step). done_at_all counts journeys that
-- did the step's activities anywhere, in order or not.
-- materialisation: table
CREATE OR REPLACE TABLE mining.funnel AS
WITH totals AS (
    SELECT count(*) AS n_journeys FROM mining.journeys
),

last_step AS (
    SELECT max(step_no) AS last_step_no FROM meta.happy_path_steps
),

per_step AS (
    SELECT
        reach.step_no,
        count(*) AS reached,
        count(*) FILTER (WHERE reach.previous_step_no = reach.step_no - 1) AS reached_directly,
        count(*) FILTER (WHERE reach.previous_step_no < reach.step_no - 1) AS reached_after_skip,
        count(*) FILTER (WHERE reach.previous_step_no IS NULL) AS started_here,
        count(*) FILTER (WHERE reach.next_step_no IS NOT NULL) AS went_on,
        count(*) FILTER (WHERE reach.next_step_no IS NULL AND journeys.status = 'converted') AS converted_here,
        count(*) FILTER (WHERE reach.next_step_no IS NULL AND journeys.status = 'in_progress') AS in_progress,
        count(*) FILTER (WHERE reach.next_step_no IS NULL AND journeys.status = 'stopped') AS stopped,
        median(reach.wait_s) AS median_s_from_previous,
        quantile_cont(reach.wait_s, 0.9) AS p90_s_from_previous,
        count(*) FILTER (WHERE steps.within_s IS NOT NULL AND reach.wait_s > steps.within_s) AS n_late
    FROM mining.journey_steps AS reach
    INNER JOIN mining.journeys AS journeys USING (case_id)
    INNER JOIN meta.happy_path_steps AS steps USING (step_no)
    GROUP BY reach.step_no
),

onward AS (
    -- the wait from this step to the next step reached
    SELECT previous_step_no AS step_no, median(wait_s) AS median_s_to_next
    FROM mining.journey_steps
    WHERE previous_step_no IS NOT NULL
    GROUP BY previous_step_no
),

skipped AS (
    -- journeys that reached a later step without this one (a reach that jumped over it)
    SELECT steps.step_no, count(*) AS skipped
    FROM meta.happy_path_steps AS steps
    INNER JOIN mining.journey_steps AS reach
        ON reach.previous_step_no < steps.step_no AND reach.step_no > steps.step_no
    GROUP BY steps.step_no
),

anywhere AS (
    SELECT steps.step_no, sum(variants.n_cases) AS done_at_all
    FROM meta.happy_path_steps AS steps
    INNER JOIN temp.int_variants AS variants ON list_has_all(variants.activities, steps.activities)
    GROUP BY steps.step_no
)

SELECT
    steps.step_no,
    steps.label AS step,
    steps.activities,
    coalesce(per_step.reached, 0) AS reached,
    coalesce(per_step.reached_directly, 0) AS reached_directly,
    coalesce(per_step.reached_after_skip, 0) AS reached_after_skip,
    coalesce(per_step.started_here, 0) AS started_here,
    coalesce(anywhere.done_at_all, 0)::BIGINT AS done_at_all,
    coalesce(skipped.skipped, 0) AS skipped,
    coalesce(per_step.went_on, 0) AS went_on,
    coalesce(per_step.converted_here, 0) AS converted_here,
    coalesce(per_step.in_progress, 0) AS in_progress,
    coalesce(per_step.stopped, 0) AS stopped,
    CASE WHEN steps.step_no < last_step.last_step_no
        THEN per_step.went_on / nullif(per_step.went_on + per_step.stopped, 0) END AS conversion_to_next,
    coalesce(per_step.reached, 0) / nullif(totals.n_journeys, 0) AS share_of_journeys,
    per_step.median_s_from_previous,
    per_step.p90_s_from_previous,
    onward.median_s_to_next,
    steps.within_s,
    coalesce(per_step.n_late, 0) AS n_late,
    parameters.window_s,
    parameters.landmark_s,
    parameters.threshold_s
FROM meta.happy_path_steps AS steps
CROSS JOIN totals
CROSS JOIN last_step
LEFT JOIN per_step USING (step_no)
LEFT JOIN onward USING (step_no)
LEFT JOIN skipped USING (step_no)
LEFT JOIN anywhere USING (step_no)
LEFT JOIN temp.int_step_parameters AS parameters USING (step_no)
ORDER BY steps.step_no;
