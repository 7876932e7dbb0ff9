-- Counts the rows one kind of finding just wrote (temp.int_finding_rows: one per journey in a
-- population; temp.int_finding_variant_rows: one per variant), then empties them: each kind is
-- counted and let go before the next is built, so no more than one kind's rows is held at once.
--
-- grain of temp.int_finding_counts: one finding in one segment stratum (all journeys, or the
-- journeys of one value of a declared segment attribute) and one progress stratum (for the
-- kinds compared at equal progress; NULL for the others): the 2×2 counts behind it (exposed or
-- not × reached the goal or not), the same counts in each half of the two replication splits
-- (hash_half, time_half of mining.journeys); the median waits of the step it concerns are added
-- by journey_mining.analytics.findings.
-- Statistics are added by journey_mining.analytics.statistics.
INSERT INTO temp.int_finding_counts BY NAME
WITH strata AS (
    SELECT journey_no, NULL::VARCHAR AS segment, NULL::VARCHAR AS segment_value
    FROM temp.int_finding_journeys
    UNION ALL
    SELECT journey_no, attribute AS segment, value AS segment_value FROM temp.int_finding_strata
),

members AS (
    SELECT
        rows.population_key,
        rows.exposures,
        rows.stratum,
        journeys.goal,
        journeys.hash_half,
        journeys.time_half,
        strata.segment,
        strata.segment_value
    FROM temp.int_finding_rows AS rows
    INNER JOIN temp.int_finding_journeys AS journeys USING (journey_no)
    INNER JOIN strata USING (journey_no)
),

journey_populations AS (
    SELECT
        population_key,
        segment,
        segment_value,
        stratum,
        count(*) AS n_population,
        count(*) FILTER (WHERE goal) AS goal_population,
        count(*) FILTER (WHERE hash_half = 1) AS n_population_h1,
        count(*) FILTER (WHERE hash_half = 1 AND goal) AS goal_population_h1,
        count(*) FILTER (WHERE hash_half = 2) AS n_population_h2,
        count(*) FILTER (WHERE hash_half = 2 AND goal) AS goal_population_h2,
        count(*) FILTER (WHERE time_half = 1) AS n_population_t1,
        count(*) FILTER (WHERE time_half = 1 AND goal) AS goal_population_t1,
        count(*) FILTER (WHERE time_half = 2) AS n_population_t2,
        count(*) FILTER (WHERE time_half = 2 AND goal) AS goal_population_t2
    FROM members
    GROUP BY population_key, segment, segment_value, stratum
),

journey_exposed AS (
    SELECT
        population_key,
        exposure,
        segment,
        segment_value,
        stratum,
        count(*) AS n_exposed,
        count(*) FILTER (WHERE goal) AS goal_exposed,
        count(*) FILTER (WHERE hash_half = 1) AS n_exposed_h1,
        count(*) FILTER (WHERE hash_half = 1 AND goal) AS goal_exposed_h1,
        count(*) FILTER (WHERE hash_half = 2) AS n_exposed_h2,
        count(*) FILTER (WHERE hash_half = 2 AND goal) AS goal_exposed_h2,
        count(*) FILTER (WHERE time_half = 1) AS n_exposed_t1,
        count(*) FILTER (WHERE time_half = 1 AND goal) AS goal_exposed_t1,
        count(*) FILTER (WHERE time_half = 2) AS n_exposed_t2,
        count(*) FILTER (WHERE time_half = 2 AND goal) AS goal_exposed_t2
    FROM (SELECT *, unnest(exposures) AS exposure FROM members WHERE len(exposures) > 0)
    GROUP BY population_key, exposure, segment, segment_value, stratum
),

variant_members AS (
    -- the kinds decided per variant: each variant's journeys counted at once
    SELECT rows.population_key, rows.exposures, counts.*
    FROM temp.int_finding_variant_rows AS rows
    INNER JOIN temp.int_finding_variant_counts AS counts USING (variant_id)
),

variant_populations AS (
    SELECT
        population_key,
        segment,
        segment_value,
        NULL::VARCHAR AS stratum,
        sum(n) AS n_population,
        sum(n_goal) AS goal_population,
        sum(n_h1) AS n_population_h1,
        sum(goal_h1) AS goal_population_h1,
        sum(n_h2) AS n_population_h2,
        sum(goal_h2) AS goal_population_h2,
        sum(n_t1) AS n_population_t1,
        sum(goal_t1) AS goal_population_t1,
        sum(n_t2) AS n_population_t2,
        sum(goal_t2) AS goal_population_t2
    FROM variant_members
    GROUP BY population_key, segment, segment_value
),

