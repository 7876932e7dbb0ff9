-- Kind repeat_contact: the customer contacts the company again through another channel soon
-- after a first contact (the "I had to repeat myself" of journey research). Contacts are the
-- activities listed in the pipeline's findings.contacts.
-- population contact   journeys with a contact before the goal that had not reached the goal
--                      within findings.repeat_contact_within of their first contact
-- exposed              another contact within that window through another channel than the first
-- stratum              progress: required steps done at the first contact and by the end of the
--                      window, compared within equal progress (as repetition.sql)
INSERT INTO temp.int_finding_rows BY NAME
WITH settings AS (
    SELECT contacts, repeat_contact_within_s FROM mining.analysis_window
),

contacts AS (
    SELECT
        journeys.journey_no,
        events.ordinal,
        events.ts,
        events.channel,
        journeys.goal_at,
        journeys.goal,
        journeys.hash_half,
        journeys.time_half
    FROM temp.int_finding_journeys AS journeys
    INNER JOIN temp.int_finding_events AS events USING (journey_no)
    CROSS JOIN settings
    WHERE list_contains(settings.contacts, events.activity)
        AND (journeys.goal_at IS NULL OR events.ts < journeys.goal_at)
),

firsts AS (
    SELECT
        journey_no,
        min(ordinal) AS first_ordinal,
        arg_min(channel, ordinal) AS first_channel,
        arg_min(ts, ordinal) AS first_at,
        arg_min(ts, ordinal) + to_microseconds(CAST(any_value(settings.repeat_contact_within_s) * 1e6 AS BIGINT))
            AS landmark_at,
        any_value(goal_at) AS goal_at,
        any_value(goal) AS goal,
        any_value(hash_half) AS hash_half,
        any_value(time_half) AS time_half
    FROM contacts, settings
    GROUP BY journey_no
),

population AS (
    SELECT
        firsts.*,
        len(list_filter(coalesce(progress.first_ats, []), lambda t: t <= firsts.first_at)) || '>'
            || len(list_filter(coalesce(progress.first_ats, []), lambda t: t <= firsts.landmark_at)) AS stratum
    FROM firsts
    LEFT JOIN (
        -- the journey's progress along the path: per required step, the first time it did an
        -- activity of that step (the variant's first positions read in the journey's times)
        SELECT journeys.journey_no, list_transform(firsts.first_positions, lambda p: journeys.timestamps[p]) AS first_ats
        FROM temp.int_finding_times AS journeys
        INNER JOIN temp.int_finding_variant_firsts AS firsts USING (variant_id)
    ) AS progress USING (journey_no)
    WHERE firsts.goal_at IS NULL OR firsts.goal_at > firsts.landmark_at
),

exposed AS (
    SELECT DISTINCT contacts.journey_no
    FROM contacts
    INNER JOIN population USING (journey_no)
    WHERE contacts.ordinal > population.first_ordinal
        AND contacts.ts <= population.landmark_at
        AND contacts.channel <> population.first_channel
)

SELECT
    'contact' AS population_key,
    population.journey_no,
    CASE WHEN exposed.journey_no IS NULL THEN [] ELSE ['another_channel'] END AS exposures,
    NULL::DOUBLE AS wait_s,
    population.stratum,
    population.goal,
    population.hash_half,
    population.time_half
FROM population
LEFT JOIN exposed USING (journey_no);

INSERT INTO temp.int_finding_defs BY NAME
SELECT
    'contact|another_channel' AS finding_key,
    'contact' AS population_key,
    'another_channel' AS exposure,
    'repeat_contact' AS kind,
    'contacted again through another channel within ' || settings.repeat_contact_within_s / 86400 || ' days'
        AS label,
    'journeys with a contact (' || array_to_string(settings.contacts, ', ') || ') before the goal '
        || 'that had not reached it within the window after it, compared at equal progress' AS population,
    settings.repeat_contact_within_s AS landmark_s,
    false AS has_wait
FROM mining.analysis_window AS settings
WHERE EXISTS (SELECT 1 FROM temp.int_finding_rows WHERE population_key = 'contact');
