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
CREATE OR REPLACE TEMP TABLE int_finding_occurrences AS
SELECT
    journeys.journey_no,
    events.activity,
    count(*) AS n_times,
    min_by(events.ts, events.ordinal, 3) AS first_times
FROM temp.int_finding_journeys AS journeys
INNER JOIN mining.journey_events AS events USING (case_id)
WHERE NOT list_contains((SELECT [goal] || negations FROM mining.analysis_window), events.activity)
    AND (journeys.goal_at IS NULL OR events.ts < journeys.goal_at)
GROUP BY journeys.journey_no, events.activity;

CREATE OR REPLACE TEMP TABLE int_finding_doses AS
SELECT
    occurrences.activity,
    doses.dose,
    median(date_diff('microsecond', occurrences.first_times[doses.dose - 1], occurrences.first_times[doses.dose]) / 1e6)
        FILTER (WHERE occurrences.n_times >= doses.dose) AS landmark_s,
    count(*) FILTER (WHERE occurrences.n_times >= doses.dose) AS n_repeated
FROM temp.int_finding_occurrences AS occurrences
CROSS JOIN (VALUES (2), (3)) AS doses(dose)
WHERE occurrences.n_times >= doses.dose - 1
GROUP BY occurrences.activity, doses.dose
HAVING count(*) FILTER (WHERE occurrences.n_times >= doses.dose)
    >= (SELECT min_journeys FROM mining.analysis_window);

INSERT INTO temp.int_finding_rows BY NAME
WITH candidates AS (
    SELECT
        occurrences.journey_no,
        occurrences.activity,
        doses.dose,
        occurrences.n_times,
        occurrences.first_times[doses.dose] AS dose_at,
        occurrences.first_times[doses.dose - 1] AS since_at,
        occurrences.first_times[doses.dose - 1]
            + to_microseconds(CAST(doses.landmark_s * 1e6 AS BIGINT)) AS landmark_at
    FROM temp.int_finding_occurrences AS occurrences
    INNER JOIN temp.int_finding_doses AS doses
        ON doses.activity = occurrences.activity AND occurrences.n_times >= doses.dose - 1
)

SELECT
    'rep:' || candidates.dose || ':' || candidates.activity AS population_key,
    candidates.journey_no,
    CASE WHEN candidates.dose_at <= candidates.landmark_at THEN ['repeated'] ELSE [] END AS exposures,
    NULL::DOUBLE AS wait_s,
    len(list_filter(coalesce(progress.first_ats, []), lambda t: t <= candidates.since_at)) || '>'
        || len(list_filter(coalesce(progress.first_ats, []), lambda t: t <= candidates.landmark_at)) AS stratum
FROM candidates
INNER JOIN temp.int_finding_journeys AS journeys USING (journey_no)
LEFT JOIN temp.int_finding_progress AS progress USING (journey_no)
WHERE journeys.goal_at IS NULL OR journeys.goal_at > candidates.landmark_at;

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
INNER JOIN temp.int_finding_journeys AS journeys USING (journey_no)
GROUP BY occurrences.activity
HAVING count(*) >= (SELECT min_journeys FROM mining.analysis_window) AND count(*) FILTER (WHERE journeys.goal) = 0;

DROP TABLE temp.int_finding_occurrences;
