-- grain: one candidate friction finding with the 2×2 counts behind it (goal reached or not,
-- with or without the finding); p-values and ranking are added by journey_mining.analytics.
-- impact = estimated goals lost: n_cases × (goal rate without − goal rate with).
CREATE OR REPLACE TEMP TABLE int_friction_candidates AS
WITH journeys AS (
    SELECT case_id, reached_goal FROM mining.journeys
),

happy_path_activities AS (
    SELECT activity FROM meta.happy_path_activities
),

-- 1. deviations: journeys showing a kind of deviation at an activity, against all others
deviation_cases AS (
    SELECT kind, activity, case_id FROM temp.int_case_deviations
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
    INNER JOIN journeys USING (case_id)
    GROUP BY ALL
),

-- 2. off-path activities that happen while a journey waits for a step: "ticket_opened before
--    onboarding_completed", compared with the journeys that waited for that step without it
windows AS (
    SELECT
        waits.case_id,
        steps.step_no,
        steps.label,
        waits.reached_ordinal AS from_ordinal,
        coalesce(waits.next_reached_ordinal, 9223372036854775807) AS to_ordinal,
        CASE WHEN waits.next_step_no = steps.step_no THEN waits.to_next_s END AS wait_s
    FROM temp.int_step_waits AS waits
    INNER JOIN meta.happy_path_steps AS steps ON steps.step_no = waits.step_no + 1
),

interruptions AS (
    SELECT DISTINCT windows.case_id, windows.step_no, windows.label, events.activity
    FROM windows
    INNER JOIN mining.journey_events AS events
        ON events.case_id = windows.case_id
        AND events.ordinal > windows.from_ordinal
        AND events.ordinal < windows.to_ordinal
    WHERE events.activity NOT IN (SELECT activity FROM happy_path_activities)
),

window_population AS (
    SELECT
        windows.step_no,
        count(*) AS n_population,
        count(*) FILTER (WHERE journeys.reached_goal) AS n_population_goal
    FROM windows
    INNER JOIN journeys USING (case_id)
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
    INNER JOIN journeys USING (case_id)
    INNER JOIN windows USING (case_id, step_no)
    INNER JOIN window_population USING (step_no)
    GROUP BY interruptions.activity, interruptions.label, interruptions.step_no
),

interruption_baseline AS (
    -- the same step's wait for journeys the activity did not interrupt
    SELECT findings.activity, findings.step_no, median(windows.wait_s) AS baseline_wait_s
    FROM interruption_findings AS findings
    INNER JOIN windows ON windows.step_no = findings.step_no
    WHERE NOT EXISTS (
        SELECT 1 FROM interruptions
        WHERE interruptions.case_id = windows.case_id
            AND interruptions.step_no = findings.step_no
            AND interruptions.activity = findings.activity
    )
    GROUP BY findings.activity, findings.step_no
),

-- 3. hand-offs between teams slower than the target step's window (or twice the edge's median)
transitions AS (
    SELECT
        case_id,
        team AS from_team,
        lead(team) OVER journey AS to_team,
        activity AS from_activity,
        lead(activity) OVER journey AS to_activity,
        date_diff('microsecond', ts, lead(ts) OVER journey) / 1e6 AS wait_s
    FROM mining.journey_events
    WINDOW journey AS (PARTITION BY case_id ORDER BY ordinal)
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
        count(DISTINCT case_id) AS n_edge_cases
    FROM handoff_transitions
    GROUP BY from_activity, to_activity
),

handoff_cases AS (
    SELECT
        handoff_transitions.case_id,
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
    INNER JOIN journeys USING (case_id)
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
    INNER JOIN journeys USING (case_id)
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
