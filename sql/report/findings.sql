-- grain: one finding over all journeys (no segment stratum), as mining.friction ranks them;
-- the columns are read as they are (report/findings.py reads them defensively)
SELECT * FROM mining.friction
WHERE {{ overall }}
ORDER BY {{ order_by }}
LIMIT $limit;
