"""Parquet sources keep their column types; canonical values are computed once per row,
and again only when the preset's expressions change."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
import yaml

from journey_mining.pipeline import new_run_id
from tests.conftest import TinyProject

PRESET = {
    "name": "tiny_parquet",
    "format": "parquet",
    "system": "product",
    "event_id": ["id"],
    "timestamp": {"column": "occurred_at"},
    "activity": {"column": "event"},
    "identifiers": {"product_user_id": "user"},
}


def _parquet(path: Path, select: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    duckdb.sql(f"COPY ({select}) TO '{path}' (FORMAT parquet)")


@pytest.fixture
def project(tiny: TinyProject) -> TinyProject:
    (tiny.root / "preset.yaml").write_text(yaml.safe_dump(PRESET), encoding="utf-8")
    _parquet(
        tiny.exports / "events_1.parquet",
        "SELECT * FROM (VALUES "
        "(1, 'u1', TIMESTAMPTZ '2025-01-02 09:00:00+01', 'signed_up', 3.5), "
        "(2, 'u1', TIMESTAMPTZ '2025-01-02 10:00:00+00', 'report_viewed', NULL), "
        "(3, 'u2', NULL, 'signed_up', 1.0)) AS t(id, \"user\", occurred_at, event, score)",
    )
    tiny.pipeline(
        {
            "sources": [
                {
                    "name": "app",
                    "preset": str(tiny.root / "preset.yaml"),
                    "path": "events_*.parquet",
                }
            ],
            "identity": {"link_on": ["product_user_id"]},
        }
    )
    return tiny


def test_parquet_columns_land_with_their_own_types(project: TinyProject) -> None:
    project.run()
    types = project.rows(
        "SELECT column_name, data_type FROM information_schema.columns "
        "WHERE table_schema = 'raw' AND table_name = 'app' AND column_name IN "
        "('id', 'user', 'occurred_at', 'event', 'score') ORDER BY column_name"
    )
    assert types == [
        ("event", "VARCHAR"),
        ("id", "INTEGER"),
        ("occurred_at", "TIMESTAMP WITH TIME ZONE"),
        ("score", "DECIMAL(2,1)"),
        ("user", "VARCHAR"),
    ]
    assert project.rows(
        "SELECT strftime(ts, '%Y-%m-%d %H:%M') FROM mining.journey_events ORDER BY ordinal"
    ) == [("2025-01-02 08:00",), ("2025-01-02 10:00",)]
    assert project.rows("SELECT row_no, reason FROM mining.quarantine") == [
        (3, "missing timestamp 'occurred_at'")
    ]


def test_naive_parquet_timestamps_take_the_source_time_zone(tiny: TinyProject) -> None:
    (tiny.root / "preset.yaml").write_text(yaml.safe_dump(PRESET), encoding="utf-8")
    _parquet(
        tiny.exports / "events_1.parquet",
        "SELECT 1 AS id, 'u1' AS \"user\", TIMESTAMP '2025-07-01 09:00:00' AS occurred_at, "
        "'signed_up' AS event UNION ALL SELECT 2, 'u1', DATE '2025-07-02', 'report_viewed'",
    )
    tiny.pipeline(
        {
            "sources": [
                {
                    "name": "app",
                    "preset": str(tiny.root / "preset.yaml"),
                    "path": "events_*.parquet",
                    "timezone": "Europe/Amsterdam",
                }
            ],
            "identity": {"link_on": ["product_user_id"]},
        }
    )
    tiny.run()
    # a UNION of TIMESTAMP and DATE lands as TIMESTAMP; both are Amsterdam time (CEST, UTC+2)
    assert tiny.rows(
        "SELECT strftime(ts, '%Y-%m-%d %H:%M') FROM mining.journey_events ORDER BY ordinal"
    ) == [("2025-07-01 07:00",), ("2025-07-01 22:00",)]


def test_a_column_that_changes_type_becomes_text_and_keeps_every_value(
    project: TinyProject,
) -> None:
    project.run()
    _parquet(
        project.exports / "events_2.parquet",
        "SELECT 4 AS id, 'u1' AS \"user\", TIMESTAMPTZ '2025-01-03 09:00:00+00' AS occurred_at, "
        "'plan_upgraded' AS event, 'high' AS score",
    )
    project.run()
    assert project.rows(
        "SELECT data_type FROM information_schema.columns "
        "WHERE table_schema = 'raw' AND table_name = 'app' AND column_name = 'score'"
    ) == [("VARCHAR",)]
    assert project.rows("SELECT id, score FROM raw.app ORDER BY id") == [
        (1, "3.5"),
        (2, None),
        (4, "high"),
    ]
    assert project.rows("SELECT list(activity ORDER BY ordinal) FROM mining.journey_events") == [
        (["signed_up", "report_viewed", "plan_upgraded"],)
    ]


def test_canonical_values_are_computed_again_when_the_preset_changes(
    project: TinyProject,
) -> None:
    project.run()
    changed = {**PRESET, "activity": {"template": "app:{event}"}}
    (project.root / "preset.yaml").write_text(yaml.safe_dump(changed), encoding="utf-8")
    second = project.run()
    assert [f.status for s in second.sources for f in s.files] == ["skipped"]
    assert project.rows("SELECT list(activity ORDER BY ordinal) FROM mining.journey_events") == [
        (["app:signed_up", "app:report_viewed"],)
    ]
    assert project.rows("SELECT count(*) FROM meta.raw_canonical") == [(1,)]


def test_an_unchanged_preset_leaves_the_raw_table_as_it_is(project: TinyProject) -> None:
    project.run()
    before = project.rows("SELECT * FROM raw.app ORDER BY ALL")
    computed = project.rows("SELECT computed_at FROM meta.raw_canonical")
    project.run()
    assert project.rows("SELECT * FROM raw.app ORDER BY ALL") == before
    assert project.rows("SELECT computed_at FROM meta.raw_canonical") == computed


def test_run_ids_sort_in_start_order_within_one_second() -> None:
    ids = [new_run_id() for _ in range(50)]
    assert ids == sorted(ids)
    assert len(set(ids)) == 50
