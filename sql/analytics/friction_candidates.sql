-- Candidate friction findings with the 2×2 counts behind each (goal reached or not, with or
-- without the finding); p-values and ranking are added by journey_mining.analytics.
-- impact = estimated goals lost: n_cases × (goal rate without − goal rate with).
-- Built in steps, each materialised once and dropped when used, so no large intermediate is
-- computed twice or held longer than needed.

-- grain: one journey's wait for one happy-path step (from reaching the step before it), with
-- whether the journey reached the goal
CREATE OR REPLACE TEMP TABLE int_friction_windows AS
SELECT
    waits.case_id,
    steps.step_no,
    steps.label,
    waits.reached_ordinal AS from_ordinal,
    coalesce(waits.next_reached_ordinal, 9223372036854775807) AS to_ordinal,
    CASE WHEN waits.next_step_no = steps.step_no THEN waits.to_next_s END AS wait_s,
    paths.reached_goal
FROM temp.int_step_waits AS waits
INNER JOIN meta.happy_path_steps AS steps ON steps.step_no = waits.step_no + 1
INNER JOIN temp.int_journey_paths AS paths USING (case_id);

-- grain: one off-path activity done while one journey waited for one step
CREATE OR REPLACE TEMP TABLE int_friction_interruptions AS
WITH off_path_events AS (
    SELECT case_id, ordinal, activity
    FROM mining.journey_events
    WHERE activity NOT IN (SELECT activity FROM meta.happy_path_activities)
)

SELECT DISTINCT
    windows.case_id,
    windows.step_no,
    windows.label,
    events.activity,
    windows.wait_s,
    windows.reached_goal
FROM temp.int_friction_windows AS windows
INNER JOIN off_path_events AS events
    ON events.case_id = windows.case_id
    AND events.ordinal > windows.from_ordinal
    AND events.ordinal < windows.to_ordinal;

-- grain: one step's wait of one journey, ranked within the step (the median baseline's input)
CREATE OR REPLACE TEMP TABLE int_friction_ranked_waits AS
SELECT
    step_no,
    case_id,
    wait_s,
    row_number() OVER (PARTITION BY step_no ORDER BY wait_s, case_id) AS wait_rank
FROM temp.int_friction_windows
WHERE wait_s IS NOT NULL;

-- grain: one hand-off between two teams in one journey (consecutive events of different
-- teams), with the next step's time window and whether the journey reached the goal
CREATE OR REPLACE TEMP TABLE int_friction_handoffs AS
SELECT
    events.case_id,
    events.team AS from_team,
    events.next_team AS to_team,
    events.activity AS from_activity,
    events.next_activity AS to_activity,
    date_diff('microsecond', events.ts, events.next_ts) / 1e6 AS wait_s,
    steps.within_s
FROM mining.journey_events AS events
LEFT JOIN (
    SELECT unnest(activities) AS activity, within_s FROM meta.happy_path_steps
) AS steps ON steps.activity = events.next_activity
WHERE events.team IS NOT NULL AND events.next_team IS NOT NULL
    AND events.team <> events.next_team;

