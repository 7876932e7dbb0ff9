-- grain: the run's one observation window and the parameters its findings used (one row)
-- materialisation: table
CREATE OR REPLACE TABLE mining.analysis_window AS
WITH bounds AS (
    SELECT min(started_at) AS observed_from, max(ended_at) AS observed_until FROM temp.int_journey_facts
),

follow_up AS (
    SELECT coalesce(
        quantile_cont((epoch_us(goal_at) - epoch_us(started_at)) / 1e6, 0.95), 0
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
