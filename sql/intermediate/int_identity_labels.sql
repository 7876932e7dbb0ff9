-- grain: one identifier node, labelled with itself before propagation
-- materialisation: temp table
CREATE OR REPLACE TEMP TABLE int_identity_labels AS
WITH nodes AS (
    SELECT DISTINCT anchor AS node FROM temp.int_rows
    UNION
    SELECT a AS node FROM temp.int_identity_edges
)

SELECT node, node AS label FROM nodes;
