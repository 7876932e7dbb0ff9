-- grain: one hand-off between two teams in one scope: a change of the delivering team
-- between two consecutive steps a journey reached (scope `steps`, mining.journey_steps), or
-- between two consecutive events of the same episode — one ticket, one deal, one conversation
-- materialisation: table
-- (scope `episode`, a preset's `episode:`). A support ticket at a random moment between two
-- steps is not a hand-off: only the teams that delivered the steps, or the episode, count.
CREATE OR REPLACE TABLE mining.handoffs AS
WITH step_handoffs AS (
    SELECT 'steps' AS scope, case_id, previous_team AS from_team, team AS to_team, wait_s
    FROM mining.journey_steps
    WHERE previous_team IS NOT NULL AND team IS NOT NULL AND previous_team <> team
),

episode_events AS (
    SELECT
        case_id,
        team,
        lag(team) OVER episode AS previous_team,
        (epoch_us(ts) - epoch_us(lag(ts) OVER episode)) / 1e6 AS wait_s
    FROM mining.journey_events
    WHERE episode IS NOT NULL
    WINDOW episode AS (PARTITION BY case_id, source, episode ORDER BY ordinal)
),

episode_handoffs AS (
    SELECT 'episode' AS scope, case_id, previous_team AS from_team, team AS to_team, wait_s
    FROM episode_events
    WHERE previous_team IS NOT NULL AND team IS NOT NULL AND previous_team <> team
),

handoffs AS (
    SELECT * FROM step_handoffs
    UNION ALL
    SELECT * FROM episode_handoffs
)

SELECT
    scope,
    from_team,
    to_team,
    count(*) AS n_handoffs,
    count(DISTINCT case_id) AS n_cases,
    median(wait_s) AS median_wait_s,
    quantile_cont(wait_s, 0.9) AS p90_wait_s
FROM handoffs
GROUP BY scope, from_team, to_team
ORDER BY n_handoffs DESC, scope, from_team, to_team;
