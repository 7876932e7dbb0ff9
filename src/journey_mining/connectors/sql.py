"""Load a table or query of a SQL database (any SQLAlchemy URL) into a raw table, incrementally.

For each source, in one DuckDB transaction:

* the stored cursor (``meta.source_cursors``: the highest ``cursor`` value already loaded) is
  read, and the database is asked only for newer rows, ordered by the cursor:
  ``SELECT * FROM <table> WHERE <cursor> > :last ORDER BY <cursor>``; a query from config is
  wrapped as a subquery, ``SELECT * FROM (<query>) AS src WHERE ...``;
* rows are streamed through a server-side cursor in batches of ``batch_size`` (memory does
  not grow with the table); each batch is turned into text (timestamps as ISO 8601, in UTC
  with ``+00:00`` when the database gives a time zone, naive otherwise so the source's
  ``timezone`` applies; numbers as plain text; NULL stays NULL; ``sqlvalues``) and goes
  through the shared landing step (``landing.land_source``): usable rows to
  ``raw.<source>``, the others to quarantine;
* the highest cursor value seen is stored with its type, in the same transaction: a failure
  anywhere leaves raw rows, quarantine and cursor as they were.

Without ``cursor`` every run reads the whole table or query and *replaces* what the source
loaded before (its raw table and quarantine rows). The same happens when a source has no
stored cursor yet or its cursor column changed: a full read always replaces, an
incremental read appends.

The URL comes from an environment variable (``url_env``) or the first line of a file
(``url_file``), never from the pipeline, and its password never appears in an error
message: database errors are re-raised as ``SourceError`` with the URL masked (``***``;
``sqlurl``).

Example:
    >>> load = load_sql_source(ctx)  # ctx: a LoadContext of a source with sql:  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Generator, Iterator, Sequence
from contextlib import closing
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import URL, Engine

from journey_mining.config import SqlSourceConfig, check_column
from journey_mining.connectors.bookkeeping import stored_cursor
from journey_mining.connectors.landing import land_source
from journey_mining.connectors.protocol import (
    Batch,
    CursorRead,
    CursorValue,
    LoadContext,
    Origin,
    SourceLoad,
)
from journey_mining.connectors.rawtables import META_COLUMNS
from journey_mining.connectors.sqlurl import create_engine, failure, resolve_url
from journey_mining.connectors.sqlvalues import batch_table, bind_cursor, cursor_value
from journey_mining.errors import InvalidIdentifier, JourneyMiningError, SourceError

# --- the statement --------------------------------------------------------------------------


def select_statement(sql: SqlSourceConfig, after: CursorValue | None = None) -> sa.Select[Any]:
    """The SELECT a load runs: new rows of the table or query, ordered by the cursor.

    Names from config are validated, and quoted by the database dialect when compiled.

    Example:
        >>> from sqlalchemy.dialects import postgresql
        >>> cfg = SqlSourceConfig(url_env="X", query="select * from deals", cursor="id")
        >>> stmt = select_statement(cfg, CursorValue("id", "41", "integer"))
        >>> print(" ".join(str(stmt.compile(dialect=postgresql.dialect())).split()))
        SELECT * FROM (select * from deals) AS src WHERE id > %(last)s::BIGINT ORDER BY id
    """
    for name, what in ((sql.table, "table"), (sql.db_schema, "schema"), (sql.cursor, "cursor")):
        if name is not None:
            check_column(name, f"SQL {what} name")
    source: sa.FromClause
    if sql.table is not None:
        source = sa.table(sql.table, schema=sql.db_schema)
    else:
        assert sql.query is not None
        query = sql.query.strip().rstrip(";").rstrip()
        source = sa.text(query).columns().subquery("src")
    statement: sa.Select[Any] = sa.select(sa.literal_column("*")).select_from(source)
    if sql.cursor is not None:
        cursor: sa.ColumnClause[Any] = sa.column(sql.cursor)
        if after is not None:
            statement = statement.where(cursor > bind_cursor(after))
        statement = statement.order_by(cursor)
    return statement


def _origin(sql: SqlSourceConfig, run_id: str) -> str:
    if sql.table is None:
        return f"sql:query@{run_id}"
    schema = f"{sql.db_schema}." if sql.db_schema else ""
    return f"sql:{schema}{sql.table}@{run_id}"


# --- streaming ------------------------------------------------------------------------------

_Rows = Sequence[Sequence[Any]]


def _stream(
    engine: Engine, statement: sa.Select[Any], batch_size: int, url: URL, source: str
) -> Generator[tuple[list[str], _Rows]]:
    """Yield ``(columns, [])`` once, then ``(columns, rows)`` per batch of the server-side cursor.

    Driver errors become a masked ``SourceError``, raised outside the ``except`` block so
    the driver's exception (which may hold the URL) is not chained to it.
    """
    stage, fix = (
        "connecting to",
        "check the URL, that the server answers and that the database and user exist.",
    )
    error: SourceError | None = None
    try:
        with engine.connect() as connection:
            stage, fix = (
                "reading from",
                "check that the table or query and the cursor column exist and that the user "
                "may read them (try the query in the database's own client).",
            )
            result = connection.execution_options(yield_per=batch_size).execute(statement)
            try:
                columns = list(result.keys())
                yield columns, []
                for rows in result.partitions():
                    yield columns, rows
            finally:
                _close_result(result, connection)
    except JourneyMiningError:
        raise
    except Exception as err:
        error = failure(err, url, source, stage, fix)
    if error is not None:
        raise error


def _close_result(result: sa.CursorResult[Any], connection: sa.Connection) -> None:
    """Close a result the load stopped reading (an error, or the caller gave up).

    PostgreSQL closes the server-side cursor; PyMySQL first reads what is left of an
    unbuffered result (its protocol has no way to cancel it). When even that fails, the
    connection is dropped rather than returned.
    """
    try:
        result.close()
    except Exception:
        connection.invalidate()


def _checked_columns(columns: list[str], source: str) -> list[str]:
    seen: set[str] = set()
    for column in columns:
        if column in seen:
            raise SourceError(
                f"source {source!r}: the query returns column {column!r} twice. Fix: give "
                "each column its own name (… AS other_name)."
            )
        if column in META_COLUMNS:
            raise SourceError(
                f"source {source!r}: column {column!r} clashes with the raw table's own "
                f"bookkeeping columns {list(META_COLUMNS)}. Fix: rename it in a query."
            )
        try:
            check_column(column)
        except InvalidIdentifier:
            raise SourceError(
                f"source {source!r}: column {column!r} cannot be stored (quotes, backslashes "
                "or control characters). Fix: use a query that renames it."
            ) from None
        seen.add(column)
    return columns


def _cursor_index(columns: list[str], cursor: str, source: str) -> int:
    if cursor in columns:
        return columns.index(cursor)
    folded = [c.lower() for c in columns]
    if cursor.lower() in folded:
        return folded.index(cursor.lower())
    raise SourceError(
        f"source {source!r}: cursor column {cursor!r} is not among the columns read "
        f"({columns}). Fix: select it in the query, or name an existing column as cursor."
    )


# --- the connector --------------------------------------------------------------------------


class SqlConnector:
    """A table or query of a database: one origin per run, its rows in streamed batches.

    Built before the load's transaction: the names from config are validated and the URL
    is resolved (an unset variable or unreadable file fails here, before anything
    connects). The origin is a full read (``replaces_source``) unless the source has a
    cursor and a stored value for that same column: then only newer rows are read.
    """

    def __init__(self, ctx: LoadContext) -> None:
        if ctx.source.sql is None:
            raise SourceError(
                f"source {ctx.name!r} has no sql section. Fix: give url_env or url_file, and "
                "table or query."
            )
        self.ctx = ctx
        self.sql = ctx.source.sql
        select_statement(self.sql)  # validates the names from config before anything connects
        self.url = resolve_url(self.sql, ctx.name, ctx.base_dir)

    def origins(self) -> Iterator[Origin]:
        """The one origin of this run, ``sql:<schema>.<table>@<run_id>`` (or ``sql:query@…``)."""
        sql, name = self.sql, self.ctx.name
        after = stored_cursor(self.ctx.con, name) if sql.cursor is not None else None
        if after is not None and after.column != sql.cursor:
            after = None  # the cursor column changed: read in full again, replacing
        engine = create_engine(self.url, name)
        try:
            yield Origin(
                _origin(sql, self.ctx.run_id),
                self._batches(engine, after),
                replaces_source=after is None,
                cursor=None if sql.cursor is None else CursorRead(sql.cursor, after),
            )
        finally:
            engine.dispose()

    def _batches(self, engine: Engine, after: CursorValue | None) -> Iterator[Batch]:
        """A first batch with the columns and no rows (so even an empty read creates the raw
        table and checks the required columns), then one per fetched partition, each with
        the highest cursor value so far."""
        sql, name = self.sql, self.ctx.name
        statement = select_statement(sql, after)
        read = 0
        with closing(_stream(engine, statement, sql.batch_size, self.url, name)) as stream:
            columns, _ = next(stream)
            _checked_columns(columns, name)
            at = _cursor_index(columns, sql.cursor, name) if sql.cursor is not None else None
            yield Batch(batch_table(columns, [], 1))
            for _, rows in stream:
                yield Batch(batch_table(columns, rows, read + 1), cursor=self._last(rows, at))
                read += len(rows)

    def _last(self, rows: _Rows, at: int | None) -> CursorValue | None:
        """The batch's last non-NULL cursor value: rows come ordered by the cursor, so it is
        the highest in the database's own ordering (collation included)."""
        if at is None or self.sql.cursor is None:
            return None
        last = next((r[at] for r in reversed(rows) if r[at] is not None), None)
        return None if last is None else cursor_value(self.sql.cursor, last)


def load_sql_source(ctx: LoadContext) -> SourceLoad:
    """Load the new rows of one SQL source in one transaction (see the module doc).

    Returns one ``FileLoad`` whose ``path`` is the origin written to ``raw.<source>._file``
    and whose status is ``loaded`` (first or incremental load), ``reloaded`` (a full read
    replaced earlier rows) or ``skipped`` (incremental, no new rows).

    Example:
        >>> # os.environ["CRM_URL"] = "postgresql+psycopg://reader:secret@db:5432/crm"
        >>> # source = SourceConfig(name="deals", preset=preset,
        >>> #                       sql={"url_env": "CRM_URL", "table": "deal_stage_history",
        >>> #                            "schema": "crm", "cursor": "id"})
        >>> # ctx = LoadContext(con, source, preset, compile_source("deals", preset, None), run_id)
        >>> # load = load_sql_source(ctx)
        >>> # load.rows_read == load.rows_loaded + load.rows_quarantined  -> True
    """
    return land_source(ctx, SqlConnector(ctx).origins())
