-- grain: one finding in one segment stratum (all journeys, or the journeys of one value of a
-- declared segment attribute) and one progress stratum (for the kinds compared at equal
-- progress; NULL for the others): the 2×2 counts behind it (exposed or not × reached the goal or not), the
-- same counts in each half of the two replication splits (hash_half, time_half of
-- mining.journeys), and the median waits of the step it concerns. Statistics are added by
-- journey_mining.analytics.statistics.
CREATE OR REPLACE TEMP TABLE int_finding_counts AS
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
        rows.wait_s,
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

populations AS (
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

exposed AS (
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
        count(*) FILTER (WHERE time_half = 2 AND goal) AS goal_exposed_t2,
        median(wait_s) AS median_wait_exposed_s
    FROM (SELECT *, unnest(exposures) AS exposure FROM members)
    GROUP BY population_key, exposure, segment, segment_value, stratum
),

unexposed_waits AS (
    SELECT
        defs.finding_key,
        members.segment,
        members.segment_value,
        median(members.wait_s) AS median_wait_unexposed_s
    FROM temp.int_finding_defs AS defs
    INNER JOIN members USING (population_key)
    WHERE defs.has_wait AND NOT list_contains(members.exposures, defs.exposure)
    GROUP BY defs.finding_key, members.segment, members.segment_value
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
    coalesce(exposed.goal_exposed_t2, 0) AS goal_exposed_t2,
    exposed.median_wait_exposed_s,
    waits.median_wait_unexposed_s
FROM temp.int_finding_defs AS defs
INNER JOIN populations USING (population_key)
LEFT JOIN exposed
    ON exposed.population_key = defs.population_key
    AND exposed.exposure = defs.exposure
    AND exposed.segment IS NOT DISTINCT FROM populations.segment
    AND exposed.segment_value IS NOT DISTINCT FROM populations.segment_value
    AND exposed.stratum IS NOT DISTINCT FROM populations.stratum
LEFT JOIN unexposed_waits AS waits
    ON waits.finding_key = defs.finding_key
    AND waits.segment IS NOT DISTINCT FROM populations.segment
    AND waits.segment_value IS NOT DISTINCT FROM populations.segment_value
WHERE NOT (defs.kind = 'segment' AND populations.segment IS NOT DISTINCT FROM defs.attribute);
