-- Kinds channel_switch and ping_pong, between consecutive steps a journey reached.
-- channel_switch  population chan:<k>: journeys that reached step k straight after step k-1,
--                 both with a channel, before any goal; exposed: the channel changed
-- ping_pong       population pong:<k>:<A>:<B>: journeys that went k-2 → k-1 → k straight,
--                 with a hand-off from team A to team B at k-1, before any goal; exposed:
--                 step k is delivered by A again
CREATE OR REPLACE TEMP TABLE int_finding_changes AS
WITH varying AS (
    -- steps whose reaching events come with more than one channel, or more than one team:
    -- where every journey is delivered alike there is nothing to compare
    SELECT
        step_no,
        min(channel) <> max(channel) OR min(previous_channel) <> max(previous_channel) AS channels_vary,
        min(team) <> max(team) AS teams_vary
    FROM temp.int_finding_steps
    GROUP BY step_no
)

SELECT
    reach.journey_no,
    reach.step_no,
    reach.previous_channel,
    reach.channel,
    before.previous_team AS first_team,
    before.team AS second_team,
    reach.team AS third_team,
    before.journey_no IS NOT NULL AS three_straight,
    reach.goal,
    reach.hash_half,
    reach.time_half
FROM temp.int_finding_steps AS reach
INNER JOIN varying USING (step_no)
LEFT JOIN temp.int_finding_steps AS before
    ON before.journey_no = reach.journey_no AND before.step_no = reach.step_no - 1
WHERE varying.channels_vary OR varying.teams_vary;

-- only populations holding both groups: a change every journey makes, or none does (a step
-- always delivered by the same team), is no finding
CREATE OR REPLACE TEMP TABLE int_finding_change_rows AS
WITH candidates AS (
    SELECT
        'chan:' || step_no AS population_key,
        'channel_switch' AS kind,
        'switched' AS exposure,
        step_no,
        NULL::VARCHAR AS first_team,
        NULL::VARCHAR AS second_team,
        journey_no,
        previous_channel <> channel AS exposed,
        goal,
        hash_half,
        time_half
    FROM temp.int_finding_changes
    WHERE previous_channel IS NOT NULL AND channel IS NOT NULL
    UNION ALL
    SELECT
        'pong:' || step_no || chr(31) || first_team || chr(31) || second_team,
        'ping_pong',
        'back',
        step_no,
        first_team,
        second_team,
        journey_no,
        third_team = first_team,
        goal,
        hash_half,
        time_half
    FROM temp.int_finding_changes
    WHERE three_straight AND first_team <> second_team AND third_team IS NOT NULL
)

SELECT *
FROM candidates
WHERE population_key IN (
    SELECT population_key FROM candidates GROUP BY population_key HAVING bool_or(exposed) AND NOT bool_and(exposed)
);

INSERT INTO temp.int_finding_rows BY NAME
SELECT
    population_key,
    journey_no,
    CASE WHEN exposed THEN [exposure] ELSE [] END AS exposures,
    NULL::DOUBLE AS wait_s,
    goal,
    hash_half,
    time_half
FROM temp.int_finding_change_rows;

INSERT INTO temp.int_finding_defs BY NAME
WITH populations AS (
    SELECT DISTINCT population_key, exposure, kind, step_no, first_team, second_team
    FROM temp.int_finding_change_rows
)

SELECT
    populations.population_key || '|' || populations.exposure AS finding_key,
    populations.population_key,
    populations.exposure,
    populations.kind,
    CASE populations.kind
        WHEN 'channel_switch' THEN 'channel changes from ' || previous.step || ' to ' || funnel.step
        ELSE 'back to ' || populations.first_team || ' at ' || funnel.step || ' after ' || populations.second_team
            || ' at ' || previous.step
    END AS label,
    funnel.step_no,
    funnel.step,
    funnel.step AS activity,
    previous.step AS from_activity,
    funnel.step AS to_activity,
    populations.second_team AS from_team,
    populations.first_team AS to_team,
    CASE populations.kind
        WHEN 'channel_switch' THEN 'journeys that reached ' || funnel.step || ' straight after ' || previous.step
        ELSE 'journeys handed from ' || populations.first_team || ' to ' || populations.second_team || ' at '
            || previous.step || ' that went on to ' || funnel.step
    END AS population,
    false AS has_wait
FROM populations
INNER JOIN mining.funnel AS funnel USING (step_no)
INNER JOIN mining.funnel AS previous ON previous.step_no = funnel.step_no - 1;

DROP TABLE temp.int_finding_changes;
DROP TABLE temp.int_finding_change_rows;
