-- grain: one exposed journey of one finding over all journeys (written kind by kind by
-- counts.sql); within a segment stratum, its journeys of the segment value. Keyed by
-- journey_no: the case ids are joined only for the findings mining.finding_journeys lists.
CREATE OR REPLACE TEMP TABLE int_finding_exposed AS
SELECT pairs.finding_key, pairs.journey_no, journeys.goal
FROM temp.int_finding_exposed_pairs AS pairs
INNER JOIN temp.int_finding_journeys AS journeys USING (journey_no);

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
