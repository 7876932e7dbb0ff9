-- grain: one row per SQL source loaded incrementally (connectors/sql.py): the highest value of
-- its cursor column already in raw.<source>, written in the same transaction as those rows.
CREATE TABLE IF NOT EXISTS meta.source_cursors (
    source VARCHAR NOT NULL,          -- source name from the pipeline
    cursor_column VARCHAR NOT NULL,   -- the source's `cursor:` column (updated_at, id, ...)
    last_value VARCHAR NOT NULL,      -- the highest value loaded, as text (ISO 8601 for times)
    value_type VARCHAR NOT NULL,      -- integer | numeric | float | timestamptz | timestamp | date | text
    updated_at TIMESTAMPTZ NOT NULL   -- when the cursor last moved
);
