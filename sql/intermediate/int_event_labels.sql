-- grain: one distinct (team, channel) of the journey events, numbered from 1 in their order
-- materialisation: temp table
-- The label of an event stands for its team and channel in temp.int_journey_paths' lists:
-- mining.journey_steps reads the team and channel of the events that reached the steps by
-- indexing the journey's labels, instead of joining mining.journey_events back (twice) on
-- (case_id, ordinal), which spilled under a 1 GB cap.
CREATE OR REPLACE TEMP TABLE int_event_labels AS
SELECT
    row_number() OVER (ORDER BY team, channel)::INTEGER AS label,
    team,
    channel
FROM (SELECT DISTINCT team, channel FROM mining.journey_events);
