-- grain: one source: its rows left with no linking identifier once the shared identifiers no
-- longer link (they join no journey); first rewrites temp.int_rows without those links, and
-- then deletes its rows left without an anchor
-- materialisation: temp table (and an update of temp.int_rows)
-- Run only when int_shared_identifiers has rows and identity.link_shared_identifiers is false.
-- A row's anchor becomes its smallest identifier that is not shared, its nodes the others.
UPDATE temp.int_rows AS r
SET
    anchor = CASE
        WHEN r.nodes IS NULL THEN NULL
        ELSE list_min(list_filter(r.nodes, lambda n: NOT list_contains(s.shared, n)))
    END,
    nodes = CASE
        WHEN len(list_filter(r.nodes, lambda n: NOT list_contains(s.shared, n))) > 1
            THEN list_filter(r.nodes, lambda n: NOT list_contains(s.shared, n))
    END
FROM (SELECT list(node) AS shared FROM temp.int_shared_identifiers) AS s
WHERE list_contains(s.shared, r.anchor) OR list_has_any(r.nodes, s.shared);

CREATE OR REPLACE TEMP TABLE int_unlinked_rows AS
SELECT source, count(*) AS n_rows FROM temp.int_rows WHERE anchor IS NULL GROUP BY source;

DELETE FROM temp.int_rows WHERE anchor IS NULL;
