"""The one landing step every connector shares: one source, one transaction.

``land_source(ctx, connector.origins())`` opens the transaction and, for each origin the
connector yields (see ``protocol``):

1. removes what the origin replaces — a changed file's earlier rows, or everything of the
   source before a full read — and otherwise brings the canonical columns of rows already
   landed up to date with the preset (``rawtables.refresh_canonical``);
2. skips a file whose stamp the manifest already holds;
3. lands each batch as the temp view ``_landing``, quarantines the rows the reader rejected
   and stores the rest (``rawtables.store_landed``: raw or quarantine), counting rows read,
   loaded and quarantined;
4. records the origin: a manifest row for a file, the highest cursor value for an
   incremental read;

then commits. Any error rolls everything of the source back — raw rows, quarantine,
manifest and cursor — and closes the connector's streams (a database cursor, a file).

Example:
    >>> # load = land_source(ctx, FileConnector(ctx).origins())
    >>> # load.rows_read == load.rows_loaded + load.rows_quarantined  -> True
"""

from __future__ import annotations

from collections.abc import Generator, Iterable
from contextlib import closing, suppress
from typing import Literal, TypeVar

import duckdb

from journey_mining.connectors.bookkeeping import (
    ensure_bookkeeping_tables,
    forget_file,
    forget_source,
    known_stamp,
    record_file,
    store_cursor,
)
from journey_mining.connectors.milestones import check_milestone_columns, milestone_rows
from journey_mining.connectors.phones import register_phone_function, uses_phone_function
from journey_mining.connectors.protocol import (
    Batch,
    CursorValue,
    FileLoad,
    LoadContext,
    Origin,
    SourceLoad,
)
from journey_mining.connectors.rawtables import refresh_canonical, store_landed
from journey_mining.errors import JourneyMiningError, SourceError
from journey_mining.warehouse import duckdb_failure, table_exists

_BATCH_RELATION = "_jm_batch"
_T = TypeVar("_T")
Status = Literal["loaded", "reloaded", "skipped"]


def land_source(ctx: LoadContext, origins: Iterable[Origin]) -> SourceLoad:
    """Land every origin of one source in one transaction (see the module doc).

    A DuckDB error is re-raised as ``SourceError`` naming the source and the origin (file)
    it came from, or as ``OutOfMemory`` with the memory cap and the fix.
    """
    results: list[FileLoad] = []
    current: str | None = None  # the origin being landed, for the error message
    try:
        ensure_bookkeeping_tables(ctx.con)
        if any(uses_phone_function(sql) for sql in ctx.compiled.identifiers.values()):
            register_phone_function(ctx.con)
        ctx.con.execute("BEGIN TRANSACTION")
    except duckdb.Error as err:
        raise _failure(ctx, err, None) from None
    try:
        with closing(_stream(origins)) as stream:
            for origin in stream:
                current = origin.path
                results.append(_land_origin(ctx, origin))
        current = None
        ctx.con.execute("COMMIT")
    except BaseException as err:
        _rollback(ctx)
        if isinstance(err, duckdb.Error):
            raise _failure(ctx, err, current) from None
        raise
    return SourceLoad(source=ctx.name, files=results, warnings=list(ctx.warnings))


def _rollback(ctx: LoadContext) -> None:
    """Roll the load back; a connection DuckDB invalidated has nothing left to roll back."""
    with suppress(duckdb.Error):
        ctx.con.execute("ROLLBACK")


def _failure(ctx: LoadContext, err: duckdb.Error, origin: str | None) -> JourneyMiningError:
    where = f"loading source {ctx.name!r}" + (f" ({origin})" if origin else "")
    if origin is None:
        fix = "check that the warehouse file is writable and the disk has free space"
    elif ctx.source.sql is not None:
        fix = f"check the columns and values the query returns against preset {ctx.preset.name!r}"
    else:
        fix = (
            f"check that {origin} is a {ctx.preset.format} export preset {ctx.preset.name!r} "
            "can read (not truncated, not another format)"
        )
    return duckdb_failure(
        ctx.con, err, where, fix + "; nothing of this source was written.", SourceError
    )


