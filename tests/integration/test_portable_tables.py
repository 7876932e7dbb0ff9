"""Every contract table is readable by pandas and Parquet as it is; event ids are a documented hash."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

import journey_mining as jm
from journey_mining.api import CONTRACT_TABLES
from journey_mining.warehouse import connect
from tests.conftest import TinyProject


def event_id(key: str) -> int:
    """docs/tables.md: the first 8 bytes of md5(key), big-endian, two's complement."""
    return int.from_bytes(hashlib.md5(key.encode("utf-8")).digest()[:8], "big", signed=True)


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    """Values as Python objects, every missing value ``None`` (a missing text or list value
    comes back from Parquet as NaN or None where DuckDB's frame has None or NA)."""
    return frame.astype(object).where(frame.notna(), None)


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return Path(jm.demo(tmp_path_factory.mktemp("portable"), customers=150).warehouse)


@pytest.mark.parametrize("table", CONTRACT_TABLES)
def test_every_contract_table_reads_through_jm_table_and_a_parquet_round_trip(
    warehouse: Path, table: str, tmp_path: Path
) -> None:
    frame = jm.table(warehouse, table)
    assert len(frame) > 0
    # pandas → Parquet → pandas keeps every value and type
    frame.to_parquet(tmp_path / "pandas.parquet")
    pd.testing.assert_frame_equal(
        _plain(pd.read_parquet(tmp_path / "pandas.parquet")), _plain(frame)
    )
    assert list(pd.read_parquet(tmp_path / "pandas.parquet").dtypes) == list(frame.dtypes)
    # DuckDB → Parquet → Arrow holds the same values, with no type Arrow lacks
    con = connect(warehouse, read_only=True)
    try:
        con.execute(f"COPY mining.{table} TO '{tmp_path / 'duckdb.parquet'}' (FORMAT parquet)")
    finally:
        con.close()
    arrow = pq.read_table(tmp_path / "duckdb.parquet")
    assert arrow.column_names == list(frame.columns)
    pd.testing.assert_frame_equal(_plain(arrow.to_pandas()), _plain(frame))


def test_event_ids_are_64_bit_integers_pandas_holds_exactly(warehouse: Path) -> None:
    events = jm.table(warehouse, "journey_events")
    assert events["event_id"].dtype == "int64"
    assert events["event_id"].is_unique
    assert events["event_id"].min() < 0 < events["event_id"].max()  # the whole signed range


def test_event_ids_are_the_documented_hash_of_source_and_natural_key(tiny: TinyProject) -> None:
    tiny.file(
        "contacts.csv", "Record ID,Email,Create Date\n 101 ,ann@acme.com,2025-01-02 09:00:00\n"
    )
    tiny.file("log.csv", "case:concept:name,concept:name,time:timestamp\nc1,a,2025-01-03\n")
    tiny.file(
        "mixpanel.json",
        '{"event": "Sign Up", "properties": {"time": 1738333230, "distinct_id": "u-42"}}\n',
    )
    tiny.pipeline(
        {
            "sources": [
                {"name": "crm", "preset": "hubspot_contacts", "path": "contacts.csv"},
                {"name": "app", "preset": "event_log_csv", "path": "log.csv"},
                {"name": "web", "preset": "mixpanel_events", "path": "mixpanel.json"},
            ],
            "identity": {"link_on": ["email", "case_id", "mixpanel_distinct_id"]},
        }
    )
    tiny.run()
    assert tiny.rows("SELECT source, event_id FROM mining.journey_events ORDER BY source") == [
        ("app", event_id("app\x1flog.csv\x1f1")),  # event_id: ["@row"]: file and data row
        ("crm", event_id("crm\x1f101")),  # the Record ID, trimmed
        # event, distinct_id, time, $insert_id: a missing part is U+0000
        ("web", event_id("web\x1fSign Up\x1fu-42\x1f1738333230\x1f\x00")),
    ]


def test_a_warehouse_with_the_earlier_128_bit_ids_is_refreshed(tiny: TinyProject) -> None:
    tiny.file("log.csv", "case:concept:name,concept:name,time:timestamp\nc1,a,2025-01-03\n")
    tiny.pipeline(
        {
            "sources": [{"name": "app", "preset": "event_log_csv", "path": "log.csv"}],
            "identity": {"link_on": ["case_id"]},
        }
    )
    tiny.run()
    con = connect(tiny.warehouse)
    try:  # as the code before issue 10 left it: UHUGEINT ids under an older fingerprint
        con.execute("ALTER TABLE raw.app ALTER _jm_event_id TYPE UHUGEINT USING md5_number('x')")
        con.execute("UPDATE meta.raw_canonical SET fingerprint = 'before issue 10'")
    finally:
        con.close()
    second = tiny.run()
    assert [f.status for s in second.sources for f in s.files] == ["skipped"]
    assert tiny.rows(
        "SELECT data_type FROM information_schema.columns WHERE table_schema = 'raw' "
        "AND column_name = '_jm_event_id'"
    ) == [("BIGINT",)]
    assert tiny.rows("SELECT event_id FROM mining.journey_events") == [
        (event_id("app\x1flog.csv\x1f1"),)
    ]
