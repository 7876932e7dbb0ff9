-- grain: one attribute of one customer: the attributes presets declare (`attributes:` — plan,
-- region, company size, acquisition source …) and the built-in first_channel and first_system
-- materialisation: table
-- (of the journey's first event with one) and start_month. A declared attribute takes the value
-- of the customer's latest row that has one (journey order: ts, source, sequence, file, row);
-- a declared attribute of the same name as a built-in one replaces it. Only attributes listed
-- in the pipeline's `segments:` are segments; every attribute is kept here. Runs after
-- mining.journey_events and before temp.int_rows is dropped.
CREATE OR REPLACE TABLE mining.customer_attributes AS
WITH firsts AS (
    SELECT
        case_id AS customer_id,
        arg_min(channel, ordinal) FILTER (WHERE channel IS NOT NULL) AS first_channel,
        arg_min(system, ordinal) AS first_system,
        strftime(min(ts), '%Y-%m') AS start_month
    FROM mining.journey_events
    GROUP BY case_id
),

built_in AS (
    SELECT customer_id, attribute, value
    FROM firsts
    UNPIVOT (value FOR attribute IN (first_channel, first_system, start_month))
),

declared_rows AS (
    SELECT
        nodes.customer_id,
        attributes.entry.key AS attribute,
        trim(attributes.entry.value) AS value,
        rows.ts,
        rows.source_rank,
        rows.source_seq,
        rows.file,
        rows.row_no
    FROM temp.int_rows AS rows
    INNER JOIN temp.int_node_customers AS nodes ON nodes.node = rows.anchor
    CROSS JOIN unnest(map_entries(rows.attributes)) AS attributes(entry)
    WHERE rows.attributes IS NOT NULL
),

declared AS (
    SELECT customer_id, attribute, value
    FROM declared_rows
    WHERE value IS NOT NULL AND value <> ''
    QUALIFY row_number() OVER (
        PARTITION BY customer_id, attribute
        ORDER BY ts DESC, source_rank DESC, source_seq DESC NULLS LAST, file DESC, row_no DESC
    ) = 1
)

SELECT customer_id, attribute, value FROM declared
UNION ALL
SELECT built_in.customer_id, built_in.attribute, built_in.value
FROM built_in
ANTI JOIN declared USING (customer_id, attribute)
ORDER BY customer_id, attribute;
