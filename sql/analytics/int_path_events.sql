-- grain: one position of one variant holding an activity of the happy path's required steps
-- materialisation: temp table
-- (the funnel's input). Which steps a journey reaches, and where, depends only on its activity
-- sequence: the reach is found once per variant, then spread to its journeys with their times.
CREATE OR REPLACE TEMP TABLE int_path_events AS
WITH positions AS (
    SELECT
        variant_id,
        unnest(activities) AS activity,
        unnest(range(1, len(activities) + 1)) AS ordinal
    FROM temp.int_variants
)

SELECT variant_id, activity, ordinal
FROM positions
WHERE activity IN (SELECT unnest(activities) FROM meta.happy_path_steps);
