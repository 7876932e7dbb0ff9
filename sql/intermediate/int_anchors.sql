-- grain: one anchor of one source (the identifier its rows hang on), its rows folded, with the
-- anchor's customer and kind
-- materialisation: temp table
-- Folds the rows once for mining.customers and mining.stitching, which group and join these
-- 1.5 M rows by the integer customer_no instead of the 10 M rows by their `kind:value` text.
-- in_journey: one of its rows is a journey event (mining.journey_events takes exactly those).
CREATE OR REPLACE TEMP TABLE int_anchors AS
WITH per_anchor AS (
    SELECT
        anchor,
        source,
        min(ts) FILTER (WHERE is_event) AS first_seen,
        max(ts) FILTER (WHERE is_event) AS last_seen,
        bool_or(is_journey_event) AS in_journey
    FROM temp.int_rows
    GROUP BY anchor, source
)

SELECT
    nodes.customer_no,
    per_anchor.source,
    split_part(per_anchor.anchor, ':', 1) AS kind,
    per_anchor.first_seen,
    per_anchor.last_seen,
    per_anchor.in_journey
FROM per_anchor
INNER JOIN temp.int_node_customers AS nodes ON nodes.node = per_anchor.anchor;
