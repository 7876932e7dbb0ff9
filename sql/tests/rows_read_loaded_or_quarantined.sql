-- test: every row read from a source's file or query was loaded or quarantined
SELECT source, path, load_id, rows_read, rows_loaded, rows_quarantined
FROM meta.loaded_files
WHERE rows_read <> rows_loaded + rows_quarantined
