-- test: every directly-follows edge counts the transitions between consecutive events of the
-- journeys (read from the variants' activity sequences, each times its journeys), and the
-- edges' transitions add up to the events that have a successor
WITH transitions AS (
    SELECT activities[i] AS source, activities[i + 1] AS target, sum(n_cases) AS n_transitions
    FROM (
        SELECT activities, n_cases, unnest(range(1, len(activities))) AS i FROM mining.variants
    )
    GROUP BY ALL
),

compared AS (
    SELECT
        coalesce(edges.source, transitions.source) AS source,
        coalesce(edges.target, transitions.target) AS target,
        edges.n_transitions AS edge_count,
        transitions.n_transitions AS in_journeys
    FROM mining.dfg_edges AS edges
    FULL JOIN transitions ON transitions.source = edges.source AND transitions.target = edges.target
)

SELECT * FROM compared WHERE edge_count IS DISTINCT FROM in_journeys
UNION ALL
SELECT
    'all edges' AS source,
    NULL AS target,
    (SELECT sum(n_transitions) FROM mining.dfg_edges) AS edge_count,
    count(*) AS in_journeys
FROM mining.journey_events
WHERE next_activity IS NOT NULL
HAVING count(*) <> coalesce((SELECT sum(n_transitions) FROM mining.dfg_edges), 0)
