"""The connector protocol: what a connector hands the landing step, and what a load reports.

A connector (files, XES, SQL, or any new kind) does one thing: it turns a source into
**origins** — one per file, or one per read of a database table — each a stream of
**batches**. A batch is rows DuckDB can read: the SQL of a relation (``read_parquet(…)``,
a temp table the connector filled) or a Python object DuckDB scans (an Arrow table, a
pandas frame), with the source's columns and ``_row`` (the 1-based row number within its
origin). ``landing.land_source`` does everything else, once for every kind: the
transaction, checking and storing each batch (``raw.<source>`` or quarantine), the counts,
and the bookkeeping that makes the next run incremental (the file manifest or the cursor).

An origin tells the landing step what it replaces and how it is remembered:

* ``stamp`` (files): size and SHA-256; an origin whose stamp equals the manifest's is
  skipped, one whose stamp differs replaces that file's earlier rows;
* ``replaces_source`` (a full read of a database table): the source's earlier rows,
  quarantine and cursor are removed first;
* ``cursor`` (an incremental read): the column and the value read from; each batch may
  carry the highest value stored so far, and the last one is stored with the rows.

Every connector gets one ``LoadContext``: the connection, the source, its resolved preset
and compiled expressions, the run id, the folders and the progress callbacks.

Example:
    >>> batch = Batch("SELECT 'a@b.c' AS email, 1 AS _row")
    >>> origin = Origin("contacts.csv", [batch], stamp=FileStamp(12, "ab12"))
    >>> origin.path, origin.replaces_source
    ('contacts.csv', False)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Protocol

import duckdb
from pydantic import BaseModel

from journey_mining.config import ConnectorPreset, SourceConfig
from journey_mining.connectors.compile import CompiledSource


@dataclass(frozen=True)
class CursorValue:
    """The highest cursor value loaded: its column, its text and its type.

    Stored as text plus type in ``meta.source_cursors`` (``integer``, ``numeric``,
    ``float``, ``timestamptz``, ``timestamp``, ``date``, ``text``); the SQL connector binds
    it back as a typed parameter.
    """

    column: str
    text: str
    value_type: str


@dataclass(frozen=True)
class FileStamp:
    """What the manifest (``meta.loaded_files``) remembers of a file: its size and SHA-256."""

    size_bytes: int
    sha256: str


@dataclass(frozen=True)
class Batch:
    """Rows for DuckDB: the SQL of a relation, or a Python object it scans (Arrow, pandas).

    ``rejected``: the SQL of a relation ``(_row, reason, raw_row)`` of rows the reader
    itself could not read (a malformed CSV line): they go to quarantine with that reason.
    ``cursor``: the highest cursor value once this batch is stored (incremental reads).
    """

    rows: str | Any
    rejected: str | None = None
    cursor: CursorValue | None = None


@dataclass(frozen=True)
class CursorRead:
    """An incremental read: rows of ``column`` above ``after`` (``None``: the first read)."""

    column: str
    after: CursorValue | None


@dataclass
class Origin:
    """One file, or one read of a database table: the rows that share one ``raw._file``."""

    path: str
    batches: Iterable[Batch]
    stamp: FileStamp | None = None
    replaces_source: bool = False
    cursor: CursorRead | None = None


class Connector(Protocol):
    """A kind of source. Built (and validated) before the load's transaction begins."""

    def origins(self) -> Iterator[Origin]:
        """The origins to land, in order; iterated inside the load's transaction."""
        ...


@dataclass(frozen=True)
class LoadContext:
    """What every connector and the landing step need to load one source in one run.

    ``data_dir`` is the folder file globs are relative to; ``base_dir`` the pipeline
    file's folder (a relative ``url_file``). ``on_origin(path)`` is called when an origin
    starts, ``on_rows(rows)`` after each stored batch that had rows, with the rows read so
    far from that origin.
    """

    con: duckdb.DuckDBPyConnection
    source: SourceConfig
    preset: ConnectorPreset
    compiled: CompiledSource
    run_id: str
    data_dir: Path = field(default_factory=Path.cwd)
    base_dir: Path = field(default_factory=Path.cwd)
    on_origin: Callable[[str], None] | None = None
    on_rows: Callable[[int], None] | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        """The source's name (``raw.<name>``)."""
        return self.source.name

    @property
    def load_id(self) -> str:
        """The id of this source's load in this run: ``<run_id>:<source>``."""
        return f"{self.run_id}:{self.source.name}"


class FileLoad(BaseModel):
    """What happened to one origin (a file, or a read of a database table) in one run."""

    path: str
    status: Literal["loaded", "reloaded", "skipped"]
    rows_read: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0


class SourceLoad(BaseModel):
    """What one run did for one source; rows_read == rows_loaded + rows_quarantined."""

    source: str
    files: list[FileLoad]
    warnings: list[str] = []

    @property
    def rows_read(self) -> int:
        """Rows read from the origins loaded in this run."""
        return sum(f.rows_read for f in self.files)

    @property
    def rows_loaded(self) -> int:
        """Rows that landed in the raw table."""
        return sum(f.rows_loaded for f in self.files)

    @property
    def rows_quarantined(self) -> int:
        """Rows that went to quarantine with a reason."""
        return sum(f.rows_quarantined for f in self.files)
