-- grain: one identifier (kind, value) and the customer it belongs to
CREATE OR REPLACE TABLE mining.identity_map AS
SELECT
    split_part(node, ':', 1) AS kind,
    substr(node, length(split_part(node, ':', 1)) + 2) AS value,
    'C' || substr(md5(label), 1, 12) AS customer_id
FROM temp.int_identity_labels
ORDER BY customer_id, kind, value;

-- grain: one customer (a connected component of identifiers), with the account most of its rows name
CREATE OR REPLACE TABLE mining.customers AS
WITH row_customer AS (
    SELECT DISTINCT ids.event_id, ids.is_event, ids.ts, ids.account_name, ids.source, map.customer_id
    FROM temp.int_identifiers AS ids
    INNER JOIN mining.identity_map AS map ON map.kind = ids.kind AND map.value = ids.value
),

account_votes AS (
    SELECT customer_id, lower(trim(account_name)) AS account, count(*) AS n_rows
    FROM row_customer
    WHERE account_name IS NOT NULL
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
),

activity AS (
    SELECT
        customer_id,
        min(ts) FILTER (WHERE is_event) AS first_seen,
        max(ts) FILTER (WHERE is_event) AS last_seen,
        list(DISTINCT source ORDER BY source) AS sources
    FROM row_customer
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
