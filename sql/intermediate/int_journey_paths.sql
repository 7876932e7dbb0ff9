-- grain: one journey (case), before conformance: its activity sequence and variant
-- materialisation: temp table
-- The journey's events are gathered unordered as (ordinal, activity, ts, label) and the list
-- sorted once by its ordinals (unique within a journey): cheaper than one ordered aggregate
-- per list. labels[i] is the i-th event's temp.int_event_labels label (its team and channel).
CREATE OR REPLACE TEMP TABLE int_journey_paths AS
WITH paths AS (
    SELECT
        events.case_id,
        any_value(events.account_id) AS account_id,
        min(events.ts) AS started_at,
        max(events.ts) AS ended_at,
        count(*) AS n_events,
        list_sort(list((events.ordinal, events.activity, events.ts, labels.label)), 'ASC')
            AS ordered,
        bool_or(events.activity = (SELECT goal FROM meta.outcome)) AS reached_goal
    FROM mining.journey_events AS events
    INNER JOIN temp.int_event_labels AS labels
        ON labels.team IS NOT DISTINCT FROM events.team
        AND labels.channel IS NOT DISTINCT FROM events.channel
    GROUP BY events.case_id
)

SELECT
    case_id,
    case_id AS customer_id,
    account_id,
    started_at,
    ended_at,
    date_diff('microsecond', started_at, ended_at) / 1e6 AS duration_s,
    n_events,
    [event[2] FOR event IN ordered] AS activities,
    [event[3] FOR event IN ordered] AS timestamps,
    [event[4] FOR event IN ordered] AS labels,
    substr(md5(array_to_string(activities, chr(31))), 1, 16) AS variant_id,
    reached_goal
FROM paths;
