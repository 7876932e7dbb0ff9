"""Errors at the loading edge: DuckDB's errors become the project's, naming source and file."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from journey_mining.config import ConnectorPreset, SourceConfig
from journey_mining.connectors.compile import compile_source
from journey_mining.connectors.landing import land_source
from journey_mining.connectors.protocol import Batch, LoadContext, Origin
from journey_mining.errors import OutOfMemory, SourceError
from journey_mining.warehouse import connect
from tests.conftest import TinyProject

PRESET = ConnectorPreset.model_validate(
    {
        "name": "tiny_app",
        "format": "sql",
        "system": "product",
        "event_id": ["id"],
        "timestamp": {"column": "at"},
        "activity": {"column": "event"},
        "identifiers": {"product_user_id": "user"},
    }
)


def _context(tmp_path: Path | None, memory_limit: str | None = None) -> LoadContext:
    source = SourceConfig(name="app", preset=PRESET, path="app.csv")
    warehouse = ":memory:" if tmp_path is None else tmp_path / "w.duckdb"
    return LoadContext(
        con=connect(warehouse, memory_limit=memory_limit),
        source=source,
        preset=PRESET,
        compiled=compile_source("app", PRESET, None),
        run_id="r1",
    )


def test_a_duckdb_error_names_the_source_and_file_and_writes_nothing(tmp_path: Path) -> None:
    ctx = _context(tmp_path)
    good = Batch("SELECT '1' AS id, 'u1' AS \"user\", '2025-01-01' AS at, 'a' AS event, 1 AS _row")
    # the second file's id column cannot become the raw table's type
    bad = Batch(
        "SELECT CAST('x' AS INTEGER) AS id, 'u1' AS \"user\", '2025-01-02' AS at, 'b' AS event, 1 AS _row"
    )
    with pytest.raises(SourceError) as caught:
        land_source(ctx, [Origin("one.csv", [good]), Origin("two.csv", [bad])])
    message = str(caught.value)
    assert message.startswith(
        "loading source 'app' (two.csv): Could not convert string 'x' to INT32. Fix: check"
    )
    assert message.endswith("nothing of this source was written.")
    assert caught.value.__cause__ is None and caught.value.__suppress_context__
    assert ctx.con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'raw'"
    ).fetchall() == [(0,)]


def test_out_of_memory_names_the_stage_the_limit_and_the_fix() -> None:
    ctx = _context(None, memory_limit="8MB")
    ctx.con.execute("SET temp_directory = ''")  # nowhere to spill, as on a full disk
    rows = (
        "SELECT md5(range::VARCHAR) AS id, 'u' || (range % 1000) AS \"user\", "
        "'2025-01-01' AS at, md5(range::VARCHAR || 'x') AS event, range + 1 AS _row "
        "FROM range(2000000)"
    )
    with pytest.raises(OutOfMemory) as caught:
        land_source(ctx, [Origin("big.csv", [Batch(rows)])])
    message = str(caught.value)
    assert message.startswith("loading source 'app' (big.csv): DuckDB ran out of memory")
    assert "--memory-limit" in message and "free disk space" in message
    assert "(memory limit 7.6 MiB)" in message
    assert "an in-memory database cannot spill" in message


def test_a_file_that_is_not_parquet_is_named_with_the_preset(tiny: TinyProject) -> None:
    tiny.file("events.parquet", "case,activity\nc1,a\n")
    preset = {
        "name": "app_parquet",
        "format": "parquet",
        "system": "product",
        "event_id": ["@row"],
        "timestamp": {"column": "ts"},
        "activity": {"column": "activity"},
        "identifiers": {"case_id": "case"},
    }
    (tiny.root / "preset.yaml").write_text(yaml.safe_dump(preset), encoding="utf-8")
    tiny.pipeline(
        {
            "sources": [{"name": "app", "preset": "preset.yaml", "path": "*.parquet"}],
            "identity": {"link_on": ["case_id"]},
        }
    )
    with pytest.raises(SourceError, match=r"cannot read .*events\.parquet as parquet \(preset "):
        tiny.run()
    assert tiny.rows("SELECT status FROM mining.runs") == [("failed",)]
