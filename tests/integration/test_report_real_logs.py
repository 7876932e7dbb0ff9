"""The report on the real public logs (helpdesk, BPIC 2012): it builds, and the map's edges
at the level with every activity are exactly ``mining.dfg_edges``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from journey_mining.config import load_pipeline
from journey_mining.pipeline import run_pipeline
from journey_mining.report.build import build_payload
from journey_mining.warehouse import connect

pytestmark = [pytest.mark.shared_data, pytest.mark.slow]


@pytest.fixture(scope="module", params=["helpdesk.xes.gz", "bpic2012.xes.gz"])
def built(
    request: pytest.FixtureRequest, shared_data: Path, tmp_path_factory: pytest.TempPathFactory
) -> Any:
    log = shared_data / request.param
    root = tmp_path_factory.mktemp(log.name.split(".")[0])
    (root / "pipeline.yaml").write_text(
        yaml.safe_dump(
            {
                "name": log.name.split(".")[0],
                "warehouse": str(root / "w.duckdb"),
                "sources": [
                    {
                        "name": "log",
                        "preset": "xes_event_log",
                        "path": str(log),
                        "allow_outside_data_dir": True,
                    }
                ],
                "identity": {"link_on": ["case_id"]},
                "outputs": {"report": "report.html"},
            }
        ),
        encoding="utf-8",
    )
    result = run_pipeline(load_pipeline(root / "pipeline.yaml"), data_dir=log.parent)
    con = connect(root / "w.duckdb", read_only=True)
    try:
        yield (
            result,
            build_payload(con),
            con.execute(
                "SELECT source, target, n_transitions, n_cases, median_wait_s FROM mining.dfg_edges ORDER BY ALL"
            ).fetchall(),
        )
    finally:
        con.close()


def test_run_writes_the_report_beside_the_warehouse(built: Any) -> None:
    result, _, _ = built
    page = Path(result.report)
    assert page.name == "report.html" and page.parent == Path(result.warehouse).parent
    assert 0 < page.stat().st_size < 5_000_000


def test_map_edges_equal_dfg_edges(built: Any) -> None:
    _, payload, dfg = built
    edges = payload["map"]["edges"]
    flows = sorted(
        (e["source"], e["target"], e["n_transitions"], e["n_cases"], e["median_wait_s"])
        for e in edges
        if e["kind"] == "flow"
    )
    assert flows == [tuple(r) for r in dfg]
    full = payload["map"]["levels"][-1]
    assert payload["map"]["unconnected"] == []
    assert sorted(
        (edges[i]["source"], edges[i]["target"])
        for i in full["edges"]
        if edges[i]["kind"] == "flow"
    ) == [(r[0], r[1]) for r in dfg]


def test_default_view_is_legible(built: Any) -> None:
    _, payload, _ = built
    level = payload["map"]["levels"][payload["map"]["default_level"]]
    assert level["default_edges"] <= 40
    assert all(key in level["boxes"] for key in level["nodes"])
