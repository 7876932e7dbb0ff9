-- grain: one candidate friction finding with the 2×2 counts behind it (goal reached or not,
-- with or without the finding); p-values and ranking are added by journey_mining.analytics.
-- impact = estimated goals lost: n_cases × (goal rate without − goal rate with).
CREATE OR REPLACE TEMP TABLE int_friction_candidates AS
WITH journeys AS (
    SELECT case_no, reached_goal FROM temp.int_journey_paths
),

happy_path_activities AS (
    SELECT activity FROM meta.happy_path_activities
),

-- 1. deviations: journeys showing a kind of deviation at an activity, against all others
deviation_cases AS (
    SELECT kind, activity, case_no FROM temp.int_case_deviations
),

deviation_findings AS (
    SELECT
        'deviation' AS kind,
        deviation_cases.kind || ' ' || deviation_cases.activity AS "where",
        deviation_cases.activity,
        deviation_cases.kind AS deviation_kind,
        count(*) AS n_cases,
        count(*) FILTER (WHERE journeys.reached_goal) AS n_goal,
        (SELECT count(*) FROM journeys) AS n_population,
        (SELECT count(*) FILTER (WHERE reached_goal) FROM journeys) AS n_population_goal,
        NULL::DOUBLE AS median_wait_s,
        NULL::DOUBLE AS baseline_wait_s
    FROM deviation_cases
    INNER JOIN journeys USING (case_no)
    GROUP BY ALL
),

-- 2. off-path activities that happen while a journey waits for a step: "ticket_opened before
--    onboarding_completed", compared with the journeys that waited for that step without it
windows AS (
    SELECT
        waits.case_no,
        steps.step_no,
        steps.label,
        waits.reached_ordinal AS from_ordinal,
        coalesce(waits.next_reached_ordinal, 9223372036854775807) AS to_ordinal,
        CASE WHEN waits.next_step_no = steps.step_no THEN waits.to_next_s END AS wait_s
    FROM temp.int_step_waits AS waits
    INNER JOIN meta.happy_path_steps AS steps ON steps.step_no = waits.step_no + 1
),

off_path_events AS (
    SELECT case_no, ordinal, activity
    FROM temp.int_journey_events
    WHERE activity NOT IN (SELECT activity FROM happy_path_activities)
),

interruptions AS (
    SELECT DISTINCT windows.case_no, windows.step_no, windows.label, events.activity
    FROM windows
    INNER JOIN off_path_events AS events
        ON events.case_no = windows.case_no
        AND events.ordinal > windows.from_ordinal
        AND events.ordinal < windows.to_ordinal
),

window_population AS (
    SELECT
        windows.step_no,
        count(*) AS n_population,
        count(*) FILTER (WHERE journeys.reached_goal) AS n_population_goal
    FROM windows
    INNER JOIN journeys USING (case_no)
    GROUP BY windows.step_no
),

interruption_findings AS (
    SELECT
        'during_step' AS kind,
        interruptions.activity || ' before ' || interruptions.label AS "where",
        interruptions.activity,
        NULL AS deviation_kind,
        count(*) AS n_cases,
        count(*) FILTER (WHERE journeys.reached_goal) AS n_goal,
        any_value(window_population.n_population) AS n_population,
        any_value(window_population.n_population_goal) AS n_population_goal,
        median(windows.wait_s) AS median_wait_s,
        NULL::DOUBLE AS baseline_wait_s,
        interruptions.step_no
    FROM interruptions
    INNER JOIN journeys USING (case_no)
    INNER JOIN windows USING (case_no, step_no)
    INNER JOIN window_population USING (step_no)
    GROUP BY interruptions.activity, interruptions.label, interruptions.step_no
),

-- The same step's median wait for the journeys the activity did not interrupt, without
-- pairing every finding with every window: the step's waits are ranked once; a finding's
-- interrupted windows are removed from that ranking by arithmetic. The k-th (0-based)
-- remaining wait sits at full rank k + 1 + #{j : r_j - j <= k}, where r_1 < r_2 < … are
-- the ranks of the finding's interrupted windows; the median interpolates the middle two
-- as DuckDB's median does.
ranked_waits AS MATERIALIZED (
    SELECT
        step_no,
        case_no,
        wait_s,
        row_number() OVER (PARTITION BY step_no ORDER BY wait_s, case_no) AS wait_rank,
        count(*) OVER (PARTITION BY step_no) AS n_waits
    FROM windows
    WHERE wait_s IS NOT NULL
),

interrupted_ranks AS (
    SELECT
        interruptions.activity,
        interruptions.step_no,
        ranked_waits.wait_rank
            - row_number() OVER (
                PARTITION BY interruptions.activity, interruptions.step_no
                ORDER BY ranked_waits.wait_rank
            ) AS rank_gap
    FROM interruptions
    INNER JOIN ranked_waits USING (case_no, step_no)
),

baseline_positions AS (
    SELECT
        findings.activity,
        findings.step_no,
        floor((totals.n_waits - count(interrupted_ranks.rank_gap) - 1) / 2)::BIGINT AS k_low,
        ceil((totals.n_waits - count(interrupted_ranks.rank_gap) - 1) / 2)::BIGINT AS k_high,
        list(interrupted_ranks.rank_gap) FILTER (WHERE interrupted_ranks.rank_gap IS NOT NULL)
            AS gaps,
        totals.n_waits - count(interrupted_ranks.rank_gap) AS n_remaining
    FROM interruption_findings AS findings
    INNER JOIN (SELECT DISTINCT step_no, n_waits FROM ranked_waits) AS totals USING (step_no)
    LEFT JOIN interrupted_ranks USING (activity, step_no)
    GROUP BY findings.activity, findings.step_no, totals.n_waits
),

