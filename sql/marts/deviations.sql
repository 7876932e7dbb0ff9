-- grain: one deviation kind at one activity and position of one variant
-- materialisation: table
-- From the per-variant alignments (temp.int_variant_deviations, written by the conformance
-- step) and the step waits (timed_out). Two kinds of "skipped" are not deviations: a step the
-- model needed after a journey's last event (the journey stopped there, see mining.funnel), and
-- a step before the first event of a journey first seen mid-path (it is partial: we did not
-- see its beginning, see int_variant_path). A step is skipped only when the journey went on past
-- it: it reached a later required step in order (else it stopped there).
CREATE OR REPLACE TABLE mining.deviations AS
WITH from_alignments AS (
    SELECT deviations.variant_id, deviations.kind, deviations.activity, deviations.position, variants.n_cases
    FROM temp.int_variant_deviations AS deviations
    INNER JOIN temp.int_variants AS variants USING (variant_id)
    INNER JOIN temp.int_variant_path AS path USING (variant_id)
    WHERE NOT (deviations.kind = 'skipped' AND deviations.position > variants.n_activities)
        AND NOT (deviations.kind = 'skipped' AND path.partial AND deviations.position <= path.first_path_ordinal)
        AND NOT (
            deviations.kind = 'skipped'
            AND path.furthest_step <= coalesce(
                (SELECT max(steps.step_no) FROM meta.happy_path_steps AS steps
                 WHERE list_contains(steps.activities, deviations.activity)), 0)
        )
),

timed_out AS (
    SELECT
        paths.variant_id,
        'timed_out' AS kind,
        steps.label AS activity,
        journey_steps.reached_ordinal AS position,
        count(*) AS n_cases
    FROM mining.journey_steps AS journey_steps
    INNER JOIN meta.happy_path_steps AS steps USING (step_no)
    INNER JOIN temp.int_journey_paths AS paths USING (case_id)
    WHERE steps.within_s IS NOT NULL AND journey_steps.wait_s > steps.within_s
    GROUP BY ALL
)

SELECT * FROM from_alignments
UNION ALL
SELECT * FROM timed_out
ORDER BY n_cases DESC, variant_id, position, kind, activity;
