-- grain: one identifier node and its customer (the component's smallest node, after propagation)
-- customer_no numbers customers in the order of that smallest identifier: the integer key the
-- journey order partitions by.
-- materialisation: temp table
CREATE OR REPLACE TEMP TABLE int_node_customers AS
SELECT
    node,
    'C' || substr(md5(label), 1, 12) AS customer_id,
    dense_rank() OVER (ORDER BY label) AS customer_no
FROM temp.int_identity_labels;
