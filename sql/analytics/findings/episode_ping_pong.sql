-- Kind episode_ping_pong: ping-pong within an episode (a ticket, a deal, a conversation: a preset's `episode:`):
-- the episode is handed from team A to team B and then back to A.
-- population epong:<A>:<B>  journeys with a hand-off A → B inside an episode before the goal,
--                           after which the episode went on (another event of it before the goal)
-- exposed                   the next change of team in that episode goes back to A
-- A journey counts once per pair of teams: its first such hand-off.
CREATE OR REPLACE TEMP TABLE int_finding_episode_changes AS
WITH events AS (
    SELECT
        journeys.journey_no,
        events.source,
        events.episode,
        events.ordinal,
        events.team,
        count(*) OVER (PARTITION BY journeys.journey_no, events.source, events.episode) AS n_events,
        row_number() OVER episode AS nth,
        events.team IS DISTINCT FROM lag(events.team) OVER episode AS changed
    FROM temp.int_finding_journeys AS journeys
    INNER JOIN mining.journey_events AS events USING (case_id)
    WHERE events.episode IS NOT NULL AND events.team IS NOT NULL
        AND (journeys.goal_at IS NULL OR events.ts < journeys.goal_at)
    WINDOW episode AS (PARTITION BY journeys.journey_no, events.source, events.episode ORDER BY events.ordinal)
),

changes AS (
    -- one row per change of team inside an episode (its first event counts as one)
    SELECT
        journey_no,
        source,
        episode,
        ordinal,
        nth,
        n_events,
        team,
        lag(team) OVER changes AS from_team,
        lead(team) OVER changes AS next_team
    FROM events
    WHERE changed
    WINDOW changes AS (PARTITION BY journey_no, source, episode ORDER BY ordinal)
)

SELECT
    journey_no,
    from_team,
    team AS to_team,
    coalesce(next_team = from_team, false) AS back
FROM changes
WHERE from_team IS NOT NULL AND nth < n_events
QUALIFY row_number() OVER (PARTITION BY journey_no, from_team, team ORDER BY ordinal) = 1;

INSERT INTO temp.int_finding_rows BY NAME
SELECT
    'epong:' || changes.from_team || chr(31) || changes.to_team AS population_key,
    changes.journey_no,
    CASE WHEN changes.back THEN ['back'] ELSE [] END AS exposures,
    journeys.goal,
    journeys.hash_half,
    journeys.time_half
FROM temp.int_finding_episode_changes AS changes
INNER JOIN temp.int_finding_journeys AS journeys USING (journey_no)
WHERE changes.from_team || chr(31) || changes.to_team IN (
    SELECT from_team || chr(31) || to_team FROM temp.int_finding_episode_changes
    GROUP BY ALL HAVING bool_or(back) AND NOT bool_and(back)
);

INSERT INTO temp.int_finding_defs BY NAME
SELECT DISTINCT
    'epong:' || from_team || chr(31) || to_team || '|back' AS finding_key,
    'epong:' || from_team || chr(31) || to_team AS population_key,
    'back' AS exposure,
    'episode_ping_pong' AS kind,
    'episode handed back to ' || from_team || ' after ' || to_team AS label,
    to_team AS from_team,
    from_team AS to_team,
    'journeys with an episode (ticket, deal, conversation) handed from ' || from_team || ' to '
        || to_team || ' that went on' AS population,
    false AS has_wait
FROM temp.int_finding_episode_changes
WHERE 'epong:' || from_team || chr(31) || to_team IN (SELECT population_key FROM temp.int_finding_rows);

DROP TABLE temp.int_finding_episode_changes;
