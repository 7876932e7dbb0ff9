-- grain: one usable row of source {{ source }} (an event, or an identity link only), one row per event id
-- Renames and casts only; the expressions are compiled from the source's connector preset
-- (journey_mining/connectors/compile.py), the same ones that validated the rows on load.
CREATE OR REPLACE TABLE staging.stg_{{ source }} AS
WITH canonical AS (
    {{ canonical }}
)

SELECT
    {{ source_literal }} AS source,
    {{ source_rank }} AS source_rank,
    {{ system }} AS system,
    _file AS file,
    _row AS row_no,
    _file || ':' || _row AS source_ref,
    _event_id AS event_id,
    _ts AS ts,
    _source_seq AS source_seq,
    _source_activity AS source_activity,
    _source_channel AS source_channel,
    _account_name AS account_name,
    _is_event AS is_event,
    {{ identifier_columns }}
FROM canonical
-- one row per event id: for files the first appearance (file, row order); for a database
-- source the latest load (origins sort by run id)
QUALIFY row_number() OVER (PARTITION BY _event_id ORDER BY {{ dedup_order }}) = 1;
