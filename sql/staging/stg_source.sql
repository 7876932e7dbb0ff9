-- grain: one usable row of source {{ source }} (an event, or an identity link only), one row per event id
-- Renames and casts only; the expressions are compiled from the source's connector preset
-- (journey_mining/connectors/compile.py), the same ones that validated the rows on load.
CREATE OR REPLACE TABLE staging.stg_{{ source }} AS
WITH landed AS (
    SELECT *, {{ doc }} AS _doc FROM raw.{{ source }}
),

canonical AS (
    SELECT
        {{ source_literal }} AS source,
        {{ source_rank }} AS source_rank,
        {{ system }} AS system,
        _file AS file,
        _row AS row_no,
        _file || ':' || _row AS source_ref,
        {{ event_id }} AS event_id,
        {{ ts }} AS ts,
        {{ sequence }} AS source_seq,
        {{ activity }} AS source_activity,
        {{ channel }} AS source_channel,
        {{ account }} AS account_name,
        {{ identifiers }} AS identifiers,
        {{ is_event }} AS is_event
    FROM landed
)

SELECT * FROM canonical
-- a re-sent row (same event id) keeps its first appearance, in file and row order
QUALIFY row_number() OVER (PARTITION BY event_id ORDER BY file, row_no) = 1;
