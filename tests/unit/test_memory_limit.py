"""A cap on DuckDB's memory, from the pipeline or the command line, validated before use."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from journey_mining.cli import app
from journey_mining.config import load_pipeline
from journey_mining.errors import ConfigError
from journey_mining.warehouse import connect
from tests.conftest import TinyProject

LOG = """
case:concept:name,concept:name,time:timestamp
c1,signed_up,2025-01-01 09:00:00
c1,upgraded,2025-01-02 09:00:00
"""


@pytest.fixture
def project(tiny: TinyProject) -> TinyProject:
    tiny.file("log.csv", LOG)
    tiny.pipeline(
        {
            "sources": [{"name": "log", "preset": "event_log_csv", "path": "log*.csv"}],
            "identity": {"link_on": ["case_id"]},
            "memory_limit": "256MB",
        }
    )
    return tiny


def test_a_pipeline_runs_within_its_memory_limit(project: TinyProject) -> None:
    assert project.run().journeys == 1


def test_the_limit_is_set_on_the_connection(tmp_path: Path) -> None:
    con = connect(tmp_path / "w.duckdb", memory_limit="256MB")
    try:
        (limit,) = con.execute("SELECT current_setting('memory_limit')").fetchone()  # type: ignore[misc]
    finally:
        con.close()
    assert limit in ("244.1 MiB", "256.0 MB", "256MB")


def test_a_limit_that_is_no_size_names_the_value_and_the_fix(project: TinyProject) -> None:
    config = yaml.safe_load(project.pipeline_file.read_text(encoding="utf-8"))
    config["memory_limit"] = "lots'; DROP TABLE x; --"
    project.pipeline_file.write_text(yaml.safe_dump(config), encoding="utf-8")
    with pytest.raises(ConfigError, match=r"memory limit .*lots.* Fix: write a number and a unit"):
        load_pipeline(project.pipeline_file)


def test_the_command_line_limit_is_checked_too(project: TinyProject) -> None:
    result = CliRunner().invoke(
        app,
        [
            "run",
            str(project.pipeline_file),
            "--data-dir",
            str(project.exports),
            "--memory-limit",
            "2 gigs",
            "-q",
        ],
    )
    assert result.exit_code != 0
    assert "memory limit '2 gigs' is not a size" in result.output
    assert not project.warehouse.exists()
