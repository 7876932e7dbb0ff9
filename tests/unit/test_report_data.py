"""The report's embedded data on a tiny log: exact numbers, and what happens when columns are missing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import pytest

from journey_mining.report.build import build_payload
from journey_mining.report.page import embed_json, render_page
from journey_mining.warehouse import connect
from tests.conftest import EVENT_LOG_SOURCE, TinyProject

LOG = """
case:concept:name,concept:name,time:timestamp
1,a,2024-01-01T10:00:00Z
1,b,2024-01-01T11:00:00Z
1,c,2024-01-01T13:00:00Z
2,a,2024-01-02T10:00:00Z
2,b,2024-01-02T12:00:00Z
2,c,2024-01-02T13:00:00Z
3,a,2024-01-03T10:00:00Z
3,c,2024-01-03T20:00:00Z
"""
HAPPY_PATH = {"name": "abc", "goal": "c", "steps": ["a", "b", "c"]}


def _project(root: Path) -> TinyProject:
    tiny = TinyProject(root)
    tiny.file("log.csv", LOG)
    tiny.pipeline({"sources": [EVENT_LOG_SOURCE], "identity": {"link_on": ["case_id"]}}, HAPPY_PATH)
    tiny.run()
    return tiny


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[TinyProject, dict[str, Any]]:
    tiny = _project(tmp_path_factory.mktemp("tiny-report"))
    return tiny, _payload(tiny)


@pytest.fixture
def project(tmp_path: Path) -> TinyProject:
    return _project(tmp_path)


def _payload(project: TinyProject) -> dict[str, Any]:
    con = connect(project.warehouse, read_only=True)
    try:
        return build_payload(con)
    finally:
        con.close()


def test_map_edges_are_the_dfg_edges_with_start_and_end(
    built: tuple[TinyProject, dict[str, Any]],
) -> None:
    _, payload = built
    edges = payload["map"]["edges"]
    flows = {
        (e["source"], e["target"]): (e["n_transitions"], e["n_cases"], e["median_wait_s"])
        for e in edges
        if e["kind"] == "flow"
    }
    assert flows == {
        ("a", "b"): (2, 2, 5400.0),
        ("b", "c"): (2, 2, 5400.0),
        ("a", "c"): (1, 1, 36000.0),
    }
    assert [
        (e["kind"], e["source"], e["target"], e["n_cases"]) for e in edges if e["kind"] != "flow"
    ] == [("start", "START", "a", 3), ("end", "c", "END", 3)]


def test_nodes_count_events_and_journeys(built: tuple[TinyProject, dict[str, Any]]) -> None:
    _, payload = built
    nodes = {
        n["name"]: (n["n_events"], n["n_cases"], n["share"], n["step_no"])
        for n in payload["map"]["nodes"]
    }
    assert nodes == {"a": (3, 3, 1.0, 1), "b": (2, 2, 2 / 3, 2), "c": (3, 3, 1.0, 3)}


def test_overlay_classes_expected_and_off_path_edges(
    built: tuple[TinyProject, dict[str, Any]],
) -> None:
    _, payload = built
    edges = payload["map"]["edges"]
    assert {
        (e["source"], e["target"]): e["path"] for e in edges if e["kind"] in ("flow", "start")
    } == {
        ("a", "b"): "expected",
        ("b", "c"): "expected",
        ("a", "c"): "off",
        ("START", "a"): "expected",
    }
    assert not [e for e in edges if e["kind"] == "ghost"]


def test_full_level_shows_every_edge_and_its_skeleton_first(
    built: tuple[TinyProject, dict[str, Any]],
) -> None:
    _, payload = built
    level = payload["map"]["levels"][-1]
    edges = payload["map"]["edges"]
    assert len(level["edges"]) == len(edges)
    assert [
        (edges[i]["source"], edges[i]["target"]) for i in level["edges"][: level["n_skeleton"]]
    ] == [("START", "a"), ("c", "END"), ("a", "b"), ("b", "c")]
    assert set(level["boxes"]) == {"n0", "n1", "n2", "s", "e"} and len(level["routes"]) == 5


def test_representative_journeys_stand_for_every_journey(
    built: tuple[TinyProject, dict[str, Any]],
) -> None:
    _, payload = built
    groups = payload["journey_map"]["groups"]
    assert [(g["activities"], g["n_journeys"], g["n_variants"]) for g in groups] == [
        (["a", "b", "c"], 2, 1),
        (["a", "c"], 1, 1),
    ]
    touch = {
        t["activity"]: (t["n_journeys"], t["reach"], t["median_since_start_s"])
        for t in groups[0]["touchpoints"]
    }
    assert touch == {"a": (2, 1.0, 0.0), "b": (2, 1.0, 5400.0), "c": (2, 1.0, 10800.0)}


def test_six_questions_say_what_the_exports_do_not_carry(
    built: tuple[TinyProject, dict[str, Any]],
) -> None:
    _, payload = built
    questions = payload["questions"]
    assert set(questions["missing"]) == {"resource", "rating", "third_party"}
    step = questions["steps"][0]
    assert step["system"] == {"values": [["event_log", 3]], "n_events": 3, "n_values": 1}


def test_funnel_and_variants_are_the_contract_rows(
    built: tuple[TinyProject, dict[str, Any]],
) -> None:
    project, payload = built
    con = project.connect()
    try:
        funnel = con.execute(
            "SELECT step_no, reached, stopped FROM mining.funnel ORDER BY step_no"
        ).fetchall()
        variants = con.execute(
            "SELECT rank, n_cases, share FROM mining.variants ORDER BY rank"
        ).fetchall()
    finally:
        con.close()
    assert [(r["step_no"], r["reached"], r["stopped"]) for r in payload["funnel"]["rows"]] == funnel
    assert [(v["rank"], v["n_cases"], v["share"]) for v in payload["variants"]["rows"]] == variants


def test_missing_finding_and_funnel_columns_are_noted_not_fatal(project: TinyProject) -> None:
    con = duckdb.connect(str(project.warehouse))
    con.execute("ALTER TABLE mining.friction DROP COLUMN difference_low")
    con.execute("ALTER TABLE mining.funnel DROP COLUMN went_on")
    con.execute("DROP TABLE mining.segment_funnel")
    con.close()
    payload = _payload(project)
    assert "difference_low" in payload["findings"]["missing"]
    assert "went_on" in payload["funnel"]["missing"]
    assert any("segment_funnel" in note for note in payload["notes"])
    assert payload["charts"]["funnel"] is not None
    assert "<html" in render_page(payload)


def test_without_findings_table_the_page_still_builds(project: TinyProject) -> None:
    con = duckdb.connect(str(project.warehouse))
    con.execute("DROP TABLE mining.friction")
    con.close()
    payload = _payload(project)
    assert payload["findings"]["rows"] == [] and "label" in payload["findings"]["missing"]


def test_embedded_json_cannot_close_its_script_element() -> None:
    assert "</script" not in embed_json({"x": "</script><script>alert(1)</script>"})
