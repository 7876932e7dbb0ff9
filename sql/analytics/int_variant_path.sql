-- grain: one variant, with where its activity sequence meets the happy path's required steps
-- furthest_step      the last funnel step its journeys reach in order (0: none), at position
--                    furthest_ordinal
-- first_path_ordinal position of the first activity of any required step
-- partial            the journey was first seen mid-path (left-censored): it does required steps
--                    but none of step 1's activities, e.g. a product user never linked to the
--                    CRM, or a customer whose beginning lies before the data. Steps "skipped"
--                    before its first required activity are not deviations. (A journey that does
--                    step 1 late, after a later step, is out of order, not partial.)
-- materialisation: temp table
CREATE OR REPLACE TEMP TABLE int_variant_path AS
WITH entry AS (
    SELECT activities AS entry_activities FROM meta.happy_path_steps WHERE step_no = 1
),

firsts AS (
    SELECT
        path_events.variant_id,
        min(path_events.ordinal) AS first_path_ordinal,
        bool_or(list_contains(entry.entry_activities, path_events.activity)) AS does_entry
    FROM temp.int_path_events AS path_events
    CROSS JOIN entry
    GROUP BY path_events.variant_id
),

reach AS (
    SELECT variant_id, max(step_no) AS furthest_step, arg_max(reached_ordinal, step_no) AS furthest_ordinal
    FROM temp.int_step_reached
    GROUP BY variant_id
)

SELECT
    variants.variant_id,
    coalesce(reach.furthest_step, 0) AS furthest_step,
    reach.furthest_ordinal,
    firsts.first_path_ordinal,
    coalesce(NOT firsts.does_entry, false) AS partial
FROM temp.int_variants AS variants
LEFT JOIN firsts USING (variant_id)
LEFT JOIN reach USING (variant_id);
