-- Kinds slow_step and slow_handoff: a step reached later than its threshold after the step
-- before it (the step's `within`, else the 90th percentile of that wait: funnel.threshold_s).
-- population slow:<k>:<from team>:<to team>  journeys that reached step k straight after step
--                      k-1, with those delivering teams, before any goal; a change of team is
--                      a hand-off (slow_handoff), the same team a slow step (slow_step)
-- exposed              waited longer than the threshold
-- Reaching the goal's own step is the outcome, so the wait for it is not tested.
-- grain: one required step before the goal's step that one journey of the population reached
-- straight after the step before it and before any goal (mining.journey_steps, keyed by
-- journey_no: the kinds about consecutive steps join on an integer). These are the only reaches
-- those kinds compare (this file and step_changes.sql), so the table stays small under the
-- memory limit: the wait since the step before, and the teams and channels of both. Made here,
-- after the kinds about times have let their inputs go; dropped after step_changes.sql.
CREATE OR REPLACE TEMP TABLE int_finding_steps AS
SELECT
    journeys.journey_no,
    reach.step_no,
    reach.wait_s,
    reach.team,
    reach.previous_team,
    reach.channel,
    reach.previous_channel,
    journeys.goal,
    journeys.hash_half,
    journeys.time_half
FROM mining.journey_steps AS reach
INNER JOIN temp.int_finding_journeys AS journeys USING (case_id)
WHERE reach.step_no < (SELECT goal_step FROM mining.analysis_window)
    AND reach.previous_step_no = reach.step_no - 1
    AND (journeys.goal_at IS NULL OR journeys.goal_at >= reach.reached_at);

CREATE OR REPLACE TEMP VIEW int_finding_slow AS
SELECT
    'slow:' || reach.step_no || chr(31) || coalesce(reach.previous_team, '') || chr(31)
        || coalesce(reach.team, '') AS population_key,
    reach.step_no,
    reach.previous_team AS from_team,
    reach.team AS to_team,
    reach.journey_no,
    reach.wait_s > funnel.threshold_s AS slow,
    reach.wait_s,
    reach.goal,
    reach.hash_half,
    reach.time_half
FROM temp.int_finding_steps AS reach
INNER JOIN mining.funnel AS funnel USING (step_no)
WHERE funnel.threshold_s IS NOT NULL;

INSERT INTO temp.int_finding_rows BY NAME
SELECT
    population_key,
    journey_no,
    CASE WHEN slow THEN ['slow'] ELSE [] END AS exposures,
    wait_s,
    goal,
    hash_half,
    time_half
FROM temp.int_finding_slow;

INSERT INTO temp.int_finding_defs BY NAME
WITH populations AS (
    SELECT DISTINCT step_no, from_team, to_team,
        'slow:' || step_no || chr(31) || coalesce(from_team, '') || chr(31) || coalesce(to_team, '') AS population_key
    FROM (
        SELECT reach.step_no, reach.previous_team AS from_team, reach.team AS to_team
        FROM temp.int_finding_steps AS reach
        GROUP BY ALL
    )
    WHERE population_key IN (SELECT DISTINCT population_key FROM temp.int_finding_rows)
)

SELECT
    populations.population_key || '|slow' AS finding_key,
    populations.population_key,
    'slow' AS exposure,
    CASE WHEN populations.from_team <> populations.to_team THEN 'slow_handoff' ELSE 'slow_step' END AS kind,
    previous.step || ' → ' || funnel.step
        || CASE WHEN populations.from_team <> populations.to_team
            THEN ' (' || populations.from_team || ' → ' || populations.to_team || ')' ELSE '' END
        || ' slower than ' || CASE WHEN funnel.within_s IS NOT NULL THEN 'its window' ELSE 'its 90th percentile' END
        AS label,
    funnel.step_no,
    funnel.step,
    funnel.step AS activity,
    previous.step AS from_activity,
    funnel.step AS to_activity,
    populations.from_team,
    populations.to_team,
    'journeys that reached ' || funnel.step || ' straight after ' || previous.step
        || coalesce(' (' || populations.from_team || ' → ' || populations.to_team || ')', '') AS population,
    funnel.threshold_s,
    true AS has_wait
FROM populations
INNER JOIN mining.funnel AS funnel USING (step_no)
INNER JOIN mining.funnel AS previous ON previous.step_no = funnel.step_no - 1;

DROP VIEW temp.int_finding_slow;
