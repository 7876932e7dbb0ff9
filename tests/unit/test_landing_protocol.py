"""The connector protocol: any connector's batches land through one transactional step."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest

from journey_mining.config import ConnectorPreset, SourceConfig
from journey_mining.connectors.bookkeeping import stored_cursor
from journey_mining.connectors.compile import compile_source
from journey_mining.connectors.landing import land_source
from journey_mining.connectors.protocol import (
    Batch,
    CursorRead,
    CursorValue,
    FileStamp,
    LoadContext,
    Origin,
)
from journey_mining.warehouse import connect

PRESET = ConnectorPreset.model_validate(
    {
        "name": "tiny_app",
        "format": "jsonl",
        "system": "product",
        "event_id": ["id"],
        "timestamp": {"column": "at"},
        "activity": {"column": "event"},
        "identifiers": {"product_user_id": "user"},
    }
)
# landing reads columns; the preset's format only decides how a quarantined row is kept
TABLE_PRESET = PRESET.model_copy(update={"format": "sql"})


def _frame(rows: list[tuple[str, str, str | None, str]], first_row: int) -> pd.DataFrame:
    frame = pd.DataFrame.from_records(rows, columns=["id", "user", "at", "event"])
    frame["_row"] = range(first_row, first_row + len(rows))
    return frame


def _context(tmp_path: Path, seen: list[int] | None = None) -> LoadContext:
    source = SourceConfig(name="app", preset=TABLE_PRESET, path="app.json")
    return LoadContext(
        con=connect(tmp_path / "w.duckdb"),
        source=source,
        preset=TABLE_PRESET,
        compiled=compile_source("app", TABLE_PRESET, None),
        run_id="r1",
        on_rows=None if seen is None else seen.append,
    )


FIRST = [("1", "u1", "2025-01-02T09:00:00Z", "signed_up"), ("2", "u1", None, "viewed")]
SECOND = [("3", "u2", "2025-01-03T09:00:00Z", "signed_up")]


def test_batches_of_any_kind_land_with_counts_and_cursor(tmp_path: Path) -> None:
    seen: list[int] = []
    ctx = _context(tmp_path, seen)
    batches = [
        Batch(_frame(FIRST, 1), cursor=CursorValue("id", "2", "integer")),
        Batch(pa.Table.from_pandas(_frame(SECOND, 3), preserve_index=False)),
        Batch(
            "SELECT '4' AS id, 'u3' AS \"user\", '2025-01-04T09:00:00Z' AS at, 'x' AS event, "
            "5 AS _row",
            rejected="SELECT 4 AS _row, 'malformed row: too many columns' AS reason, "
            "'4,u3,,' AS raw_row",
            cursor=CursorValue("id", "5", "integer"),
        ),
    ]
    load = land_source(ctx, [Origin("sql:app@r1", batches, cursor=CursorRead("id", None))])
    (origin,) = load.files
    assert (origin.status, origin.rows_read, origin.rows_loaded, origin.rows_quarantined) == (
        "loaded",
        5,
        3,
        2,
    )
    assert seen == [2, 3, 5]  # rows read so far, after each batch
    assert ctx.con.execute("SELECT id, _row FROM raw.app ORDER BY _row").fetchall() == [
        ("1", 1),
        ("3", 3),
        ("4", 5),
    ]
    assert ctx.con.execute(
        "SELECT row_no, reason FROM mining.quarantine ORDER BY 1"
    ).fetchall() == [
        (2, "missing timestamp 'at'"),
        (4, "malformed row: too many columns"),
    ]
    assert stored_cursor(ctx.con, "app") == CursorValue("id", "5", "integer")


def test_a_failing_batch_rolls_back_the_source_and_closes_the_connector(tmp_path: Path) -> None:
    ctx = _context(tmp_path)
    closed: list[str] = []

    def batches() -> Iterator[Batch]:
        try:
            yield Batch(_frame(FIRST, 1))
            raise OSError("the export stopped")
        finally:
            closed.append("batches")

    def origins() -> Iterator[Origin]:
        try:
            yield Origin("app.json", batches(), stamp=FileStamp(10, "ab"))
        finally:
            closed.append("origins")

    with pytest.raises(OSError, match="the export stopped"):
        land_source(ctx, origins())
    assert closed == ["batches", "origins"]
    assert ctx.con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'raw'"
    ).fetchall() == [(0,)]
    assert ctx.con.execute("SELECT count(*) FROM mining.quarantine").fetchall() == [(0,)]
    assert ctx.con.execute("SELECT count(*) FROM meta.loaded_files").fetchall() == [(0,)]


def test_a_stamped_origin_is_skipped_unchanged_and_replaced_when_changed(tmp_path: Path) -> None:
    ctx = _context(tmp_path)
    land_source(ctx, [Origin("app.json", [Batch(_frame(FIRST, 1))], stamp=FileStamp(10, "ab"))])
    untouched = [Batch("SELECT error('must not be read')")]
    again = land_source(ctx, [Origin("app.json", untouched, stamp=FileStamp(10, "ab"))])
    assert [f.status for f in again.files] == ["skipped"]
    changed = land_source(
        ctx, [Origin("app.json", [Batch(_frame(SECOND, 1))], stamp=FileStamp(11, "cd"))]
    )
    assert [(f.status, f.rows_loaded) for f in changed.files] == [("reloaded", 1)]
    assert ctx.con.execute("SELECT id FROM raw.app").fetchall() == [("3",)]
    assert ctx.con.execute("SELECT count(*) FROM mining.quarantine").fetchall() == [(0,)]
    assert ctx.con.execute("SELECT size_bytes, sha256 FROM meta.loaded_files").fetchall() == [
        (11, "cd")
    ]


def test_a_full_read_replaces_the_source_and_an_empty_incremental_read_is_skipped(
    tmp_path: Path,
) -> None:
    ctx = _context(tmp_path)
    first = CursorValue("id", "2", "integer")
    land_source(
        ctx,
        [
            Origin(
                "sql:app@r1", [Batch(_frame(FIRST, 1), cursor=first)], cursor=CursorRead("id", None)
            )
        ],
    )
    nothing = land_source(
        ctx, [Origin("sql:app@r2", [Batch(_frame([], 1))], cursor=CursorRead("id", first))]
    )
    assert [f.status for f in nothing.files] == ["skipped"]
    full = land_source(
        ctx, [Origin("sql:app@r3", [Batch(_frame(SECOND, 1))], replaces_source=True)]
    )
    assert [(f.status, f.rows_loaded) for f in full.files] == [("reloaded", 1)]
    assert ctx.con.execute("SELECT _file, id FROM raw.app").fetchall() == [("sql:app@r3", "3")]
    assert ctx.con.execute("SELECT count(*) FROM mining.quarantine").fetchall() == [(0,)]
    assert stored_cursor(ctx.con, "app") is None  # a full read without a cursor keeps none
