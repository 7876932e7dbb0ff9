-- grain: one required step of the happy path for one value of one declared segment attribute
-- materialisation: table
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
