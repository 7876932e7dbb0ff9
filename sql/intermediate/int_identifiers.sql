-- grain: one (row, identifier) pair whose kind joins customers, values normalised in staging
CREATE OR REPLACE TEMP TABLE int_identifiers AS
WITH identifiers AS (
    -- one SELECT per (source, identifier kind in identity.link_on), generated from the pipeline
    {{ identifier_union }}
)

SELECT
    source,
    event_id,
    is_event,
    ts,
    account_name,
    kind,
    value,
    kind || ':' || value AS node
FROM identifiers
WHERE value IS NOT NULL;

-- grain: one undirected edge between two identifiers seen on the same row (star to the row's smallest)
CREATE OR REPLACE TEMP TABLE int_identity_edges AS
WITH anchors AS (
    SELECT event_id, min(node) AS anchor FROM temp.int_identifiers GROUP BY event_id
),

edges AS (
    SELECT DISTINCT ids.node AS a, anchors.anchor AS b
    FROM temp.int_identifiers AS ids
    INNER JOIN anchors USING (event_id)
    WHERE ids.node <> anchors.anchor
)

SELECT a, b FROM edges
UNION
SELECT b AS a, a AS b FROM edges;

-- grain: one identifier node, labelled with itself before propagation
CREATE OR REPLACE TEMP TABLE int_identity_labels AS
SELECT DISTINCT node, node AS label FROM temp.int_identifiers;
