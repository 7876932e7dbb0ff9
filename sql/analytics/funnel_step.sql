-- grain: one journey that reached happy-path step $step
-- Run once per step, in order. A journey reaches a step when it does the step's activity
-- after the latest earlier step it reached (a skipped step does not block later ones). A
-- step of several activities (any_order) is reached when all of them occurred; its reach
-- point is the last of their first occurrences.
INSERT INTO temp.int_step_reached
WITH step AS (
    SELECT * FROM meta.happy_path_steps WHERE step_no = $step
),

previous AS (
    SELECT case_id, max(reached_ordinal) AS reached_ordinal
    FROM temp.int_step_reached
    WHERE step_no < $step
    GROUP BY case_id
),

firsts AS (
    SELECT
        events.case_id,
        events.activity,
        min(events.ordinal) AS first_ordinal,
        arg_min(events.ts, events.ordinal) AS first_ts
    FROM temp.int_path_events AS events
    INNER JOIN step ON list_contains(step.activities, events.activity)
    LEFT JOIN previous ON previous.case_id = events.case_id
    WHERE previous.case_id IS NULL OR events.ordinal > previous.reached_ordinal
    GROUP BY events.case_id, events.activity
)

SELECT
    case_id,
    $step AS step_no,
    max(first_ordinal) AS reached_ordinal,
    arg_max(first_ts, first_ordinal) AS reached_at
FROM firsts
GROUP BY case_id
HAVING count(*) = (SELECT len(activities) FROM step);