def _stream(items: Iterable[_T]) -> Generator[_T]:
    """``items`` as a generator: closing it closes the connector's generator (and its
    database cursor or file) when a load stops early."""
    yield from items


def _land_origin(ctx: LoadContext, origin: Origin) -> FileLoad:
    if ctx.on_origin is not None:
        ctx.on_origin(origin.path)
    status = _prepare(ctx, origin)
    if status == "skipped":
        return FileLoad(path=origin.path, status="skipped")
    read = loaded = quarantined = 0
    highest = origin.cursor.after if origin.cursor is not None else None
    with closing(_stream(origin.batches)) as batches:
        for batch in batches:
            batch_read, batch_loaded, batch_quarantined = _land_batch(ctx, origin.path, batch)
            read += batch_read
            loaded += batch_loaded
            quarantined += batch_quarantined
            highest = batch.cursor or highest
            if ctx.on_rows is not None and batch_read:
                ctx.on_rows(read)
    if origin.cursor is not None and origin.cursor.after is not None and read == 0:
        status = "skipped"  # an incremental read that found nothing new
    result = FileLoad(
        path=origin.path,
        status=status,
        rows_read=read,
        rows_loaded=loaded,
        rows_quarantined=quarantined,
    )
    _record(ctx, origin, result, highest)
    return result


def _prepare(ctx: LoadContext, origin: Origin) -> Status:
    """Remove what ``origin`` replaces; ``skipped`` for a file the manifest already holds."""
    con, name = ctx.con, ctx.name
    if origin.replaces_source:
        existed = table_exists(con, f"raw.{name}")
        forget_source(con, name, existed)
        return "reloaded" if existed else "loaded"
    refresh_canonical(con, name, ctx.compiled)
    if origin.stamp is None:
        return "loaded"
    known = known_stamp(con, name, origin.path)
    if known == origin.stamp:
        return "skipped"
    if known is not None:
        forget_file(con, name, origin.path)
        return "reloaded"
    return "loaded"


def _land_batch(ctx: LoadContext, origin: str, batch: Batch) -> tuple[int, int, int]:
    """Make the batch ``_landing``, quarantine the reader's rejects, store the rest.

    Nothing is cleaned up after a failure: the transaction is aborted then, and its
    rollback removes the views.
    """
    con = ctx.con
    registered = not isinstance(batch.rows, str)
    if registered:
        con.register(_BATCH_RELATION, batch.rows)
    relation = f"SELECT * FROM {_BATCH_RELATION}" if registered else batch.rows
    if ctx.preset.milestones:  # a wide export: one row per filled milestone cell
        check_milestone_columns(con, ctx.preset, relation, origin)
        relation = milestone_rows(ctx.preset, relation)
    con.execute(f"CREATE OR REPLACE TEMP VIEW _landing AS {relation}")
    rejected = 0
    if batch.rejected is not None:
        ((rejected,),) = con.execute(
            "INSERT INTO mining.quarantine SELECT ?, ?, _row, reason, raw_row, ?, ? "
            f"FROM ({batch.rejected})",
            [ctx.name, origin, ctx.load_id, ctx.run_id],
        ).fetchall()
    read, loaded, quarantined = store_landed(ctx, origin)
    con.execute("DROP VIEW _landing")
    if registered:
        con.unregister(_BATCH_RELATION)
    return read + rejected, loaded, quarantined + rejected


def _record(
    ctx: LoadContext, origin: Origin, result: FileLoad, highest: CursorValue | None
) -> None:
    """The origin's bookkeeping: a manifest row, or the cursor it moved."""
    if origin.stamp is not None:
        record_file(ctx.con, ctx.name, ctx.load_id, origin.stamp, result)
    if origin.cursor is not None and highest is not None and highest != origin.cursor.after:
        store_cursor(ctx.con, ctx.name, highest)
