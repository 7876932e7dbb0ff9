-- Marts that join the per-variant alignments (temp.int_variant_alignments,
-- temp.int_variant_deviations, written by the conformance step) and the per-variant funnel
-- reach points (temp.int_step_reached) back onto journeys.

-- grain: one variant that reaches a step, with the step reached before it and after it
CREATE OR REPLACE TEMP TABLE int_variant_steps AS
SELECT
    variant_id,
    step_no,
    reached_ordinal,
    lag(reached_ordinal) OVER variant AS previous_reached_ordinal,
    lead(step_no) OVER variant AS next_step_no,
    lead(reached_ordinal) OVER variant AS next_reached_ordinal
FROM temp.int_step_reached
WINDOW variant AS (PARTITION BY variant_id ORDER BY step_no);

-- grain: one journey that reached a step, with the wait since the latest earlier step it
-- reached and the step it reached next (NULL when it stopped here); times are the journey's
-- own, read at the variant's reach positions
CREATE OR REPLACE TEMP TABLE int_step_waits AS
SELECT
    paths.case_id,
    reach.step_no,
    steps.label,
    steps.within_s,
    reach.reached_ordinal,
    date_diff(
        'microsecond',
        paths.timestamps[reach.previous_reached_ordinal],
        paths.timestamps[reach.reached_ordinal]
    ) / 1e6 AS wait_s,
    reach.next_step_no,
    reach.next_reached_ordinal,
    date_diff(
        'microsecond',
        paths.timestamps[reach.reached_ordinal],
        paths.timestamps[reach.next_reached_ordinal]
    ) / 1e6 AS to_next_s
FROM temp.int_journey_paths AS paths
INNER JOIN temp.int_variant_steps AS reach USING (variant_id)
INNER JOIN meta.happy_path_steps AS steps USING (step_no);

-- grain: one variant and the last funnel step its journeys reach in order
CREATE OR REPLACE TEMP TABLE int_variant_furthest AS
SELECT variant_id, max(step_no) AS furthest_step FROM temp.int_step_reached GROUP BY variant_id;

-- grain: one variant (fitness and conforms from its alignment against the happy path)
UPDATE mining.variants
SET fitness = alignments.fitness, conforms = alignments.cost = 0
FROM temp.int_variant_alignments AS alignments
WHERE alignments.variant_id = mining.variants.variant_id;

-- grain: one deviation kind at one activity and position of one variant; skips after a
-- journey's last event are not deviations but where it stopped (see mining.funnel)
CREATE OR REPLACE TABLE mining.deviations AS
WITH from_alignments AS (
    SELECT deviations.variant_id, deviations.kind, deviations.activity, deviations.position, variants.n_cases
    FROM temp.int_variant_deviations AS deviations
    INNER JOIN mining.variants AS variants USING (variant_id)
    WHERE NOT (deviations.kind = 'skipped' AND deviations.position > variants.n_activities)
),

timed_out AS (
    SELECT
        paths.variant_id,
        'timed_out' AS kind,
        waits.label AS activity,
        waits.reached_ordinal AS position,
        count(*) AS n_cases
    FROM temp.int_step_waits AS waits
    INNER JOIN temp.int_journey_paths AS paths USING (case_id)
    WHERE waits.within_s IS NOT NULL AND waits.wait_s > waits.within_s
    GROUP BY ALL
)

SELECT * FROM from_alignments
UNION ALL
SELECT * FROM timed_out
ORDER BY n_cases DESC, variant_id, position, kind, activity;

-- grain: one journey and one kind of deviation at one activity it shows
CREATE OR REPLACE TEMP TABLE int_case_deviations AS
SELECT DISTINCT paths.case_id, deviations.kind, deviations.activity
FROM mining.deviations AS deviations
INNER JOIN temp.int_journey_paths AS paths USING (variant_id)
WHERE deviations.kind <> 'timed_out'
UNION
SELECT DISTINCT case_id, 'timed_out' AS kind, label AS activity
FROM temp.int_step_waits
WHERE within_s IS NOT NULL AND wait_s > within_s;

-- grain: one journey (case): its path, variant, goal, conformance and how far it got
CREATE OR REPLACE TABLE mining.journeys AS
WITH late AS (
    SELECT DISTINCT case_id FROM temp.int_case_deviations WHERE kind = 'timed_out'
)

SELECT
    paths.case_id,
    paths.customer_id,
    paths.account_id,
    paths.started_at,
    paths.ended_at,
    paths.duration_s,
    paths.n_events,
    paths.variant_id,
    paths.reached_goal,
    coalesce(furthest.furthest_step, 0) AS furthest_step,
    variants.fitness,
    variants.conforms AND late.case_id IS NULL AS conforms
FROM temp.int_journey_paths AS paths
INNER JOIN mining.variants AS variants USING (variant_id)
LEFT JOIN temp.int_variant_furthest AS furthest USING (variant_id)
LEFT JOIN late USING (case_id)
ORDER BY paths.case_id;

-- grain: one required step of the happy path, in order (the funnel)
CREATE OR REPLACE TABLE mining.funnel AS
WITH totals AS (
    SELECT count(*) AS n_journeys FROM temp.int_journey_paths
),

last_step AS (
    SELECT max(step_no) AS last_step_no FROM meta.happy_path_steps
),

per_step AS (
    SELECT
        waits.step_no,
        count(*) AS reached,
        count(*) FILTER (WHERE waits.next_step_no IS NULL) AS stopped,
        median(waits.wait_s) AS median_s_from_previous,
        quantile_cont(waits.wait_s, 0.9) AS p90_s_from_previous,
        median(waits.to_next_s) AS median_s_to_next,
        count(*) FILTER (WHERE waits.within_s IS NOT NULL AND waits.wait_s > waits.within_s) AS n_late
    FROM temp.int_step_waits AS waits
    GROUP BY waits.step_no
),

skipped AS (
    -- journeys that reached a later step without this one
    SELECT steps.step_no, sum(variants.n_cases) AS skipped
    FROM meta.happy_path_steps AS steps
    INNER JOIN temp.int_variant_furthest AS furthest ON furthest.furthest_step > steps.step_no
    INNER JOIN mining.variants AS variants USING (variant_id)
    WHERE NOT EXISTS (
        SELECT 1 FROM temp.int_step_reached AS reached
        WHERE reached.variant_id = furthest.variant_id AND reached.step_no = steps.step_no
    )
    GROUP BY steps.step_no
)

SELECT
    steps.step_no,
    steps.label AS step,
    steps.activities,
    coalesce(per_step.reached, 0) AS reached,
    coalesce(skipped.skipped, 0)::BIGINT AS skipped,
    CASE WHEN steps.step_no = last_step.last_step_no THEN 0 ELSE coalesce(per_step.stopped, 0) END AS dropped,
    CASE WHEN steps.step_no < last_step.last_step_no
        THEN 1 - coalesce(per_step.stopped, 0) / nullif(per_step.reached, 0) END AS conversion_to_next,
    coalesce(per_step.reached, 0) / nullif(totals.n_journeys, 0) AS share_of_journeys,
    per_step.median_s_from_previous,
    per_step.p90_s_from_previous,
    per_step.median_s_to_next,
    steps.within_s,
    coalesce(per_step.n_late, 0) AS n_late
FROM meta.happy_path_steps AS steps
CROSS JOIN totals
CROSS JOIN last_step
LEFT JOIN per_step USING (step_no)
LEFT JOIN skipped USING (step_no)
ORDER BY steps.step_no;
