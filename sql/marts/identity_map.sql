-- grain: one identifier (kind, value) and the customer it belongs to
-- materialisation: table
CREATE OR REPLACE TABLE mining.identity_map AS
SELECT
    split_part(node, ':', 1) AS kind,
    substr(node, length(split_part(node, ':', 1)) + 2) AS value,
    customer_id
FROM temp.int_node_customers
ORDER BY customer_id, kind, value;
