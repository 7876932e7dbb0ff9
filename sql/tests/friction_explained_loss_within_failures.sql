-- test: the explained loss of a stratum's findings never exceeds the journeys of the findings'
-- population in that stratum that did not reach the goal (no lost customer is counted twice)
WITH explained AS (
    SELECT segment, segment_value, sum(explained_loss) AS explained
    FROM mining.friction
    GROUP BY segment, segment_value
),

failures AS (
    SELECT NULL::VARCHAR AS segment, NULL::VARCHAR AS segment_value, count(*) AS failures
    FROM mining.journeys
    WHERE in_findings AND NOT reached_goal
    UNION ALL
    SELECT attributes.attribute, attributes.value, count(*)
    FROM mining.journeys AS journeys
    INNER JOIN mining.customer_attributes AS attributes ON attributes.customer_id = journeys.customer_id
    WHERE journeys.in_findings AND NOT journeys.reached_goal
    GROUP BY attributes.attribute, attributes.value
)

SELECT explained.*, coalesce(failures.failures, 0) AS failures
FROM explained
LEFT JOIN failures
    ON failures.segment IS NOT DISTINCT FROM explained.segment
    AND failures.segment_value IS NOT DISTINCT FROM explained.segment_value
WHERE explained.explained > coalesce(failures.failures, 0) + 1e-9
