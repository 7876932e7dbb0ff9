"""The demo's HTML report: every number on the page comes from the warehouse, and it renders.

The page's embedded data is compared with the contract tables; the page is then opened in
Debian's headless Chromium (DevTools protocol), which must log no console error and send no
request but the file itself, and screenshots of the map (both views), the overlay, the
variant explorer and the journey map are written and checked for content. With
``JM_README_SCREENSHOT=1`` the test also writes ``docs/images/report.png`` (the README's).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import duckdb
import pytest
from PIL import Image

import journey_mining as jm
from journey_mining.warehouse import connect
from tests.chromium import Browser, chromium_path

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> jm.DemoResult:
    return jm.demo(tmp_path_factory.mktemp("report-demo"), customers=1500)


@pytest.fixture(scope="module")
def page(demo: jm.DemoResult) -> Path:
    assert demo.report is not None, "the demo pipeline's outputs.report was not written"
    return Path(demo.report)


@pytest.fixture(scope="module")
def data(page: Path) -> dict[str, Any]:
    html = page.read_text(encoding="utf-8")
    match = re.search(r'<script type="application/json" id="jm-data">(.*?)</script>', html, re.S)
    assert match is not None
    return dict(json.loads(match.group(1).replace("<\\/", "</")))


@pytest.fixture
def con(demo: jm.DemoResult):  # type: ignore[no-untyped-def]
    connection = connect(demo.warehouse, read_only=True)
    yield connection
    connection.close()


def _rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[tuple[Any, ...]]:
    return [tuple(r) for r in con.execute(sql).fetchall()]


def test_map_edges_equal_dfg_edges(data: dict[str, Any], con: duckdb.DuckDBPyConnection) -> None:
    ours = sorted(
        (
            e["source"],
            e["target"],
            e["n_transitions"],
            e["n_cases"],
            e["median_wait_s"],
            e["p90_wait_s"],
        )
        for e in data["map"]["edges"]
        if e["kind"] == "flow"
    )
    assert ours == _rows(
        con,
        "SELECT source, target, n_transitions, n_cases, median_wait_s, p90_wait_s "
        "FROM mining.dfg_edges ORDER BY ALL",
    )


def test_start_and_end_edges_equal_endpoints(
    data: dict[str, Any], con: duckdb.DuckDBPyConnection
) -> None:
    ours = sorted(
        (e["kind"], e["target"] if e["kind"] == "start" else e["source"], e["n_cases"])
        for e in data["map"]["edges"]
        if e["kind"] in ("start", "end")
    )
    assert ours == _rows(con, "SELECT kind, activity, n_cases FROM mining.endpoints ORDER BY ALL")


def test_activity_counts_equal_the_events(
    data: dict[str, Any], con: duckdb.DuckDBPyConnection
) -> None:
    ours = sorted(
        (n["name"], n["n_events"], n["n_cases"]) for n in data["map"]["nodes"] if not n.get("ghost")
    )
    assert ours == _rows(
        con,
        "SELECT activity, count(*), count(DISTINCT case_id) "
        "FROM mining.journey_events GROUP BY activity ORDER BY ALL",
    )


def test_variants_are_the_contract_rows(
    data: dict[str, Any], con: duckdb.DuckDBPyConnection
) -> None:
    table = {
        r[0]: r
        for r in _rows(
            con,
            "SELECT rank, variant_id, activities, n_cases, share, fitness, fits_path "
            "FROM mining.variants",
        )
    }
    shown = {
        v["rank"]: (
            v["rank"],
            v["variant_id"],
            v["activities"],
            v["n_cases"],
            v["share"],
            v["fitness"],
            v["fits_path"],
        )
        for v in data["variants"]["rows"]
    }
    assert set(range(1, min(300, len(table)) + 1)) <= set(shown)
    assert all(shown[rank] == table[rank] for rank in shown)


def test_funnel_is_the_contract_rows(data: dict[str, Any], con: duckdb.DuckDBPyConnection) -> None:
    funnel = [
        (r["step_no"], r["reached"], r["went_on"], r["stopped"], r["median_s_from_previous"])
        for r in data["funnel"]["rows"]
    ]
    assert funnel == _rows(
        con,
        "SELECT step_no, reached, went_on, stopped, median_s_from_previous FROM mining.funnel ORDER BY step_no",
    )


def test_findings_are_the_contract_rows(
    data: dict[str, Any], con: duckdb.DuckDBPyConnection
) -> None:
    table = _rows(
        con,
        "SELECT finding_id, rank, n_exposed, difference, difference_low, loss, q_value "
        "FROM mining.friction WHERE segment IS NULL ORDER BY ALL",
    )
    assert len(table) <= 200  # the demo's findings all fit on the page
    shown = sorted(
        (
            f["finding_id"],
            f["rank"],
            f["n_exposed"],
            f["difference"],
            f["difference_low"],
            f["loss"],
            f["q_value"],
        )
        for f in data["findings"]["rows"]
    )
    assert shown == table and data["findings"]["n_findings"] == len(table)


def test_headline_figures_equal_the_tables(
    data: dict[str, Any], con: duckdb.DuckDBPyConnection
) -> None:
    head = data["headline"]
    assert (head["journeys"], head["events"], head["variants"]) == _rows(
        con,
        "SELECT (SELECT count(*) FROM mining.journeys), (SELECT count(*) FROM mining.journey_events), "
        "(SELECT count(*) FROM mining.variants)",
    )[0]


def test_representative_journeys_cover_every_journey(
    data: dict[str, Any], con: duckdb.DuckDBPyConnection
) -> None:
    groups = data["journey_map"]["groups"]
    assert 1 < len(groups) <= 5
    assert (
        sum(g["n_journeys"] for g in groups)
        == _rows(con, "SELECT count(*) FROM mining.journeys")[0][0]
    )
    medoids = {g["medoid"]: g["activities"] for g in groups}
    assert medoids == dict(
        _rows(
            con,
            "SELECT variant_id, activities FROM mining.variants WHERE variant_id IN "
            f"({', '.join(repr(m) for m in medoids)})",
        )
    )


def test_page_is_self_contained(page: Path) -> None:
    html = page.read_text(encoding="utf-8")
    assert page.stat().st_size < 5_000_000
    markup = re.sub(
        r"<script[^>]*>.*?</script>", "", html, flags=re.S
    )  # BokehJS names URLs it never loads
    assert not re.search(
        r"""(src|href)\s*=\s*["']?(https?:)?//|@import|url\(\s*["']?https?:""", markup
    )
    assert "Content-Security-Policy" in html


