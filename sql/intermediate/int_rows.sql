-- grain: one usable row of any source (an event, or an identity link only), with its journey
-- meaning and the identifier that anchors it to a customer
-- materialisation: temp table
-- Precedence: the mapping's activity and stage; the row's own team (a preset's `team:`, e.g. a
-- ticket's group), then the mapping's, then the source default; the row's own channel, then the
-- mapping's, then the source default. `anchor` is the row's smallest identifier of a kind in
-- identity.link_on (`kind:value`); `nodes` lists all of them when there are two or more (the
-- rows that link identifiers). Rows without a linking identifier belong to no journey.
CREATE OR REPLACE TEMP TABLE int_rows AS
WITH staged AS (
    -- one SELECT per source, generated from the pipeline (its position is the tie-break rank)
    {{ staging_union }}
),

activity_map AS (
    SELECT * FROM meta.activity_map
),

source_defaults AS (
    SELECT * FROM meta.source_defaults
)

SELECT
    staged.source,
    staged.source_rank,
    staged.system,
    staged.file,
    staged.row_no,
    staged.event_id,
    staged.ts,
    staged.source_seq,
    staged.source_activity,
    coalesce(activity_map.activity, staged.source_activity) AS activity,
    activity_map.stage,
    coalesce(staged.row_team, activity_map.team, source_defaults.team) AS team,
    coalesce(staged.source_channel, activity_map.channel, source_defaults.channel) AS channel,
    staged.is_event AND coalesce(activity_map.keep, source_defaults.keep_unmapped) AS is_journey_event,
    staged.is_event,
    staged.account_name,
    staged.episode,
    staged.resource,
    staged.rating,
    staged.attributes,
    staged.anchor,
    staged.nodes
FROM staged
INNER JOIN source_defaults ON source_defaults.source = staged.source
LEFT JOIN activity_map
    ON activity_map.source = staged.source
    AND activity_map.source_activity = staged.source_activity
WHERE staged.anchor IS NOT NULL;
