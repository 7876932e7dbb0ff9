-- Kind repetition: an activity done again (rework loops, repeat contacts), with its dose.
-- dose d = 2: "twice or more against once"; d = 3: "three times or more against twice".
-- population rep:<activity>:<d>  journeys that did the activity d-1 times before the goal
--                      and had not reached the goal by the landmark (the (d-1)-th time plus the
--                      median gap between the (d-1)-th and the d-th time: landmark_s)
-- exposed              did it a d-th time by the landmark
-- stratum              the journey's progress: how many required steps it had done at the
--                      (d-1)-th time, and by the landmark ("2>3"). Exposed and unexposed are
--                      compared within equal progress (the unexposed rate is standardised to
--                      the exposed journeys' progress), so an activity that merely comes with
--                      progress (a help page viewed after every step) is no finding: doing it
--                      again would only mean "went on".
-- The goal and its negations are never exposures. Only occurrences before the goal count.
-- grain: one activity of one variant, done before the goal (never the goal or its negations):
-- how many times, and the positions of its first three times
CREATE OR REPLACE TEMP TABLE int_finding_occurrences AS
WITH positions AS (
    SELECT
        firsts.variant_id,
        firsts.goal_position,
        unnest(variants.activities) AS activity,
        unnest(range(1, len(variants.activities) + 1)) AS position
    FROM temp.int_finding_variant_firsts AS firsts
    INNER JOIN mining.variants AS variants USING (variant_id)
)

SELECT variant_id, activity, count(*) AS n_times, list(position ORDER BY position)[1:3] AS positions
FROM positions
WHERE (goal_position IS NULL OR position < goal_position)
    AND NOT list_contains((SELECT [goal] || negations FROM mining.analysis_window), activity)
GROUP BY variant_id, activity;

-- grain: one activity and dose (2 or 3) done often enough to test: at least min_journeys
-- journeys did it that many times
CREATE OR REPLACE TEMP TABLE int_finding_dose_candidates AS
SELECT occurrences.activity, doses.dose
FROM temp.int_finding_occurrences AS occurrences
INNER JOIN temp.int_finding_variant_counts AS counts
    ON counts.variant_id = occurrences.variant_id AND counts.segment IS NULL
CROSS JOIN (VALUES (2), (3)) AS doses(dose)
WHERE occurrences.n_times >= doses.dose
GROUP BY occurrences.activity, doses.dose
HAVING sum(counts.n) >= (SELECT min_journeys FROM mining.analysis_window);

-- grain: one journey that did a candidate activity dose-1 times: the times of its (dose-1)-th
-- and dose-th time
CREATE OR REPLACE TEMP TABLE int_finding_repeats AS
SELECT
    journeys.journey_no,
    occurrences.activity,
    candidates.dose,
    journeys.timestamps[occurrences.positions[candidates.dose - 1]] AS since_at,
    journeys.timestamps[occurrences.positions[candidates.dose]] AS dose_at,
    -- the journey's progress along the path: per required step, the first time it did an
    -- activity of that step (the variant's first positions read in the journey's times)
    list_transform(firsts.first_positions, lambda p: journeys.timestamps[p]) AS first_ats,
    journeys.goal_at,
    journeys.goal,
    journeys.hash_half,
    journeys.time_half
FROM temp.int_finding_times AS journeys
INNER JOIN temp.int_finding_occurrences AS occurrences USING (variant_id)
INNER JOIN temp.int_finding_dose_candidates AS candidates
    ON candidates.activity = occurrences.activity AND occurrences.n_times >= candidates.dose - 1
INNER JOIN temp.int_finding_variant_firsts AS firsts USING (variant_id);

CREATE OR REPLACE TEMP TABLE int_finding_doses AS
SELECT
    activity,
    dose,
    median((epoch_us(dose_at) - epoch_us(since_at)) / 1e6) AS landmark_s
FROM temp.int_finding_repeats
WHERE dose_at IS NOT NULL
GROUP BY activity, dose;

INSERT INTO temp.int_finding_rows BY NAME
WITH candidates AS (
    SELECT
        repeats.*,
        -- in microseconds since the epoch: a time plus a wait is an integer sum (the same value
        -- as timestamp arithmetic, without its calendar)
        epoch_us(repeats.since_at) + CAST(doses.landmark_s * 1e6 AS BIGINT) AS landmark_us
    FROM temp.int_finding_repeats AS repeats
    INNER JOIN temp.int_finding_doses AS doses USING (activity, dose)
)

SELECT
    'rep:' || dose || ':' || activity AS population_key,
    journey_no,
    CASE WHEN epoch_us(dose_at) <= landmark_us THEN ['repeated'] ELSE [] END AS exposures,
    NULL::DOUBLE AS wait_s,
    len(list_filter(first_ats, lambda t: t <= since_at)) || '>'
        || len(list_filter(first_ats, lambda t: epoch_us(t) <= landmark_us)) AS stratum,
    goal,
    hash_half,
    time_half
FROM candidates
WHERE goal_at IS NULL OR epoch_us(goal_at) > landmark_us;

INSERT INTO temp.int_finding_defs BY NAME
SELECT
    'rep:' || dose || ':' || activity || '|repeated' AS finding_key,
    'rep:' || dose || ':' || activity AS population_key,
    'repeated' AS exposure,
    'repetition' AS kind,
    CASE dose WHEN 2 THEN activity || ' twice or more (against once)'
        ELSE activity || ' ' || dose || ' times or more (against ' || (dose - 1) || ')' END AS label,
    activity,
    dose,
    'journeys that did ' || activity || ' ' || (dose - 1) || ' time(s) before the goal and had not '
        || 'reached it within the median gap to the next time, compared at equal progress' AS population,
    landmark_s,
    false AS has_wait
FROM temp.int_finding_doses;

-- grain: an activity after which no journey of the population ever reached the goal: the goal's
-- negation in all but name (deal_lost). Findings on it restate the outcome; they are kept out of
-- the default view with a note asking to declare it in findings.negations.
CREATE OR REPLACE TEMP TABLE int_finding_terminal AS
SELECT occurrences.activity
FROM temp.int_finding_occurrences AS occurrences
INNER JOIN temp.int_finding_variant_counts AS counts
    ON counts.variant_id = occurrences.variant_id AND counts.segment IS NULL
GROUP BY occurrences.activity
HAVING sum(counts.n) >= (SELECT min_journeys FROM mining.analysis_window) AND sum(counts.n_goal) = 0;

DROP TABLE temp.int_finding_occurrences;
DROP TABLE temp.int_finding_dose_candidates;
DROP TABLE temp.int_finding_repeats;
