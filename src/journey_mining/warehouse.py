"""The DuckDB warehouse: opening it, its schemas, and running the SQL models in ``sql/``.

Sessions always run in UTC so timestamps print and compare the same on every machine.

Example:
    >>> con = connect(":memory:")
    >>> con.sql("select current_setting('TimeZone')").fetchone()
    ('UTC',)
"""

from __future__ import annotations

import re
from pathlib import Path

import duckdb

from journey_mining.errors import (
    JourneyMiningError,
    OutOfMemory,
    SqlTestFailed,
    WarehouseBusy,
    WarehouseError,
)
from journey_mining.resources import resource_dir, sql_file
from journey_mining.runs import current_holder

SCHEMAS = ("raw", "meta", "staging", "mining")
_PLACEHOLDER = re.compile(r"\{\{\s*(\w+)\s*\}\}")


def connect(
    path: str | Path,
    read_only: bool = False,
    memory_limit: str | None = None,
    spill: Path | None = None,
) -> duckdb.DuckDBPyConnection:
    """Open (or create) the warehouse file with UTC sessions and the project's schemas.

    ``memory_limit`` (an already validated size such as ``2GB``) caps DuckDB's memory; work
    beyond it spills to ``spill`` (default: DuckDB's ``<file>.tmp``).
    """
    target = str(path)
    if read_only and target != ":memory:" and not Path(target).is_file():
        holder = current_holder(Path(target))
        building = f" ({holder.describe()} is building it now)" if holder is not None else ""
        raise WarehouseError(
            f"warehouse {str(Path(target).absolute())!r} does not exist{building}. Fix: run "
            "'journey-mining run <pipeline>' or 'journey-mining demo' first (or wait for the "
            "run to finish), or pass --warehouse."
        )
    if target != ":memory:":
        Path(target).parent.mkdir(parents=True, exist_ok=True)
    try:
        con = duckdb.connect(target, read_only=read_only)
    except duckdb.IOException as err:
        if "lock" in str(err).lower():
            raise _busy(Path(target), str(err)) from None
        raise WarehouseError(
            f"cannot open warehouse {target!r}: {_first_line(err)}. Fix: close other "
            "programs using it."
        ) from None
    except duckdb.Error as err:  # e.g. this process holds it open with other settings
        raise WarehouseError(
            f"cannot open warehouse {target!r}: {_first_line(err)}. Fix: close the other "
            "connections to it in this process (a notebook's duckdb.connect), or open them "
            "read_only=True."
        ) from None
    con.execute("SET TimeZone = 'UTC'")
    if spill is not None:
        con.execute(f"SET temp_directory = {_literal(str(spill))}")
    if memory_limit is not None:
        con.execute(f"SET memory_limit = '{memory_limit}'")
    if not read_only:
        for schema in SCHEMAS:
            con.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
    return con


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _busy(path: Path, message: str) -> WarehouseBusy:
    """The one line for a warehouse another process holds: the run writing it, or the program."""
    holder = current_holder(path)
    if holder is not None:
        return WarehouseBusy(
            f"warehouse {str(path)!r} is busy: {holder.describe()} is writing it. "
            "Fix: wait for it to finish, then try again."
        )
    program = re.search(r"held in (.+?) \(PID (\d+)\)", message)
    who = f"{program.group(1)} (pid {program.group(2)})" if program else "another program"
    return WarehouseBusy(
        f"warehouse {str(path)!r} is held by {who}. Fix: close its connection (a notebook, "
        "another shell), then try again."
    )


def render_sql(template: str, **values: str) -> str:
    """Fill ``{{ name }}`` placeholders with SQL fragments the caller already validated.

    Example:
        >>> render_sql("select {{ x }} as y", x="1")
        'select 1 as y'
    """

    def substitute(match: re.Match[str]) -> str:
        key = match.group(1)
        if key not in values:
            raise KeyError(f"SQL template needs a value for {{{{ {key} }}}}")
        return values[key]

    return _PLACEHOLDER.sub(substitute, template)


def run_sql(con: duckdb.DuckDBPyConnection, relative: str, **values: str) -> None:
    """Run one SQL model file from ``sql/`` (all its statements), filling placeholders."""
    con.execute(render_sql(sql_file(relative), **values))


def run_sql_with(
    con: duckdb.DuckDBPyConnection, relative: str, parameters: dict[str, object]
) -> None:
    """Run one SQL model file that takes named ``$parameters`` (values bound, never pasted)."""
    con.execute(sql_file(relative), parameters)


