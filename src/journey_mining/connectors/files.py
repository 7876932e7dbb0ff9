"""Export files (CSV, JSON lines, JSON documents, Parquet, XES; gzip too) as origins for landing.

The files matching a source's glob are listed in path order, each one origin stamped with
its size and SHA-256, so the landing step skips a file the manifest holds unchanged and
replaces the rows of a changed one (``landing.land_source``). Each file is read by
DuckDB's own reader:

* CSV as text (``all_varchar``) and JSON lines as one text column per line (so a truncated
  line is a row to quarantine, not a crash), both read once into a temp table so the
  reader's rejects (malformed CSV lines) are collected and the remaining rows numbered with
  their true 1-based data row;
* Parquet where it lies, with its own column types (a view: its row numbers are the
  file's own);
* JSON documents (a top-level array, or records under a path) streamed by
  ``jsondoc.json_document_batches``, each record a ``line`` as JSON lines land;
* XES streamed in bounded batches by ``xes.iter_xes_batches``.

A missing required column stops the source with an error naming the column and file, and
the transaction leaves nothing of that source half-written.

Example:
    >>> # load = land_source(ctx, FileConnector(ctx).origins())
"""

from __future__ import annotations

import glob
import gzip
import hashlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pandas as pd

from journey_mining.config import ConnectorPreset
from journey_mining.connectors.bookkeeping import file_stamp
from journey_mining.connectors.compile import quote_literal
from journey_mining.connectors.jsondoc import json_document_batches
from journey_mining.connectors.protocol import Batch, FileStamp, LoadContext, Origin
from journey_mining.connectors.textfallback import read_records
from journey_mining.connectors.xes import iter_xes_batches
from journey_mining.errors import SourceError

_UNIT_SEPARATOR = "chr(31)"
_REJECTS = "store_rejects = true, rejects_table = '_rejects', rejects_scan = '_rejects_scan'"


def matching_files(
    data_dir: Path, pattern: str, source: str, outside_allowed: bool = False
) -> list[Path]:
    """The files a source's glob matches, in path order; an error when there are none.

    A file outside ``data_dir`` (``../``, an absolute path, a symbolic link out of it) is
    refused unless the source says ``allow_outside_data_dir: true``: a pipeline cannot make
    a run read (and quote in its errors) any file the user running it can read.
    """
    full = pattern if Path(pattern).is_absolute() else str(data_dir / pattern)
    files = sorted(Path(p) for p in glob.glob(full, recursive=True) if Path(p).is_file())
    root = data_dir.resolve()
    outside = [f for f in files if not f.resolve().is_relative_to(root)]
    if outside and not outside_allowed:
        raise SourceError(
            f"source {source!r}: {str(outside[0].resolve())!r} is outside the data folder "
            f"{str(root)!r}. Fix: move the exports into the data folder (or pass --data-dir), "
            "or say allow_outside_data_dir: true on the source if it is meant."
        )
    if not files:
        raise SourceError(
            f"source {source!r}: no file matches {os.path.abspath(full)!r}. Fix: check "
            "the source's path in the pipeline, or pass --data-dir pointing at the folder "
            "holding the exports."
        )
    return files


class CarefulReadNeeded(Exception):
    """DuckDB's reader refused ``path`` as a whole: load the source again, reading it carefully.

    A failed statement aborts DuckDB's transaction, so the source's load is rolled back and
    started again (``sources.load_source``) with the file read by ``textfallback``.
    """

    def __init__(self, path: str) -> None:
        super().__init__(path)
        self.path = path


