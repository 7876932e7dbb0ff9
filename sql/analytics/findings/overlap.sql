-- grain: one exposed journey of one finding. For the kinds compared at equal progress, only the
-- journeys in a progress stratum that also holds unexposed journeys (the ones the comparison
-- counts). Over all journeys; within a segment stratum its journeys of the segment value.
CREATE OR REPLACE TEMP TABLE int_finding_exposed AS
SELECT DISTINCT defs.finding_key, rows.journey_no, journeys.case_id, journeys.goal
FROM (
    SELECT population_key, journey_no, stratum, unnest(exposures) AS exposure FROM temp.int_finding_rows
) AS rows
INNER JOIN temp.int_finding_defs AS defs USING (population_key, exposure)
INNER JOIN temp.int_finding_counts AS counts
    ON counts.finding_key = defs.finding_key AND counts.segment IS NULL
    AND counts.stratum IS NOT DISTINCT FROM rows.stratum
INNER JOIN temp.int_finding_journeys AS journeys USING (journey_no)
WHERE counts.stratum IS NULL OR counts.n_population > counts.n_exposed;

-- grain: one ranked finding in one stratum: how many of its exposed journeys a finding ranked
-- above it (in the same stratum) already exposed, and the journeys that did not reach the goal
-- among the ones it is the first to expose. Reads temp.int_finding_ranks (finding_key, segment,
-- segment_value, rank), written by journey_mining.analytics.findings after ranking.
CREATE OR REPLACE TEMP TABLE int_finding_overlap AS
WITH ranked AS (
    SELECT ranks.finding_key, ranks.segment, ranks.segment_value, ranks.rank, exposed.journey_no, exposed.goal
    FROM temp.int_finding_ranks AS ranks
    INNER JOIN temp.int_finding_exposed AS exposed USING (finding_key)
    LEFT JOIN temp.int_finding_strata AS strata
        ON strata.journey_no = exposed.journey_no
        AND strata.attribute = ranks.segment
        AND strata.value = ranks.segment_value
    WHERE ranks.segment IS NULL OR strata.journey_no IS NOT NULL
),

firsts AS (
    SELECT journey_no, segment, segment_value, min(rank) AS first_rank
    FROM ranked
    GROUP BY journey_no, segment, segment_value
)

SELECT
    ranked.finding_key,
    ranked.segment,
    ranked.segment_value,
    count(*) FILTER (WHERE firsts.first_rank < ranked.rank) AS shared_with_above,
    count(*) FILTER (WHERE firsts.first_rank = ranked.rank AND NOT ranked.goal) AS first_failures
FROM ranked
INNER JOIN firsts
    ON firsts.journey_no = ranked.journey_no
    AND firsts.segment IS NOT DISTINCT FROM ranked.segment
    AND firsts.segment_value IS NOT DISTINCT FROM ranked.segment_value
GROUP BY ranked.finding_key, ranked.segment, ranked.segment_value;
