-- The findings' shared inputs. Every findings model reads the contract tables (mining.journeys,
-- journey_steps, variants, funnel, customer_attributes, and analysis_window for the goal and
-- the parameters) and each journey's activity and time lists (temp.int_journey_paths, which the
-- run has made for the variants, or journey_mining.analytics.findings makes from
-- mining.journey_events), so the same findings can be computed again on any warehouse. What
-- depends only on a journey's activity sequence is computed once per variant. See
-- docs/findings.md for each kind's exposure model.

-- grain: one journey of the findings' population (mining.journeys.in_findings)
CREATE OR REPLACE TEMP TABLE int_finding_journeys AS
-- (narrow types: these columns are copied into every kind's rows, which are millions at 10^7
-- events and share the run's memory_limit)
SELECT
    CAST(row_number() OVER () AS INTEGER) AS journey_no,
    case_id,
    variant_id,
    reached_goal AS goal,
    goal_at,
    CAST(hash_half AS UTINYINT) AS hash_half,
    CAST(time_half AS UTINYINT) AS time_half
FROM mining.journeys
WHERE in_findings;

-- grain: one journey of the population with its times in journey order (temp.int_journey_paths,
-- joined here once by case id: the kinds about times read them by journey_no)
CREATE OR REPLACE TEMP TABLE int_finding_times AS
SELECT
    journeys.journey_no,
    journeys.variant_id,
    journeys.goal_at,
    journeys.goal,
    journeys.hash_half,
    journeys.time_half,
    paths.timestamps
FROM temp.int_finding_journeys AS journeys
INNER JOIN temp.int_journey_paths AS paths USING (case_id);

-- grain: one declared segment attribute's value of one journey (int_finding_attributes), and
-- the ones that are strata (int_finding_strata: the strata findings are computed in, besides
-- all journeys). A value held by every journey of the population is no stratum (its findings
-- are the ones over all journeys); nor is one held by fewer than twice min_journeys journeys
-- (no finding in it could be tested).
CREATE OR REPLACE TEMP TABLE int_finding_attributes AS
SELECT
    journeys.journey_no,
    journeys.goal,
    journeys.hash_half,
    journeys.time_half,
    attributes.attribute,
    attributes.value,
    count(*) OVER (PARTITION BY attributes.attribute, attributes.value) AS n_value
FROM temp.int_finding_journeys AS journeys
INNER JOIN mining.customer_attributes AS attributes ON attributes.customer_id = journeys.case_id
WHERE list_contains((SELECT segments FROM mining.analysis_window), attributes.attribute);

CREATE OR REPLACE TEMP TABLE int_finding_strata AS
SELECT journey_no, attribute, value
FROM temp.int_finding_attributes
WHERE n_value < (SELECT count(*) FROM temp.int_finding_journeys)
    AND n_value >= 2 * (SELECT min_journeys FROM mining.analysis_window);

-- grain: the goal step and the activities no finding may use as an exposure: every required
-- step's (steps have their own kinds of finding), the goal and its declared negations (the
-- outcome restated)
CREATE OR REPLACE TEMP TABLE int_finding_context AS
SELECT
    params.goal_step,
    list_distinct(flatten(
        [[params.goal], params.negations,
         coalesce((SELECT flatten(list(activities)) FROM mining.funnel), [])]
    )) AS excluded_activities,
    params.negations,
    params.path_activities
FROM mining.analysis_window AS params;

-- grain: one event of a journey of the population that is a declared contact (the kind
-- repeat_contact reads them)
CREATE OR REPLACE TEMP TABLE int_finding_events AS
SELECT journeys.journey_no, events.ordinal, events.ts, events.activity, events.channel
FROM mining.journey_events AS events
INNER JOIN temp.int_finding_journeys AS journeys USING (case_id)
WHERE events.activity IN (SELECT unnest(contacts) FROM mining.analysis_window);

-- grain: one variant with journeys in the population: per required step (lists indexed by
-- step_no), the first position of any of its activities (in order or not; NULL when never),
-- the first position of any activity of that step or a later one (its progress beyond the
-- step before), and the first position of the goal
CREATE OR REPLACE TEMP TABLE int_finding_variant_firsts AS
WITH variants AS (
    SELECT variant_id, activities
    FROM mining.variants
    WHERE variant_id IN (SELECT DISTINCT variant_id FROM temp.int_finding_journeys)
),

positions AS (
    SELECT variant_id, unnest(activities) AS activity, unnest(range(1, len(activities) + 1)) AS position
    FROM variants
),

step_activities AS (
    SELECT step_no, unnest(activities) AS activity FROM mining.funnel
),

firsts AS (
    SELECT positions.variant_id, step_activities.step_no, min(positions.position) AS first_position
    FROM positions
    INNER JOIN step_activities USING (activity)
    GROUP BY positions.variant_id, step_activities.step_no
),

