-- grain: one identifier value shared by implausibly many others (a shared inbox, a test account)
-- materialisation: temp table (read by int_unlinked_rows.sql and marts/shared_identifiers.sql)
-- A value is shared when the rows naming it also name more than $limit distinct values of one
-- other linking kind. Kinds in $many_per_customer (device ids: one customer has many) are not
-- counted. Only rows naming two or more linking identifiers (`nodes`) can show it.
CREATE OR REPLACE TEMP TABLE int_shared_identifiers AS
WITH linking_rows AS (
    SELECT DISTINCT nodes FROM temp.int_rows WHERE nodes IS NOT NULL
),

pairs AS (
    SELECT DISTINCT this.node, other.node AS other
    FROM linking_rows, unnest(linking_rows.nodes) AS this (node), unnest(linking_rows.nodes) AS other (node)
    WHERE this.node <> other.node
),

per_kind AS (
    SELECT node, split_part(other, ':', 1) AS linked_kind, count(*) AS n_linked
    FROM pairs
    WHERE NOT list_contains($many_per_customer::VARCHAR[], split_part(other, ':', 1))
    GROUP BY ALL
)

SELECT
    node,
    split_part(node, ':', 1) AS kind,
    substr(node, length(split_part(node, ':', 1)) + 2) AS value,
    arg_max(linked_kind, (n_linked, linked_kind)) AS linked_kind,
    max(n_linked) AS n_linked
FROM per_kind
GROUP BY node
HAVING max(n_linked) > $limit
ORDER BY node;
