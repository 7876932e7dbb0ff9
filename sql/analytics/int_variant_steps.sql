-- grain: one required happy-path step reached by one variant, with the step reached before
-- and after it (mining.journey_steps spreads it to the variant's journeys)
-- materialisation: temp table
-- A journey (each of the variant's journeys) reaches a step when it does the step's activity after the latest earlier step it
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
