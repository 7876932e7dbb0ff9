-- grain: one distinct activity sequence (variant), most frequent first (rank)
-- materialisation: table
-- temp.int_variants with the conformance of its activity sequence (fitness, fits_path: its
-- alignment's cost is 0; NULL without a happy path) and the share of its journeys that
-- conform (mining.journeys.conforms: fits the path and no step timed out).
CREATE OR REPLACE TABLE mining.variants AS
WITH shares AS (
    SELECT variant_id, sum(conforms::INTEGER) / count(conforms) AS conforming_share
    FROM mining.journeys
    GROUP BY variant_id
)

SELECT
    variants.rank,
    variants.variant_id,
    variants.activities,
    variants.n_activities,
    variants.n_cases,
    variants.share,
    variants.cumulative_share,
    variants.median_duration_s,
    variants.goal_rate,
    alignments.fitness,
    alignments.cost = 0 AS fits_path,
    shares.conforming_share
FROM temp.int_variants AS variants
LEFT JOIN temp.int_variant_alignments AS alignments USING (variant_id)
LEFT JOIN shares USING (variant_id)
ORDER BY variants.rank;