baseline_ranks AS (
    SELECT
        activity,
        step_no,
        k_low + 1 + len(list_filter(coalesce(gaps, []), lambda gap: gap <= k_low)) AS rank_low,
        k_high + 1 + len(list_filter(coalesce(gaps, []), lambda gap: gap <= k_high)) AS rank_high
    FROM baseline_positions
    WHERE n_remaining > 0
),

sorted_waits AS (
    SELECT step_no, list(wait_s ORDER BY wait_rank) AS waits FROM ranked_waits GROUP BY step_no
),

interruption_baseline AS (
    SELECT
        baseline_ranks.activity,
        baseline_ranks.step_no,
        sorted_waits.waits[baseline_ranks.rank_low]
            + (sorted_waits.waits[baseline_ranks.rank_high] - sorted_waits.waits[baseline_ranks.rank_low])
            * 0.5 AS baseline_wait_s
    FROM baseline_ranks
    INNER JOIN sorted_waits USING (step_no)
),

-- 3. hand-offs between teams slower than the target step's window (or twice the edge's median)
transitions AS (
    SELECT
        case_no,
        team AS from_team,
        next_team AS to_team,
        activity AS from_activity,
        next_activity AS to_activity,
        wait_us / 1e6 AS wait_s
    FROM temp.int_journey_events
),

handoff_transitions AS (
    SELECT transitions.*, steps.within_s
    FROM transitions
    LEFT JOIN (
        SELECT unnest(activities) AS activity, within_s FROM meta.happy_path_steps
    ) AS steps ON steps.activity = transitions.to_activity
    WHERE transitions.from_team IS NOT NULL AND transitions.to_team IS NOT NULL
        AND transitions.from_team <> transitions.to_team
),

handoff_thresholds AS (
    SELECT
        from_activity,
        to_activity,
        coalesce(any_value(within_s), 2 * median(wait_s)) AS threshold_s,
        count(DISTINCT case_no) AS n_edge_cases
    FROM handoff_transitions
    GROUP BY from_activity, to_activity
),

handoff_cases AS (
    SELECT
        handoff_transitions.case_no,
        handoff_transitions.from_team,
        handoff_transitions.to_team,
        handoff_transitions.from_activity,
        handoff_transitions.to_activity,
        max(handoff_transitions.wait_s) AS wait_s,
        max(handoff_transitions.wait_s) > any_value(handoff_thresholds.threshold_s) AS slow
    FROM handoff_transitions
    INNER JOIN handoff_thresholds USING (from_activity, to_activity)
    GROUP BY ALL
),

handoff_findings AS (
    SELECT
        'slow_handoff' AS kind,
        from_activity || ' → ' || to_activity || ' (' || from_team || ' → ' || to_team || ')' AS "where",
        to_activity AS activity,
        NULL AS deviation_kind,
        count(*) FILTER (WHERE slow) AS n_cases,
        count(*) FILTER (WHERE slow AND journeys.reached_goal) AS n_goal,
        count(*) AS n_population,
        count(*) FILTER (WHERE journeys.reached_goal) AS n_population_goal,
        median(wait_s) FILTER (WHERE slow) AS median_wait_s,
        median(wait_s) FILTER (WHERE NOT slow) AS baseline_wait_s
    FROM handoff_cases
    INNER JOIN journeys USING (case_no)
    GROUP BY from_team, to_team, from_activity, to_activity
    HAVING count(*) FILTER (WHERE slow) > 0
),

-- 4. drop-offs along the funnel: journeys that stopped after a step (before the last one),
--    against the journeys that reached that step and went on
drop_findings AS (
    SELECT
        'drop_off' AS kind,
        'stopped after ' || steps.label AS "where",
        steps.label AS activity,
        NULL AS deviation_kind,
        count(*) FILTER (WHERE waits.next_step_no IS NULL) AS n_cases,
        count(*) FILTER (WHERE waits.next_step_no IS NULL AND journeys.reached_goal) AS n_goal,
        count(*) AS n_population,
        count(*) FILTER (WHERE journeys.reached_goal) AS n_population_goal,
        NULL::DOUBLE AS median_wait_s,
        NULL::DOUBLE AS baseline_wait_s
    FROM temp.int_step_waits AS waits
    INNER JOIN meta.happy_path_steps AS steps USING (step_no)
    INNER JOIN journeys USING (case_no)
    WHERE steps.step_no < (SELECT max(step_no) FROM meta.happy_path_steps)
    GROUP BY steps.step_no, steps.label
    HAVING count(*) FILTER (WHERE waits.next_step_no IS NULL) > 0
)

SELECT * FROM deviation_findings
UNION ALL BY NAME
SELECT findings.* EXCLUDE (baseline_wait_s, step_no), baseline.baseline_wait_s
FROM interruption_findings AS findings
LEFT JOIN interruption_baseline AS baseline USING (activity, step_no)
UNION ALL BY NAME
SELECT * FROM handoff_findings
UNION ALL BY NAME
SELECT * FROM drop_findings;
