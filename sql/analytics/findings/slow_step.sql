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
-- The teams and channels travel as codes of one ENUM type (meta.int_finding_names, the
-- distinct names, dropped once the table is made: the table keeps the type): one byte each
-- instead of a text each, compared and concatenated as their text is.
DROP TYPE IF EXISTS meta.int_finding_names;

CREATE TYPE meta.int_finding_names AS ENUM (
    SELECT DISTINCT name
    FROM (
        SELECT unnest(flatten([
            list(DISTINCT team), list(DISTINCT previous_team), list(DISTINCT channel), list(DISTINCT previous_channel)
        ])) AS name
        FROM mining.journey_steps
    )
    WHERE name IS NOT NULL
    ORDER BY name
);

CREATE OR REPLACE TEMP TABLE int_finding_steps AS
SELECT
    journeys.journey_no,
    CAST(reach.step_no AS INTEGER) AS step_no,
    reach.wait_s,
    CAST(reach.team AS meta.int_finding_names) AS team,
    CAST(reach.previous_team AS meta.int_finding_names) AS previous_team,
    CAST(reach.channel AS meta.int_finding_names) AS channel,
    CAST(reach.previous_channel AS meta.int_finding_names) AS previous_channel,
    journeys.goal,
    journeys.hash_half,
    journeys.time_half
FROM mining.journey_steps AS reach
INNER JOIN temp.int_finding_journeys AS journeys USING (case_id)
WHERE reach.step_no < (SELECT goal_step FROM mining.analysis_window)
    AND reach.previous_step_no = reach.step_no - 1
    AND (journeys.goal_at IS NULL OR journeys.goal_at >= reach.reached_at);

DROP TYPE meta.int_finding_names;

-- grain: one population of the slow steps (step, delivering team before, team): its key, and
-- a short one (within 12 characters, which DuckDB stores inline) that the millions of rows
-- below carry; the findings are named by the full key
CREATE OR REPLACE TEMP TABLE int_finding_slow_populations AS
SELECT
    step_no,
    previous_team,
    team,
    population_name,
    -- numbered by the full key: teams that print alike share a population, as in the key
    's' || dense_rank() OVER (ORDER BY population_name) AS population_key
FROM (
    SELECT
        step_no,
        previous_team,
        team,
        'slow:' || step_no || chr(31) || coalesce(previous_team, '') || chr(31) || coalesce(team, '')
            AS population_name
    FROM (SELECT DISTINCT step_no, previous_team, team FROM temp.int_finding_steps)
);

INSERT INTO temp.int_finding_rows BY NAME
SELECT
    populations.population_key,
    reach.journey_no,
    CASE WHEN reach.wait_s > funnel.threshold_s THEN ['slow'] ELSE [] END AS exposures,
    reach.wait_s,
    reach.goal,
    reach.hash_half,
    reach.time_half
FROM temp.int_finding_steps AS reach
INNER JOIN mining.funnel AS funnel USING (step_no)
INNER JOIN temp.int_finding_slow_populations AS populations
    ON populations.step_no = reach.step_no
    AND populations.previous_team IS NOT DISTINCT FROM reach.previous_team
    AND populations.team IS NOT DISTINCT FROM reach.team
WHERE funnel.threshold_s IS NOT NULL;

INSERT INTO temp.int_finding_defs BY NAME
WITH populations AS (
    SELECT step_no, previous_team::VARCHAR AS from_team, team::VARCHAR AS to_team, population_name, population_key
    FROM temp.int_finding_slow_populations
    WHERE population_key IN (SELECT DISTINCT population_key FROM temp.int_finding_rows)
)

SELECT
    populations.population_name || '|slow' AS finding_key,
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

DROP TABLE temp.int_finding_slow_populations;
