-- Bookkeeping tables the loaders and runs write; created once, never dropped by a run.
CREATE TABLE IF NOT EXISTS meta.loaded_files (
    source VARCHAR NOT NULL,          -- source name from the pipeline
    path VARCHAR NOT NULL,            -- file path relative to the data dir
    size_bytes BIGINT NOT NULL,
    sha256 VARCHAR NOT NULL,          -- content hash: an unchanged file is skipped
    load_id VARCHAR NOT NULL,
    loaded_at TIMESTAMPTZ NOT NULL,
    rows_read BIGINT NOT NULL,
    rows_loaded BIGINT NOT NULL,
    rows_quarantined BIGINT NOT NULL
);

CREATE TABLE IF NOT EXISTS mining.quarantine (
    source VARCHAR NOT NULL,
    file VARCHAR NOT NULL,
    row_no BIGINT NOT NULL,           -- 1-based data row (line for JSON lines) in the file
    reason VARCHAR NOT NULL,
    raw_row VARCHAR,                  -- the row as it was read (JSON object of columns, or the line)
    load_id VARCHAR NOT NULL,
    run_id VARCHAR NOT NULL
);

CREATE TABLE IF NOT EXISTS mining.runs (
    run_id VARCHAR NOT NULL,
    pipeline VARCHAR NOT NULL,
    started_at TIMESTAMPTZ NOT NULL,
    finished_at TIMESTAMPTZ,
    status VARCHAR NOT NULL,          -- running | succeeded | failed | aborted | refused
    error VARCHAR,
    rows_read BIGINT,
    rows_loaded BIGINT,
    rows_quarantined BIGINT,
    last_seen_at TIMESTAMPTZ,         -- aborted runs: when the run was last seen alive
    warnings VARCHAR[]                -- what the run warned about (stitching), one line each
);
-- warehouses written before these columns existed
ALTER TABLE mining.runs ADD COLUMN IF NOT EXISTS last_seen_at TIMESTAMPTZ;
ALTER TABLE mining.runs ADD COLUMN IF NOT EXISTS warnings VARCHAR[];

CREATE TABLE IF NOT EXISTS mining.run_sources (
    run_id VARCHAR NOT NULL,
    source VARCHAR NOT NULL,
    files_loaded INTEGER NOT NULL,
    files_skipped INTEGER NOT NULL,
    rows_read BIGINT NOT NULL,
    rows_loaded BIGINT NOT NULL,
    rows_quarantined BIGINT NOT NULL
);

CREATE TABLE IF NOT EXISTS meta.alignment_cache (
    model_fingerprint VARCHAR NOT NULL,   -- sha256 of the happy path / BPMN it was aligned against
    variant_id VARCHAR NOT NULL,
    cost DOUBLE NOT NULL,
    fitness DOUBLE NOT NULL,
    moves JSON NOT NULL                   -- [[log label or null, model label or null], ...]
);

CREATE TABLE IF NOT EXISTS meta.raw_canonical (
    source VARCHAR NOT NULL,
    fingerprint VARCHAR NOT NULL,         -- sha256 of the preset expressions behind raw's _jm_* columns
    computed_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE IF NOT EXISTS mining.run_stages (
    run_id VARCHAR NOT NULL,
    seq INTEGER NOT NULL,                 -- order the stages ran in, from 1
    stage VARCHAR NOT NULL,               -- 'load <source>', a model (mining.journeys, identity …), 'sql tests', 'discovery'
    kind VARCHAR NOT NULL,                -- load | python | sql | test | discovery
    status VARCHAR NOT NULL,              -- ok | failed
    wall_s DOUBLE NOT NULL,
    cpu_s DOUBLE NOT NULL,                -- CPU seconds of every thread of the process (DuckDB's too)
    rows_written BIGINT,                  -- rows in the tables the stage wrote (NULL: none, or views)
    peak_rss_mb DOUBLE NOT NULL,          -- peak resident memory of the process during the stage
    duckdb_mb DOUBLE                      -- DuckDB's memory in use when the stage ended
);
