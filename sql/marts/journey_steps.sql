-- grain: one required happy-path step (funnel step) reached by one journey
-- materialisation: table
-- The reach of each variant (temp.int_variant_steps) spread to its journeys, with the
-- journey's own times and the events that reached the step and the one before.
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
