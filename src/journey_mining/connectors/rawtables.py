"""Store checked rows: ``raw.<source>`` and its schema drift, quarantine, canonical refresh.

``store_landed`` reads the temp view ``_landing`` (a batch's source columns plus ``_row``,
the 1-based row number within its origin) once with the preset's compiled expressions: its
canonical values (event id, UTC timestamp, activity, identifiers, …) and, from them, the
reason it cannot be used (``CompiledSource.reject_reason``). Usable rows go to
``raw.<source>`` with their origin, row, load id and those canonical values (``_jm_*``
columns, which staging reads without parsing again); the others to ``mining.quarantine``
with the reason and the row as read. New columns are added to the raw table (schema drift
is kept, not an error). When a preset's expressions change, ``refresh_canonical`` computes
the canonical values of the rows already landed again. ``landing.land_source`` calls both.

Example:
    >>> # read, loaded, quarantined = store_landed(ctx, "contacts.csv")
"""

from __future__ import annotations

import duckdb

from journey_mining.config import ConnectorPreset
from journey_mining.connectors.compile import (
    CANONICAL_PREFIX,
    CompiledSource,
    quote_identifier,
    quote_literal,
)
from journey_mining.connectors.protocol import LoadContext
from journey_mining.errors import MissingColumn, SourceError

META_COLUMNS = ("_file", "_row", "_load_id")


