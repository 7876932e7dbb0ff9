-- grain: one exposed journey of one finding decided per journey over all journeys (written kind
-- by kind by counts.sql), with its outcome. Keyed by journey_no: the case ids are joined only for
-- the findings mining.finding_journeys lists.
CREATE OR REPLACE TEMP TABLE int_finding_exposed AS
SELECT pairs.finding_key, pairs.journey_no, journeys.goal
FROM temp.int_finding_exposed_pairs AS pairs
INNER JOIN temp.int_finding_journeys AS journeys USING (journey_no);

-- grain: one ranked finding in one stratum: how many of its exposed journeys a finding ranked
-- above it (in the same stratum) already exposed, and the journeys that did not reach the goal
-- among the ones it is the first to expose. Reads temp.int_finding_ranks (finding_key, segment,
-- segment_value, rank), written by journey_mining.analytics.findings after ranking. Within a
-- segment stratum a finding's exposed journeys are its journeys of that segment value. The
-- findings decided per variant are worked through per variant: the journeys of a variant differ
-- only by the findings decided per journey they are exposed to, so they are counted in groups
-- of equal first rank and outcome, never one by one.
CREATE OR REPLACE TEMP TABLE int_finding_overlap AS
WITH members AS (
    -- each journey in each stratum: all journeys, and the journeys of each segment value
    SELECT journey_no, variant_id, goal, NULL::VARCHAR AS segment, NULL::VARCHAR AS segment_value
    FROM temp.int_finding_journeys
    UNION ALL
    SELECT journeys.journey_no, journeys.variant_id, journeys.goal, strata.attribute, strata.value
    FROM temp.int_finding_strata AS strata
    INNER JOIN temp.int_finding_journeys AS journeys USING (journey_no)
),

ranked_journeys AS (
    SELECT ranks.finding_key, ranks.segment, ranks.segment_value, ranks.rank, exposed.journey_no, exposed.goal
    FROM temp.int_finding_ranks AS ranks
    INNER JOIN temp.int_finding_exposed AS exposed USING (finding_key)
    LEFT JOIN temp.int_finding_strata AS strata
        ON strata.journey_no = exposed.journey_no
        AND strata.attribute = ranks.segment
        AND strata.value = ranks.segment_value
    WHERE ranks.segment IS NULL OR strata.journey_no IS NOT NULL
),

ranked_variants AS (
    SELECT ranks.finding_key, ranks.segment, ranks.segment_value, ranks.rank, exposed.variant_id
    FROM temp.int_finding_ranks AS ranks
    INNER JOIN temp.int_finding_exposed_variants AS exposed USING (finding_key)
),

journey_firsts AS (
    SELECT journey_no, segment, segment_value, min(rank) AS first_rank
    FROM ranked_journeys
    GROUP BY journey_no, segment, segment_value
),

variant_firsts AS (
    SELECT variant_id, segment, segment_value, min(rank) AS first_rank
    FROM ranked_variants
    GROUP BY variant_id, segment, segment_value
),

firsts AS (
    -- each exposed journey's first (best) rank in each stratum
    SELECT
        members.journey_no,
        members.variant_id,
        members.goal,
        members.segment,
        members.segment_value,
        least(by_journey.first_rank, by_variant.first_rank) AS first_rank  -- NULLs ignored
    FROM members
    LEFT JOIN journey_firsts AS by_journey
        ON by_journey.journey_no = members.journey_no
        AND by_journey.segment IS NOT DISTINCT FROM members.segment
        AND by_journey.segment_value IS NOT DISTINCT FROM members.segment_value
    LEFT JOIN variant_firsts AS by_variant
        ON by_variant.variant_id = members.variant_id
        AND by_variant.segment IS NOT DISTINCT FROM members.segment
        AND by_variant.segment_value IS NOT DISTINCT FROM members.segment_value
    WHERE by_journey.first_rank IS NOT NULL OR by_variant.first_rank IS NOT NULL
),

variant_groups AS (
    -- the exposed journeys of each variant with the same first rank and outcome
    SELECT variant_id, segment, segment_value, first_rank, goal, count(*) AS n
    FROM firsts
    WHERE variant_id IN (SELECT variant_id FROM variant_firsts)
    GROUP BY ALL
),

per_journey AS (
    SELECT
        ranked.finding_key,
        ranked.segment,
        ranked.segment_value,
        count(*) FILTER (WHERE firsts.first_rank < ranked.rank) AS shared_with_above,
        count(*) FILTER (WHERE firsts.first_rank = ranked.rank AND NOT ranked.goal) AS first_failures
    FROM ranked_journeys AS ranked
    INNER JOIN firsts
        ON firsts.journey_no = ranked.journey_no
        AND firsts.segment IS NOT DISTINCT FROM ranked.segment
        AND firsts.segment_value IS NOT DISTINCT FROM ranked.segment_value
    GROUP BY ranked.finding_key, ranked.segment, ranked.segment_value
),

per_variant AS (
    SELECT
        ranked.finding_key,
        ranked.segment,
        ranked.segment_value,
        coalesce(sum(groups.n) FILTER (WHERE groups.first_rank < ranked.rank), 0) AS shared_with_above,
        coalesce(sum(groups.n) FILTER (WHERE groups.first_rank = ranked.rank AND NOT groups.goal), 0)
            AS first_failures
    FROM ranked_variants AS ranked
    INNER JOIN variant_groups AS groups
        ON groups.variant_id = ranked.variant_id
        AND groups.segment IS NOT DISTINCT FROM ranked.segment
        AND groups.segment_value IS NOT DISTINCT FROM ranked.segment_value
    GROUP BY ranked.finding_key, ranked.segment, ranked.segment_value
)

SELECT finding_key, segment, segment_value, shared_with_above::BIGINT AS shared_with_above,
    first_failures::BIGINT AS first_failures
FROM per_journey
UNION ALL
SELECT finding_key, segment, segment_value, shared_with_above::BIGINT, first_failures::BIGINT
FROM per_variant;