class FileConnector:
    """The files of one source: one origin per file, its batches read by DuckDB (or lxml).

    Built before the load's transaction: a glob matching no file fails here. Files in
    ``careful`` (paths as shown) are read record by record (``CarefulReadNeeded``).
    """

    def __init__(self, ctx: LoadContext, careful: frozenset[str] = frozenset()) -> None:
        if ctx.source.path is None:
            raise SourceError(f"source {ctx.name!r} has no path. Fix: give the export files' glob.")
        self.ctx = ctx
        self.careful = careful
        self.files = matching_files(
            ctx.data_dir, ctx.source.path, ctx.name, ctx.source.allow_outside_data_dir
        )

    def origins(self) -> Iterator[Origin]:
        """One origin per file, stamped for the manifest, in path order.

        The stamp first describes the file as listed (to skip an unchanged one); when the
        file is read, it is copied aside first and the stamp replaced by the copy's, so the
        manifest describes exactly the bytes loaded: a file rewritten while it was read is
        loaded again by the next run.
        """
        with tempfile.TemporaryDirectory(prefix="jm-read-") as folder:
            for path in self.files:
                origin = Origin(_relative(path, self.ctx.data_dir), [], stamp=file_stamp(path))
                origin.batches = self._read(path, Path(folder), origin)
                yield origin

    def _read(self, path: Path, folder: Path, origin: Origin) -> Iterator[Batch]:
        """The file's batches, read from a copy whose stamp becomes the origin's."""
        copy = folder / ("snapshot" + "".join(path.suffixes[-2:]))
        origin.stamp = snapshot(path, copy)
        try:
            if origin.stamp.size_bytes == 0:
                return  # an empty export: zero rows, recorded as such
            yield from self._batches(copy, path)
        except SourceError as err:  # name the export, not the copy read
            raise SourceError(str(err).replace(str(copy), str(path))) from None
        finally:
            copy.unlink(missing_ok=True)

    def _batches(self, path: Path, shown: Path) -> Iterator[Batch]:
        """Batches of ``path`` (the copy); errors name ``shown`` (the export)."""
        preset = self.ctx.preset
        if preset.format == "xes":
            for frame in iter_xes_batches(path):
                yield Batch(frame)
        elif preset.format == "json":
            yield from json_document_batches(path, preset.records, preset.name)
        elif preset.format == "parquet":
            relation = (
                "SELECT * EXCLUDE (file_row_number), file_row_number + 1 AS _row "
                f"FROM read_parquet({quote_literal(str(path))}, file_row_number = true)"
            )
            try:  # its footer, so a file that is no Parquet fails with the reason below
                self.ctx.con.execute(f"DESCRIBE {relation}").fetchall()
            except duckdb.Error as err:
                raise _cannot_read(preset, shown, err) from None
            yield Batch(relation)
        else:
            if str(shown) in self.careful:
                yield from _careful_batches(self.ctx.con, preset, path, shown)
            else:
                yield from _text_batches(self.ctx.con, preset, path, shown)


def snapshot(path: Path, copy: Path) -> FileStamp:
    """Copy ``path`` to ``copy`` and return the stamp of the bytes copied (one pass)."""
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as source, copy.open("wb") as target:
        for block in iter(lambda: source.read(1 << 20), b""):
            digest.update(block)
            target.write(block)
            size += len(block)
    return FileStamp(size, digest.hexdigest())


def _text_batches(
    con: duckdb.DuckDBPyConnection, preset: ConnectorPreset, path: Path, shown: Path
) -> Iterator[Batch]:
    """A CSV or JSON lines file as one batch: read once, rejects collected, rows numbered.

    A file DuckDB's reader refuses as a whole (a huge field, a bare carriage return) is
    read record by record instead, in a new attempt (``CarefulReadNeeded``).
    """
    con.execute("DROP TABLE IF EXISTS _rejects; DROP TABLE IF EXISTS _rejects_scan")
    try:
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE _read AS "
            f"SELECT *, row_number() OVER () AS _k FROM ({_reader_sql(preset, path)})"
        )
    except duckdb.Error:
        raise CarefulReadNeeded(str(shown)) from None
    header_lines = 1 if preset.format == "csv" and preset.csv.header else 0
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE _rejected AS SELECT DISTINCT line - {header_lines} AS _row, "
        "first(csv_line) AS raw_row, first(error_type || ': ' || error_message) AS reason "
        "FROM _rejects GROUP BY ALL"
    )
    ((rejected,),) = con.execute("SELECT count(*) FROM _rejected").fetchall()
    if rejected:
        # The reader numbers accepted rows 1..n; give each its true data row number.
        rows = (
            "WITH slots AS (SELECT s AS _row, row_number() OVER (ORDER BY s) AS _k "
            "FROM range(1, (SELECT count(*) FROM _read) + (SELECT count(*) FROM _rejected) + 1) "
            "AS t(s) WHERE s NOT IN (SELECT _row FROM _rejected)) "
            "SELECT r.* EXCLUDE (_k), slots._row FROM _read r JOIN slots USING (_k)"
        )
        rejected = "SELECT _row, 'malformed row: ' || reason AS reason, raw_row FROM _rejected"
        yield Batch(rows, rejected=rejected)
    else:
        yield Batch("SELECT * EXCLUDE (_k), _k AS _row FROM _read")
    # only once the batch is stored: after a failure the rollback removes the temp tables
    con.execute("DROP TABLE _read; DROP TABLE _rejected")


