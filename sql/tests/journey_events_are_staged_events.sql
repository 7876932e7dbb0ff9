-- test: per source, the events in journeys are the staged events (with a linking identifier)
-- minus the ones whose activity the mapping drops
WITH in_journeys AS (
    SELECT source, count(*) AS n_journey_events FROM mining.journey_events GROUP BY source
)

SELECT
    coalesce(staged.source, in_journeys.source) AS source,
    staged.n_events,
    staged.n_dropped,
    in_journeys.n_journey_events
FROM meta.source_events AS staged
FULL JOIN in_journeys ON in_journeys.source = staged.source
WHERE coalesce(staged.n_events, 0) - coalesce(staged.n_dropped, 0)
    <> coalesce(in_journeys.n_journey_events, 0)
