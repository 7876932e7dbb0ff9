-- Kind path: the way a journey came to a step along the happy path (the activities of that step,
-- of the steps before it and the path's optional ones, up to reaching the step, in order), against
-- the other ways to the same step. Activities the path does not know (support tickets) have kinds
-- of their own; a later step done early (paying before the contract) is progress beyond the step,
-- not a way to it, and is left out too.
-- population reached:<k>  journeys that reached step k (before the goal's step) before any goal
-- exposed                 came by this prefix; only the ten most frequent prefixes to each
--                         step with at least min_journeys journeys on each side are tested
-- A whole variant contains its outcome (the goal is one of its activities), so paths are
-- compared up to a step, never as whole variants.
CREATE OR REPLACE TEMP TABLE int_finding_paths AS
WITH context AS (
    SELECT * FROM temp.int_finding_context
),

later_activities AS (
    -- per step: the activities of the steps after it
    SELECT steps.step_no, flatten(list(later.activities) FILTER (WHERE later.step_no IS NOT NULL)) AS later
    FROM mining.funnel AS steps
    LEFT JOIN mining.funnel AS later ON later.step_no > steps.step_no
    GROUP BY steps.step_no
)

SELECT
    journeys.journey_no,
    reach.step_no,
    list_filter(
        variants.activities[1:reach.reached_ordinal],
        lambda a: list_contains(context.path_activities, a) AND NOT list_contains(coalesce(later.later, []), a)
    ) AS prefix,
    substr(md5(array_to_string(prefix, chr(31))), 1, 16) AS prefix_id
FROM temp.int_finding_journeys AS journeys
INNER JOIN mining.journey_steps AS reach ON reach.case_id = journeys.case_id
INNER JOIN mining.variants AS variants ON variants.variant_id = journeys.variant_id
INNER JOIN later_activities AS later ON later.step_no = reach.step_no
CROSS JOIN context
WHERE reach.step_no >= 2 AND reach.step_no < context.goal_step
    AND (journeys.goal_at IS NULL OR journeys.goal_at > reach.reached_at);

CREATE OR REPLACE TEMP TABLE int_finding_path_candidates AS
WITH counted AS (
    SELECT step_no, prefix_id, any_value(prefix) AS prefix, count(*) AS n_journeys,
        sum(count(*)) OVER (PARTITION BY step_no) AS n_population
    FROM temp.int_finding_paths
    GROUP BY step_no, prefix_id
),

eligible AS (
    SELECT *, row_number() OVER (PARTITION BY step_no ORDER BY n_journeys DESC, prefix_id) AS prefix_rank
    FROM counted
    WHERE n_journeys >= (SELECT min_journeys FROM mining.analysis_window)
        AND n_population - n_journeys >= (SELECT min_journeys FROM mining.analysis_window)
)

SELECT step_no, prefix_id, prefix FROM eligible WHERE prefix_rank <= 10;

INSERT INTO temp.int_finding_rows BY NAME
SELECT
    'reached:' || paths.step_no AS population_key,
    paths.journey_no,
    CASE WHEN candidates.prefix_id IS NULL THEN [] ELSE [paths.prefix_id] END AS exposures,
    NULL::DOUBLE AS wait_s
FROM temp.int_finding_paths AS paths
LEFT JOIN temp.int_finding_path_candidates AS candidates USING (step_no, prefix_id);

INSERT INTO temp.int_finding_defs BY NAME
SELECT
    'reached:' || candidates.step_no || '|' || candidates.prefix_id AS finding_key,
    'reached:' || candidates.step_no AS population_key,
    candidates.prefix_id AS exposure,
    'path' AS kind,
    'came to ' || funnel.step || ' by ' || array_to_string(candidates.prefix, ' → ') AS label,
    funnel.step_no,
    funnel.step,
    candidates.prefix AS path,
    'journeys that reached ' || funnel.step || ', by any way' AS population,
    false AS has_wait
FROM temp.int_finding_path_candidates AS candidates
INNER JOIN mining.funnel AS funnel USING (step_no);

DROP TABLE temp.int_finding_paths;
DROP TABLE temp.int_finding_path_candidates;
