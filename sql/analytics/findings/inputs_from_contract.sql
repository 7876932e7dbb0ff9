-- The per-journey lists and per-variant step reach the findings read, made from the contract
-- tables when the run's own temp tables are not there (the findings computed again on a
-- warehouse after its run): grain of temp.int_journey_paths one journey (its activities and
-- times in journey order); of temp.int_step_reached one step reached by one variant.
CREATE OR REPLACE TEMP TABLE int_journey_paths AS
SELECT case_id, list(activity ORDER BY ordinal) AS activities, list(ts ORDER BY ordinal) AS timestamps
FROM mining.journey_events
GROUP BY case_id;

CREATE OR REPLACE TEMP TABLE int_step_reached AS
SELECT DISTINCT journeys.variant_id, reach.step_no, reach.reached_ordinal
FROM mining.journey_steps AS reach
INNER JOIN mining.journeys AS journeys USING (case_id);
