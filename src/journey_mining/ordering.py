"""Order every journey once: ``mining.journey_events`` from ``temp.int_rows`` and the customers.

The journey sort (``sql/marts/journey_events.sql``) carries every column of every event
through one window. Low-cardinality text columns (activity, team, stage, channel, system,
source, file, source activity) travel through it as DuckDB ``ENUM`` codes instead of
strings: at 10^7 events the statement takes 11.2 s instead of 14.6 s, 12.4 s with making
the codes (``bench/README.md``). The table keeps its ``VARCHAR`` columns; the codes exist
only for the statement. Each code type lists its values in sorted order, so a coded column
sorts as its text does (``file`` is one of the journey order's tie-break keys). A column
with more than ``MAX_CODES`` distinct values stays text.

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
    "resource",
    "rating",
)
MAX_CODES = 10_000
_TYPE_PREFIX = "meta._jm_code_"


def build_journey_events(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Write ``mining.journey_events``; return the columns that were sorted as codes.

    Runs inside the caller's transaction: the code types it creates in ``meta`` are dropped
    once the table is written, and a failure's rollback removes them too.
    """
    coded = _create_code_types(con)
    replaced = ", ".join(f"{c}::{_TYPE_PREFIX}{c} AS {c}" for c in coded)
    run_sql(
        con, "marts/journey_events.sql", event_columns=f"* REPLACE ({replaced})" if coded else "*"
    )
    for column in coded:
        con.execute(f"DROP TYPE {_TYPE_PREFIX}{column}")
    return coded


def _create_code_types(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Create an ``ENUM`` of each coded column's values (sorted) when it has few enough.

    Each type is made straight from its column's distinct values and dropped again when it
    has none or more than ``MAX_CODES``: one pass per column, and no separate counting pass
    (which cost as much as the types together at 10^7 events).
    """
    coded: list[str] = []
    for column in CODED_COLUMNS:
        name = f"{_TYPE_PREFIX}{column}"
        con.execute(f"DROP TYPE IF EXISTS {name}")
        con.execute(
            f"CREATE TYPE {name} AS ENUM (SELECT DISTINCT {column} FROM temp.int_rows "
            f"WHERE is_journey_event AND {column} IS NOT NULL ORDER BY {column})"
        )
        size = con.execute(f"SELECT len(enum_range(NULL::{name}))").fetchone()
        if size is not None and 0 < int(size[0]) <= MAX_CODES:
            coded.append(column)
        else:
            con.execute(f"DROP TYPE {name}")
    return coded
