-- grain: one attribute of one customer (segments: plan, region, company size, acquisition
-- source, … declared by presets; and the built-in first_channel, first_system, start_month)
-- A declared attribute takes the value of the customer's latest row that has one (journey
-- order: ts, source, sequence, file, row). Only attributes listed in the pipeline's `segments:`
-- are segments; every attribute is kept here.
CREATE OR REPLACE TABLE mining.customer_attributes AS
WITH firsts AS (
    SELECT
        case_id AS customer_id,
        arg_min(channel, ordinal) FILTER (WHERE channel IS NOT NULL) AS first_channel,
        arg_min(system, ordinal) AS first_system,
        strftime(min(ts), '%Y-%m') AS start_month
    FROM mining.journey_events
    GROUP BY case_id
)

SELECT customer_id, attribute, value
FROM firsts
UNPIVOT (value FOR attribute IN (first_channel, first_system, start_month))
ORDER BY customer_id, attribute;
