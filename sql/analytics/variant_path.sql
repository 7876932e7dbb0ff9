-- grain: one variant, with where its activity sequence meets the happy path's required steps
-- furthest_step      the last funnel step its journeys reach in order (0: none)
-- first_path_ordinal position of the first activity of any required step
-- partial            the journey was first seen mid-path (left-censored): its first required
--                    activity is not one of step 1's, e.g. a product user never linked to the
--                    CRM. Steps "skipped" before that point are not deviations.
CREATE OR REPLACE TEMP TABLE int_variant_path AS
WITH firsts AS (
    SELECT variant_id, min(ordinal) AS first_path_ordinal, arg_min(activity, ordinal) AS first_path_activity
    FROM temp.int_path_events
    GROUP BY variant_id
),

reach AS (
    SELECT variant_id, max(step_no) AS furthest_step FROM temp.int_step_reached GROUP BY variant_id
),

entry AS (
    SELECT activities AS entry_activities FROM meta.happy_path_steps WHERE step_no = 1
)

SELECT
    variants.variant_id,
    coalesce(reach.furthest_step, 0) AS furthest_step,
    firsts.first_path_ordinal,
    coalesce(
        firsts.first_path_activity IS NOT NULL
        AND NOT list_contains(entry.entry_activities, firsts.first_path_activity),
        false
    ) AS partial
FROM mining.variants AS variants
LEFT JOIN firsts USING (variant_id)
LEFT JOIN reach USING (variant_id)
LEFT JOIN entry ON true;
