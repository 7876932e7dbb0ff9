-- grain: one hand-off between two teams: the delivering team changes between two consecutive
-- steps a journey reached (mining.journey_steps). A support ticket at a random moment between
-- two steps is not a hand-off: only the teams that delivered the steps count.
CREATE OR REPLACE TABLE mining.handoffs AS
SELECT
    previous_team AS from_team,
    team AS to_team,
    count(*) AS n_handoffs,
    count(DISTINCT case_id) AS n_cases,
    median(wait_s) AS median_wait_s,
    quantile_cont(wait_s, 0.9) AS p90_wait_s
FROM mining.journey_steps
WHERE previous_team IS NOT NULL AND team IS NOT NULL AND previous_team <> team
GROUP BY previous_team, team
ORDER BY n_handoffs DESC, from_team, to_team;
