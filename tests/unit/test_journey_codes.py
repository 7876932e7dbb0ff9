"""The journey sort carries text as ENUM codes: same order as the text, same table, no leftovers."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from journey_mining import ordering
from journey_mining.ordering import build_journey_events
from journey_mining.warehouse import connect

# One customer; four events at the same instant from one source, in three files whose names
# sort differently from the order the rows arrive in (z, m, a). The journey order breaks
# the tie by file name, then row: a.csv:7, m.csv:1, m.csv:2, z.csv:3.
ROWS = [
    ("z.csv", 3, "ticket_opened", "support"),
    ("m.csv", 2, "deal_won", "sales"),
    ("a.csv", 7, "lead_created", "marketing"),
    ("m.csv", 1, "demo_scheduled", "sales"),
]


@pytest.fixture
def con(tmp_path: Path) -> duckdb.DuckDBPyConnection:
    con = connect(tmp_path / "w.duckdb")
    con.execute("CREATE TABLE mining.customers AS SELECT 'C1' AS customer_id, 'acme' AS account_id")
    con.execute(
        "CREATE TEMP TABLE int_node_customers AS "
        "SELECT 'id:u1' AS node, 'C1' AS customer_id, 1 AS customer_no"
    )
    con.execute(
        "CREATE TEMP TABLE int_rows (source VARCHAR, source_rank INTEGER, system VARCHAR, "
        "file VARCHAR, row_no BIGINT, event_id BIGINT, ts TIMESTAMPTZ, source_seq BIGINT, "
        "source_activity VARCHAR, activity VARCHAR, stage VARCHAR, team VARCHAR, "
        "channel VARCHAR, is_journey_event BOOLEAN, is_event BOOLEAN, account_name VARCHAR, "
        "anchor VARCHAR, nodes VARCHAR[], episode VARCHAR, resource VARCHAR, rating VARCHAR)"
    )
    for number, (file, row, activity, team) in enumerate(ROWS, start=1):
        con.execute(
            "INSERT INTO int_rows VALUES ('crm', 1, 'crm', ?, ?, ?, "
            "'2025-01-01 09:00:00+00', NULL, ?, ?, NULL, ?, NULL, true, true, NULL, 'id:u1', "
            "NULL, NULL, NULL, NULL)",
            [file, row, number, activity, activity, team],
        )
    return con


def _journey(con: duckdb.DuckDBPyConnection) -> list[tuple[object, ...]]:
    return con.execute(
        "SELECT ordinal, source_file, source_row, activity, team, next_activity, next_team "
        "FROM mining.journey_events ORDER BY ordinal"
    ).fetchall()


EXPECTED = [
    (1, "a.csv", 7, "lead_created", "marketing", "demo_scheduled", "sales"),
    (2, "m.csv", 1, "demo_scheduled", "sales", "deal_won", "sales"),
    (3, "m.csv", 2, "deal_won", "sales", "ticket_opened", "support"),
    (4, "z.csv", 3, "ticket_opened", "support", None, None),
]


def test_coded_columns_sort_as_their_text(con: duckdb.DuckDBPyConnection) -> None:
    assert "file" in build_journey_events(con)
    assert _journey(con) == EXPECTED


def test_the_table_keeps_text_columns_and_no_code_type_remains(
    con: duckdb.DuckDBPyConnection,
) -> None:
    build_journey_events(con)
    types = dict(
        con.execute(
            "SELECT column_name, data_type FROM information_schema.columns "
            "WHERE table_schema = 'mining' AND table_name = 'journey_events'"
        ).fetchall()
    )
    assert {types[c] for c in ("activity", "team", "source_file", "next_activity")} == {"VARCHAR"}
    assert con.execute(
        "SELECT count(*) FROM duckdb_types() WHERE type_name LIKE '_jm_code_%'"
    ).fetchone() == (0,)


def test_columns_with_many_values_stay_text_with_the_same_result(
    con: duckdb.DuckDBPyConnection, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ordering, "MAX_CODES", 2)  # three files, four activities: too many
    coded = build_journey_events(con)
    assert "file" not in coded and "activity" not in coded and "source" in coded
    assert _journey(con) == EXPECTED
