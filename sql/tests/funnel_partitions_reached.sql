-- test: every journey that reached a step arrived directly, after a skip or was first seen there,
-- and then went on, converted, is in progress or stopped
SELECT *
FROM mining.funnel
WHERE reached <> reached_directly + reached_after_skip + started_here
    OR reached <> went_on + converted_here + in_progress + stopped
