-- grain: one activity or directly-follows edge, with the (at most $top) most frequent
-- variants through it, by rank; computed from the variants, never from events
WITH steps AS (
    SELECT rank, activities, unnest(range(1, len(activities) + 1)) AS i
    FROM mining.variants
),

edges AS (
    SELECT DISTINCT rank, activities[i] AS source, activities[i + 1] AS target
    FROM steps
    WHERE i < len(activities)
),

nodes AS (
    SELECT DISTINCT rank, activities[i] AS source, NULL::VARCHAR AS target FROM steps
)

SELECT source, target, list(rank ORDER BY rank)[1:$top] AS top_ranks
FROM (SELECT * FROM edges UNION ALL SELECT * FROM nodes)
GROUP BY source, target
ORDER BY source, target NULLS FIRST;
