"""``check`` on a SQL source (real PostgreSQL): what a first run reads, quarantines — no warehouse."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
import yaml

from journey_mining.checking import check_pipeline, quarantined_rows
from journey_mining.config import load_pipeline
from journey_mining.pipeline import run_pipeline
from journey_mining.warehouse import connect

URLS = (
    "postgresql+psycopg://postgres@127.0.0.1:5432/test",
    "postgresql+psycopg://root@127.0.0.1:5432/test",
)


def _url() -> str:
    for url in URLS:
        engine = sa.create_engine(url, connect_args={"connect_timeout": 3})
        try:
            with engine.connect() as connection:
                connection.exec_driver_sql("SELECT 1")
            return url
        except sa.exc.SQLAlchemyError:
            continue
        finally:
            engine.dispose()
    pytest.skip(f"no PostgreSQL server answers on 127.0.0.1 within 3 s ({URLS[0]})")


@pytest.fixture
def calls_table(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    url = _url()
    table = f"calls_{uuid.uuid4().hex[:10]}"
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.exec_driver_sql(
            f"CREATE TABLE {table} (id integer, phone text, at timestamptz, outcome text)"
        )
        connection.exec_driver_sql(
            f"INSERT INTO {table} VALUES (1, '06 12345678', '2025-01-02 09:00+01', 'answered'), "
            "(2, 'unknown', '2025-01-02 10:00+01', 'missed'), "
            "(3, '+31 6 2345 6789', '2025-01-02 11:00+01', 'answered')"
        )
    monkeypatch.setenv("JM_CHECK_SQL_URL", url)
    try:
        yield table
    finally:
        with engine.begin() as connection:
            connection.exec_driver_sql(f"DROP TABLE {table}")
        engine.dispose()


def test_check_reads_a_sql_source_as_a_first_run_and_writes_nothing(
    tmp_path: Path, calls_table: str
) -> None:
    preset = {
        "name": "calls",
        "format": "sql",
        "system": "telephony",
        "event_id": ["id"],
        "timestamp": {"column": "at"},
        "activity": {"column": "outcome"},
        "identifiers": {"phone": "phone"},
    }
    pipeline = {
        "name": "sqlcheck",
        "warehouse": "w.duckdb",
        "sources": [
            {
                "name": "calls",
                "preset": preset,
                "sql": {"url_env": "JM_CHECK_SQL_URL", "table": calls_table, "cursor": "id"},
            }
        ],
        "identity": {"link_on": ["phone"], "normalise_phone": ["phone"], "phone_region": "NL"},
    }
    file = tmp_path / "p.yaml"
    file.write_text(yaml.safe_dump(pipeline), encoding="utf-8")
    (checked,) = check_pipeline(file).sources
    assert not (tmp_path / "w.duckdb").exists()
    assert (checked.rows_read, checked.rows_loaded, checked.rows_quarantined) == (3, 2, 1)
    assert [(e.row, e.ts, e.identifiers) for e in checked.sample] == [
        (1, "2025-01-02T08:00:00.000000Z", {"phone": "+31612345678"}),
        (3, "2025-01-02T10:00:00.000000Z", {"phone": "+31623456789"}),
    ]
    ((bad,),) = [checked.quarantined]
    assert (bad.row, bad.reason) == (2, "missing identifier (none of phone)")
    run_pipeline(load_pipeline(file))
    con = connect(tmp_path / "w.duckdb", read_only=True)
    try:
        ran = quarantined_rows(con, "calls")
    finally:
        con.close()
    # the same row and reason; the origin names the run (sql:<table>@<run id>) instead of check
    assert [(q.row, q.reason, q.raw_row) for q in ran] == [(bad.row, bad.reason, bad.raw_row)]
