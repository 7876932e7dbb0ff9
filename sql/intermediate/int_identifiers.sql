-- grain: one (row, identifier) pair whose kind joins customers, values normalised in staging
CREATE OR REPLACE TABLE intermediate.int_identifiers AS
WITH staged AS (
    {{ staging_union }}
),

pairs AS (
    SELECT
        source,
        event_id,
        is_event,
        ts,
        account_name,
        unnest(map_entries(identifiers)) AS entry
    FROM staged
),

link_kinds AS (
    SELECT kind FROM meta.identity_kinds
)

SELECT
    pairs.source,
    pairs.event_id,
    pairs.is_event,
    pairs.ts,
    pairs.account_name,
    pairs.entry.key AS kind,
    pairs.entry.value AS value,
    pairs.entry.key || ':' || pairs.entry.value AS node
FROM pairs
INNER JOIN link_kinds ON link_kinds.kind = pairs.entry.key
WHERE pairs.entry.value IS NOT NULL;

-- grain: one undirected edge between two identifiers seen on the same row (star to the row's smallest)
CREATE OR REPLACE TABLE intermediate.int_identity_edges AS
WITH anchors AS (
    SELECT event_id, min(node) AS anchor FROM intermediate.int_identifiers GROUP BY event_id
),

edges AS (
    SELECT DISTINCT ids.node AS a, anchors.anchor AS b
    FROM intermediate.int_identifiers AS ids
    INNER JOIN anchors USING (event_id)
    WHERE ids.node <> anchors.anchor
)

SELECT a, b FROM edges
UNION
SELECT b AS a, a AS b FROM edges;

-- grain: one identifier node, labelled with itself before propagation
CREATE OR REPLACE TABLE intermediate.int_identity_labels AS
SELECT DISTINCT node, node AS label FROM intermediate.int_identifiers;
