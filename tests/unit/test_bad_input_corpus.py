"""Every kind of bad input in the corpus (``bad_inputs``) either loads, with rows read =
loaded + quarantined as the test counted them, or is refused with one line naming the file
and a fix — through the CLI, never a traceback, and never losing what was already loaded.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import duckdb
import pytest
import yaml
from typer.testing import CliRunner

from journey_mining.cli import app
from tests.unit.bad_inputs import GOOD, LOADS, REFUSED, Kind, csv_bytes

runner = CliRunner()


def _preset(name: str, fmt: str, timestamp: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": name,
        "format": fmt,
        "system": "corpus",
        "event_id": ["@row"],
        "timestamp": {"column": "ts", **timestamp},
        "activity": {"column": "activity"},
        "identifiers": {"email": "email"},
    }


def _source(name: str, file: str, fmt: str, timestamp: dict[str, Any]) -> dict[str, Any]:
    return {"name": name, "path": file, "preset": _preset(name, fmt, timestamp)}


def _pipeline(root: Path, sources: list[dict[str, Any]]) -> Path:
    path = root / "pipeline.yaml"
    pipeline = {
        "name": "corpus",
        "data_dir": "exports",
        "warehouse": "w.duckdb",
        "sources": sources,
        "identity": {"link_on": ["email"]},
    }
    path.write_text(yaml.safe_dump(pipeline, sort_keys=False, allow_unicode=True), "utf-8")
    return path


def _write(root: Path, kind: Kind) -> str:
    file = f"{kind.name}{kind.suffix}"
    (root / "exports").mkdir(parents=True, exist_ok=True)
    (root / "exports" / file).write_bytes(kind.data)
    return file


def _rows(warehouse: Path, sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def _table_rows(warehouse: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every raw and mining table but the run log, ordered: what a refused run must not touch."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        tables = con.execute(
            "SELECT table_schema || '.' || table_name FROM information_schema.tables "
            "WHERE table_schema IN ('raw', 'mining', 'meta') AND table_name NOT IN "
            "('runs', 'run_sources') ORDER BY 1"
        ).fetchall()
        return {t: con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall() for (t,) in tables}
    finally:
        con.close()


def test_the_corpus_has_at_least_60_kinds() -> None:
    names = [k.name for k in LOADS] + [name for name, _, _ in REFUSED]
    assert len(names) == len(set(names)) and len(names) >= 60


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    """One run of a pipeline with one source per loading kind, through the CLI (``--json``)."""
    root = tmp_path_factory.mktemp("corpus")
    sources = [_source(k.name, _write(root, k), k.fmt, k.timestamp) for k in LOADS]
    result = runner.invoke(app, ["run", str(_pipeline(root, sources)), "--json"])
    assert result.exit_code == 0, result.output
    return root / "w.duckdb", json.loads(result.stdout)


@pytest.mark.parametrize("kind", LOADS, ids=[k.name for k in LOADS])
def test_each_kind_loads_with_every_row_accounted_for(
    loaded: tuple[Path, dict[str, Any]], kind: Kind
) -> None:
    warehouse, record = loaded
    (source,) = [s for s in record["sources"] if s["source"] == kind.name]
    quarantined = kind.records - kind.loaded
    assert (source["rows_read"], source["rows_loaded"], source["rows_quarantined"]) == (
        kind.records,
        kind.loaded,
        quarantined,
    )
    # counted again in the tables, independently of the run's own counters
    raw = _rows(warehouse, f"SELECT count(*) FROM raw.{kind.name}") if kind.records else [(0,)]
    reasons = _rows(warehouse, "SELECT reason FROM mining.quarantine WHERE source = ?", [kind.name])
    assert raw == [(kind.loaded,)] and len(reasons) == quarantined
    assert all(kind.reason in reason and len(reason) < 600 for (reason,) in reasons), reasons
    files = _rows(
        warehouse,
        "SELECT size_bytes, rows_read FROM meta.loaded_files WHERE source = ?",
        [kind.name],
    )
    assert files == [(len(kind.data), kind.records)]  # recorded, even when empty


def test_identifiers_are_trimmed_lowered_and_placeholders_never_link(
    loaded: tuple[Path, dict[str, Any]],
) -> None:
    warehouse, _ = loaded
    ids = _rows(
        warehouse,
        "SELECT DISTINCT _jm_id_email FROM raw.email_trailing_tab UNION "
        "SELECT DISTINCT _jm_id_email FROM raw.email_nbsp UNION "
        "SELECT DISTINCT _jm_id_email FROM raw.email_zero_width UNION "
        "SELECT DISTINCT _jm_id_email FROM raw.email_upper",
    )
    assert ids == [("a@x.com",)]
    assert _rows(warehouse, "SELECT count(*) FROM raw.placeholder_emails") == [(1,)]


def test_dst_policy_gives_the_declared_instants(loaded: tuple[Path, dict[str, Any]]) -> None:
    warehouse, _ = loaded
    gap = _rows(warehouse, "SELECT _jm_ts FROM raw.ts_dst_gap_amsterdam_shifted WHERE id = '10'")
    overlap = _rows(
        warehouse, "SELECT _jm_ts FROM raw.ts_dst_overlap_amsterdam_latest WHERE id = '10'"
    )
    # 02:30 in the gap read with the winter offset (+01): 01:30Z; the overlap's later 02:30
    # is the winter one (+01): 01:30Z
    assert str(gap[0][0]) == "2025-03-30 01:30:00+00:00"
    assert str(overlap[0][0]) == "2025-10-26 01:30:00+00:00"


@pytest.fixture(scope="module")
def good_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A warehouse that loaded one good source: what every refused run must leave as it was."""
    root = tmp_path_factory.mktemp("good")
    sources = [_source("good", _write(root, Kind("good", csv_bytes(GOOD), 3, 3)), "csv", {})]
    assert runner.invoke(app, ["run", str(_pipeline(root, sources)), "--quiet"]).exit_code == 0
    return root


@pytest.mark.parametrize("name,data,says", REFUSED, ids=[r[0] for r in REFUSED])
def test_each_refused_kind_is_one_line_and_changes_nothing(
    good_project: Path, tmp_path: Path, name: str, data: bytes, says: str
) -> None:
    shutil.copytree(good_project, tmp_path, dirs_exist_ok=True)
    before = _table_rows(tmp_path / "w.duckdb")
    sources = [
        _source("good", "good.csv", "csv", {}),
        _source(name, _write(tmp_path, Kind(name, data, 0, 0)), "csv", {}),
    ]
    result = runner.invoke(app, ["run", str(_pipeline(tmp_path, sources)), "--quiet"])
    assert result.exit_code == 1
    line = result.output.strip()
    assert len(line.splitlines()) == 1, line
    assert line.startswith("error: ") and "Traceback" not in line
    assert f"{name}.csv" in line and "Fix:" in line and says in line, line
    assert "max_line_size" not in line and "strict_mode" not in line and len(line) < 1000
    assert _table_rows(tmp_path / "w.duckdb") == before
