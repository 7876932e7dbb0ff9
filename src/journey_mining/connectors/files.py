"""Load export files (CSV, JSON lines, Parquet; gzip too) into raw tables, incrementally.

For each source, in one transaction:

* files matching the source's glob are listed in path order; a file whose size and
  SHA-256 match the manifest (``meta.loaded_files``) is skipped, a changed file has its
  earlier rows removed and is loaded again, a new file is loaded alone;
* DuckDB's own reader lands the file as text (``all_varchar``; JSON lines as one text
  column per line, so a truncated line is a row to quarantine, not a crash);
* every landed row is checked with the same expressions staging uses; usable rows go to
  ``raw.<source>`` with their file, 1-based data row number and load id, the others to
  ``mining.quarantine`` with the reason. Rows read = rows loaded + rows quarantined.

A missing required column stops the source with an error naming the column and file, and
the transaction leaves nothing of that source half-written.

Example:
    >>> # load_file_source(con, source, preset, compiled, data_dir, run_id)  # doctest: +SKIP
"""

from __future__ import annotations

import glob
import hashlib
from collections.abc import Callable
from pathlib import Path

import duckdb
from pydantic import BaseModel

from journey_mining.config import ConnectorPreset, SourceConfig
from journey_mining.connectors.compile import CompiledSource, quote_literal
from journey_mining.connectors.landing import refresh_canonical, store_landed
from journey_mining.connectors.xes import iter_xes_batches
from journey_mining.errors import SourceError

_UNIT_SEPARATOR = "chr(31)"


class FileLoad(BaseModel):
    """What happened to one file in one run."""

    path: str
    status: str  # loaded | reloaded | skipped
    rows_read: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0


class SourceLoad(BaseModel):
    """What one run did for one source; rows_read == rows_loaded + rows_quarantined."""

    source: str
    files: list[FileLoad]

    @property
    def rows_read(self) -> int:
        """Rows read from the files loaded in this run."""
        return sum(f.rows_read for f in self.files)

    @property
    def rows_loaded(self) -> int:
        """Rows that landed in the raw table."""
        return sum(f.rows_loaded for f in self.files)

    @property
    def rows_quarantined(self) -> int:
        """Rows that went to quarantine with a reason."""
        return sum(f.rows_quarantined for f in self.files)


def file_sha256(path: Path) -> str:
    """SHA-256 of a file's bytes, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def matching_files(data_dir: Path, pattern: str, source: str) -> list[Path]:
    """The files a source's glob matches, in path order; an error when there are none."""
    full = pattern if Path(pattern).is_absolute() else str(data_dir / pattern)
    files = sorted(Path(p) for p in glob.glob(full, recursive=True) if Path(p).is_file())
    if not files:
        raise SourceError(
            f"source {source!r}: no file matches {full!r}. Fix: check the source's path in the "
            "pipeline, or pass --data-dir pointing at the folder holding the exports."
        )
    return files


def _reader_sql(preset: ConnectorPreset, path: Path) -> str:
    file = quote_literal(str(path))
    rejects = "store_rejects = true, rejects_table = '_rejects', rejects_scan = '_rejects_scan'"
    if preset.format == "jsonl":
        return (
            f"SELECT line FROM read_csv({file}, columns = {{'line': 'VARCHAR'}}, header = false, "
            f"delim = {_UNIT_SEPARATOR}, quote = '', escape = '', auto_detect = false, "
            f"strict_mode = false, {rejects})"
        )
    options = preset.csv
    nulls = "[" + ", ".join(quote_literal(v) for v in options.null_values) + "]"
    return (
        f"SELECT * FROM read_csv({file}, all_varchar = true, header = {str(options.header).lower()}, "
        f"delim = {quote_literal(options.delimiter)}, quote = {quote_literal(options.quote)}, "
        f"encoding = {quote_literal(options.encoding)}, nullstr = {nulls}, {rejects})"
    )


def _cannot_read(preset: ConnectorPreset, path: Path, err: duckdb.Error) -> SourceError:
    return SourceError(
        f"cannot read {path} as {preset.format} (preset {preset.name!r}): {err}. "
        "Fix: check the file's format, delimiter and encoding against the preset."
    )


def _land(con: duckdb.DuckDBPyConnection, preset: ConnectorPreset, path: Path) -> int:
    """Make ``_landing`` the file's rows with true 1-based data row numbers (``_row``).

    Returns the number of rows the reader rejected as malformed (left in ``_rejected``).
    A Parquet file is read where it lies, with its own column types (a view: its row
    numbers are the file's own);
    a CSV or JSON lines file is read once into a temp table, so the reader's rejects can
    be collected and the remaining rows numbered around them.
    """
    if preset.format == "parquet":
        try:
            con.execute(
                "CREATE OR REPLACE TEMP VIEW _landing AS "
                "SELECT * EXCLUDE (file_row_number), file_row_number + 1 AS _row "
                f"FROM read_parquet({quote_literal(str(path))}, file_row_number = true)"
            )
        except duckdb.Error as err:
            raise _cannot_read(preset, path, err) from None
        return 0
    con.execute("DROP TABLE IF EXISTS _rejects; DROP TABLE IF EXISTS _rejects_scan")
    try:
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE _read AS "
            f"SELECT *, row_number() OVER () AS _k FROM ({_reader_sql(preset, path)})"
        )
    except duckdb.Error as err:
        raise _cannot_read(preset, path, err) from None
    header_lines = 1 if preset.format == "csv" and preset.csv.header else 0
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE _rejected AS SELECT DISTINCT line - {header_lines} AS _row, "
        "first(csv_line) AS raw_row, first(error_type || ': ' || error_message) AS reason "
        "FROM _rejects GROUP BY ALL"
    )
    rejected = int(con.execute("SELECT count(*) FROM _rejected").fetchone()[0])  # type: ignore[index]
    if rejected:
        # The reader numbers accepted rows 1..n; give each its true data row number.
        con.execute(
            "CREATE OR REPLACE TEMP VIEW _landing AS "
            "WITH slots AS (SELECT s AS _row, row_number() OVER (ORDER BY s) AS _k "
            "FROM range(1, (SELECT count(*) FROM _read) + (SELECT count(*) FROM _rejected) + 1) "
            "AS t(s) WHERE s NOT IN (SELECT _row FROM _rejected)) "
            "SELECT r.* EXCLUDE (_k), slots._row FROM _read r JOIN slots USING (_k)"
        )
    else:
        con.execute(
            "CREATE OR REPLACE TEMP VIEW _landing AS SELECT * EXCLUDE (_k), _k AS _row FROM _read"
        )
    return rejected