def table_exists(con: duckdb.DuckDBPyConnection, qualified: str) -> bool:
    """Whether ``schema.table`` exists in the warehouse."""
    schema, _, table = qualified.partition(".")
    row = con.execute(
        "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
        [schema, table],
    ).fetchone()
    return bool(row and row[0])


def require_tables(con: duckdb.DuckDBPyConnection, *qualified: str) -> None:
    """Fail with a clear message when a command needs tables a pipeline run has not written."""
    missing = [t for t in qualified if not table_exists(con, t)]
    if missing:
        raise WarehouseError(
            f"the warehouse has no {', '.join(missing)}. Fix: run 'journey-mining run "
            "<pipeline.yaml>' (or 'journey-mining demo') on it first."
        )


def duckdb_failure(
    con: duckdb.DuckDBPyConnection,
    err: duckdb.Error,
    stage: str,
    fix: str,
    kind: type[JourneyMiningError] = WarehouseError,
) -> JourneyMiningError:
    """The project's error for a DuckDB error raised in ``stage`` (``loading source 'crm' …``).

    Out of memory becomes ``OutOfMemory``, naming the stage and the memory cap and suggesting
    ``--memory-limit`` and free disk for DuckDB to spill to; other errors become ``kind``
    with DuckDB's first line and ``fix``. Call it after the transaction was rolled back (it
    reads the connection's settings).

    Example:
        >>> con = connect(":memory:")
        >>> try:
        ...     con.execute("SELECT 1 / 'x'")
        ... except duckdb.Error as err:
        ...     print(duckdb_failure(con, err, "loading source 'crm'", "check the file."))
        loading source 'crm': Could not convert string 'x' to DOUBLE. Fix: check the file.
    """
    detail = _first_line(err)
    if isinstance(err, duckdb.OutOfMemoryException):
        limit, spill = _memory_settings(con)
        return OutOfMemory(
            f"{stage}: DuckDB ran out of memory (memory limit {limit}): {detail}. Fix: give it "
            "more with --memory-limit (or memory_limit: in the pipeline), e.g. --memory-limit "
            f"4GB, and keep free disk space where DuckDB spills ({spill})."
        )
    return kind(f"{stage}: {detail}. Fix: {fix}")


def _first_line(err: BaseException) -> str:
    """DuckDB's message without its error class prefix and its hints, one line."""
    lines = str(err).strip().splitlines()
    text = lines[0] if lines else type(err).__name__
    prefix, sep, rest = text.partition(" Error: ")
    return rest.rstrip(".") if sep and len(prefix.split()) <= 3 else text.rstrip(".")


def _memory_settings(con: duckdb.DuckDBPyConnection) -> tuple[str, str]:
    try:
        limit, spill = con.execute(
            "SELECT current_setting('memory_limit'), current_setting('temp_directory')"
        ).fetchall()[0]
    except duckdb.Error:  # the connection may be unusable after the failure
        return "unknown", "the warehouse's .tmp folder"
    return str(limit), str(spill) or "no folder set: an in-memory database cannot spill"


def run_sql_tests(
    con: duckdb.DuckDBPyConnection, sample: int = 5, directory: Path | None = None
) -> list[str]:
    """Run every zero-row test query of ``sql/tests/`` (or ``directory``); return their names.

    A test that returns rows raises ``SqlTestFailed`` naming it, saying what it checks (its
    first comment line) and showing up to ``sample`` offending rows; inside the run's
    transaction that rolls the run back.
    """
    names: list[str] = []
    for file in sorted((directory or resource_dir("sql") / "tests").glob("*.sql")):
        text = file.read_text(encoding="utf-8")
        cursor = con.execute(f"SELECT * FROM ({text.strip().rstrip(';')}) LIMIT {int(sample) + 1}")
        rows = cursor.fetchall()
        if rows:
            columns = [d[0] for d in cursor.description]
            described = _leading_comment(text)
            shown = "; ".join(str(dict(zip(columns, row, strict=True))) for row in rows[:sample])
            raise SqlTestFailed(
                f"SQL test {file.stem} failed ({described}): {len(rows) if len(rows) <= sample else f'more than {sample}'} "
                f"offending row(s), e.g. {shown}. The run was rolled back; this is a bug in "
                "journey-mining — please report it with the pipeline."
            )
        names.append(file.stem)
    return names


def _leading_comment(text: str) -> str:
    """The comment lines a SQL file starts with, as one line (what a test checks)."""
    lines: list[str] = []
    for line in text.splitlines():
        if not line.startswith("--"):
            break
        lines.append(line[2:].strip())
    return " ".join(lines)
