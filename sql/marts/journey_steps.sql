-- grain: one required happy-path step (funnel step) reached by one journey
-- materialisation: table
-- The reach of each variant (temp.int_variant_steps) spread to its journeys, with the
-- journey's own times, and the activity, team and channel of the event that reached the step
-- and of the one that reached the step before: read from the journey's lists by ordinal (the
-- team and channel through the event's label), with no join back to mining.journey_events.
CREATE OR REPLACE TABLE mining.journey_steps AS
WITH spread AS (
    SELECT
        paths.case_id,
        reach.step_no,
        reach.reached_ordinal,
        paths.timestamps[reach.reached_ordinal] AS reached_at,
        reach.previous_step_no,
        -- epoch microseconds: date_diff's value without its calendar arithmetic
        (epoch_us(paths.timestamps[reach.reached_ordinal])
            - epoch_us(paths.timestamps[reach.previous_reached_ordinal])) / 1e6 AS wait_s,
        reach.next_step_no,
        paths.activities[reach.reached_ordinal] AS activity,
        paths.labels[reach.reached_ordinal] AS label,
        paths.labels[reach.previous_reached_ordinal] AS previous_label
    FROM temp.int_journey_paths AS paths
    INNER JOIN temp.int_variant_steps AS reach USING (variant_id)
)

SELECT
    spread.case_id,
    spread.step_no,
    spread.reached_ordinal,
    spread.reached_at,
    spread.previous_step_no,
    spread.wait_s,
    spread.next_step_no,
    spread.activity,
    labels.team,
    labels.channel,
    previous.team AS previous_team,
    previous.channel AS previous_channel
FROM spread
INNER JOIN temp.int_event_labels AS labels ON labels.label = spread.label
LEFT JOIN temp.int_event_labels AS previous ON previous.label = spread.previous_label;
