"""Order every journey once: ``mining.journey_events`` from ``temp.int_rows`` and the customers.

The journey sort (``sql/marts/journey_events.sql``) carries every column of every event
through one window. Low-cardinality text columns (activity, team, stage, channel, system,
source, file, source activity) travel through it as DuckDB ``ENUM`` codes instead of
strings: at 10^7 events that makes the statement ≈ 40 % faster (``bench/README.md``). The
table keeps its ``VARCHAR`` columns; the codes exist only for the statement. Each code type
lists its values in sorted order, so a coded column sorts as its text does (``file`` is one
of the journey order's tie-break keys). A column with more than ``MAX_CODES`` distinct values
stays text.

Example:
    >>> # build_journey_events(con)  # after stitch_identities(con)  # doctest: +SKIP
"""

from __future__ import annotations

import duckdb

from journey_mining.warehouse import run_sql

CODED_COLUMNS = (
    "activity",
    "stage",
    "team",
    "channel",
    "system",
    "source",
    "file",
    "source_activity",
)
MAX_CODES = 10_000
_TYPE_PREFIX = "meta._jm_code_"


def build_journey_events(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Write ``mining.journey_events``; return the columns that were sorted as codes.

    Runs inside the caller's transaction: the code types it creates in ``meta`` are dropped
    before it returns, and never outlive a rollback.
    """
    coded = _create_code_types(con)
    try:
        replaced = ", ".join(f"{c}::{_TYPE_PREFIX}{c} AS {c}" for c in coded)
        run_sql(
            con,
            "marts/journey_events.sql",
            coded_columns=replaced or "activity AS activity",
        )
    finally:
        for column in coded:
            con.execute(f"DROP TYPE IF EXISTS {_TYPE_PREFIX}{column}")
    return coded


def _create_code_types(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Create an ``ENUM`` of each coded column's values (sorted) when it has few enough."""
    counts = con.execute(
        "SELECT "
        + ", ".join(f"count(DISTINCT {c})" for c in CODED_COLUMNS)
        + " FROM temp.int_rows WHERE is_journey_event"
    ).fetchone()
    assert counts is not None
    coded = [c for c, n in zip(CODED_COLUMNS, counts, strict=True) if 0 < int(n) <= MAX_CODES]
    for column in coded:
        con.execute(
            f"CREATE TYPE {_TYPE_PREFIX}{column} AS ENUM (SELECT DISTINCT {column} "
            f"FROM temp.int_rows WHERE is_journey_event AND {column} IS NOT NULL "
            f"ORDER BY {column})"
        )
    return coded
