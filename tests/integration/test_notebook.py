"""The exploration notebook runs top to bottom on a small demo, using only the public API."""

from __future__ import annotations

import os
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "01_explore_variants.ipynb"


def test_notebook_outputs_are_stripped() -> None:
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    assert all(not cell.get("outputs") for cell in notebook.cells if cell.cell_type == "code")


def test_notebook_uses_only_the_public_api() -> None:
    source = NOTEBOOK.read_text(encoding="utf-8")
    assert "import journey_mining as jm" in source
    assert "from journey_mining" not in source and "import duckdb" not in source


def test_explore_variants_notebook_executes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("JM_DEMO_DIR", str(tmp_path / "demo"))
    monkeypatch.setenv("JM_DEMO_CUSTOMERS", "400")
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    client = NotebookClient(
        notebook,
        timeout=300,
        kernel_name="python3",
        resources={"metadata": {"path": str(tmp_path)}},
    )
    client.execute(env=dict(os.environ))
    outputs = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    first = "".join(o.get("text", "") for o in notebook.cells[1].outputs)
    assert "journeys" in first and "variants cover 80% of journeys" in first
    assert (tmp_path / "demo" / "journeys.duckdb").is_file()
    report = notebook.cells[-1].outputs[0]["data"]
    assert "<iframe srcdoc=" in report["text/html"]  # jm.report(...) displays the report inline
    assert (tmp_path / "demo" / "report.html").is_file()
