"""Through the whole pipeline: each journey's fitness against a reference BPMN equals pm4py's.

The log goes in as a generic event log CSV (in pm4py's order), the BPMN is the pipeline's
happy path; `mining.journeys.fitness` (aligned once per variant) is compared with
pm4py's `conformance_diagnostics_alignments` on the same cases (default A*).
"""

from __future__ import annotations

import warnings
from pathlib import Path

import pandas as pd
import pm4py
import pytest

from journey_mining.config import load_pipeline
from journey_mining.happy_path import load_happy_path
from journey_mining.mining.conformance import happy_path_model
from journey_mining.pipeline import run_pipeline
from journey_mining.warehouse import connect

pytestmark = [
    pytest.mark.shared_data,
    pytest.mark.filterwarnings("ignore::PendingDeprecationWarning"),
]
CASE, ACTIVITY, TS = "case:concept:name", "concept:name", "time:timestamp"
RECEIPT_CASES = 200  # pm4py's A* on all of receipt takes ~80 s; the first 200 cases by id


def _log(file: Path, first_cases: int | None) -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        log = pm4py.read_xes(str(file), show_progress_bar=False)
    log = log[[CASE, ACTIVITY, TS]].copy()
    log[CASE] = log[CASE].astype(str)
    if first_cases is not None:
        log = log[log[CASE].isin(sorted(log[CASE].unique())[:first_cases])]
    return pm4py.format_dataframe(log, case_id=CASE, activity_key=ACTIVITY, timestamp_key=TS)


def _ours(log: pd.DataFrame, bpmn: Path, goal: str, root: Path) -> dict[str, float]:
    exports = root / "exports"
    exports.mkdir(parents=True)
    goal_line = "" if bpmn.suffix == ".yaml" else f"goal: {goal}\n"
    out = log[[CASE, ACTIVITY, TS]].copy()
    out[TS] = out[TS].dt.strftime("%Y-%m-%dT%H:%M:%S.%f+00:00")
    out.to_csv(exports / "log.csv", index=False)
    (root / "pipeline.yaml").write_text(
        "name: reference\nsources:\n  - {name: log, preset: event_log_csv, path: log.csv}\n"
        f"identity: {{link_on: [case_id]}}\nhappy_path: {bpmn}\n{goal_line}",
        encoding="utf-8",
    )
    run_pipeline(
        load_pipeline(root / "pipeline.yaml"), data_dir=exports, warehouse=root / "w.duckdb"
    )
    con = connect(root / "w.duckdb", read_only=True)
    try:
        rows = con.execute(
            "SELECT m.value, j.fitness FROM mining.journeys j "
            "JOIN mining.identity_map m ON m.customer_id = j.case_id"
        ).fetchall()
    finally:
        con.close()
    return {str(case): float(fitness) for case, fitness in rows}


def _pm4py(log: pd.DataFrame, model_file: Path) -> dict[str, float]:
    if model_file.suffix == ".yaml":
        model = happy_path_model(load_happy_path(model_file))
        net, im, fm = model.net, model.initial_marking, model.final_marking
    else:
        net, im, fm = pm4py.convert_to_petri_net(pm4py.read_bpmn(str(model_file)))
    diagnostics = pm4py.conformance_diagnostics_alignments(
        log,
        net,
        im,
        fm,
        case_id_key=CASE,
        activity_key=ACTIVITY,
        timestamp_key=TS,
        return_diagnostics_dataframe=True,
        show_progress_bar=False,
    )
    return {
        str(c): float(f)
        for c, f in zip(diagnostics["case_id"], diagnostics["fitness"], strict=True)
    }


RUNNING_EXAMPLE_PATH = """
name: textbook request handling
goal: pay compensation
steps:
  - register request
  - any_order: [examine casually, check ticket]
  - decide
  - pay compensation
"""


def test_yaml_happy_path_fitness_equals_pm4py_alignments(shared_data: Path, tmp_path: Path) -> None:
    path = tmp_path / "happy.yaml"
    path.write_text(RUNNING_EXAMPLE_PATH, encoding="utf-8")
    log = _log(shared_data / "running-example.xes", None)
    ours = _ours(log, path, "pay compensation", tmp_path / "run")
    theirs = _pm4py(log, path)
    assert ours == pytest.approx(theirs, abs=1e-12)
    assert sorted(set(theirs.values()))[0] < 1.0  # the path really deviates from some cases


@pytest.mark.parametrize(
    ("log_file", "bpmn_file", "goal", "first_cases"),
    [
        ("running-example.xes", "running-example.bpmn", "pay compensation", None),
        (
            "receipt.xes.gz",
            "receipt.bpmn",
            "T10 Determine necessity to stop indication",
            RECEIPT_CASES,
        ),
    ],
)
def test_journey_fitness_equals_pm4py_alignments(
    shared_data: Path,
    tmp_path: Path,
    log_file: str,
    bpmn_file: str,
    goal: str,
    first_cases: int | None,
) -> None:
    log = _log(shared_data / log_file, first_cases)
    ours = _ours(log, shared_data / bpmn_file, goal, tmp_path)
    theirs = _pm4py(log, shared_data / bpmn_file)
    assert len(ours) == log[CASE].nunique()
    assert ours == pytest.approx(theirs, abs=1e-12)