-- grain: one candidate finding. One statement per kind of finding, so the memory each needs
-- is freed before the next (a single query would hold every join's table at once).
CREATE OR REPLACE TEMP TABLE int_friction_candidates (
    kind VARCHAR,
    "where" VARCHAR,
    activity VARCHAR,
    deviation_kind VARCHAR,
    n_cases BIGINT,
    n_goal BIGINT,
    n_population BIGINT,
    n_population_goal BIGINT,
    median_wait_s DOUBLE,
    baseline_wait_s DOUBLE
);

-- 1. deviations: journeys showing a kind of deviation at an activity, against all others
INSERT INTO temp.int_friction_candidates BY NAME
WITH population AS (
    SELECT count(*) AS n_population, count(*) FILTER (WHERE reached_goal) AS n_population_goal
    FROM temp.int_journey_paths
)

SELECT
    'deviation' AS kind,
    deviations.kind || ' ' || deviations.activity AS "where",
    deviations.activity,
    deviations.kind AS deviation_kind,
    count(*) AS n_cases,
    count(*) FILTER (WHERE paths.reached_goal) AS n_goal,
    any_value(population.n_population) AS n_population,
    any_value(population.n_population_goal) AS n_population_goal
FROM temp.int_case_deviations AS deviations
INNER JOIN temp.int_journey_paths AS paths USING (case_id)
CROSS JOIN population
GROUP BY deviations.kind, deviations.activity;

-- 2. off-path activities that happen while a journey waits for a step: "ticket_opened before
--    onboarding_completed", compared with the journeys that waited for that step without it
INSERT INTO temp.int_friction_candidates BY NAME
WITH window_population AS (
    SELECT
        step_no,
        count(*) AS n_population,
        count(*) FILTER (WHERE reached_goal) AS n_population_goal,
        count(wait_s) AS n_waits
    FROM temp.int_friction_windows
    GROUP BY step_no
),

interruption_findings AS (
    SELECT
        activity,
        step_no,
        label,
        count(*) AS n_cases,
        count(*) FILTER (WHERE reached_goal) AS n_goal,
        median(wait_s) AS median_wait_s
    FROM temp.int_friction_interruptions
    GROUP BY activity, step_no, label
),

-- The same step's median wait for the journeys the activity did not interrupt, without
-- pairing every finding with every window: the step's waits are ranked once; a finding's
-- interrupted windows are removed from that ranking by arithmetic. The k-th (0-based)
-- remaining wait sits at full rank k + 1 + #{j : r_j - j <= k}, where r_1 < r_2 < … are
-- the ranks of the finding's interrupted windows; the median interpolates the middle two
-- as DuckDB's median does.
interrupted_ranks AS (
    SELECT
        interruptions.activity,
        interruptions.step_no,
        ranked.wait_rank
            - row_number() OVER (
                PARTITION BY interruptions.activity, interruptions.step_no
                ORDER BY ranked.wait_rank
            ) AS rank_gap
    FROM temp.int_friction_interruptions AS interruptions
    INNER JOIN temp.int_friction_ranked_waits AS ranked USING (case_id, step_no)
),

baseline_ranks AS (
    SELECT
        findings.activity,
        findings.step_no,
        any_value(window_population.n_waits) - count(interrupted_ranks.rank_gap) AS n_remaining,
        floor((n_remaining - 1) / 2)::BIGINT AS k_low,
        ceil((n_remaining - 1) / 2)::BIGINT AS k_high,
        coalesce(
            list(interrupted_ranks.rank_gap) FILTER (WHERE interrupted_ranks.rank_gap IS NOT NULL),
            []
        ) AS gaps
    FROM interruption_findings AS findings
    INNER JOIN window_population USING (step_no)
    LEFT JOIN interrupted_ranks USING (activity, step_no)
    GROUP BY findings.activity, findings.step_no
),

baseline_positions AS (
    -- the two middle ranks of the remaining waits (equal when their number is odd)
    SELECT
        activity,
        step_no,
        unnest([
            k_low + 1 + len(list_filter(gaps, lambda gap: gap <= k_low)),
            k_high + 1 + len(list_filter(gaps, lambda gap: gap <= k_high))
        ]) AS wait_rank,
        unnest([1, 2]) AS middle
    FROM baseline_ranks
    WHERE n_remaining > 0
),

interruption_baseline AS (
    SELECT
        positions.activity,
        positions.step_no,
        any_value(ranked.wait_s) FILTER (WHERE positions.middle = 1) AS low_wait_s,
        any_value(ranked.wait_s) FILTER (WHERE positions.middle = 2) AS high_wait_s
    FROM baseline_positions AS positions
    INNER JOIN temp.int_friction_ranked_waits AS ranked USING (step_no, wait_rank)
    GROUP BY positions.activity, positions.step_no
)

SELECT
    'during_step' AS kind,
    findings.activity || ' before ' || findings.label AS "where",
    findings.activity,
    findings.n_cases,
    findings.n_goal,
    window_population.n_population,
    window_population.n_population_goal,
    findings.median_wait_s,
    baseline.low_wait_s + (baseline.high_wait_s - baseline.low_wait_s) * 0.5 AS baseline_wait_s
FROM interruption_findings AS findings
INNER JOIN window_population USING (step_no)
LEFT JOIN interruption_baseline AS baseline USING (activity, step_no);

-- 3. hand-offs between teams slower than the target step's window (or twice the edge's median)
INSERT INTO temp.int_friction_candidates BY NAME
WITH thresholds AS (
    SELECT
        from_activity,
        to_activity,
        coalesce(any_value(within_s), 2 * median(wait_s)) AS threshold_s
    FROM temp.int_friction_handoffs
    GROUP BY from_activity, to_activity
),

handoff_cases AS (
    SELECT
        handoffs.case_id,
        handoffs.from_team,
        handoffs.to_team,
        handoffs.from_activity,
        handoffs.to_activity,
        max(handoffs.wait_s) AS wait_s,
        max(handoffs.wait_s) > any_value(thresholds.threshold_s) AS slow
    FROM temp.int_friction_handoffs AS handoffs
    INNER JOIN thresholds USING (from_activity, to_activity)
    GROUP BY ALL
)

SELECT
    'slow_handoff' AS kind,
    from_activity || ' → ' || to_activity || ' (' || from_team || ' → ' || to_team || ')' AS "where",
    to_activity AS activity,
    count(*) FILTER (WHERE slow) AS n_cases,
    count(*) FILTER (WHERE slow AND paths.reached_goal) AS n_goal,
    count(*) AS n_population,
    count(*) FILTER (WHERE paths.reached_goal) AS n_population_goal,
    median(wait_s) FILTER (WHERE slow) AS median_wait_s,
    median(wait_s) FILTER (WHERE NOT slow) AS baseline_wait_s
FROM handoff_cases
INNER JOIN temp.int_journey_paths AS paths USING (case_id)
GROUP BY from_team, to_team, from_activity, to_activity
HAVING count(*) FILTER (WHERE slow) > 0;

-- 4. drop-offs along the funnel: journeys that stopped after a step (before the last one),
--    against the journeys that reached that step and went on
INSERT INTO temp.int_friction_candidates BY NAME
SELECT
    'drop_off' AS kind,
    'stopped after ' || steps.label AS "where",
    steps.label AS activity,
    count(*) FILTER (WHERE waits.next_step_no IS NULL) AS n_cases,
    count(*) FILTER (WHERE waits.next_step_no IS NULL AND paths.reached_goal) AS n_goal,
    count(*) AS n_population,
    count(*) FILTER (WHERE paths.reached_goal) AS n_population_goal
FROM temp.int_step_waits AS waits
INNER JOIN meta.happy_path_steps AS steps USING (step_no)
INNER JOIN temp.int_journey_paths AS paths USING (case_id)
WHERE steps.step_no < (SELECT max(step_no) FROM meta.happy_path_steps)
GROUP BY steps.step_no, steps.label
HAVING count(*) FILTER (WHERE waits.next_step_no IS NULL) > 0;

DROP TABLE temp.int_friction_windows;
DROP TABLE temp.int_friction_interruptions;
DROP TABLE temp.int_friction_ranked_waits;
DROP TABLE temp.int_friction_handoffs;
