"""The CLI drives the same API: exit codes, one-line errors, JSON output, --help everywhere."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from journey_mining.cli import app

runner = CliRunner()


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("cli") / "demo"
    result = runner.invoke(app, ["demo", "--out", str(out), "--customers", "300"])
    assert result.exit_code == 0, result.output
    assert "Warehouse:" in result.output
    return out


@pytest.mark.parametrize("command", [[], ["demo"], ["run"], ["variants"], ["summary"]])
def test_every_command_has_help(command: list[str]) -> None:
    result = runner.invoke(app, [*command, "--help"])
    assert result.exit_code == 0
    assert "Usage" in result.output


def test_demo_prints_the_summary_and_where_results_are(demo_dir: Path) -> None:
    assert (demo_dir / "journeys.duckdb").is_file()
    assert (demo_dir / "discovered_model.bpmn").is_file()
    assert (demo_dir / "exports" / "crm" / "contacts.csv").is_file()


def test_summary_json_matches_the_warehouse(demo_dir: Path) -> None:
    result = runner.invoke(app, ["summary", "-w", str(demo_dir / "journeys.duckdb"), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["journeys"] > 300
    assert data["variants_covering_80pct"] <= data["variants"]
    assert [f["step"] for f in data["funnel"]][:2] == ["lead_created", "demo_scheduled"]
    assert {d["kind"] for d in data["top_deviations"]} <= {
        "skipped",
        "inserted",
        "repeated",
        "out_of_order",
        "timed_out",
    }


def test_variants_lists_the_most_frequent_first(demo_dir: Path) -> None:
    result = runner.invoke(
        app, ["variants", "-w", str(demo_dir / "journeys.duckdb"), "--top", "3", "--json"]
    )
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert [r["rank"] for r in rows] == [1, 2, 3]
    assert rows[0]["n_cases"] >= rows[1]["n_cases"] >= rows[2]["n_cases"]


def test_run_reruns_with_nothing_new(demo_dir: Path) -> None:
    pipeline = Path(__file__).resolve().parents[2] / "pipelines" / "demo.yaml"
    result = runner.invoke(
        app,
        [
            "run",
            str(pipeline),
            "--data-dir",
            str(demo_dir / "exports"),
            "-w",
            str(demo_dir / "journeys.duckdb"),
            "--quiet",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "0 aligned now" in result.output


def test_missing_warehouse_is_one_clear_line_and_exit_1(tmp_path: Path) -> None:
    result = runner.invoke(app, ["summary", "-w", str(tmp_path / "nope.duckdb")])
    assert result.exit_code == 1
    assert "does not exist" in result.output and "Fix:" in result.output
    assert "Traceback" not in result.output


def test_unknown_pipeline_key_is_named(tmp_path: Path) -> None:
    pipeline = tmp_path / "p.yaml"
    pipeline.write_text("name: x\nsorces: []\n", encoding="utf-8")
    result = runner.invoke(app, ["run", str(pipeline)])
    assert result.exit_code == 2  # bad config
    assert "unknown key 'sorces'; fix: did you mean 'sources'?" in result.output


def test_unknown_preset_lists_the_known_ones(tmp_path: Path) -> None:
    pipeline = tmp_path / "p.yaml"
    pipeline.write_text(
        "name: x\nsources:\n  - {name: a, preset: hubspot_contactz, path: a.csv}\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["run", str(pipeline)])
    assert result.exit_code == 2  # bad config
    assert "unknown connector preset 'hubspot_contactz'" in result.output
    assert "hubspot_contacts" in result.output


def test_unsafe_source_name_is_refused_before_sql(tmp_path: Path) -> None:
    pipeline = tmp_path / "p.yaml"
    pipeline.write_text(
        'name: x\nsources:\n  - {name: "a; drop table x", preset: hubspot_contacts, path: a.csv}\n',
        encoding="utf-8",
    )
    result = runner.invoke(app, ["run", str(pipeline)])
    assert result.exit_code == 2  # bad config
    assert "source name 'a; drop table x' is not allowed" in result.output


def test_sources_lists_each_source_with_its_last_load(demo_dir: Path) -> None:
    pipeline = Path(__file__).resolve().parents[2] / "pipelines" / "demo.yaml"
    result = runner.invoke(
        app, ["sources", str(pipeline), "-w", str(demo_dir / "journeys.duckdb"), "--json"]
    )
    assert result.exit_code == 0, result.output
    rows = {r["source"]: r for r in json.loads(result.output)}
    assert list(rows) == ["crm_contacts", "crm_deal_stages", "support_tickets", "product_events"]
    assert rows["crm_contacts"]["files_loaded"] == 1
    assert rows["crm_contacts"]["rows_quarantined"] == 3
    assert rows["crm_contacts"]["rows_loaded"] == 300
    assert rows["crm_contacts"]["last_loaded_at"] is not None
