"""``journey-mining report``: from a warehouse or a pipeline, one clear line on bad input."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from journey_mining.cli import app
from tests.conftest import EVENT_LOG_SOURCE, TinyProject

runner = CliRunner()
LOG = """
case:concept:name,concept:name,time:timestamp
1,a,2024-01-01T10:00:00Z
1,b,2024-01-01T11:00:00Z
2,a,2024-01-02T10:00:00Z
2,c,2024-01-02T12:00:00Z
"""


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> TinyProject:
    tiny = TinyProject(tmp_path_factory.mktemp("cli-report"))
    tiny.file("log.csv", LOG)
    tiny.pipeline(
        {
            "sources": [EVENT_LOG_SOURCE],
            "identity": {"link_on": ["case_id"]},
            "outputs": {"report": "out/journeys.html", "report_title": "Tiny journeys"},
        },
        {"name": "ab", "goal": "b", "steps": ["a", "b"]},
    )
    result = runner.invoke(
        app, ["run", str(tiny.pipeline_file), "--data-dir", str(tiny.exports), "-q"]
    )
    assert result.exit_code == 0, result.output
    return tiny


def test_run_writes_the_pipelines_report_and_says_where(project: TinyProject) -> None:
    page = project.root / "out" / "journeys.html"
    assert page.is_file() and "<title>Tiny journeys</title>" in page.read_text(encoding="utf-8")


def test_report_from_a_warehouse_to_a_chosen_file(project: TinyProject, tmp_path: Path) -> None:
    out = tmp_path / "r.html"
    result = runner.invoke(app, ["report", "-w", str(project.warehouse), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert f"Report: {out}" in result.output.replace("\n", "")
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_report_from_a_pipeline_uses_its_warehouse_and_outputs(project: TinyProject) -> None:
    page = project.root / "out" / "journeys.html"
    page.unlink()
    result = runner.invoke(app, ["report", str(project.pipeline_file)])
    assert result.exit_code == 0, result.output
    assert page.is_file()


def test_missing_warehouse_is_one_line_and_exit_1(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["report", "-w", str(tmp_path / "none.duckdb"), "-o", str(tmp_path / "r.html")]
    )
    assert result.exit_code == 1
    assert "does not exist" in result.output and not (tmp_path / "r.html").exists()


def test_unwritable_output_is_a_clear_error(project: TinyProject, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = runner.invoke(
        app, ["report", "-w", str(project.warehouse), "-o", str(blocker / "r.html")]
    )
    assert result.exit_code == 1
    assert "cannot write the report" in result.output


def test_unknown_outputs_key_is_named(tmp_path: Path) -> None:
    pipeline = tmp_path / "p.yaml"
    pipeline.write_text(
        yaml.safe_dump(
            {"name": "p", "sources": [EVENT_LOG_SOURCE], "outputs": {"reprot": "x.html"}}
        )
    )
    result = runner.invoke(app, ["report", str(pipeline)])
    assert result.exit_code == 2  # a declaration error: the CLI's usage exit code
    assert "reprot" in result.output