def landed_columns(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """The source columns of ``_landing`` (without the bookkeeping ones) and their types."""
    rows = con.execute("SELECT column_name, column_type FROM (DESCRIBE _landing)").fetchall()
    return {str(r[0]): str(r[1]) for r in rows if r[0] not in META_COLUMNS}


def check_required(
    preset: ConnectorPreset, columns: list[str] | dict[str, str], origin: str
) -> None:
    """Stop the source when a column the preset needs is absent, naming it and the origin."""
    if preset.format in ("jsonl", "json", "xes"):
        return  # keys vary per line/event; a missing value is quarantined per row instead
    missing = [c for c in preset.required_columns() if c not in columns]
    if missing:
        raise MissingColumn(
            f"{origin}: required column {missing[0]!r} is missing (preset {preset.name!r}; "
            f"found {_excerpt(list(columns))}). Fix: export the data with that column, or name the "
            f"column the export has on the source: columns: {{{missing[0]!r}: '<its name>'}}."
        )


def _excerpt(names: list[str], shown: int = 12) -> str:
    """The first few column names (each cut to 40 characters): an error stays one short line."""
    listed = ", ".join(repr(n if len(n) <= 40 else n[:40] + "…") for n in names[:shown])
    more = f", … {len(names) - shown:,} more" if len(names) > shown else ""
    return f"[{listed}{more}]"


def _raw_columns(con: duckdb.DuckDBPyConnection, source: str) -> dict[str, str]:
    """``raw.<source>``'s columns and their types, in table order (empty when it does not exist)."""
    return {
        str(r[0]): str(r[1])
        for r in con.execute(
            "SELECT column_name, data_type FROM information_schema.columns "
            "WHERE table_schema = 'raw' AND table_name = ? ORDER BY ordinal_position",
            [source],
        ).fetchall()
    }


def _source_columns(raw_columns: dict[str, str]) -> dict[str, str]:
    """The source's own columns among ``raw.<source>``'s (not bookkeeping, not canonical)."""
    return {
        c: kind
        for c, kind in raw_columns.items()
        if c not in META_COLUMNS and not c.startswith(CANONICAL_PREFIX)
    }


def ensure_raw_table(
    con: duckdb.DuckDBPyConnection,
    source: str,
    columns: dict[str, str],
    compiled: CompiledSource,
) -> None:
    """Create ``raw.<source>`` or adapt it to a newer batch's columns (schema drift).

    Columns keep the type they landed with (text for CSV, JSON lines, XES and SQL sources;
    Parquet's own types). A new column is added; a column that lands with another type than
    before becomes text, which holds both.
    """
    present = _raw_columns(con, source)
    if not present:
        defs = [f"{quote_identifier(c)} {kind}" for c, kind in columns.items()]
        defs += ["_file VARCHAR", "_row BIGINT", "_load_id VARCHAR"]
        defs += [f"{name} {kind}" for name, kind in compiled.canonical_columns().items()]
        con.execute(f"CREATE TABLE raw.{source} ({', '.join(defs)})")
        _store_fingerprint(con, source, compiled)
        return
    for column, kind in columns.items():
        if column not in present:
            con.execute(f"ALTER TABLE raw.{source} ADD COLUMN {quote_identifier(column)} {kind}")
        elif present[column] != kind and present[column] != "VARCHAR":
            con.execute(f"ALTER TABLE raw.{source} ALTER {quote_identifier(column)} TYPE VARCHAR")


def _store_fingerprint(
    con: duckdb.DuckDBPyConnection, source: str, compiled: CompiledSource
) -> None:
    con.execute("DELETE FROM meta.raw_canonical WHERE source = ?", [source])
    con.execute(
        "INSERT INTO meta.raw_canonical VALUES (?, ?, now())", [source, compiled.fingerprint]
    )


def refresh_canonical(
    con: duckdb.DuckDBPyConnection, source: str, compiled: CompiledSource
) -> bool:
    """Compute ``raw.<source>``'s canonical columns again if the preset's expressions changed.

    Returns whether it did. Rows keep their source columns, origin and load id; the
    caller runs this inside the source's load transaction.
    """
    raw_columns = _raw_columns(con, source)
    if not raw_columns:
        return False
    stored = con.execute(
        "SELECT fingerprint FROM meta.raw_canonical WHERE source = ?", [source]
    ).fetchall()
    if stored and stored[0][0] == compiled.fingerprint:
        return False
    columns = _source_columns(raw_columns)
    kept = "".join(f"{quote_identifier(c)}, " for c in columns)
    canonical = ", ".join(compiled.canonical_columns())
    relation = f"(SELECT {kept}_file, _row, _load_id FROM raw.{source})"
    con.execute(
        f"CREATE OR REPLACE TABLE raw.{source} AS SELECT {kept}_file, _row, _load_id, {canonical} "
        f"FROM ({compiled.canonical_sql(relation, types=columns)})"
    )
    _store_fingerprint(con, source, compiled)
    return True


def store_landed(ctx: LoadContext, origin: str) -> tuple[int, int, int]:
    """Check ``_landing`` and move its rows to raw or quarantine: (read, loaded, quarantined).

    The checked rows (canonical values and reject reason) are a view, not a temp table: a
    temp table would be kept in memory until the load's transaction commits (for a
    rollback), for every file and batch of the source. The usable rows go to raw first;
    only when fewer than all landed rows were usable is the view read again for the
    quarantine (usually few rows, often none: then the checks run once).
    """
    con, compiled = ctx.con, ctx.compiled
    columns = landed_columns(con)
    _check_landed(ctx.preset, columns, origin)
    canonical = compiled.canonical_sql(
        f"(SELECT *, {quote_literal(origin)} AS _file FROM _landing)", types=columns
    )
    landed = "".join(f"{quote_identifier(c)}, " for c in columns)
    canonical_columns = ", ".join(compiled.canonical_columns())
    con.execute(
        f"CREATE OR REPLACE TEMP VIEW _checked AS SELECT {landed}_row, {canonical_columns}, "
        f"{compiled.reject_reason} AS _reason FROM ({canonical})"
    )
    _warn_vanished_identifiers(ctx, columns, origin)
    ensure_raw_table(con, ctx.name, columns, compiled)
    raw_types = _raw_columns(con, ctx.name)
    selected = "".join(
        f"CAST({quote_identifier(c)} AS {raw_types[c]}) AS {quote_identifier(c)}, "
        if raw_types[c] != kind
        else f"{quote_identifier(c)}, "
        for c, kind in columns.items()
    )
    loaded = _count(
        con,
        f"INSERT INTO raw.{ctx.name} BY NAME SELECT {selected}? AS _file, _row, ? AS _load_id, "
        f"{canonical_columns} FROM _checked WHERE _reason IS NULL",
        [origin, ctx.load_id],
    )
    read = _count(con, "SELECT count(*) FROM _landing", [])
    quarantined = 0
    if loaded < read:
        quarantined = _count(
            con,
            "INSERT INTO mining.quarantine SELECT ?, ?, _row, _reason, "
            f"{_raw_row(ctx.preset, columns)}, ?, ? FROM _checked WHERE _reason IS NOT NULL",
            [ctx.name, origin, ctx.load_id, ctx.run_id],
        )
    con.execute("DROP VIEW _checked")
    return read, loaded, quarantined


def _warn_vanished_identifiers(ctx: LoadContext, columns: dict[str, str], origin: str) -> None:
    """Warn when an identifier column earlier exports had is missing from this one: rows of
    this file cannot link through it (a renamed column silently losing links otherwise)."""
    if ctx.preset.format not in ("csv", "parquet"):
        return
    had = _raw_columns(ctx.con, ctx.name)
    for kind, column in ctx.preset.identifiers.items():
        if column in had and column not in columns:
            ctx.warnings.append(
                f"source {ctx.name!r}: {origin} has no column {column!r} (identifier {kind!r}) "
                "that earlier exports had, so its rows cannot link through it. Fix: export "
                f"that column again, or name the new column on the source: columns: "
                f"{{{column!r}: '<its new name>'}}."
            )


def _check_landed(preset: ConnectorPreset, columns: dict[str, str], origin: str) -> None:
    clashing = [c for c in columns if c.startswith(CANONICAL_PREFIX)]
    if clashing:
        raise SourceError(
            f"{origin}: column {clashing[0]!r} clashes with the canonical columns the raw table "
            f"keeps ({CANONICAL_PREFIX}*). Fix: rename it in the export or a query."
        )
    check_required(preset, columns, origin)


def _raw_row(preset: ConnectorPreset, columns: dict[str, str]) -> str:
    """SQL for the row as read, kept in quarantine: the line, or a JSON object of columns."""
    if preset.format in ("jsonl", "json"):
        return "line"
    pairs = ", ".join(f"{quote_literal(c)}, {quote_identifier(c)}" for c in columns)
    return f"json_object({pairs})::VARCHAR"


def _count(con: duckdb.DuckDBPyConnection, sql: str, parameters: list[object]) -> int:
    """The one number a statement returns (rows inserted, a count), its result read to the end
    (a half-read result keeps the connection from registering the next batch)."""
    ((value,),) = con.execute(sql, parameters).fetchall()
    return int(value)
