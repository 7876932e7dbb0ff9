-- grain: one distinct (activity, team, channel) of the journey events, numbered from 0 in their order
-- materialisation: temp table
-- The label of an event stands for its activity, team and channel in temp.int_journey_paths'
-- lists: the journey lists are aggregated as integer keys (ordinal × n + label) and decoded once
-- sorted, and mining.journey_steps reads the team and channel of the events that reached the
-- steps by indexing the journey's labels, instead of joining mining.journey_events back (twice)
-- on (case_id, ordinal), which spilled under a 1 GB cap.
CREATE OR REPLACE TEMP TABLE int_event_labels AS
SELECT
    row_number() OVER (ORDER BY activity, team, channel) - 1 AS label,
    activity,
    team,
    channel
FROM (SELECT DISTINCT activity, team, channel FROM mining.journey_events);