dense AS (
    SELECT
        variants.variant_id,
        steps.step_no,
        firsts.first_position,
        min(firsts.first_position) OVER (
            PARTITION BY variants.variant_id ORDER BY steps.step_no DESC
        ) AS onward_position
    FROM variants
    CROSS JOIN mining.funnel AS steps
    LEFT JOIN firsts ON firsts.variant_id = variants.variant_id AND firsts.step_no = steps.step_no
)

SELECT
    dense.variant_id,
    list(dense.first_position ORDER BY dense.step_no) AS first_positions,
    list(dense.onward_position ORDER BY dense.step_no) AS onward_positions,
    list_position(any_value(variants.activities), (SELECT goal FROM mining.analysis_window)) AS goal_position
FROM dense
INNER JOIN variants USING (variant_id)
GROUP BY dense.variant_id;

-- grain: one variant and stratum: its journeys in the population, and how many reached the
-- goal, over all and in each half of the two replication splits (the counts the findings that
-- depend only on the activity sequence add up, instead of counting their journeys one by one)
CREATE OR REPLACE TEMP TABLE int_finding_variant_counts AS
WITH strata AS (
    SELECT journey_no, NULL::VARCHAR AS segment, NULL::VARCHAR AS segment_value
    FROM temp.int_finding_journeys
    UNION ALL
    SELECT journey_no, attribute AS segment, value AS segment_value FROM temp.int_finding_strata
)

SELECT
    journeys.variant_id,
    strata.segment,
    strata.segment_value,
    count(*) AS n,
    count(*) FILTER (WHERE journeys.goal) AS n_goal,
    count(*) FILTER (WHERE journeys.hash_half = 1) AS n_h1,
    count(*) FILTER (WHERE journeys.hash_half = 1 AND journeys.goal) AS goal_h1,
    count(*) FILTER (WHERE journeys.hash_half = 2) AS n_h2,
    count(*) FILTER (WHERE journeys.hash_half = 2 AND journeys.goal) AS goal_h2,
    count(*) FILTER (WHERE journeys.time_half = 1) AS n_t1,
    count(*) FILTER (WHERE journeys.time_half = 1 AND journeys.goal) AS goal_t1,
    count(*) FILTER (WHERE journeys.time_half = 2) AS n_t2,
    count(*) FILTER (WHERE journeys.time_half = 2 AND journeys.goal) AS goal_t2
FROM temp.int_finding_journeys AS journeys
INNER JOIN strata USING (journey_no)
GROUP BY journeys.variant_id, strata.segment, strata.segment_value;

-- grain: one finding: its population, exposure and what it describes
CREATE OR REPLACE TEMP TABLE int_finding_defs (
    finding_key VARCHAR,
    population_key VARCHAR,
    exposure VARCHAR,
    kind VARCHAR,
    label VARCHAR,
    step_no BIGINT,
    step VARCHAR,
    activity VARCHAR,
    from_activity VARCHAR,
    to_activity VARCHAR,
    from_team VARCHAR,
    to_team VARCHAR,
    dose INTEGER,
    attribute VARCHAR,
    attribute_value VARCHAR,
    path VARCHAR[],
    population VARCHAR,
    threshold_s DOUBLE,
    landmark_s DOUBLE,
    has_wait BOOLEAN
);

-- grain: one finding in one segment and progress stratum: its 2×2 counts (sql/analytics/findings/counts.sql)
CREATE OR REPLACE TEMP TABLE int_finding_counts AS
SELECT
    defs.*,
    NULL::VARCHAR AS segment,
    NULL::VARCHAR AS segment_value,
    NULL::VARCHAR AS stratum,
    0::BIGINT AS n_population,
    0::BIGINT AS goal_population,
    0::BIGINT AS n_exposed,
    0::BIGINT AS goal_exposed,
    0::BIGINT AS n_population_h1,
    0::BIGINT AS goal_population_h1,
    0::BIGINT AS n_exposed_h1,
    0::BIGINT AS goal_exposed_h1,
    0::BIGINT AS n_population_h2,
    0::BIGINT AS goal_population_h2,
    0::BIGINT AS n_exposed_h2,
    0::BIGINT AS goal_exposed_h2,
    0::BIGINT AS n_population_t1,
    0::BIGINT AS goal_population_t1,
    0::BIGINT AS n_exposed_t1,
    0::BIGINT AS goal_exposed_t1,
    0::BIGINT AS n_population_t2,
    0::BIGINT AS goal_population_t2,
    0::BIGINT AS n_exposed_t2,
    0::BIGINT AS goal_exposed_t2,
    NULL::DOUBLE AS median_wait_exposed_s,
    NULL::DOUBLE AS median_wait_unexposed_s
FROM temp.int_finding_defs AS defs
WHERE false;

-- grain: one exposed journey of one finding over all journeys (the kinds decided per journey)
CREATE OR REPLACE TEMP TABLE int_finding_exposed_pairs (finding_key VARCHAR, journey_no INTEGER);

-- grain: one exposed variant of one finding over all journeys (the kinds decided per variant:
-- every journey of the variant in the population is exposed)
CREATE OR REPLACE TEMP TABLE int_finding_exposed_variants (finding_key VARCHAR, variant_id VARCHAR);
