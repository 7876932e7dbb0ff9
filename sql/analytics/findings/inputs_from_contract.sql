-- The per-variant step reach the findings read, made from the contract tables when the run's
-- own temp tables are not there (the findings computed again on a warehouse after its run;
-- journey_mining.analytics.findings first runs the run's own intermediate/int_event_labels.sql
-- and intermediate/int_journey_paths.sql on mining.journey_events): grain of
-- temp.int_step_reached one step reached by one variant.
CREATE OR REPLACE TEMP TABLE int_step_reached AS
SELECT DISTINCT journeys.variant_id, reach.step_no, reach.reached_ordinal
FROM mining.journey_steps AS reach
INNER JOIN mining.journeys AS journeys USING (case_id);
