-- test: each variant's n_cases is the number of journeys with its variant_id (so the variants'
-- journeys add up to the journeys)
WITH per_variant AS (
    SELECT variant_id, count(*) AS n_journeys FROM mining.journeys GROUP BY variant_id
)

SELECT
    coalesce(variants.variant_id, per_variant.variant_id) AS variant_id,
    variants.n_cases,
    per_variant.n_journeys
FROM mining.variants AS variants
FULL JOIN per_variant ON per_variant.variant_id = variants.variant_id
WHERE variants.n_cases IS DISTINCT FROM per_variant.n_journeys
