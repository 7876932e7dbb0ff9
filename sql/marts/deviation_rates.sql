-- grain: one kind of deviation at one activity, with the journeys for which it was due
-- n_due, the journeys that could have shown it:
--   skipped X       journeys that reached X's step, or jumped over it to a later step
--                   (funnel.reached + funnel.skipped of X's step); a skip is only counted when
--                   the journey went on past the step (mining.deviations)
--   out_of_order X, repeated X   journeys that did X
--   inserted X      every journey (an activity the path does not allow can come anywhere)
--   timed_out S     journeys that reached step S with a wait since an earlier step
--                   (funnel.reached - funnel.started_here)
-- share_of_due = n_journeys / n_due. Everything here is counted per variant.
-- materialisation: table
CREATE OR REPLACE TABLE mining.deviation_rates AS
WITH shown AS (
    SELECT kind, activity, sum(n_cases)::BIGINT AS n_journeys
    FROM (SELECT DISTINCT variant_id, kind, activity, n_cases FROM mining.deviations)
    GROUP BY kind, activity
),

step_of AS (
    SELECT funnel.step AS label, unnest(funnel.activities) AS activity, funnel.reached,
        funnel.skipped, funnel.started_here
    FROM mining.funnel AS funnel
),

did AS (
    SELECT activity, sum(n_cases)::BIGINT AS n_journeys
    FROM (SELECT DISTINCT variant_id, n_cases, unnest(activities) AS activity FROM temp.int_variants)
    GROUP BY activity
),

totals AS (
    SELECT count(*) AS n_journeys FROM mining.journeys
),

due AS (
    SELECT
        shown.kind,
        shown.activity,
        CASE shown.kind
            WHEN 'skipped' THEN (SELECT any_value(reached + skipped) FROM step_of WHERE step_of.activity = shown.activity)
            WHEN 'out_of_order' THEN (SELECT any_value(n_journeys) FROM did WHERE did.activity = shown.activity)
            WHEN 'repeated' THEN (SELECT any_value(n_journeys) FROM did WHERE did.activity = shown.activity)
            WHEN 'inserted' THEN (SELECT n_journeys FROM totals)
            WHEN 'timed_out' THEN (SELECT any_value(reached - started_here) FROM step_of WHERE step_of.label = shown.activity)
        END AS n_due
    FROM shown
)

SELECT
    shown.kind,
    shown.activity,
    shown.n_journeys,
    due.n_due,
    shown.n_journeys / nullif(due.n_due, 0) AS share_of_due
FROM shown
INNER JOIN due USING (kind, activity)
ORDER BY shown.n_journeys DESC, shown.kind, shown.activity;
