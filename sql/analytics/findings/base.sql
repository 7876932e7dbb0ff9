-- The findings' shared inputs. Every findings model reads contract tables only (mining.journeys,
-- journey_steps, journey_events, variants, funnel, customer_attributes, and analysis_window for
-- the goal and the parameters) so the same findings can be computed again
-- on any warehouse. See docs/findings.md for each kind's exposure model.

-- grain: one journey of the findings' population (mining.journeys.in_findings)
CREATE OR REPLACE TEMP TABLE int_finding_journeys AS
SELECT
    row_number() OVER (ORDER BY case_id) AS journey_no,
    case_id,
    variant_id,
    reached_goal AS goal,
    goal_at,
    started_at,
    hash_half,
    time_half
FROM mining.journeys
WHERE in_findings;

-- grain: one declared segment attribute's value of one journey (int_finding_attributes), and
-- the ones that are strata (int_finding_strata: the strata findings are
-- computed in, besides all journeys). A value held by every journey of the population is no
-- stratum (its findings are the ones over all journeys); nor is one held by fewer than twice
-- min_journeys journeys (no finding in it could be tested).
CREATE OR REPLACE TEMP TABLE int_finding_attributes AS
SELECT
    journeys.journey_no,
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

-- grain: one journey of the findings' population, with the first time it did an activity of
-- each required step it did (in order or not): its progress along the path over time
CREATE OR REPLACE TEMP TABLE int_finding_progress AS
WITH step_activities AS (
    SELECT step_no, unnest(activities) AS activity FROM mining.funnel
),

firsts AS (
    SELECT journeys.journey_no, step_activities.step_no, min(events.ts) AS first_at
    FROM temp.int_finding_journeys AS journeys
    INNER JOIN mining.journey_events AS events USING (case_id)
    INNER JOIN step_activities USING (activity)
    GROUP BY journeys.journey_no, step_activities.step_no
)

SELECT
    journey_no,
    list(step_no ORDER BY step_no) AS step_nos,
    list(first_at ORDER BY step_no) AS first_ats
FROM firsts
GROUP BY journey_no;

-- grain: one journey in one finding's population (in one progress stratum, for the kinds
-- compared among journeys that made the same progress), with the findings it is exposed to there
CREATE OR REPLACE TEMP TABLE int_finding_rows (
    population_key VARCHAR,
    journey_no BIGINT,
    exposures VARCHAR[],
    wait_s DOUBLE,
    stratum VARCHAR
);

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
