-- grain: one usable row of source {{ source }} (an event, or an identity link only), one row per event id
-- materialisation: view
-- Renames only. The canonical values were computed from the source's connector preset when
-- the row landed (raw.{{ source }}'s _jm_* columns, journey_mining/connectors/landing.py),
-- with the same expressions that decided the row was usable; nothing is parsed again here.
-- Every staging view has the same columns (episode, row_team, resource and rating are NULL
-- when the preset does not name them), then id_<kind> per identifier kind and attr_<name>
-- per customer attribute of the preset.
CREATE OR REPLACE VIEW staging.stg_{{ source }} AS
SELECT
    {{ source_literal }} AS source,
    {{ system }} AS system,
    _file AS file,
    _row AS row_no,
    _jm_event_id AS event_id,
    _jm_ts AS ts,
    _jm_source_seq AS source_seq,
    _jm_source_activity AS source_activity,
    _jm_source_channel AS source_channel,
    _jm_account_name AS account_name,
    _jm_is_event AS is_event,
    _jm_episode AS episode,
    _jm_team AS row_team,
    _jm_resource AS resource,
    _jm_rating AS rating,
    {{ identifier_columns }}{{ attribute_columns }}
FROM raw.{{ source }}
-- one row per event id: for files the first appearance (file, row order); for a database
-- source the latest load (origins sort by run id). Rows that are events in their own right
-- (event_id: ["@row"]) are unique by construction and skip this.
{{ dedup }};
