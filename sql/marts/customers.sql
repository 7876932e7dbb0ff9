-- grain: one customer (a connected component of identifiers), with the account most of its rows name
-- materialisation: table
CREATE OR REPLACE TABLE mining.customers AS
WITH per_anchor AS (
    -- rows folded per anchor first: far fewer than rows, and the anchor's customer is one lookup
    SELECT
        anchor,
        source,
        min(ts) FILTER (WHERE is_event) AS first_seen,
        max(ts) FILTER (WHERE is_event) AS last_seen
    FROM temp.int_rows
    GROUP BY anchor, source
),

activity AS (
    SELECT
        nodes.customer_id,
        min(per_anchor.first_seen) AS first_seen,
        max(per_anchor.last_seen) AS last_seen,
        list(DISTINCT per_anchor.source ORDER BY per_anchor.source) AS sources
    FROM per_anchor
    INNER JOIN temp.int_node_customers AS nodes ON nodes.node = per_anchor.anchor
    GROUP BY nodes.customer_id
),

account_votes AS (
    SELECT nodes.customer_id, lower(trim(rows.account_name)) AS account, count(*) AS n_rows
    FROM temp.int_rows AS rows
    INNER JOIN temp.int_node_customers AS nodes ON nodes.node = rows.anchor
    WHERE rows.account_name IS NOT NULL
    GROUP BY ALL
),

accounts AS (
    SELECT customer_id, arg_min(account, (-n_rows, account)) AS account_id
    FROM account_votes
    GROUP BY customer_id
),

identifiers AS (
    SELECT
        customer_id,
        count(*) AS n_identifiers,
        list(value ORDER BY value) FILTER (WHERE kind = 'email') AS emails
    FROM mining.identity_map
    GROUP BY customer_id
)

SELECT
    identifiers.customer_id,
    accounts.account_id,
    identifiers.n_identifiers,
    coalesce(identifiers.emails, []) AS emails,
    activity.sources,
    activity.first_seen,
    activity.last_seen
FROM identifiers
LEFT JOIN accounts USING (customer_id)
LEFT JOIN activity USING (customer_id)
ORDER BY customer_id;
