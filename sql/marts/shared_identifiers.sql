-- grain: one identifier value shared by implausibly many other identifiers (see
-- intermediate/int_shared_identifiers.sql), with whether the run still used it as a link
-- materialisation: table, rebuilt every run
CREATE OR REPLACE TABLE mining.shared_identifiers AS
SELECT
    kind,
    value,
    linked_kind,
    n_linked,
    $used_as_link::BOOLEAN AS used_as_link
FROM temp.int_shared_identifiers
ORDER BY n_linked DESC, kind, value;
