-- grain: one identifier node; one round of min-label propagation over the identity edges.
-- materialisation: temp table
-- Run until no label changes: each node ends labelled with the smallest node of its
-- connected component (deterministic, independent of row order).
CREATE OR REPLACE TEMP TABLE int_identity_next_labels AS
WITH neighbour_min AS (
    SELECT edges.a AS node, min(labels.label) AS label
    FROM temp.int_identity_edges AS edges
    INNER JOIN temp.int_identity_labels AS labels ON labels.node = edges.b
    GROUP BY edges.a
),

jumped AS (
    -- pointer jumping: also take the label of one's label, halving the rounds needed
    SELECT labels.node, least(labels.label, coalesce(hop.label, labels.label)) AS label
    FROM temp.int_identity_labels AS labels
    LEFT JOIN temp.int_identity_labels AS hop ON hop.node = labels.label
)

SELECT jumped.node, least(jumped.label, coalesce(neighbour_min.label, jumped.label)) AS label
FROM jumped
LEFT JOIN neighbour_min USING (node);
