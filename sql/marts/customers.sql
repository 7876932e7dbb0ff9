-- grain: one customer (a connected component of identifiers), with the account most of its rows name
-- materialisation: table
-- Grouped and joined by the integer customer_no (one per customer_id); the rows are folded per
-- anchor in temp.int_anchors, and per anchor and account here before their customer is looked up.
CREATE OR REPLACE TABLE mining.customers AS
WITH activity AS (
    SELECT
        customer_no,
        min(first_seen) AS first_seen,
        max(last_seen) AS last_seen,
        list(DISTINCT source ORDER BY source) AS sources
    FROM temp.int_anchors
    GROUP BY customer_no
),

anchor_votes AS (
    SELECT anchor, lower(trim(account_name)) AS account, count(*) AS n_rows
    FROM temp.int_rows
    WHERE account_name IS NOT NULL
    GROUP BY ALL
),

account_votes AS (
    SELECT nodes.customer_no, anchor_votes.account, sum(anchor_votes.n_rows) AS n_rows
    FROM anchor_votes
    INNER JOIN temp.int_node_customers AS nodes ON nodes.node = anchor_votes.anchor
    GROUP BY ALL
),

accounts AS (
    SELECT customer_no, arg_min(account, (-n_rows, account)) AS account_id
    FROM account_votes
    GROUP BY customer_no
),

emails AS (
    -- mining.identity_map's emails, read from the nodes (kind 'email': the prefix 'email:')
    SELECT customer_no, list(substr(node, 7) ORDER BY node) AS emails
    FROM temp.int_node_customers
    WHERE starts_with(node, 'email:')
    GROUP BY customer_no
),

identifiers AS (
    SELECT customer_no, customer_id, count(*) AS n_identifiers
    FROM temp.int_node_customers
    GROUP BY customer_no, customer_id
)

SELECT
    identifiers.customer_id,
    accounts.account_id,
    identifiers.n_identifiers,
    coalesce(emails.emails, []) AS emails,
    activity.sources,
    activity.first_seen,
    activity.last_seen
FROM identifiers
LEFT JOIN emails USING (customer_no)
LEFT JOIN accounts USING (customer_no)
LEFT JOIN activity USING (customer_no)
ORDER BY identifiers.customer_id;