def _load_one_file(
    con: duckdb.DuckDBPyConnection,
    source: str,
    preset: ConnectorPreset,
    compiled: CompiledSource,
    path: Path,
    relative: str,
    load_id: str,
    run_id: str,
) -> FileLoad:
    if preset.format == "xes":
        return _load_xes_file(con, source, preset, compiled, path, relative, load_id, run_id)
    rejected = _land(con, preset, path)
    if rejected:
        con.execute(
            "INSERT INTO mining.quarantine SELECT ?, ?, _row, 'malformed row: ' || reason, raw_row, ?, ? "
            "FROM _rejected",
            [source, relative, load_id, run_id],
        )
    loaded, quarantined = store_landed(con, source, preset, compiled, relative, load_id, run_id)
    con.execute("DROP VIEW _landing; DROP TABLE IF EXISTS _read")
    quarantined += rejected
    return FileLoad(
        path=relative,
        status="loaded",
        rows_read=loaded + quarantined,
        rows_loaded=loaded,
        rows_quarantined=quarantined,
    )


def _load_xes_file(
    con: duckdb.DuckDBPyConnection,
    source: str,
    preset: ConnectorPreset,
    compiled: CompiledSource,
    path: Path,
    relative: str,
    load_id: str,
    run_id: str,
) -> FileLoad:
    """Stream an XES file in bounded batches through the shared landing step."""
    loaded = quarantined = 0
    for batch in iter_xes_batches(path):
        con.register("_xes_batch", batch)
        try:
            con.execute("CREATE OR REPLACE TEMP VIEW _landing AS SELECT * FROM _xes_batch")
            batch_loaded, batch_quarantined = store_landed(
                con, source, preset, compiled, relative, load_id, run_id
            )
        finally:
            con.unregister("_xes_batch")
        loaded += batch_loaded
        quarantined += batch_quarantined
    con.execute("DROP VIEW IF EXISTS _landing")
    return FileLoad(
        path=relative,
        status="loaded",
        rows_read=loaded + quarantined,
        rows_loaded=loaded,
        rows_quarantined=quarantined,
    )


def load_file_source(
    con: duckdb.DuckDBPyConnection,
    source: SourceConfig,
    preset: ConnectorPreset,
    compiled: CompiledSource,
    data_dir: Path,
    run_id: str,
    on_file: Callable[[str], None] | None = None,
) -> SourceLoad:
    """Load the new and changed files of one source in one transaction (see module doc)."""
    if source.path is None:
        raise SourceError(f"source {source.name!r} has no path. Fix: give the export files' glob.")
    files = matching_files(data_dir, source.path, source.name)
    load_id = f"{run_id}:{source.name}"
    results: list[FileLoad] = []
    con.execute("BEGIN TRANSACTION")
    try:
        refresh_canonical(con, source.name, compiled)
        for path in files:
            relative = _relative(path, data_dir)
            if on_file is not None:
                on_file(relative)
            size = path.stat().st_size
            digest = file_sha256(path)
            known = con.execute(
                "SELECT sha256, size_bytes FROM meta.loaded_files WHERE source = ? AND path = ?",
                [source.name, relative],
            ).fetchone()
            if known is not None and known[0] == digest and known[1] == size:
                results.append(FileLoad(path=relative, status="skipped"))
                continue
            if known is not None:
                _forget_file(con, source.name, relative)
            result = _load_one_file(
                con, source.name, preset, compiled, path, relative, load_id, run_id
            )
            result.status = "reloaded" if known is not None else "loaded"
            con.execute(
                "INSERT INTO meta.loaded_files VALUES (?, ?, ?, ?, ?, now(), ?, ?, ?)",
                [
                    source.name,
                    relative,
                    size,
                    digest,
                    load_id,
                    result.rows_read,
                    result.rows_loaded,
                    result.rows_quarantined,
                ],
            )
            results.append(result)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return SourceLoad(source=source.name, files=results)


def _forget_file(con: duckdb.DuckDBPyConnection, source: str, relative: str) -> None:
    """Remove what an earlier load of a since-changed file wrote, before loading it again."""
    con.execute(f"DELETE FROM raw.{source} WHERE _file = ?", [relative])
    con.execute("DELETE FROM mining.quarantine WHERE source = ? AND file = ?", [source, relative])
    con.execute("DELETE FROM meta.loaded_files WHERE source = ? AND path = ?", [source, relative])


def _relative(path: Path, data_dir: Path) -> str:
    try:
        return path.resolve().relative_to(data_dir.resolve()).as_posix()
    except ValueError:
        return path.resolve().as_posix()
