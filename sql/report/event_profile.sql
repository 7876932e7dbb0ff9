-- grain: one combination of an activity with the stage, team, channel, system, owner, rating
-- and third party of its events (what the six questions per step read); the only full pass
-- over mining.journey_events that needs no join. Columns the warehouse does not carry are
-- NULL (the report says so), filled in by report/queries.py from a fixed list of names.
CREATE OR REPLACE TEMP TABLE report_event_profile AS
SELECT
    activity,
    stage,
    team,
    channel,
    system,
    {{ resource }} AS resource,
    {{ rating }} AS rating,
    {{ third_party }} AS third_party,
    count(*) AS n_events,
    sum(ordinal) AS sum_ordinal
FROM mining.journey_events
GROUP BY ALL;
