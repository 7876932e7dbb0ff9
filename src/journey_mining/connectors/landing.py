"""Move landed rows into the raw table or quarantine: the step every connector shares.

A connector fills the temp table (or view) ``_landing`` (source columns as text, plus
``_row``, the 1-based row number within its origin) and calls ``store_landed``. Every row
is read once with the preset's compiled expressions: its canonical values (event id, UTC
timestamp, activity, identifiers, …) and, from them, the reason it cannot be used
(``CompiledSource.reject_reason``). Usable rows go to ``raw.<source>`` with their origin,
row, load id and those canonical values (``_jm_*`` columns, which staging reads without
parsing again); the others to ``mining.quarantine`` with the reason and the row as read.
New columns are added to the raw table (schema drift is kept, not an error). When a
preset's expressions change, ``refresh_canonical`` computes the canonical values of the
rows already landed again.

Example:
    >>> # loaded, quarantined = store_landed(con, "crm", preset, compiled, "contacts.csv", load_id, run_id)  # doctest: +SKIP
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
    if preset.format in ("jsonl", "xes"):
        return  # keys vary per line/event; a missing value is quarantined per row instead
    missing = [c for c in preset.required_columns() if c not in columns]
    if missing:
        raise MissingColumn(
            f"{origin}: required column {missing[0]!r} is missing (found {list(columns)}). "
            f"Fix: export the data with that column, or map preset {preset.name!r} to the "
            "column it has."
        )


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
    ).fetchone()
    if stored is not None and stored[0] == compiled.fingerprint:
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


def store_landed(
    con: duckdb.DuckDBPyConnection,
    source: str,
    preset: ConnectorPreset,
    compiled: CompiledSource,
    origin: str,
    load_id: str,
    run_id: str,
) -> tuple[int, int]:
    """Check ``_landing`` and move its rows to raw or quarantine; return (loaded, quarantined).

    The checked rows (canonical values and reject reason) are a view, not a temp table: a
    temp table would be kept in memory until the load's transaction commits (for a
    rollback), for every file and batch of the source. The usable rows go to raw first;
    only when fewer than all landed rows were usable is the view read again for the
    quarantine (usually few rows, often none: then the checks run once).
    """
    columns = landed_columns(con)
    clashing = [c for c in columns if c.startswith(CANONICAL_PREFIX)]
    if clashing:
        raise SourceError(
            f"{origin}: column {clashing[0]!r} clashes with the canonical columns the raw table "
            f"keeps ({CANONICAL_PREFIX}*). Fix: rename it in the export or a query."
        )
    check_required(preset, columns, origin)
    if preset.format == "jsonl":
        raw_row = "line"
    else:
        pairs = ", ".join(f"{quote_literal(c)}, {quote_identifier(c)}" for c in columns)
        raw_row = f"json_object({pairs})::VARCHAR"
    canonical = compiled.canonical_sql(
        f"(SELECT *, {quote_literal(origin)} AS _file FROM _landing)", types=columns
    )
    landed = "".join(f"{quote_identifier(c)}, " for c in columns)
    canonical_columns = ", ".join(compiled.canonical_columns())
    con.execute(
        f"CREATE OR REPLACE TEMP VIEW _checked AS SELECT {landed}_row, {canonical_columns}, "
        f"{compiled.reject_reason} AS _reason FROM ({canonical})"
    )
    ensure_raw_table(con, source, columns, compiled)
    raw_types = _raw_columns(con, source)
    selected = "".join(
        f"CAST({quote_identifier(c)} AS {raw_types[c]}) AS {quote_identifier(c)}, "
        if raw_types[c] != kind
        else f"{quote_identifier(c)}, "
        for c, kind in columns.items()
    )
    inserted = con.execute(
        f"INSERT INTO raw.{source} BY NAME SELECT {selected}? AS _file, _row, ? AS _load_id, "
        f"{canonical_columns} FROM _checked WHERE _reason IS NULL",
        [origin, load_id],
    ).fetchone()
    counted = con.execute("SELECT count(*) FROM _landing").fetchone()
    assert inserted is not None and counted is not None
    loaded, quarantined = int(inserted[0]), 0
    if loaded < int(counted[0]):
        rejected = con.execute(
            "INSERT INTO mining.quarantine "
            f"SELECT ?, ?, _row, _reason, {raw_row}, ?, ? FROM _checked WHERE _reason IS NOT NULL",
            [source, origin, load_id, run_id],
        ).fetchone()
        assert rejected is not None
        quarantined = int(rejected[0])
    con.execute("DROP VIEW _checked")
    return loaded, quarantined
