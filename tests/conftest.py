"""Shared fixtures: tiny pipelines written to tmp_path, the real logs in ../shared/data."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import pytest
import yaml

from journey_mining.config import load_pipeline
from journey_mining.pipeline import RunResult, run_pipeline
from journey_mining.warehouse import connect

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The real public logs beside the project; tests using them skip when it is absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip(
            "../shared/data is absent: the real public logs are not shipped with the project"
        )
    return SHARED_DATA


def write(path: Path, text: str) -> Path:
    """Write dedented text (creating folders) and return the path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


class TinyProject:
    """A pipeline in a temporary folder: export files, pipeline YAML, happy path, warehouse."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.exports = root / "exports"
        self.warehouse = root / "warehouse.duckdb"
        self.pipeline_file = root / "pipeline.yaml"

    def file(self, relative: str, text: str) -> Path:
        return write(self.exports / relative, text)

    def pipeline(self, config: dict[str, Any], happy_path: dict[str, Any] | None = None) -> Path:
        data = {"name": "tiny", "warehouse": str(self.warehouse), **config}
        if happy_path is not None:
            (self.root / "happy.yaml").write_text(yaml.safe_dump(happy_path), encoding="utf-8")
            data["happy_path"] = "happy.yaml"
        self.pipeline_file.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
        return self.pipeline_file

    def run(self) -> RunResult:
        return run_pipeline(load_pipeline(self.pipeline_file), data_dir=self.exports)

    def connect(self) -> duckdb.DuckDBPyConnection:
        return connect(self.warehouse, read_only=True)

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        con = self.connect()
        try:
            return con.execute(sql).fetchall()
        finally:
            con.close()


@pytest.fixture
def tiny(tmp_path: Path) -> TinyProject:
    return TinyProject(tmp_path)


EVENT_LOG_SOURCE = {"name": "log", "preset": "event_log_csv", "path": "log*.csv"}


@pytest.fixture
def event_log(tiny: TinyProject) -> Callable[..., TinyProject]:
    """A TinyProject over one generic event log CSV (case, activity, timestamp)."""

    def build(csv_text: str, happy_path: dict[str, Any] | None = None) -> TinyProject:
        tiny.file("log.csv", csv_text)
        tiny.pipeline(
            {"sources": [EVENT_LOG_SOURCE], "identity": {"link_on": ["case_id"]}}, happy_path
        )
        return tiny

    return build
