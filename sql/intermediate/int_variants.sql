-- grain: one distinct activity sequence (variant), before conformance: mining.variants
-- without fitness, fits_path and conforming_share (marts/variants.sql adds them)
-- materialisation: temp table
CREATE OR REPLACE TEMP TABLE int_variants AS
WITH totals AS (
    SELECT count(*) AS n_journeys FROM temp.int_journey_paths
),

grouped AS (
    SELECT
        variant_id,
        any_value(activities) AS activities,
        count(*) AS n_cases,
        median(duration_s) AS median_duration_s,
        avg(reached_goal::INTEGER) AS goal_rate
    FROM temp.int_journey_paths
    GROUP BY variant_id
)

SELECT
    row_number() OVER (ORDER BY grouped.n_cases DESC, grouped.variant_id) AS rank,
    grouped.variant_id,
    grouped.activities,
    len(grouped.activities) AS n_activities,
    grouped.n_cases,
    grouped.n_cases / totals.n_journeys AS share,
    sum(grouped.n_cases) OVER (ORDER BY grouped.n_cases DESC, grouped.variant_id)
        / totals.n_journeys AS cumulative_share,
    grouped.median_duration_s,
    grouped.goal_rate
FROM grouped, totals
ORDER BY rank;
