-- grain: one required happy-path step (funnel step) reached by one journey
-- A journey reaches a step when it does the step's activity after the latest earlier step it
-- reached (skips allowed; sql/analytics/funnel_step.sql finds the reach per variant). Each reach
-- gets the journey's own time, the step reached before it (previous_step_no: step_no - 1 when
-- the journey came straight from the step before, lower after a skip, NULL for the first step
-- it reached), the wait since then, and the activity, team and channel of the event that
-- reached it (the delivering team of the step), and the team and channel of the step reached
-- before it (previous_team, previous_channel: a hand-off is a change of team between two
-- consecutive steps reached). Stored in no particular order.
CREATE OR REPLACE TEMP TABLE int_variant_steps AS
SELECT
    variant_id,
    step_no,
    reached_ordinal,
    lag(step_no) OVER variant AS previous_step_no,
    lag(reached_ordinal) OVER variant AS previous_reached_ordinal,
    lead(step_no) OVER variant AS next_step_no
FROM temp.int_step_reached
WINDOW variant AS (PARTITION BY variant_id ORDER BY step_no);

CREATE OR REPLACE TABLE mining.journey_steps AS
SELECT
    paths.case_id,
    reach.step_no,
    reach.reached_ordinal,
    paths.timestamps[reach.reached_ordinal] AS reached_at,
    reach.previous_step_no,
    date_diff(
        'microsecond',
        paths.timestamps[reach.previous_reached_ordinal],
        paths.timestamps[reach.reached_ordinal]
    ) / 1e6 AS wait_s,
    reach.next_step_no,
    events.activity,
    events.team,
    events.channel,
    previous.team AS previous_team,
    previous.channel AS previous_channel
FROM temp.int_journey_paths AS paths
INNER JOIN temp.int_variant_steps AS reach USING (variant_id)
INNER JOIN mining.journey_events AS events
    ON events.case_id = paths.case_id AND events.ordinal = reach.reached_ordinal
LEFT JOIN mining.journey_events AS previous
    ON previous.case_id = paths.case_id AND previous.ordinal = reach.previous_reached_ordinal;
