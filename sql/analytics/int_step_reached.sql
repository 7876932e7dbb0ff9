-- grain: one variant whose journeys reach one happy-path step
-- materialisation: temp table, parameterised: the table is created empty, then the part
-- after '-- for each step' runs once per step ($step = 1, 2, …), in order. A journey reaches
-- a step when it does the step's activity after the latest earlier step it reached (a skipped
-- step does not block later ones). A step of several activities (any_order) is reached when all of them occurred; its reach
-- point is the last of their first occurrences.
CREATE OR REPLACE TEMP TABLE int_step_reached (
    variant_id VARCHAR,
    step_no BIGINT,
    reached_ordinal BIGINT
);

-- for each step
INSERT INTO temp.int_step_reached
WITH step AS (
    SELECT * FROM meta.happy_path_steps WHERE step_no = $step
),

previous AS (
    SELECT variant_id, max(reached_ordinal) AS reached_ordinal
    FROM temp.int_step_reached
    WHERE step_no < $step
    GROUP BY variant_id
),

firsts AS (
    SELECT
        events.variant_id,
        events.activity,
        min(events.ordinal) AS first_ordinal
    FROM temp.int_path_events AS events
    INNER JOIN step ON list_contains(step.activities, events.activity)
    LEFT JOIN previous ON previous.variant_id = events.variant_id
    WHERE previous.variant_id IS NULL OR events.ordinal > previous.reached_ordinal
    GROUP BY events.variant_id, events.activity
)

SELECT
    variant_id,
    $step AS step_no,
    max(first_ordinal) AS reached_ordinal
FROM firsts
GROUP BY variant_id
HAVING count(*) = (SELECT len(activities) FROM step);
