-- grain: one value of one declared segment attribute (pipeline `segments:`)
-- journeys of customers with that value; conformance over all of them; the goal rate over the
-- ones in the findings' population (entered the path, observed long enough: journeys.in_findings)
-- with its Wilson 95% interval, so recent journeys still under way do not lower it. Whether
-- the goal rate differs from the attribute's other values is a `segment` finding (mining.friction).
-- materialisation: table
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
