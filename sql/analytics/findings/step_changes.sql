-- Kinds channel_switch and ping_pong, between consecutive steps a journey reached.
-- channel_switch  population chan:<k>: journeys that reached step k straight after step k-1,
--                 both with a channel, before any goal; exposed: the channel changed
-- ping_pong       population pong:<k>:<A>:<B>: journeys that went k-2 → k-1 → k straight,
--                 with a hand-off from team A to team B at k-1, before any goal; exposed:
--                 step k is delivered by A again
CREATE OR REPLACE TEMP TABLE int_finding_changes AS
WITH context AS (
    SELECT * FROM temp.int_finding_context
)

SELECT
    journeys.journey_no,
    reach.step_no,
    reach.previous_channel,
    reach.channel,
    before.previous_team AS first_team,
    before.team AS second_team,
    reach.team AS third_team,
    before.previous_step_no = reach.step_no - 2 AS three_straight
FROM temp.int_finding_journeys AS journeys
INNER JOIN mining.journey_steps AS reach ON reach.case_id = journeys.case_id
LEFT JOIN mining.journey_steps AS before
    ON before.case_id = journeys.case_id AND before.step_no = reach.step_no - 1
CROSS JOIN context
WHERE reach.previous_step_no = reach.step_no - 1
    AND reach.step_no < context.goal_step
    AND (journeys.goal_at IS NULL OR journeys.goal_at >= reach.reached_at);

INSERT INTO temp.int_finding_rows BY NAME
SELECT
    'chan:' || step_no AS population_key,
    journey_no,
    CASE WHEN previous_channel <> channel THEN ['switched'] ELSE [] END AS exposures,
    NULL::DOUBLE AS wait_s
FROM temp.int_finding_changes
WHERE previous_channel IS NOT NULL AND channel IS NOT NULL
UNION ALL
SELECT
    'pong:' || step_no || chr(31) || first_team || chr(31) || second_team AS population_key,
    journey_no,
    CASE WHEN third_team = first_team THEN ['back'] ELSE [] END AS exposures,
    NULL::DOUBLE AS wait_s
FROM temp.int_finding_changes
WHERE three_straight AND first_team <> second_team AND third_team IS NOT NULL;

INSERT INTO temp.int_finding_defs BY NAME
WITH populations AS (
    SELECT DISTINCT
        'chan:' || step_no AS population_key, 'switched' AS exposure, 'channel_switch' AS kind,
        step_no, NULL::VARCHAR AS first_team, NULL::VARCHAR AS second_team
    FROM temp.int_finding_changes
    WHERE previous_channel IS NOT NULL AND channel IS NOT NULL
    UNION ALL
    SELECT DISTINCT
        'pong:' || step_no || chr(31) || first_team || chr(31) || second_team, 'back', 'ping_pong',
        step_no, first_team, second_team
    FROM temp.int_finding_changes
    WHERE three_straight AND first_team <> second_team AND third_team IS NOT NULL
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
