"""What the warehouse remembers between loads: the file manifest and the SQL cursors.

``meta.loaded_files`` holds one row per file loaded (size, SHA-256, counts): an unchanged
file is skipped, a changed one replaces its earlier rows. ``meta.source_cursors`` holds, per
incremental SQL source, the highest cursor value loaded. Both are written by
``landing.land_source`` in the transaction of the rows they describe.

Example:
    >>> from journey_mining.warehouse import connect
    >>> con = connect(":memory:")
    >>> ensure_bookkeeping_tables(con)
    >>> stored_cursor(con, "deal_stages") is None
    True
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import duckdb

from journey_mining.connectors.protocol import CursorValue, FileLoad, FileStamp
from journey_mining.errors import SourceError
from journey_mining.warehouse import run_sql, table_exists

CURSOR_TYPES = ("integer", "numeric", "float", "timestamptz", "timestamp", "date", "text")


def ensure_bookkeeping_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Create the loaders' bookkeeping tables (manifest, quarantine, cursors …) if absent."""
    run_sql(con, "meta/create_tables.sql")
    run_sql(con, "meta/source_cursors.sql")


def file_stamp(path: Path) -> FileStamp:
    """A file's size and the SHA-256 of its bytes (read in 1 MiB blocks)."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return FileStamp(path.stat().st_size, digest.hexdigest())


def known_stamp(con: duckdb.DuckDBPyConnection, source: str, path: str) -> FileStamp | None:
    """The stamp the manifest holds for ``path`` of ``source``, if it was loaded before."""
    rows = con.execute(
        "SELECT size_bytes, sha256 FROM meta.loaded_files WHERE source = ? AND path = ?",
        [source, path],
    ).fetchall()  # fetched to the end: a half-read result blocks registering a batch
    return FileStamp(int(rows[0][0]), str(rows[0][1])) if rows else None


def record_file(
    con: duckdb.DuckDBPyConnection, source: str, load_id: str, stamp: FileStamp, load: FileLoad
) -> None:
    """Add a loaded file to the manifest, with its counts."""
    con.execute(
        "INSERT INTO meta.loaded_files VALUES (?, ?, ?, ?, ?, now(), ?, ?, ?)",
        [
            source,
            load.path,
            stamp.size_bytes,
            stamp.sha256,
            load_id,
            load.rows_read,
            load.rows_loaded,
            load.rows_quarantined,
        ],
    )


def forget_file(con: duckdb.DuckDBPyConnection, source: str, path: str) -> None:
    """Remove what an earlier load of a since-changed file wrote, before loading it again."""
    if table_exists(con, f"raw.{source}"):  # an empty file's load made no raw table
        con.execute(f"DELETE FROM raw.{source} WHERE _file = ?", [path])
    con.execute("DELETE FROM mining.quarantine WHERE source = ? AND file = ?", [source, path])
    con.execute("DELETE FROM meta.loaded_files WHERE source = ? AND path = ?", [source, path])


def forget_source(con: duckdb.DuckDBPyConnection, source: str, raw_exists: bool) -> None:
    """Remove the source's raw table, quarantine rows and cursor before a full read."""
    if raw_exists:
        con.execute(f"DROP TABLE raw.{source}")
    con.execute("DELETE FROM mining.quarantine WHERE source = ?", [source])
    store_cursor(con, source, None)


def stored_cursor(con: duckdb.DuckDBPyConnection, source: str) -> CursorValue | None:
    """The cursor stored for ``source`` by its last incremental load, if any.

    Example:
        >>> # stored_cursor(con, "deal_stages")
        >>> # -> CursorValue(column='id', text='8', value_type='integer')
    """
    rows = con.execute(
        "SELECT cursor_column, last_value, value_type FROM meta.source_cursors WHERE source = ?",
        [source],
    ).fetchall()  # fetched to the end: a half-read result blocks registering a batch
    if not rows:
        return None
    row = rows[0]
    if row[2] not in CURSOR_TYPES:
        raise SourceError(
            f"meta.source_cursors holds an unknown cursor type {row[2]!r} for source "
            f"{source!r}. Fix: delete that row to read the source in full again."
        )
    return CursorValue(str(row[0]), str(row[1]), str(row[2]))


def store_cursor(con: duckdb.DuckDBPyConnection, source: str, cursor: CursorValue | None) -> None:
    """Replace the source's stored cursor (``None``: remove it)."""
    con.execute("DELETE FROM meta.source_cursors WHERE source = ?", [source])
    if cursor is not None:
        con.execute(
            "INSERT INTO meta.source_cursors VALUES (?, ?, ?, ?, now())",
            [source, cursor.column, cursor.text, cursor.value_type],
        )