variant_exposed AS (
    SELECT
        population_key,
        exposure,
        segment,
        segment_value,
        NULL::VARCHAR AS stratum,
        sum(n) AS n_exposed,
        sum(n_goal) AS goal_exposed,
        sum(n_h1) AS n_exposed_h1,
        sum(goal_h1) AS goal_exposed_h1,
        sum(n_h2) AS n_exposed_h2,
        sum(goal_h2) AS goal_exposed_h2,
        sum(n_t1) AS n_exposed_t1,
        sum(goal_t1) AS goal_exposed_t1,
        sum(n_t2) AS n_exposed_t2,
        sum(goal_t2) AS goal_exposed_t2
    FROM (SELECT *, unnest(exposures) AS exposure FROM variant_members WHERE len(exposures) > 0)
    GROUP BY population_key, exposure, segment, segment_value
),

populations AS (
    SELECT * FROM journey_populations
    UNION ALL BY NAME
    SELECT * FROM variant_populations
),

exposed AS (
    SELECT * FROM journey_exposed
    UNION ALL BY NAME
    SELECT * FROM variant_exposed
)

SELECT
    defs.*,
    populations.segment,
    populations.segment_value,
    populations.stratum,
    populations.n_population,
    populations.goal_population,
    coalesce(exposed.n_exposed, 0) AS n_exposed,
    coalesce(exposed.goal_exposed, 0) AS goal_exposed,
    populations.n_population_h1,
    populations.goal_population_h1,
    coalesce(exposed.n_exposed_h1, 0) AS n_exposed_h1,
    coalesce(exposed.goal_exposed_h1, 0) AS goal_exposed_h1,
    populations.n_population_h2,
    populations.goal_population_h2,
    coalesce(exposed.n_exposed_h2, 0) AS n_exposed_h2,
    coalesce(exposed.goal_exposed_h2, 0) AS goal_exposed_h2,
    populations.n_population_t1,
    populations.goal_population_t1,
    coalesce(exposed.n_exposed_t1, 0) AS n_exposed_t1,
    coalesce(exposed.goal_exposed_t1, 0) AS goal_exposed_t1,
    populations.n_population_t2,
    populations.goal_population_t2,
    coalesce(exposed.n_exposed_t2, 0) AS n_exposed_t2,
    coalesce(exposed.goal_exposed_t2, 0) AS goal_exposed_t2
FROM temp.int_finding_defs AS defs
INNER JOIN populations USING (population_key)
LEFT JOIN exposed
    ON exposed.population_key = defs.population_key
    AND exposed.exposure = defs.exposure
    AND exposed.segment IS NOT DISTINCT FROM populations.segment
    AND exposed.segment_value IS NOT DISTINCT FROM populations.segment_value
    AND exposed.stratum IS NOT DISTINCT FROM populations.stratum
WHERE NOT (defs.kind = 'segment' AND populations.segment IS NOT DISTINCT FROM defs.attribute);

-- the exposed journeys of this kind's testable findings over all journeys (for the overlap
-- between findings and mining.finding_journeys): findings with at least min_journeys journeys
-- in each group; for the kinds compared at equal progress, only the journeys in a progress
-- stratum that also holds unexposed journeys (the ones the comparison counts)
INSERT INTO temp.int_finding_exposed_pairs
WITH comparable AS (
    SELECT finding_key, stratum
    FROM temp.int_finding_counts
    WHERE segment IS NULL AND n_exposed > 0 AND (stratum IS NULL OR n_population > n_exposed)
),

testable AS (
    SELECT counts.finding_key
    FROM temp.int_finding_counts AS counts
    INNER JOIN comparable USING (finding_key)
    WHERE counts.segment IS NULL AND counts.stratum IS NOT DISTINCT FROM comparable.stratum
    GROUP BY counts.finding_key
    HAVING sum(counts.n_exposed) >= (SELECT min_journeys FROM mining.analysis_window)
        AND sum(counts.n_population - counts.n_exposed) >= (SELECT min_journeys FROM mining.analysis_window)
)

SELECT DISTINCT defs.finding_key, rows.journey_no
FROM (
    SELECT population_key, journey_no, stratum, unnest(exposures) AS exposure
    FROM temp.int_finding_rows
    WHERE len(exposures) > 0
    UNION ALL
    SELECT variant_rows.population_key, journeys.journey_no, NULL AS stratum, unnest(variant_rows.exposures) AS exposure
    FROM temp.int_finding_variant_rows AS variant_rows
    INNER JOIN temp.int_finding_journeys AS journeys USING (variant_id)
    WHERE len(variant_rows.exposures) > 0
) AS rows
INNER JOIN temp.int_finding_defs AS defs USING (population_key, exposure)
INNER JOIN testable USING (finding_key)
INNER JOIN comparable
    ON comparable.finding_key = defs.finding_key AND comparable.stratum IS NOT DISTINCT FROM rows.stratum;
