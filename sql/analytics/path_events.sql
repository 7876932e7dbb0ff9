-- grain: one event of an activity on the happy path's required steps (the funnel's input)
CREATE OR REPLACE TEMP TABLE int_path_events AS
SELECT case_id, activity, ordinal, ts
FROM mining.journey_events
WHERE activity IN (SELECT unnest(activities) FROM meta.happy_path_steps);

CREATE OR REPLACE TEMP TABLE int_step_reached (
    case_id VARCHAR,
    step_no BIGINT,
    reached_ordinal BIGINT,
    reached_at TIMESTAMPTZ
);
