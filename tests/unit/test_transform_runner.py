"""The transform as declared models: one table per SQL file, one runner, every stage timed."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import duckdb
import pytest

import journey_mining.pipeline as pipeline_module
from journey_mining.errors import JourneyMiningError, UnknownActivity, WarehouseError
from journey_mining.resources import resource_dir
from journey_mining.transform import Model, plan, sql_model, transform_models
from journey_mining.transform.graph import render_model_graph
from journey_mining.transform.models import created, header, model_files, referenced
from tests.conftest import EVENT_LOG_SOURCE, TinyProject

LOG = """
case:concept:name,concept:name,time:timestamp
c1,a,2024-01-01T10:00:00Z
c1,b,2024-01-01T11:00:00Z
c2,a,2024-01-01T10:00:00Z
"""


def _model(name: str, reads: tuple[str, ...] = (), updates: tuple[str, ...] = ()) -> Model:
    return Model(
        name=name,
        layer="marts",
        materialisation="table",
        grain="g",
        reads=reads,
        writes=(name,),
        run=lambda con, context: None,
        updates=updates,
    )


def test_plan_orders_by_what_models_read_not_by_the_list() -> None:
    models = [
        _model("mining.c", reads=("mining.b", "mining.a")),
        _model("mining.b", reads=("mining.a",)),
        _model("mining.a"),
    ]
    assert [m.name for m in plan(models)] == ["mining.a", "mining.b", "mining.c"]


def test_a_reader_of_an_updated_table_runs_after_the_update() -> None:
    models = [
        _model("mining.reader", reads=("mining.t",)),
        _model("mining.t"),
        _model("mining.updater", reads=("mining.t",), updates=("mining.t",)),
    ]
    assert [m.name for m in plan(models)] == ["mining.t", "mining.updater", "mining.reader"]


def test_a_cycle_is_refused_naming_its_models() -> None:
    models = [_model("mining.x", reads=("mining.y",)), _model("mining.y", reads=("mining.x",))]
    with pytest.raises(JourneyMiningError, match=r"\['mining.x', 'mining.y'\].*cycle"):
        plan(models)


def test_every_sql_model_is_one_table_named_after_its_file_with_a_header() -> None:
    files = model_files()
    assert len(files) >= 30
    for relative in files:
        text = (resource_dir("sql") / relative).read_text(encoding="utf-8")
        stem = relative.rsplit("/", 1)[-1].removesuffix(".sql")
        assert created(text).split(".")[1] == stem, relative
        assert header(text).get("grain"), relative
        assert header(text).get("materialisation", "").split(" (")[0].split(",")[0] in (
            "table",
            "temp table",
            "view",
        ), relative


def test_a_sql_model_reads_what_it_names() -> None:
    model = sql_model("marts/journeys.sql")
    assert model.name == "mining.journeys"
    assert model.writes == ("mining.journeys",)
    assert set(model.reads) == {
        "meta.happy_path_steps",
        "mining.journey_steps",
        "temp.int_journey_facts",
        "temp.int_journey_paths",
        "temp.int_journey_status",
        "temp.int_variant_alignments",
    }
    assert referenced("SELECT 1 -- FROM mining.not_read\nFROM temp.x") == ("temp.x",)


def test_the_transform_plan_builds_every_table_after_its_inputs() -> None:
    ordered = [m.name for m in plan(transform_models())]
    assert ordered[0] == "declarations"
    position = {name: i for i, name in enumerate(ordered)}
    assert position["identity"] < position["mining.customers"] < position["mining.journey_events"]
    assert position["alignments"] < position["mining.journeys"] < position["mining.variants"]
    assert position["mining.variants"] < position["findings"]
    # the big staging table is read for the last time before the journeys are aggregated
    last_int_rows = max(
        i for i, m in enumerate(plan(transform_models())) if "temp.int_rows" in m.reads
    )
    assert last_int_rows < position["temp.int_journey_paths"]


def test_every_stage_of_a_run_is_recorded(event_log: Callable[..., TinyProject]) -> None:
    project = event_log(LOG, {"name": "ab", "goal": "b", "steps": ["a", "b"]})
    result = project.run()
    con = project.connect()
    try:
        rows = con.execute(
            "SELECT stage, kind, status, rows_written FROM mining.run_stages "
            "WHERE run_id = ? ORDER BY seq",
            [result.run_id],
        ).fetchall()
        timings = con.execute(
            "SELECT bool_and(wall_s >= 0 AND cpu_s >= 0 AND peak_rss_mb > 0) FROM mining.run_stages"
        ).fetchone()
    finally:
        con.close()
    stages = {stage: (kind, status, written) for stage, kind, status, written in rows}
    assert rows[0][:2] == ("load", "load")
    assert stages["mining.journey_events"] == ("python", "ok", 3)
    assert stages["mining.journeys"] == ("sql", "ok", 2)
    assert stages["mining.variants"] == ("sql", "ok", 2)
    assert stages["mining.dfg_edges"] == ("sql", "ok", 1)
    assert stages["sql tests"] == ("test", "ok", None)
    assert rows[-1][0] == "discovery"
    assert len(rows) == len(transform_models()) + 3  # load, the models, tests, discovery
    assert timings == (True,)


def test_a_duckdb_error_in_a_model_names_the_model_and_rolls_back(
    event_log: Callable[..., TinyProject], monkeypatch: pytest.MonkeyPatch
) -> None:
    project = event_log(LOG, {"name": "ab", "goal": "b", "steps": ["a", "b"]})
    project.run()
    models = transform_models()

    def failing(con: duckdb.DuckDBPyConnection, context: object) -> None:
        con.execute("SELECT 1 / 'x'")

    patched = [replace(m, run=failing) if m.name == "mining.handoffs" else m for m in models]
    monkeypatch.setattr(pipeline_module, "transform_models", lambda: patched)
    with pytest.raises(
        WarehouseError, match=r"^model mining.handoffs: Could not convert string 'x'"
    ):
        project.run()
    assert project.rows("SELECT count(*) FROM mining.journeys") == [(2,)]


def test_a_happy_path_naming_an_activity_no_mapping_produces_fails_before_any_work(
    tiny: TinyProject,
) -> None:
    tiny.file("log.csv", LOG)
    tiny.pipeline(
        {
            "sources": [EVENT_LOG_SOURCE],
            "identity": {"link_on": ["case_id"]},
            "unmapped": "drop",
            "activities": {"log": {"a": {"activity": "applied"}, "b": {"activity": "bought"}}},
        },
        {"name": "ab", "goal": "bougth", "steps": ["applied", "bougth"]},
    )
    with pytest.raises(UnknownActivity, match=r"'bougth' \(closest: 'bought'\)"):
        tiny.run()
    assert not tiny.warehouse.exists()


def test_the_model_graph_in_the_docs_is_current() -> None:
    docs = resource_dir("sql").parent / "docs" / "models.md"
    assert docs.read_text(encoding="utf-8") == render_model_graph(), (
        "docs/models.md is out of date: run "
        "'.venv/bin/python -m journey_mining.transform.graph docs/models.md'"
    )
