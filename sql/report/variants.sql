-- grain: one variant shown in the variant explorer: the $limit most frequent, and any
-- variant of rank in $ranks (the top variants through an activity or edge), with its deviations
WITH shown AS (
    SELECT * FROM mining.variants
    WHERE rank <= $limit OR list_contains($ranks, rank)
),

deviations AS (
    SELECT
        variant_id,
        list({'kind': kind, 'activity': activity, 'position': position}
            ORDER BY position, kind, activity) AS deviations
    FROM mining.deviations
    WHERE variant_id IN (SELECT variant_id FROM shown)
    GROUP BY variant_id
)

SELECT shown.*, coalesce(deviations.deviations, []) AS deviations
FROM shown
LEFT JOIN deviations USING (variant_id)
ORDER BY shown.rank;
