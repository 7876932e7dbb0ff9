-- grain: one journey (case): its goal time, how far along the happy path it got and when it
-- last progressed, and whether it was first seen mid-path (the inputs of its status)
-- materialisation: temp table
CREATE OR REPLACE TEMP TABLE int_journey_facts AS
WITH goal AS (
    SELECT goal FROM meta.outcome
)

SELECT
    paths.case_id,
    paths.started_at,
    paths.ended_at,
    paths.variant_id,
    paths.reached_goal,
    CASE WHEN paths.reached_goal
        THEN paths.timestamps[list_position(paths.activities, goal.goal)] END AS goal_at,
    path.furthest_step,
    paths.timestamps[path.furthest_ordinal] AS progressed_at,
    path.partial
FROM temp.int_journey_paths AS paths
INNER JOIN temp.int_variant_path AS path USING (variant_id)
CROSS JOIN goal;