@pytest.fixture(scope="module")
def browser() -> Any:
    if chromium_path() is None and shutil.which("apt-get") and os.geteuid() == 0:
        subprocess.run(
            ["apt-get", "install", "-y", "-qq", "chromium"], check=False, capture_output=True
        )
    if chromium_path() is None:
        pytest.skip(
            "Debian's chromium is not installed and could not be installed (apt-get install chromium)"
        )
    with Browser(width=1400, height=1000) as running:
        yield running


def _content(png: Path) -> tuple[int, float]:
    """Distinct colours and the share of pixels that are not background-white."""
    image = Image.open(png).convert("RGB")
    small = image.resize((image.width // 4, image.height // 4))
    pixels = list(small.getdata())
    inked = sum(1 for p in pixels if sum(p) < 720) / len(pixels)
    return len(set(pixels)), inked


def test_report_renders_without_errors_or_requests(
    browser: Browser, page: Path, tmp_path: Path
) -> None:
    browser.open(page)
    assert browser.console_errors == []
    assert [r for r in browser.requests if r != page.resolve().as_uri()] == []
    assert (
        browser.evaluate(
            "document.querySelectorAll('#funnel-chart canvas, #funnel-chart div').length"
        )
        > 0
    )


def test_map_views_overlay_and_variant_highlight(
    browser: Browser, page: Path, data: dict[str, Any], tmp_path: Path
) -> None:
    browser.open(page)
    shots = Path(os.environ.get("JM_SCREENSHOT_DIR", tmp_path))
    shots.mkdir(parents=True, exist_ok=True)
    default_edges = browser.evaluate("JM.test.visibleEdges()")
    assert 0 < default_edges <= 40
    assert browser.evaluate("JM.test.visibleNodes()") >= 10
    browser.screenshot(shots / "map_frequency.png", "#map-section")
    fewer = browser.evaluate("JM.test.setPaths(0)")
    more = browser.evaluate("JM.test.setPaths(100)")
    assert fewer < default_edges < more
    assert more == len(
        [e for e in data["map"]["edges"] if e["kind"] == "flow"]
    )  # all activities: every dfg edge
    assert browser.evaluate("JM.test.setLevel(0)") < browser.evaluate("JM.test.setLevel(100)")
    browser.evaluate(f"JM.test.setLevel({data['map']['default_level']})")
    browser.evaluate("JM.test.setView('performance')")
    browser.screenshot(shots / "map_performance.png", "#map-section")
    browser.evaluate("JM.test.setView('frequency'); JM.test.setOverlay(true)")
    assert browser.evaluate("document.querySelectorAll('#map [data-path=\"expected\"]').length") > 0
    assert browser.evaluate("document.querySelectorAll('#map [data-path=\"off\"]').length") > 0
    browser.screenshot(shots / "map_overlay.png", "#map-section")
    browser.evaluate("JM.test.setOverlay(false)")
    assert browser.evaluate("JM.test.highlighted()") == 0
    browser.evaluate("document.querySelector('#variants tr[data-rank=\"1\"]').click()")
    top = data["variants"]["rows"][0]["activities"]
    assert browser.evaluate("JM.test.highlighted()") == len(
        set(zip(["START", *top], [*top, "END"], strict=True))
    )
    browser.screenshot(shots / "map_variant.png", "#map-section")
    browser.screenshot(shots / "variants.png", "#variants-section")
    browser.evaluate("document.querySelector('#groups button:nth-child(2)').click()")
    browser.screenshot(shots / "journey_map.png", "#journey-section")
    assert browser.console_errors == []
    for name in (
        "map_frequency",
        "map_performance",
        "map_overlay",
        "map_variant",
        "variants",
        "journey_map",
    ):
        colours, inked = _content(shots / f"{name}.png")
        assert colours > 20 and inked > 0.02, name
    if os.environ.get("JM_README_SCREENSHOT"):
        browser.evaluate("document.getElementById('clear').click()")
        browser.evaluate(
            f"JM.test.setLevel({data['map']['default_level']}); JM.go({{node: '{top[0]}'}})"
        )
        target = ROOT / "docs" / "images" / "report.png"
        target.parent.mkdir(parents=True, exist_ok=True)
        browser.screenshot(shots / "readme.png", "#map-section")
        image = Image.open(shots / "readme.png").convert("RGB")
        image.quantize(colors=192, method=Image.Quantize.MEDIANCUT).save(target, optimize=True)


def test_six_questions_mix_equals_the_events(
    data: dict[str, Any], con: duckdb.DuckDBPyConnection
) -> None:
    ours = sorted(
        (m["activity"], m["value"], m["n_events"]) for m in data["mix"] if m["dimension"] == "team"
    )
    table = _rows(
        con,
        "SELECT activity, team, count(*) FROM mining.journey_events "
        "WHERE team IS NOT NULL GROUP BY ALL ORDER BY ALL",
    )
    assert ours == table  # the demo has at most 5 teams per activity: none is cut
    first = data["questions"]["steps"][0]
    reached = _rows(
        con,
        "SELECT attribute, sum(reached) FROM mining.segment_funnel WHERE step_no = 1 GROUP BY ALL ORDER BY ALL",
    )
    assert sorted((a, v["n_reached"]) for a, v in first["who"].items()) == reached
