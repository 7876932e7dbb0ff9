-- Kind segment: journeys of customers with one value of a declared attribute (plan, region,
-- company size, acquisition source, first channel, start month: pipeline `segments:`).
-- population seg:<attribute>  journeys whose customer has a value of the attribute
-- exposed                     the value; unexposed: the attribute's other values
INSERT INTO temp.int_finding_rows BY NAME
SELECT
    'seg:' || strata.attribute AS population_key,
    strata.journey_no,
    [strata.value] AS exposures,
    NULL::DOUBLE AS wait_s,
    strata.goal,
    strata.hash_half,
    strata.time_half
FROM temp.int_finding_attributes AS strata;

INSERT INTO temp.int_finding_defs BY NAME
SELECT DISTINCT
    'seg:' || attribute || '|' || value AS finding_key,
    'seg:' || attribute AS population_key,
    value AS exposure,
    'segment' AS kind,
    attribute || ' = ' || value AS label,
    attribute,
    value AS attribute_value,
    'journeys whose customer has a ' || attribute AS population,
    false AS has_wait
FROM temp.int_finding_attributes;