def _careful_batches(
    con: duckdb.DuckDBPyConnection, preset: ConnectorPreset, path: Path, shown: Path
) -> Iterator[Batch]:
    """The file read by ``textfallback``: its readable records, its rejects quarantined."""
    options = preset.csv
    newline = "\n" if preset.format == "csv" else None
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rt", encoding=options.encoding, newline=newline) as handle:
            columns, rejected = read_records(
                handle, preset.format, options.delimiter, options.quote, list(options.null_values)
            )
    except (UnicodeError, LookupError, OSError) as err:
        raise _cannot_read(preset, shown, err) from None
    frame = pd.DataFrame(
        {k: pd.Series(v, dtype="string") for k, v in columns.items() if k != "_row"}
    )
    frame["_row"] = pd.Series(columns["_row"], dtype="int64")
    rejects = pd.DataFrame(rejected, columns=["_row", "reason", "raw_row"]).astype(
        {"_row": "int64", "reason": "string", "raw_row": "string"}
    )
    con.register("_careful_rows", frame)
    con.register("_careful_rejects", rejects)
    con.execute("CREATE OR REPLACE TEMP TABLE _read AS SELECT * FROM _careful_rows")
    con.execute("CREATE OR REPLACE TEMP TABLE _rejected AS SELECT * FROM _careful_rejects")
    con.unregister("_careful_rows")
    con.unregister("_careful_rejects")
    yield Batch("SELECT * FROM _read", rejected="SELECT _row, reason, raw_row FROM _rejected")
    con.execute("DROP TABLE _read; DROP TABLE _rejected")


def _cannot_read(preset: ConnectorPreset, path: Path, err: Exception) -> SourceError:
    lines = str(err).strip().splitlines()
    detail = (lines[0] if lines else type(err).__name__)[:300]
    return SourceError(
        f"cannot read {path} as {preset.format} (preset {preset.name!r}): {detail}. "
        "Fix: check the file's format, delimiter and encoding against the preset."
    )


def _reader_sql(preset: ConnectorPreset, path: Path) -> str:
    file = quote_literal(str(path))
    if preset.format == "jsonl":
        return (
            f"SELECT line FROM read_csv({file}, columns = {{'line': 'VARCHAR'}}, header = false, "
            f"delim = {_UNIT_SEPARATOR}, quote = '', escape = '', auto_detect = false, "
            f"strict_mode = false, {_REJECTS})"
        )
    options = preset.csv
    nulls = "[" + ", ".join(quote_literal(v) for v in options.null_values) + "]"
    return (
        f"SELECT * FROM read_csv({file}, all_varchar = true, header = {str(options.header).lower()}, "
        f"delim = {quote_literal(options.delimiter)}, quote = {quote_literal(options.quote)}, "
        f"encoding = {quote_literal(options.encoding)}, nullstr = {nulls}, {_REJECTS})"
    )


def _relative(path: Path, data_dir: Path) -> str:
    try:
        return path.resolve().relative_to(data_dir.resolve()).as_posix()
    except ValueError:
        return path.resolve().as_posix()
