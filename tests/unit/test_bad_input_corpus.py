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


def _table_rows(warehouse: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every raw and mining table but the run log, ordered: what a refused run must not touch."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        tables = con.execute(
            "SELECT table_schema || '.' || table_name FROM information_schema.tables "
            "WHERE table_schema IN ('raw', 'mining', 'meta') AND table_name NOT IN "
            "('runs', 'run_sources', 'run_stages') ORDER BY 1"
        ).fetchall()
        return {t: con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall() for (t,) in tables}
    finally:
        con.close()


def test_the_corpus_has_at_least_60_kinds() -> None:
    names = [k.name for k in LOADS] + [name for name, _, _ in REFUSED]
    assert len(names) == len(set(names)) and len(names) >= 60


def _accounted(con: duckdb.DuckDBPyConnection, record: dict[str, Any], kind: Kind) -> list[str]:
    """What is wrong with one kind's load (nothing, when every row is accounted for)."""
    (source,) = [s for s in record["sources"] if s["source"] == kind.name]
    quarantined = kind.records - kind.loaded
    problems = []
    counts = (source["rows_read"], source["rows_loaded"], source["rows_quarantined"])
    if counts != (kind.records, kind.loaded, quarantined):
        problems.append(
            f"run counted {counts}, expected {(kind.records, kind.loaded, quarantined)}"
        )
    # counted again in the tables, independently of the run's own counters
    raw = (
        con.execute(f"SELECT count(*) FROM raw.{kind.name}").fetchall() if kind.records else [(0,)]
    )
    reasons = con.execute(
        "SELECT reason FROM mining.quarantine WHERE source = ?", [kind.name]
    ).fetchall()
    if raw != [(kind.loaded,)] or len(reasons) != quarantined:
        problems.append(f"raw holds {raw}, quarantine {len(reasons)} rows")
    if not all(kind.reason in reason and len(reason) < 600 for (reason,) in reasons):
        problems.append(f"reasons {reasons} lack {kind.reason!r}")
    files = con.execute(
        "SELECT size_bytes, rows_read FROM meta.loaded_files WHERE source = ?", [kind.name]
    ).fetchall()
    if files != [(len(kind.data), kind.records)]:  # recorded, even when empty
        problems.append(f"manifest {files}")
    return [f"{kind.name}: {p}" for p in problems]


def test_every_kind_loads_with_every_row_accounted_for(tmp_path: Path) -> None:
    """One run (through the CLI) of a pipeline with one source per loading kind."""
    sources = [_source(k.name, _write(tmp_path, k), k.fmt, k.timestamp) for k in LOADS]
    result = runner.invoke(app, ["run", str(_pipeline(tmp_path, sources)), "--json"])
    assert result.exit_code == 0, result.output
    record = json.loads(result.stdout)
    con = duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True)
    try:
        problems = [p for kind in LOADS for p in _accounted(con, record, kind)]
        emails = con.execute(
            "SELECT DISTINCT _jm_id_email FROM raw.email_trailing_tab UNION "
            "SELECT DISTINCT _jm_id_email FROM raw.email_nbsp UNION "
            "SELECT DISTINCT _jm_id_email FROM raw.email_zero_width UNION "
            "SELECT DISTINCT _jm_id_email FROM raw.email_upper"
        ).fetchall()
        placeholders = con.execute("SELECT count(*) FROM raw.placeholder_emails").fetchall()
        # 02:30 in Amsterdam's gap read with the winter offset (+01): 01:30Z; the overlap's
        # later 02:30 is the winter one (+01): 01:30Z
        gap, overlap = con.execute(
            "SELECT (SELECT _jm_ts FROM raw.ts_dst_gap_amsterdam_shifted WHERE id = '10'), "
            "(SELECT _jm_ts FROM raw.ts_dst_overlap_amsterdam_latest WHERE id = '10')"
        ).fetchall()[0]
    finally:
        con.close()
    assert problems == []
    assert emails == [("a@x.com",)] and placeholders == [(1,)]  # trimmed; placeholders no link
    assert (str(gap), str(overlap)) == ("2025-03-30 01:30:00+00:00", "2025-10-26 01:30:00+00:00")


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
