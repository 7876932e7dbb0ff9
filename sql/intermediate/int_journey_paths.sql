-- grain: one journey (case), before conformance: its activity sequence and variant
-- materialisation: temp table
-- The lists are aggregated unordered and sorted after: the timestamps as they are (the journey
-- order sorts by ts first), the events as integer keys ordinal × n + the event's label
-- (temp.int_event_labels: its activity, team and channel), decoded once sorted into the
-- activities and the labels (labels[i] is the i-th event's label). A list of integers
-- aggregates and sorts in half the time of an ordered list of text (bench/README.md).
CREATE OR REPLACE TEMP TABLE int_journey_paths AS
WITH names AS (
    SELECT list(activity ORDER BY label) AS activities, count(*) AS n
    FROM temp.int_event_labels
),

paths AS (
    SELECT
        events.case_id,
        any_value(events.account_id) AS account_id,
        list_sort(list(events.ts), 'ASC', 'NULLS LAST') AS timestamps,
        list_sort(list(events.ordinal * names.n + labels.label), 'ASC', 'NULLS LAST') AS keys,
        bool_or(events.activity = (SELECT goal FROM meta.outcome)) AS reached_goal
    FROM mining.journey_events AS events
    INNER JOIN temp.int_event_labels AS labels
        ON labels.activity = events.activity
        AND labels.team IS NOT DISTINCT FROM events.team
        AND labels.channel IS NOT DISTINCT FROM events.channel
    CROSS JOIN names
    GROUP BY events.case_id
),

decoded AS (
    SELECT
        paths.* EXCLUDE (keys),
        list_select(names.activities, list_transform(paths.keys, lambda k: k % names.n + 1))
            AS activities,
        list_transform(paths.keys, lambda k: k % names.n) AS labels
    FROM paths
    CROSS JOIN names
)

SELECT
    case_id,
    case_id AS customer_id,
    account_id,
    timestamps[1] AS started_at,
    timestamps[-1] AS ended_at,
    -- epoch microseconds: the same difference as date_diff('microsecond', …) without the
    -- calendar arithmetic it does on TIMESTAMPTZ (docs/design-notes.md)
    (epoch_us(timestamps[-1]) - epoch_us(timestamps[1])) / 1e6 AS duration_s,
    len(timestamps) AS n_events,
    activities,
    timestamps,
    labels,
    substr(md5(array_to_string(activities, chr(31))), 1, 16) AS variant_id,
    reached_goal
FROM decoded;
