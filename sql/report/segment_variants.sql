-- grain: one variant within one value of a declared segment (the $top most frequent per
-- value, for the $values_per_attribute values with most journeys), with its journeys there
WITH per_variant AS (
    SELECT attributes.attribute, attributes.value, journeys.variant_id, count(*) AS n_cases
    FROM mining.journeys AS journeys
    INNER JOIN mining.customer_attributes AS attributes USING (customer_id)
    WHERE list_contains($segments, attributes.attribute)
    GROUP BY ALL
),

per_value AS (
    SELECT attribute, value, n_journeys
    FROM (SELECT attribute, value, sum(n_cases) AS n_journeys FROM per_variant GROUP BY attribute, value)
    QUALIFY row_number() OVER (PARTITION BY attribute ORDER BY n_journeys DESC, value)
        <= $values_per_attribute
)

SELECT
    per_variant.attribute,
    per_variant.value,
    per_value.n_journeys::BIGINT AS value_journeys,
    variants.rank,
    per_variant.n_cases
FROM per_variant
INNER JOIN per_value USING (attribute, value)
INNER JOIN mining.variants AS variants USING (variant_id)
QUALIFY row_number() OVER (
    PARTITION BY per_variant.attribute, per_variant.value
    ORDER BY per_variant.n_cases DESC, variants.rank
) <= $top
ORDER BY per_variant.attribute, per_value.n_journeys DESC, per_variant.value, per_variant.n_cases DESC, variants.rank;
