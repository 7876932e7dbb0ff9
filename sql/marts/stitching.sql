-- grain: one source of the pipeline: how many of its journeys join another source's records
-- materialisation: table, rebuilt every run
-- A journey "joins" when its customer's rows come from two or more sources: some identifier
-- of this source's rows met one of another source's. status / warning: `joins_none` (no
-- journey joins another source) and `joins_few` (its share joined is below $ratio times the
-- median share of the other sources) warn; `no_journeys` warns when none of a source's rows
-- is in a journey; `only_source` (a single source has journeys) and `ok` do not.
CREATE OR REPLACE TABLE mining.stitching AS
WITH link_kinds AS (
    SELECT source, list(DISTINCT kind ORDER BY kind) AS linking_kinds
    FROM (
        SELECT source, kind FROM temp.int_anchors
        UNION
        SELECT source, split_part(unnest(nodes), ':', 1) AS kind
        FROM (SELECT DISTINCT source, nodes FROM temp.int_rows WHERE nodes IS NOT NULL)
    )
    GROUP BY source
),

customer_sources AS (
    -- the customers with a journey: one of their anchors has a journey event
    SELECT list(DISTINCT source ORDER BY source) AS sources
    FROM temp.int_anchors
    GROUP BY customer_no
    HAVING bool_or(in_journey)
),

source_sets AS (
    -- the few distinct sets of sources, each with its number of journeys
    SELECT sources, count(*) AS n_customers FROM customer_sources GROUP BY sources
),

per_source AS (
    SELECT
        this.source,
        sum(n_customers)::BIGINT AS n_journeys,
        coalesce(sum(n_customers) FILTER (WHERE len(sources) > 1), 0)::BIGINT AS n_joined
    FROM source_sets, unnest(source_sets.sources) AS this (source)
    GROUP BY this.source
),

joined_with AS (
    SELECT this.source, list(DISTINCT other.source ORDER BY other.source) AS joined_sources
    FROM source_sets,
        unnest(source_sets.sources) AS this (source),
        unnest(source_sets.sources) AS other (source)
    WHERE this.source <> other.source
    GROUP BY this.source
),

sources AS (
    SELECT
        defaults.source,
        coalesce(per_source.n_journeys, 0) AS n_journeys,
        coalesce(per_source.n_joined, 0) AS n_joined,
        coalesce(per_source.n_joined / nullif(per_source.n_journeys, 0), 0.0) AS share_joined,
        coalesce(joined_with.joined_sources, []) AS joined_sources,
        coalesce(link_kinds.linking_kinds, []) AS linking_kinds,
        coalesce(unlinked.n_rows, 0) AS rows_unlinked
    FROM meta.source_defaults AS defaults
    LEFT JOIN per_source USING (source)
    LEFT JOIN joined_with USING (source)
    LEFT JOIN link_kinds USING (source)
    LEFT JOIN temp.int_unlinked_rows AS unlinked USING (source)
),

compared AS (
    SELECT
        sources.*,
        (SELECT count(*) FROM sources AS s WHERE s.n_journeys > 0) AS n_sources_with_journeys,
        (
            SELECT median(s.share_joined) FROM sources AS s
            WHERE s.source <> sources.source AND s.n_journeys > 0
        ) AS others_median_share
    FROM sources
),

judged AS (
    SELECT
        *,
        CASE
            WHEN n_journeys = 0 THEN 'no_journeys'
            WHEN n_sources_with_journeys < 2 THEN 'only_source'
            WHEN n_joined = 0 THEN 'joins_none'
            WHEN share_joined < $ratio * others_median_share THEN 'joins_few'
            ELSE 'ok'
        END AS status
    FROM compared
)

SELECT
    source,
    n_journeys,
    n_joined,
    share_joined,
    joined_sources,
    linking_kinds,
    rows_unlinked,
    status,
    CASE status
        WHEN 'no_journeys' THEN
            'source ' || source || ' is in no journey: none of its rows has an identifier of '
            || 'the kinds in identity.link_on. Fix: add one of its identifier kinds to '
            || 'identity.link_on, or give its preset an identifier the other sources have.'
        WHEN 'joins_none' THEN
            'source ' || source || ' joins no other source: none of its '
            || n_journeys || ' journeys shares an identifier with another source (it links on '
            || array_to_string(linking_kinds, ', ') || '). Fix: give its preset an identifier '
            || 'kind the other sources have (an email, a user id) and list it in identity.link_on.'
        WHEN 'joins_few' THEN
            'source ' || source || ' joins far fewer journeys than the others: '
            || round(100 * share_joined, 1) || '% of its ' || n_journeys
            || ' journeys share an identifier with another source, against a median of '
            || round(100 * others_median_share, 1) || '% for the other sources (it links on '
            || array_to_string(linking_kinds, ', ') || '). Fix: check that its identifiers '
            || 'are written as the other sources write them.'
    END AS warning
FROM judged
ORDER BY source;
