-- grain: one value of one declared segment attribute (pipeline `segments:`)
-- journeys of customers with that value; conformance over all of them; the goal rate over the
-- ones in the findings' population (entered the path, observed long enough: journeys.in_findings)
-- with its Wilson 95% interval, so recent journeys still under way do not lower it. Whether
-- the goal rate differs from the attribute's other values is a `segment` finding (mining.friction).
CREATE OR REPLACE TABLE mining.segments AS
WITH members AS (
    SELECT attributes.attribute, attributes.value, journeys.*
    FROM mining.journeys AS journeys
    INNER JOIN mining.customer_attributes AS attributes ON attributes.customer_id = journeys.customer_id
    WHERE list_contains((SELECT segments FROM mining.analysis_window), attributes.attribute)
),

grouped AS (
    SELECT
        attribute,
        value,
        count(*) AS journeys,
        count(*) FILTER (WHERE partial) AS partial,
        count(*) FILTER (WHERE status = 'in_progress') AS in_progress,
        sum(fits_path::INTEGER) / count(fits_path) AS fits_path_share,
        sum(conforms::INTEGER) / count(conforms) AS conforming_share,
        count(*) FILTER (WHERE in_findings) AS n_observed,
        count(*) FILTER (WHERE in_findings AND reached_goal) AS n_goal
    FROM members
    GROUP BY attribute, value
)

SELECT
    grouped.attribute,
    grouped.value,
    grouped.journeys,
    grouped.journeys / sum(grouped.journeys) OVER (PARTITION BY grouped.attribute) AS share,
    grouped.partial,
    grouped.in_progress,
    grouped.fits_path_share,
    grouped.conforming_share,
    grouped.n_observed,
    grouped.n_goal,
    grouped.n_goal / nullif(grouped.n_observed, 0) AS goal_rate,
    wilson_low(grouped.n_goal, grouped.n_observed) AS goal_rate_low,
    wilson_high(grouped.n_goal, grouped.n_observed) AS goal_rate_high
FROM grouped
ORDER BY grouped.attribute, grouped.journeys DESC, grouped.value;

-- grain: one required step of the happy path for one value of one declared segment attribute
-- (the funnel of mining.funnel, by segment)
CREATE OR REPLACE TABLE mining.segment_funnel AS
SELECT
    attributes.attribute,
    attributes.value,
    reach.step_no,
    any_value(steps.label) AS step,
    count(*) AS reached,
    count(*) FILTER (WHERE reach.next_step_no IS NOT NULL) AS went_on,
    count(*) FILTER (WHERE reach.next_step_no IS NULL AND journeys.status = 'converted') AS converted_here,
    count(*) FILTER (WHERE reach.next_step_no IS NULL AND journeys.status = 'in_progress') AS in_progress,
    count(*) FILTER (WHERE reach.next_step_no IS NULL AND journeys.status = 'stopped') AS stopped,
    count(*) FILTER (WHERE reach.next_step_no IS NOT NULL)
        / nullif(count(*) FILTER (WHERE reach.next_step_no IS NOT NULL OR (reach.next_step_no IS NULL AND journeys.status = 'stopped')), 0)
        AS conversion_to_next,
    median(reach.wait_s) AS median_s_from_previous
FROM mining.journey_steps AS reach
INNER JOIN mining.journeys AS journeys USING (case_id)
INNER JOIN mining.customer_attributes AS attributes ON attributes.customer_id = journeys.customer_id
INNER JOIN meta.happy_path_steps AS steps USING (step_no)
WHERE list_contains((SELECT segments FROM mining.analysis_window), attributes.attribute)
GROUP BY attributes.attribute, attributes.value, reach.step_no
ORDER BY attributes.attribute, attributes.value, reach.step_no;
