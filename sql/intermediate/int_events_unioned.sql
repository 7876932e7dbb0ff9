-- grain: one event of any source, mapped to its journey activity (rows mapped to 'drop' removed)
-- Precedence: the mapping's activity, stage and team; the row's own channel, then the
-- mapping's, then the source default.
CREATE OR REPLACE TEMP TABLE int_events_unioned AS
WITH staged AS (
    {{ staging_union }}
),

events AS (
    SELECT * FROM staged WHERE is_event
),

activity_map AS (
    SELECT * FROM meta.activity_map
),

source_defaults AS (
    SELECT * FROM meta.source_defaults
),

mapped AS (
    SELECT
        events.event_id,
        events.source,
        events.source_rank,
        events.system,
        events.file,
        events.row_no,
        events.source_ref,
        events.ts,
        events.source_seq,
        events.source_activity,
        coalesce(activity_map.activity, events.source_activity) AS activity,
        activity_map.stage,
        coalesce(activity_map.team, source_defaults.team) AS team,
        coalesce(events.source_channel, activity_map.channel, source_defaults.channel) AS channel,
        coalesce(activity_map.keep, source_defaults.keep_unmapped) AS keep
    FROM events
    INNER JOIN source_defaults ON source_defaults.source = events.source
    LEFT JOIN activity_map
        ON activity_map.source = events.source
        AND activity_map.source_activity = events.source_activity
)

SELECT * EXCLUDE (keep) FROM mapped WHERE keep;
