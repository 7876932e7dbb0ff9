-- grain: one journey (case): its path, variant, goal, conformance, how far it got and whether
-- it counts in the findings
-- materialisation: table
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
    alignments.fitness,
    alignments.cost = 0 AS fits_path,
    alignments.cost = 0 AND late.case_id IS NULL AS conforms,
    eligible.case_id IS NOT NULL AS in_findings,
    CASE WHEN substr(md5(paths.case_id), 1, 1) < '8' THEN 1 ELSE 2 END AS hash_half,
    CASE WHEN paths.started_at <= split.split_at THEN 1 ELSE 2 END AS time_half
FROM temp.int_journey_paths AS paths
LEFT JOIN temp.int_variant_alignments AS alignments USING (variant_id)
INNER JOIN temp.int_journey_facts AS facts USING (case_id)
INNER JOIN temp.int_journey_status AS status USING (case_id)
CROSS JOIN split
LEFT JOIN late USING (case_id)
LEFT JOIN eligible USING (case_id)
ORDER BY paths.case_id;
