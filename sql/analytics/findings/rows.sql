-- The membership tables each kind of finding writes (made anew before each kind, so the memory
-- of the previous kind's rows is given back).
-- grain: one journey in one finding's population (in one progress stratum, for the kinds
-- compared among journeys that made the same progress), with the findings it is exposed to
-- there, and the journey's outcome and replication halves (int_finding_journeys: goal,
-- hash_half, time_half), which each kind copies from its own input so that the counts read no
-- other table for them
CREATE OR REPLACE TEMP TABLE int_finding_rows (
    population_key VARCHAR,
    journey_no INTEGER,
    exposures VARCHAR[],
    wait_s DOUBLE,
    stratum VARCHAR,
    goal BOOLEAN,
    hash_half UTINYINT,
    time_half UTINYINT
);

-- grain: one variant in one finding's population, with the findings its journeys are exposed to
-- there (the kinds that depend only on the activity sequence: every journey of the variant
-- that is in the population is in the finding's population, with the same exposures)
CREATE OR REPLACE TEMP TABLE int_finding_variant_rows (
    population_key VARCHAR,
    variant_id VARCHAR,
    exposures VARCHAR[]
);
