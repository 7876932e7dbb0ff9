"""Our variants and directly-follows graph equal pm4py's on real public logs.

Each log is read with pm4py, written as a generic event log CSV in pm4py's own order, run
through our pipeline, and compared with pm4py's get_variants / discover_dfg /
discover_performance_dfg / start and end activities on the same ordered log.
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pm4py
import pytest

from journey_mining.config import load_pipeline
from journey_mining.pipeline import run_pipeline
from journey_mining.warehouse import connect

pytestmark = pytest.mark.shared_data

KEYS = {
    "case_id_key": "case:concept:name",
    "activity_key": "concept:name",
    "timestamp_key": "time:timestamp",
}
LOGS = ["running-example.xes", "receipt.xes.gz", "helpdesk.xes.gz", "bpic2012.xes.gz"]


def _pm4py_log(file: Path) -> pd.DataFrame:
    frame = pm4py.read_xes(str(file), return_legacy_log_object=False)
    frame = frame[list(KEYS.values())].copy()
    frame["case:concept:name"] = frame["case:concept:name"].astype(str)
    return pm4py.format_dataframe(
        frame,
        case_id=KEYS["case_id_key"],
        activity_key=KEYS["activity_key"],
        timestamp_key=KEYS["timestamp_key"],
    )


@pytest.fixture(scope="module", params=LOGS)
def both(
    request: pytest.FixtureRequest, shared_data: Path, tmp_path_factory: pytest.TempPathFactory
):
    log = _pm4py_log(shared_data / request.param)
    root = tmp_path_factory.mktemp(request.param.split(".")[0])
    exports = root / "exports"
    exports.mkdir()
    ordered = log[list(KEYS.values())].copy()
    ordered["time:timestamp"] = ordered["time:timestamp"].dt.strftime("%Y-%m-%dT%H:%M:%S.%f+00:00")
    ordered.to_csv(exports / "log.csv", index=False)
    (root / "pipeline.yaml").write_text(
        "name: real\nsources:\n  - {name: log, preset: event_log_csv, path: log.csv}\n"
        "identity: {link_on: [case_id]}\n",
        encoding="utf-8",
    )
    run_pipeline(
        load_pipeline(root / "pipeline.yaml"), data_dir=exports, warehouse=root / "w.duckdb"
    )
    con = connect(root / "w.duckdb", read_only=True)
    yield log, con
    con.close()


def test_variants_equal_pm4py(both) -> None:
    log, con = both
    ours = {
        tuple(a): n
        for a, n in con.execute("SELECT activities, n_cases FROM mining.variants").fetchall()
    }
    theirs = {tuple(v): n for v, n in pm4py.get_variants(log, **KEYS).items()}
    assert ours == theirs


def test_dfg_and_endpoints_equal_pm4py(both) -> None:
    log, con = both
    dfg, starts, ends = pm4py.discover_dfg(log, **KEYS)
    ours = {
        (s, t): n
        for s, t, n in con.execute(
            "SELECT source, target, n_transitions FROM mining.dfg_edges"
        ).fetchall()
    }
    assert ours == dict(dfg)
    endpoints = con.execute("SELECT kind, activity, n_cases FROM mining.endpoints").fetchall()
    assert {a: n for k, a, n in endpoints if k == "start"} == dict(starts)
    assert {a: n for k, a, n in endpoints if k == "end"} == dict(ends)


def test_performance_dfg_equals_pm4py(both) -> None:
    log, con = both
    performance, _, _ = pm4py.discover_performance_dfg(log, **KEYS)
    rows = con.execute(
        "SELECT source, target, median_wait_s, mean_wait_s, min_wait_s, max_wait_s FROM mining.dfg_edges"
    ).fetchall()
    assert len(rows) == len(performance)
    for source, target, median, mean, low, high in rows:
        theirs = performance[(source, target)]
        assert math.isclose(median, theirs["median"], rel_tol=1e-9, abs_tol=1e-6), (source, target)
        assert math.isclose(mean, theirs["mean"], rel_tol=1e-9, abs_tol=1e-6), (source, target)
        assert math.isclose(low, theirs["min"], abs_tol=1e-6)
        assert math.isclose(high, theirs["max"], abs_tol=1e-6)
