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
WITH members AS (
    -- each journey of a population (over all journeys, and in each segment stratum it is in),
    -- with what the counts split it by
    SELECT
        rows.population_key,
        rows.stratum,
        rows.exposures,
        NULL::VARCHAR AS segment,
        NULL::VARCHAR AS segment_value,
        rows.goal,
        rows.hash_half,
        rows.time_half
    FROM temp.int_finding_rows AS rows
    UNION ALL
    SELECT
        rows.population_key,
        rows.stratum,
        rows.exposures,
        strata.attribute AS segment,
        strata.value AS segment_value,
        rows.goal,
        rows.hash_half,
        rows.time_half
    FROM temp.int_finding_rows AS rows
    INNER JOIN temp.int_finding_strata AS strata USING (journey_no)
),

classes AS (
    -- one count per group and class of journey (goal × the two halves): one aggregate over
    -- the journeys instead of ten filtered ones
    SELECT population_key, stratum, exposures, segment, segment_value, goal, hash_half, time_half, count(*) AS n
    FROM members
    GROUP BY ALL
),

journey_groups AS (
    -- the journeys of each population counted once per stratum and list of exposures: the
    -- unnesting and the sums below work on these few groups, not on the journeys
    SELECT
        population_key,
        stratum,
        exposures,
        segment,
        segment_value,
        sum(n) AS n,
        coalesce(sum(n) FILTER (WHERE goal), 0) AS n_goal,
        coalesce(sum(n) FILTER (WHERE hash_half = 1), 0) AS n_h1,
        coalesce(sum(n) FILTER (WHERE hash_half = 1 AND goal), 0) AS goal_h1,
        coalesce(sum(n) FILTER (WHERE hash_half = 2), 0) AS n_h2,
        coalesce(sum(n) FILTER (WHERE hash_half = 2 AND goal), 0) AS goal_h2,
        coalesce(sum(n) FILTER (WHERE time_half = 1), 0) AS n_t1,
        coalesce(sum(n) FILTER (WHERE time_half = 1 AND goal), 0) AS goal_t1,
        coalesce(sum(n) FILTER (WHERE time_half = 2), 0) AS n_t2,
        coalesce(sum(n) FILTER (WHERE time_half = 2 AND goal), 0) AS goal_t2
    FROM classes
    GROUP BY population_key, stratum, exposures, segment, segment_value
),

variant_groups AS (
    -- the kinds decided per variant: each variant's journeys counted at once
    SELECT
        rows.population_key,
        NULL::VARCHAR AS stratum,
        rows.exposures,
        counts.segment,
        counts.segment_value,
        sum(counts.n) AS n,
        sum(counts.n_goal) AS n_goal,
        sum(counts.n_h1) AS n_h1,
        sum(counts.goal_h1) AS goal_h1,
        sum(counts.n_h2) AS n_h2,
        sum(counts.goal_h2) AS goal_h2,
        sum(counts.n_t1) AS n_t1,
        sum(counts.goal_t1) AS goal_t1,
        sum(counts.n_t2) AS n_t2,
        sum(counts.goal_t2) AS goal_t2
    FROM temp.int_finding_variant_rows AS rows
    INNER JOIN temp.int_finding_variant_counts AS counts USING (variant_id)
    GROUP BY rows.population_key, rows.exposures, counts.segment, counts.segment_value
),

groups AS (
    SELECT * FROM journey_groups
    UNION ALL BY NAME
    SELECT * FROM variant_groups
),

populations AS (
    SELECT
        population_key,
        segment,
        segment_value,
        stratum,
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
    FROM groups
    GROUP BY population_key, segment, segment_value, stratum
),

exposed AS (
    SELECT
        population_key,
        exposure,
        segment,
        segment_value,
        stratum,
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
    FROM (SELECT *, unnest(exposures) AS exposure FROM groups WHERE len(exposures) > 0)
    GROUP BY population_key, exposure, segment, segment_value, stratum
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
-- stratum that also holds unexposed journeys (the ones the comparison counts). The kinds decided
-- per variant keep their exposed variants (int_finding_exposed_variants): a variant stands for
-- all its journeys, which are never listed one by one unless mining.finding_journeys needs them.
CREATE OR REPLACE TEMP TABLE int_finding_kept AS
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

-- each such finding's population, exposure and progress stratum: the rows are matched to
-- these few keys
SELECT defs.finding_key, defs.population_key, defs.exposure, comparable.stratum
FROM temp.int_finding_defs AS defs
INNER JOIN testable USING (finding_key)
INNER JOIN comparable USING (finding_key);

INSERT INTO temp.int_finding_exposed_pairs
SELECT DISTINCT kept.finding_key, rows.journey_no
FROM (
    SELECT population_key, journey_no, stratum, unnest(exposures) AS exposure
    FROM temp.int_finding_rows
    WHERE len(exposures) > 0
) AS rows
INNER JOIN temp.int_finding_kept AS kept
    ON kept.population_key = rows.population_key
    AND kept.exposure = rows.exposure
    AND kept.stratum IS NOT DISTINCT FROM rows.stratum;

INSERT INTO temp.int_finding_exposed_variants
SELECT DISTINCT kept.finding_key, variant_rows.variant_id
FROM (
    SELECT population_key, variant_id, unnest(exposures) AS exposure
    FROM temp.int_finding_variant_rows
    WHERE len(exposures) > 0
) AS variant_rows
INNER JOIN temp.int_finding_kept AS kept
    ON kept.population_key = variant_rows.population_key
    AND kept.exposure = variant_rows.exposure
    AND kept.stratum IS NULL;

DROP TABLE temp.int_finding_kept;
