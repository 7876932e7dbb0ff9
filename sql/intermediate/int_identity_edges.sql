-- grain: one undirected edge between two identifiers seen on the same row (star to the row's anchor)
-- materialisation: temp table
-- Only rows naming two or more linking identifiers make edges; most rows name one.
CREATE OR REPLACE TEMP TABLE int_identity_edges AS
WITH linked AS (
    SELECT unnest(nodes) AS node, anchor FROM temp.int_rows WHERE len(nodes) > 1
),

edges AS (
    SELECT DISTINCT node AS a, anchor AS b FROM linked WHERE node <> anchor
)

SELECT a, b FROM edges
UNION
SELECT b AS a, a AS b FROM edges;
