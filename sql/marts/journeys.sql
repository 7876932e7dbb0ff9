-- grain: one journey (case): its path, variant, goal, conformance, how far it got and whether
-- it counts in the findings. Also mining.analysis_window: the one-row observation window and
-- the parameters of the findings.
-- status
--   converted    the goal activity occurs
--   in_progress  not converted, and it reached its furthest step less than the next step's
--                window_s before the end of the data: it may still go on (right-censored).
--                Measured from its last progress, not its last event: a newsletter opened
--                yesterday does not make a journey that stalled months ago still under way.
--   stopped      not converted, and waited longer than the next step's window
--   off_path     does no required step of the happy path at all
-- in_findings: the population every finding draws from: entered the path at step 1 (not
-- partial, not off the path), not in progress, and started at least follow_up_s before the
-- end of the data (so its outcome had time to happen: follow_up_s is the 95th percentile of
-- the start-to-goal time of converted journeys).
CREATE OR REPLACE TEMP TABLE int_journey_facts AS
WITH goal AS (
    SELECT goal FROM meta.outcome
)

SELECT
    paths.case_id,
    paths.started_at,
    paths.ended_at,
    paths.variant_id,
    paths.reached_goal,
    CASE WHEN paths.reached_goal
        THEN paths.timestamps[list_position(paths.activities, goal.goal)] END AS goal_at,
    path.furthest_step,
    paths.timestamps[path.furthest_ordinal] AS progressed_at,
    path.partial
FROM temp.int_journey_paths AS paths
INNER JOIN temp.int_variant_path AS path USING (variant_id)
CROSS JOIN goal;

-- grain: the run's one observation window and the parameters its findings used
CREATE OR REPLACE TABLE mining.analysis_window AS
WITH bounds AS (
    SELECT min(started_at) AS observed_from, max(ended_at) AS observed_until FROM temp.int_journey_facts
),

follow_up AS (
    SELECT coalesce(
        quantile_cont(date_diff('microsecond', started_at, goal_at) / 1e6, 0.95), 0
    ) AS follow_up_s
    FROM temp.int_journey_facts
    WHERE reached_goal AND NOT partial
)

SELECT
    bounds.observed_from,
    bounds.observed_until,
    follow_up.follow_up_s,
    bounds.observed_until - to_microseconds(CAST(follow_up.follow_up_s * 1e6 AS BIGINT)) AS started_by,
    outcome.goal,
    (SELECT max(step_no) FROM meta.happy_path_steps AS steps WHERE list_contains(steps.activities, outcome.goal))
        AS goal_step,
    outcome.negations,
    coalesce((SELECT list(activity ORDER BY activity) FROM meta.happy_path_activities), [])
        AS path_activities,
    settings.contacts,
    settings.repeat_contact_within_s,
    settings.min_journeys,
    settings.q_threshold,
    coalesce((SELECT list(attribute ORDER BY attribute) FROM meta.segments), []) AS segments
FROM bounds, follow_up, meta.outcome AS outcome, meta.finding_settings AS settings;

CREATE OR REPLACE TEMP TABLE int_journey_status AS
WITH has_steps AS (
    SELECT count(*) > 0 AS has_steps FROM meta.happy_path_steps
)

SELECT
    facts.case_id,
    CASE
        WHEN facts.reached_goal THEN 'converted'
        WHEN has_steps.has_steps AND facts.furthest_step = 0 THEN 'off_path'
        WHEN date_diff('microsecond', facts.progressed_at, obs.observed_until) / 1e6 < next_step.window_s
            THEN 'in_progress'
        ELSE 'stopped'
    END AS status,
    (NOT has_steps.has_steps OR (NOT facts.partial AND facts.furthest_step >= 1))
        AND facts.started_at <= obs.started_by AS observed
FROM temp.int_journey_facts AS facts
CROSS JOIN mining.analysis_window AS obs
CROSS JOIN has_steps
LEFT JOIN temp.int_step_parameters AS next_step ON next_step.step_no = facts.furthest_step + 1;

CREATE OR REPLACE TABLE mining.journeys AS
WITH late AS (
    SELECT DISTINCT journey_steps.case_id
    FROM mining.journey_steps AS journey_steps
    INNER JOIN meta.happy_path_steps AS steps USING (step_no)
    WHERE steps.within_s IS NOT NULL AND journey_steps.wait_s > steps.within_s
),

eligible AS (
    SELECT case_id, started_at
    FROM temp.int_journey_facts
    INNER JOIN temp.int_journey_status USING (case_id)
    WHERE observed AND status <> 'in_progress'
),

split AS (
    -- the time split of the replication check: half of the findings' journeys started by then
    SELECT quantile_disc(started_at, 0.5) AS split_at FROM eligible
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
    facts.goal_at,
    facts.furthest_step,
    facts.partial,
    status.status,
    variants.fitness,
    variants.fits_path,
    variants.fits_path AND late.case_id IS NULL AS conforms,
    eligible.case_id IS NOT NULL AS in_findings,
    CASE WHEN substr(md5(paths.case_id), 1, 1) < '8' THEN 1 ELSE 2 END AS hash_half,
    CASE WHEN paths.started_at <= split.split_at THEN 1 ELSE 2 END AS time_half
FROM temp.int_journey_paths AS paths
INNER JOIN mining.variants AS variants USING (variant_id)
INNER JOIN temp.int_journey_facts AS facts USING (case_id)
INNER JOIN temp.int_journey_status AS status USING (case_id)
CROSS JOIN split
LEFT JOIN late USING (case_id)
LEFT JOIN eligible USING (case_id)
ORDER BY paths.case_id;

UPDATE mining.variants
SET conforming_share = shares.conforming_share
FROM (
    SELECT variant_id, sum(conforms::INTEGER) / count(conforms) AS conforming_share
    FROM mining.journeys
    GROUP BY variant_id
) AS shares
WHERE shares.variant_id = mining.variants.variant_id;
