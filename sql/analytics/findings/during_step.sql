-- Kind during_step: an activity done while waiting for a step.
-- population wait:<k>  journeys that reached step k-1 and, by the landmark (step k's
--                      landmark_s after reaching k-1: the first quarter of its wait), had done no activity of step k or of any
--                      later step (in order or not) and not the goal: they were still waiting
--                      for step k
-- exposed              did the activity after reaching k-1 and no later than the landmark
-- Every journey of the population had the same time to be exposed, so an activity that comes
-- at random moments (a support ticket) is not made to look harmful by the long waits of the
-- journeys that never went on.
-- What opens a window, when it closes and which events could fall in it depend only on the
-- activity sequence, so they are worked out once per variant; each journey then only reads its
-- own times (int_finding_times), with no join over its events or steps.
-- grain: one variant of the population that reached step k-1, for each step k with a landmark:
-- the ordinal that opens the wait (step k-1 reached), the first position of step k or a later
-- one, the ordinal reaching step k when it came straight after k-1 (for the wait), and the
-- positions after the opening whose activity may be an exposure (off the path's steps, never
-- the goal or its negations, or a declared contact), in order
CREATE OR REPLACE TEMP TABLE int_finding_variant_windows AS
WITH context AS (
    SELECT * FROM temp.int_finding_context
),

steps AS (
    SELECT funnel.step_no, CAST(funnel.landmark_s * 1e6 AS BIGINT) AS landmark_us
    FROM mining.funnel AS funnel, context
    WHERE funnel.step_no BETWEEN 2 AND context.goal_step AND funnel.landmark_s > 0
),

opened AS (
    SELECT opening.variant_id, steps.step_no, steps.landmark_us, opening.reached_ordinal AS opened_ordinal,
        reached.reached_ordinal AS straight_ordinal
    FROM temp.int_step_reached AS opening
    INNER JOIN steps ON opening.step_no = steps.step_no - 1
    LEFT JOIN temp.int_step_reached AS reached
        ON reached.variant_id = opening.variant_id AND reached.step_no = steps.step_no
    WHERE opening.variant_id IN (SELECT variant_id FROM temp.int_finding_variant_firsts)
),

positions AS (
    SELECT variants.variant_id, unnest(variants.activities) AS activity,
        unnest(range(1, len(variants.activities) + 1)) AS position
    FROM mining.variants AS variants
    WHERE variants.variant_id IN (SELECT variant_id FROM opened)
),

eligible AS (
    SELECT positions.*
    FROM positions, context, mining.analysis_window AS settings
    WHERE NOT list_contains(context.excluded_activities, positions.activity)
        OR list_contains(settings.contacts, positions.activity)
)

SELECT
    opened.variant_id,
    opened.step_no,
    opened.landmark_us,
    opened.opened_ordinal,
    firsts.onward_positions[opened.step_no] AS onward_position,
    opened.straight_ordinal,
    coalesce(
        list(eligible.position ORDER BY eligible.position) FILTER (WHERE eligible.position IS NOT NULL), []
    ) AS positions,
    coalesce(
        list(eligible.activity ORDER BY eligible.position) FILTER (WHERE eligible.position IS NOT NULL), []
    ) AS activities
FROM opened
INNER JOIN temp.int_finding_variant_firsts AS firsts USING (variant_id)
LEFT JOIN eligible
    ON eligible.variant_id = opened.variant_id AND eligible.position > opened.opened_ordinal
GROUP BY ALL;

-- grain: one journey still waiting for step k at its landmark (step k's landmark_s after
-- reaching k-1): the activities it did after reaching k-1 and by the landmark, and the wait for
-- step k when it reached it straight after k-1
INSERT INTO temp.int_finding_rows BY NAME
WITH windows AS (
    -- times as microseconds since the epoch: a time plus a wait, and a wait between two times,
    -- are integer sums (the same values as timestamp arithmetic, without its calendar)
    SELECT
        journeys.journey_no,
        journeys.goal,
        journeys.hash_half,
        journeys.time_half,
        journeys.timestamps,
        epoch_us(journeys.goal_at) AS goal_us,
        windows.step_no,
        windows.onward_position,
        windows.opened_ordinal,
        windows.straight_ordinal,
        windows.positions,
        windows.activities,
        epoch_us(journeys.timestamps[windows.opened_ordinal]) + windows.landmark_us AS landmark_us
    FROM temp.int_finding_times AS journeys
    INNER JOIN temp.int_finding_variant_windows AS windows USING (variant_id)
)

SELECT
    'wait:' || step_no AS population_key,
    journey_no,
    CASE
        -- the candidates come in time order: when the first is after the landmark, none is in it
        WHEN len(positions) = 0 OR epoch_us(timestamps[positions[1]]) > landmark_us THEN []
        ELSE list_sort(list_distinct(
            list_filter(activities, lambda activity, i: epoch_us(timestamps[positions[i]]) <= landmark_us)
        ))
    END AS exposures,
    (epoch_us(timestamps[straight_ordinal]) - epoch_us(timestamps[opened_ordinal])) / 1e6 AS wait_s,
    NULL::VARCHAR AS stratum,
    goal,
    hash_half,
    time_half
FROM windows
WHERE (onward_position IS NULL OR epoch_us(timestamps[onward_position]) > landmark_us)
    AND (goal_us IS NULL OR goal_us > landmark_us);

INSERT INTO temp.int_finding_defs BY NAME
WITH exposures AS (
    SELECT DISTINCT population_key, unnest(exposures) AS exposure
    FROM temp.int_finding_rows
    WHERE starts_with(population_key, 'wait:')
)

SELECT
    exposures.population_key || '|' || exposures.exposure AS finding_key,
    exposures.population_key,
    exposures.exposure,
    'during_step' AS kind,
    exposures.exposure || ' while waiting for ' || funnel.step AS label,
    funnel.step_no,
    funnel.step,
    exposures.exposure AS activity,
    'journeys that reached ' || previous.step || ' and were still waiting for ' || funnel.step
        || ' (no activity of it or a later step) after the first quarter of its wait' AS population,
    funnel.landmark_s,
    true AS has_wait
FROM exposures
INNER JOIN mining.funnel AS funnel
    ON funnel.step_no = CAST(substr(exposures.population_key, 6) AS BIGINT)
INNER JOIN mining.funnel AS previous ON previous.step_no = funnel.step_no - 1;

DROP TABLE temp.int_finding_variant_windows;
