"""Load a table or query of a SQL database (any SQLAlchemy URL) into a raw table, incrementally.

For each source, in one DuckDB transaction:

* the stored cursor (``meta.source_cursors``: the highest ``cursor`` value already loaded) is
  read, and the database is asked only for newer rows, ordered by the cursor:
  ``SELECT * FROM <table> WHERE <cursor> > :last ORDER BY <cursor>``; a query from config is
  wrapped as a subquery, ``SELECT * FROM (<query>) AS src WHERE ...``;
* rows are streamed through a server-side cursor in batches of ``batch_size`` (memory does
  not grow with the table); each batch is turned into text (timestamps as ISO 8601, in UTC
  with ``+00:00`` when the database gives a time zone, naive otherwise so the source's
  ``timezone`` applies; numbers as plain text; NULL stays NULL) and goes through the shared
  landing step (``store_landed``): usable rows to ``raw.<source>``, the others to quarantine;
* the highest cursor value seen is stored with its type, in the same transaction: a failure
  anywhere leaves raw rows, quarantine and cursor as they were.

Without ``cursor`` every run reads the whole table or query and *replaces* what the source
loaded before (its raw table and quarantine rows). The same happens when a source has no
stored cursor yet or its cursor column changed: a full read always replaces, an
incremental read appends.

The URL comes from an environment variable (``url_env``) or the first line of a file
(``url_file``), never from the pipeline, and its password never appears in an error
message: database errors are re-raised as ``SourceError`` with the URL masked (``***``).

Example:
    >>> load = load_sql_source(con, source, preset, compiled, run_id)  # doctest: +SKIP
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Generator, Sequence
from contextlib import closing
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import quote, quote_plus
from uuid import UUID

import duckdb
import pyarrow as pa  # type: ignore[import-untyped]
import sqlalchemy as sa
from sqlalchemy.engine import URL, Engine, make_url

from journey_mining.config import ConnectorPreset, SourceConfig, SqlSourceConfig, check_column
from journey_mining.connectors.compile import CompiledSource
from journey_mining.connectors.files import FileLoad, SourceLoad
from journey_mining.connectors.landing import (
    META_COLUMNS,
    check_required,
    ensure_raw_table,
    refresh_canonical,
    store_landed,
)
from journey_mining.errors import InvalidIdentifier, JourneyMiningError, SourceError
from journey_mining.warehouse import run_sql, table_exists

# A URL without a driver gets the one the project installs (SQLAlchemy's own default for
# postgresql, psycopg2, is not installed).
_DEFAULT_DRIVERS = {
    "postgresql": "postgresql+psycopg",
    "mysql": "mysql+pymysql",
    "mariadb": "mariadb+pymysql",
}
_MASK = "***"
_BATCH_TABLE = "_sql_batch"


# --- values as text -------------------------------------------------------------------------


def _datetime_text(value: datetime) -> str:
    offset = value.utcoffset()
    if not offset:  # naive (None), or already UTC (ends in +00:00)
        return value.isoformat()
    # The same text as value.astimezone(UTC).isoformat(), at half the cost.
    return (value.replace(tzinfo=None) - offset).isoformat() + "+00:00"


def _bytes_text(value: bytes | bytearray | memoryview) -> str:
    data = bytes(value)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return "\\x" + data.hex()


def _json_text(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


_TEXT: dict[type, Callable[[Any], str]] = {
    str: str,
    bool: lambda v: "true" if v else "false",
    int: int.__str__,
    float: float.__repr__,
    Decimal: lambda v: format(v, "f"),
    datetime: _datetime_text,
    date: date.isoformat,
    time: time.isoformat,
    timedelta: str,
    UUID: str,
    bytes: _bytes_text,
    bytearray: _bytes_text,
    memoryview: _bytes_text,
    dict: _json_text,
    list: _json_text,
}


def to_text(value: object) -> str | None:
    """A database value as the text the raw table keeps (NULL stays ``None``).

    Timestamps with a time zone become ISO 8601 in UTC with ``+00:00``; naive ones stay
    naive (the source's ``timezone`` applies later); numbers are their plain text.

    Example:
        >>> from datetime import datetime, timezone, timedelta
        >>> to_text(datetime(2025, 1, 2, 10, 0, tzinfo=timezone(timedelta(hours=1))))
        '2025-01-02T09:00:00+00:00'
        >>> to_text(datetime(2025, 1, 2, 9, 30)), to_text(Decimal("1E+2")), to_text(None)
        ('2025-01-02T09:30:00', '100', None)
    """
    if value is None:
        return None
    convert = _TEXT.get(type(value))
    if convert is None:  # subclasses (pandas.Timestamp, IntEnum, ...)
        convert = next((f for t, f in _TEXT.items() if isinstance(value, t)), str)
    return convert(value)


def _column_text(values: Sequence[object]) -> Sequence[object]:
    """One column of a batch as text, with a fast path for columns that already are text."""
    kinds = set(map(type, values))
    kinds.discard(type(None))
    if kinds <= {str}:
        return values
    if kinds == {int}:
        return [None if v is None else str(v) for v in values]
    return [to_text(v) for v in values]


# --- the cursor -----------------------------------------------------------------------------

_CURSOR_TYPES: dict[str, tuple[Callable[[str], object], Callable[[], sa.types.TypeEngine[Any]]]] = {
    "integer": (int, sa.BigInteger),
    "numeric": (Decimal, sa.Numeric),
    "float": (float, sa.Float),
    "timestamptz": (datetime.fromisoformat, lambda: sa.DateTime(timezone=True)),
    "timestamp": (datetime.fromisoformat, sa.DateTime),
    "date": (date.fromisoformat, sa.Date),
    "text": (str, sa.String),
}


@dataclass(frozen=True)
class CursorValue:
    """The highest cursor value loaded: its column, its text and its type.

    Stored as text plus type in ``meta.source_cursors`` and bound back as a typed
    parameter, so the database compares numbers as numbers and times as times.

    Example:
        >>> from datetime import datetime
        >>> value = CursorValue.of("updated_at", datetime(2025, 3, 1, 12, 0))
        >>> value.text, value.value_type, value.python_value()
        ('2025-03-01T12:00:00', 'timestamp', datetime.datetime(2025, 3, 1, 12, 0))
    """

    column: str
    text: str
    value_type: str

    @classmethod
    def of(cls, column: str, value: object) -> CursorValue:
        """The cursor value of one row; an error for types that cannot be compared back."""
        if isinstance(value, bool):
            kind = None
        elif isinstance(value, int):
            kind = "integer"
        elif isinstance(value, Decimal):
            kind = "numeric"
        elif isinstance(value, float):
            kind = "float"
        elif isinstance(value, datetime):
            kind = "timestamptz" if value.utcoffset() is not None else "timestamp"
        elif isinstance(value, date):
            kind = "date"
        elif isinstance(value, str):
            kind = "text"
        else:
            kind = None
        if kind is None:
            raise SourceError(
                f"cursor column {column!r} holds {type(value).__name__} values, which cannot "
                "be compared to find new rows. Fix: use an increasing number, timestamp, date "
                "or text column as cursor (e.g. updated_at or id)."
            )
        text = to_text(value)
        assert text is not None
        return cls(column, text, kind)

    def python_value(self) -> object:
        """The value as the Python type the database driver binds."""
        parse, _ = _CURSOR_TYPES[self.value_type]
        return parse(self.text)

    def bind(self) -> sa.BindParameter[Any]:
        """The typed ``:last`` parameter of the incremental filter."""
        _, sql_type = _CURSOR_TYPES[self.value_type]
        return sa.bindparam("last", self.python_value(), type_=sql_type())


def ensure_cursor_table(con: duckdb.DuckDBPyConnection) -> None:
    """Create ``meta.source_cursors`` (and the loaders' other bookkeeping tables) if absent.

    Example:
        >>> from journey_mining.warehouse import connect
        >>> con = connect(":memory:")
        >>> ensure_cursor_table(con)
        >>> stored_cursor(con, "deal_stages") is None
        True
    """
    run_sql(con, "meta/create_tables.sql")
    run_sql(con, "meta/source_cursors.sql")


def stored_cursor(con: duckdb.DuckDBPyConnection, source: str) -> CursorValue | None:
    """The cursor stored for ``source`` by its last incremental load, if any.

    Example:
        >>> # stored_cursor(con, "deal_stages")
        >>> # -> CursorValue(column='id', text='8', value_type='integer')
    """
    rows = con.execute(
        "SELECT cursor_column, last_value, value_type FROM meta.source_cursors WHERE source = ?",
        [source],
    ).fetchall()
    if not rows:
        return None
    row = rows[0]
    if row[2] not in _CURSOR_TYPES:
        raise SourceError(
            f"meta.source_cursors holds an unknown cursor type {row[2]!r} for source "
            f"{source!r}. Fix: delete that row to read the source in full again."
        )
    return CursorValue(str(row[0]), str(row[1]), str(row[2]))


def _store_cursor(con: duckdb.DuckDBPyConnection, source: str, cursor: CursorValue | None) -> None:
    con.execute("DELETE FROM meta.source_cursors WHERE source = ?", [source])
    if cursor is not None:
        con.execute(
            "INSERT INTO meta.source_cursors VALUES (?, ?, ?, ?, now())",
            [source, cursor.column, cursor.text, cursor.value_type],
        )


# --- the URL and its secrets ----------------------------------------------------------------


def resolve_url(sql: SqlSourceConfig, source: str, base_dir: Path | None = None) -> URL:
    """The database URL of a source, read from its environment variable or file.

    A URL without a driver gets the installed one (``postgresql`` → ``postgresql+psycopg``,
    ``mysql``/``mariadb`` → ``+pymysql``). Errors never quote the URL.

    Example:
        >>> import os
        >>> os.environ["CRM_URL"] = "postgresql://reader:s3cret@db/crm"
        >>> cfg = SqlSourceConfig(url_env="CRM_URL", table="deals")
        >>> resolve_url(cfg, "crm").render_as_string(hide_password=True)
        'postgresql+psycopg://reader:***@db/crm'
    """
    if sql.url_env is not None:
        where = f"environment variable {sql.url_env!r}"
        text = os.environ.get(sql.url_env, "").strip()
        if not text:
            raise SourceError(
                f"source {source!r}: {where} (url_env) is not set. Fix: export it with the "
                "database URL, e.g. postgresql+psycopg://user:password@host:5432/database."
            )
    else:
        assert sql.url_file is not None
        path = Path(sql.url_file).expanduser()
        if not path.is_absolute():
            path = (base_dir or Path.cwd()) / path
        where = f"file {str(path)!r}"
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except OSError as err:
            raise SourceError(
                f"source {source!r}: cannot read the URL {where} (url_file): {err.strerror}. "
                "Fix: create it with the database URL on its first line, readable by this user."
            ) from None
        text = lines[0].strip() if lines else ""
        if not text:
            raise SourceError(
                f"source {source!r}: the first line of {where} (url_file) is empty. Fix: put "
                "the database URL on the first line."
            )
    try:
        url = make_url(text)
    except Exception:  # the parser's messages may quote parts of the URL
        url = None
    if url is None:
        raise SourceError(
            f"source {source!r}: the value of {where} is not a SQLAlchemy URL. Fix: write it "
            "as dialect+driver://user:password@host:port/database (percent-encode special "
            "characters in the password)."
        )
    if url.drivername in _DEFAULT_DRIVERS:
        url = url.set(drivername=_DEFAULT_DRIVERS[url.drivername])
    return url


def mask_secrets(text: str, url: URL) -> str:
    """``text`` with the URL and its password replaced by their masked form (``***``).

    Example:
        >>> url = make_url("postgresql+psycopg://ann:pa55@db/crm")
        >>> mask_secrets("failed for postgresql+psycopg://ann:pa55@db/crm (pa55)", url)
        'failed for postgresql+psycopg://ann:***@db/crm (***)'
    """
    masked = url.render_as_string(hide_password=True)
    text = text.replace(url.render_as_string(hide_password=False), masked)
    password = url.password
    if password:
        forms = {password, quote_plus(password), quote(password, safe="")}
        for form in sorted(forms, key=len, reverse=True):  # longest first
            text = text.replace(form, _MASK)
    return text


def _failure(err: BaseException, url: URL, source: str, stage: str, fix: str) -> SourceError:
    """A ``SourceError`` for a driver or SQLAlchemy error, with every secret masked."""
    orig = getattr(err, "orig", None)
    detail = str(orig) if isinstance(orig, BaseException) else str(err)
    detail = detail.split("(Background on this error at:")[0]  # SQLAlchemy's link, noise here
    detail = " ".join(detail.split()) or type(err).__name__
    if len(detail) > 500:
        detail = detail[:500] + "…"
    masked = url.render_as_string(hide_password=True)
    return SourceError(
        mask_secrets(f"source {source!r}: {stage} {masked} failed: {detail}. Fix: {fix}", url)
    )


def _engine(url: URL, source: str) -> Engine:
    error: SourceError | None = None
    try:
        return sa.create_engine(url, poolclass=sa.pool.NullPool)
    except Exception as err:  # unknown dialect, driver not installed
        error = _failure(
            err,
            url,
            source,
            "opening",
            "use a URL whose driver is installed (postgresql+psycopg://… or "
            "mysql+pymysql://…), or install the driver.",
        )
    raise error


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
            statement = statement.where(cursor > after.bind())
        statement = statement.order_by(cursor)
    return statement


def _origin(sql: SqlSourceConfig, run_id: str) -> str:
    if sql.table is None:
        return f"sql:query@{run_id}"
    schema = f"{sql.db_schema}." if sql.db_schema else ""
    return f"sql:{schema}{sql.table}@{run_id}"


# --- streaming ------------------------------------------------------------------------------

_Batch = Sequence[Sequence[Any]]


def _stream(
    engine: Engine, statement: sa.Select[Any], batch_size: int, url: URL, source: str
) -> Generator[tuple[list[str], _Batch]]:
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
        error = _failure(err, url, source, stage, fix)
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


def _batch_table(columns: list[str], rows: _Batch, first_row: int) -> Any:
    """A batch as an Arrow table of text columns plus ``_row`` (running 1-based number)."""
    values = list(zip(*rows, strict=True))
    arrays = [pa.array(_column_text(column), type=pa.string()) for column in values]
    arrays.append(pa.array(range(first_row, first_row + len(rows)), type=pa.int64()))
    return pa.Table.from_arrays(arrays, names=[*columns, "_row"])


# --- the load -------------------------------------------------------------------------------


def load_sql_source(
    con: duckdb.DuckDBPyConnection,
    source: SourceConfig,
    preset: ConnectorPreset,
    compiled: CompiledSource,
    run_id: str,
    on_batch: Callable[[int], None] | None = None,
    *,
    base_dir: Path | None = None,
) -> SourceLoad:
    """Load the new rows of one SQL source in one transaction (see the module doc).

    Returns one ``FileLoad`` whose ``path`` is the origin written to ``raw.<source>._file``
    (``sql:<schema>.<table>@<run_id>`` or ``sql:query@<run_id>``) and whose status is
    ``loaded`` (first or incremental load), ``reloaded`` (a full read replaced earlier
    rows) or ``skipped`` (incremental, no new rows). ``on_batch`` is called after each
    batch with the rows read so far; ``base_dir`` resolves a relative ``url_file``.

    Example:
        >>> # os.environ["CRM_URL"] = "postgresql+psycopg://reader:secret@db:5432/crm"
        >>> # source = SourceConfig(name="deals", preset=preset,
        >>> #                       sql={"url_env": "CRM_URL", "table": "deal_stage_history",
        >>> #                            "schema": "crm", "cursor": "id"})
        >>> # load = load_sql_source(con, source, preset, compile_source("deals", preset, None), run_id)
        >>> # load.rows_read == load.rows_loaded + load.rows_quarantined  -> True
    """
    sql = source.sql
    if sql is None:
        raise SourceError(
            f"source {source.name!r} has no sql section. Fix: give url_env or url_file, and "
            "table or query."
        )
    select_statement(sql)  # validates the names from config before anything connects
    url = resolve_url(sql, source.name, base_dir)
    origin = _origin(sql, run_id)
    load_id = f"{run_id}:{source.name}"
    ensure_cursor_table(con)
    engine = _engine(url, source.name)
    con.execute("BEGIN TRANSACTION")
    try:
        result = _load(
            con, engine, url, source, sql, preset, compiled, origin, load_id, run_id, on_batch
        )
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    finally:
        engine.dispose()
    return SourceLoad(source=source.name, files=[result])


def _load(
    con: duckdb.DuckDBPyConnection,
    engine: Engine,
    url: URL,
    source: SourceConfig,
    sql: SqlSourceConfig,
    preset: ConnectorPreset,
    compiled: CompiledSource,
    origin: str,
    load_id: str,
    run_id: str,
    on_batch: Callable[[int], None] | None,
) -> FileLoad:
    name = source.name
    after = stored_cursor(con, name) if sql.cursor is not None else None
    if after is not None and after.column != sql.cursor:
        after = None  # the cursor column changed: read in full again, replacing
    status = "loaded"
    if after is None:  # a full read replaces what the source loaded before
        if table_exists(con, f"raw.{name}"):
            status = "reloaded"
            con.execute(f"DROP TABLE raw.{name}")
        con.execute("DELETE FROM mining.quarantine WHERE source = ?", [name])
    else:
        refresh_canonical(con, name, compiled)
    statement = select_statement(sql, after)
    highest = after
    read = loaded = quarantined = 0
    with closing(_stream(engine, statement, sql.batch_size, url, name)) as stream:
        columns, _ = next(stream)
        _checked_columns(columns, name)
        check_required(preset, columns, origin)
        ensure_raw_table(con, name, dict.fromkeys(columns, "VARCHAR"), compiled)
        cursor_at = _cursor_index(columns, sql.cursor, name) if sql.cursor is not None else None
        for _, rows in stream:
            batch = _batch_table(columns, rows, read + 1)
            con.register(_BATCH_TABLE, batch)
            try:
                con.execute(f"CREATE OR REPLACE TEMP VIEW _landing AS SELECT * FROM {_BATCH_TABLE}")
                batch_loaded, batch_quarantined = store_landed(
                    con, name, preset, compiled, origin, load_id, run_id
                )
            finally:
                con.unregister(_BATCH_TABLE)
            read += len(rows)
            loaded += batch_loaded
            quarantined += batch_quarantined
            if cursor_at is not None and sql.cursor is not None:
                # Rows come ordered by the cursor, so the last non-NULL value is the highest
                # in the database's own ordering (collation included).
                last = next(
                    (r[cursor_at] for r in reversed(rows) if r[cursor_at] is not None), None
                )
                if last is not None:
                    highest = CursorValue.of(sql.cursor, last)
            if on_batch is not None:
                on_batch(read)
    con.execute("DROP VIEW IF EXISTS _landing")
    if after is None:
        _store_cursor(con, name, None)  # a full read starts from no cursor
    if sql.cursor is not None and highest is not None and highest != after:
        _store_cursor(con, name, highest)
    if after is not None and read == 0:
        status = "skipped"
    return FileLoad(
        path=origin,
        status=status,
        rows_read=read,
        rows_loaded=loaded,
        rows_quarantined=quarantined,
    )
