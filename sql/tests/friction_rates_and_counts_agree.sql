-- test: a finding's groups add up to its population, its exposed rate is its counts', and its
-- loss is the exposed journeys times the difference of the rates
SELECT finding_id, segment, segment_value, label
FROM mining.friction
WHERE n_exposed + n_unexposed <> n_population
    OR goal_exposed > n_exposed
    OR goal_unexposed > n_unexposed
    OR (n_exposed > 0 AND abs(rate_exposed - goal_exposed / n_exposed) > 1e-12)
    OR (n_exposed > 0 AND n_unexposed > 0 AND abs(loss - n_exposed * (rate_unexposed - rate_exposed)) > 1e-6)
    OR (in_default_view AND NOT tested)
