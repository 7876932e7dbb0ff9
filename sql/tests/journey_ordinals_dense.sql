-- test: the ordinals of every journey are 1, 2, … n: unique and without gaps
SELECT case_id, count(*) AS n_events, min(ordinal) AS first, max(ordinal) AS last
FROM mining.journey_events
GROUP BY case_id
HAVING min(ordinal) <> 1 OR max(ordinal) <> count(*) OR count(DISTINCT ordinal) <> count(*)
