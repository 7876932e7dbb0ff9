"""One measured stage of the benchmark, run by ``bench/run.py`` in a fresh process.

``run.py`` starts this script once per measurement, reads the peak RSS and CPU time of the
process from ``os.wait4`` and the stage's own timings from the JSON file written to ``--out``.
Routes:

* ``ours``   — ``run_pipeline`` on the benchmark pipeline, untouched; the time, CPU time, rows
  and peak RSS of each stage (every model of the transform) read from the run's
  ``mining.run_stages``, grouped into the bench's stages; optionally under pyinstrument.
* ``pm4py``  — pandas ``read_parquet`` → ``pm4py.format_dataframe`` → one pm4py step
  (``load`` only, ``dfg``, ``variants``, ``alignments``, ``tbr``); what it found is pickled to
  ``--dump`` for the equality check.
* ``floor``  — DuckDB alone on the Parquet file: ``sort`` by (case, ts, row), or ``query``,
  one query computing the DFG, the performance DFG and the variants.

Example:
    .venv/bin/python bench/stage.py ours --data-dir bench/data/1e5 --warehouse /tmp/w.duckdb --out /tmp/o.json
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import shutil
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
PIPELINE = BENCH_DIR / "pipeline.yaml"
HAPPY_PATH = BENCH_DIR / "happy_path.yaml"

#: the bench's stage groups: each model of mining.run_stages counts in the first group whose
#: models it is listed under (by name), else in "marts"
STAGE_GROUPS = (
    ("load", ("load",)),
    ("staging", ("declarations", "temp.int_rows")),
    (
        "stitch",
        (
            "identity",
            "temp.int_node_customers",
            "temp.int_anchors",
            "mining.identity_map",
            "mining.customers",
            "mining.shared_identifiers",
            "meta.source_events",
        ),
    ),
    ("journeys", ("mining.journey_events",)),
    (
        "variants+DFG",
        (
            "temp.int_journey_paths",
            "temp.int_variants",
            "mining.dfg_edges",
            "mining.endpoints",
            "mining.customer_attributes",
            "mining.stitching",
        ),
    ),
    ("conformance", ("alignments",)),
    ("funnel", ("temp.int_path_events", "temp.int_step_reached", "temp.int_variant_path")),
    ("findings", ("findings",)),
    ("tests", ("sql tests",)),
    ("discovery", ("discovery",)),
)
STAGE_ORDER = [
    "setup",
    *(g for g, _ in STAGE_GROUPS[:7]),
    "deviations+marts",
    *(g for g, _ in STAGE_GROUPS[7:]),
    "end",
]


def _group(stage: str) -> str:
    return next((g for g, names in STAGE_GROUPS if stage in names), "deviations+marts")


def read_run_stages(warehouse: Path, run_id: str) -> list[dict[str, Any]]:
    """The run's measured stages, from the warehouse's ``mining.run_stages``."""
    import duckdb

    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        cursor = con.execute(
            "SELECT seq, stage, kind, status, wall_s, cpu_s, rows_written, peak_rss_mb, duckdb_mb "
            "FROM mining.run_stages WHERE run_id = ? ORDER BY seq",
            [run_id],
        )
        columns = [d[0] for d in cursor.description]
        return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
    finally:
        con.close()


def run_ours(args: argparse.Namespace) -> dict[str, Any]:
    """Our pipeline, untouched; its stages as it recorded them in ``mining.run_stages``."""
    import journey_mining.pipeline as pipeline_module
    from journey_mining.config import load_pipeline

    warehouse = Path(args.warehouse)
    if args.fresh:
        for file in warehouse.parent.glob(warehouse.name + "*"):
            if file.is_dir():  # DuckDB's spill folder (<warehouse>.tmp)
                shutil.rmtree(file)
            else:
                file.unlink()
    profiler = None
    if args.pyinstrument:
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.005)
        profiler.start()
    started, started_cpu = time.perf_counter(), time.process_time()
    pipeline = load_pipeline(PIPELINE)
    result = pipeline_module.run_pipeline(
        pipeline,
        data_dir=Path(args.data_dir),
        warehouse=warehouse,
        outputs_dir=warehouse.parent,
        memory_limit=args.memory_limit,
    )
    finished, finished_cpu = time.perf_counter(), time.process_time()
    if profiler is not None:
        profiler.stop()
        Path(args.pyinstrument).write_text(
            profiler.output_text(unicode=True, color=False, show_all=False, short_mode=False)
        )
    models = read_run_stages(warehouse, result.run_id)
    stages: dict[str, dict[str, float]] = {}
    for record in models:
        entry = stages.setdefault(
            _group(record["stage"]), {"seconds": 0.0, "cpu_seconds": 0.0, "peak_mb": 0.0}
        )
        entry["seconds"] += record["wall_s"]
        entry["cpu_seconds"] += record["cpu_s"]
        entry["peak_mb"] = max(entry["peak_mb"], record["peak_rss_mb"])
    measured = sum(r["wall_s"] for r in models)
    stages["setup"] = {  # config, model, connect, bookkeeping: what no stage measured
        "seconds": max(finished - started - measured, 0.0),
        "cpu_seconds": max(finished_cpu - started_cpu - sum(r["cpu_s"] for r in models), 0.0),
        "peak_mb": 0.0,
    }
    return {
        "route": "ours",
        "total_s": finished - started,
        "total_cpu_s": finished_cpu - started_cpu,
        "stages": {
            k: {m: round(x, 3) for m, x in v.items()}
            for k, v in sorted(
                stages.items(),
                key=lambda kv: STAGE_ORDER.index(kv[0]) if kv[0] in STAGE_ORDER else 99,
            )
        },
        "models": sorted(models, key=lambda r: -r["wall_s"]),
        "journeys": result.journeys,
        "variants": result.variants,
        "variants_aligned": result.variants_aligned,
        "variants_from_cache": result.variants_from_cache,
        "rows_loaded": result.rows_loaded,
        "discovered_with": result.discovered_with,
    }


# --------------------------------------------------------------------------------- pm4py


class Clock:
    """Wall and CPU (all threads) seconds of named steps."""

    def __init__(self) -> None:
        self.wall: dict[str, float] = {}
        self.cpu: dict[str, float] = {}
        self._at = (time.perf_counter(), time.process_time())

    def lap(self, name: str) -> None:
        now = (time.perf_counter(), time.process_time())
        self.wall[name] = now[0] - self._at[0]
        self.cpu[name] = now[1] - self._at[1]
        self._at = (time.perf_counter(), time.process_time())

    def restart(self) -> None:
        self._at = (time.perf_counter(), time.process_time())


def run_pm4py(args: argparse.Namespace) -> dict[str, Any]:
    import pandas as pd
    import pm4py
    from pm4py.util import constants

    constants.SHOW_PROGRESS_BAR = False
    clock = Clock()
    df = pd.read_parquet(args.parquet)
    clock.lap("read_parquet")
    df = pm4py.format_dataframe(df, case_id="case_id", activity_key="activity", timestamp_key="ts")
    clock.lap("format_dataframe")
    dump: dict[str, Any] = {}
    if args.step == "dfg":
        dfg, starts, ends = pm4py.discover_dfg(df)
        clock.lap("discover_dfg")
        perf, _, _ = pm4py.discover_performance_dfg(df)
        clock.lap("discover_performance_dfg")
        dump = {
            "dfg": dict(dfg),
            "perf": {
                k: {m: float(v[m]) for m in ("mean", "median", "min", "max")}
                for k, v in perf.items()
            },
            "start": dict(starts),
            "end": dict(ends),
        }
    elif args.step == "variants":
        variants = pm4py.get_variants(df)
        clock.lap("get_variants")
        dump = {"variants": {tuple(k): int(v) for k, v in variants.items()}}
    elif args.step in ("alignments", "tbr"):
        from journey_mining.happy_path import load_happy_path
        from journey_mining.mining.conformance import happy_path_model

        model = happy_path_model(load_happy_path(HAPPY_PATH))
        net, im, fm = model.net, model.initial_marking, model.final_marking
        clock.restart()
        if args.step == "alignments":
            diagnostics = pm4py.conformance_diagnostics_alignments(df, net, im, fm)
            clock.lap("alignments")
            fitness = [float(d["fitness"]) for d in diagnostics]
            dump = {"fitness": Counter(round(f, 9) for f in fitness)}
        else:
            diagnostics = pm4py.conformance_diagnostics_token_based_replay(df, net, im, fm)
            clock.lap("token_replay")
            dump = {
                "fit_traces": sum(bool(d["trace_is_fit"]) for d in diagnostics),
                "traces": len(diagnostics),
            }
    if args.dump:
        with open(args.dump, "wb") as handle:
            pickle.dump(dump, handle)
    return {
        "route": "pm4py",
        "step": args.step,
        "timings": clock.wall,
        "cpu": clock.cpu,
        "rows": len(df),
    }


# --------------------------------------------------------------------------------- floor

FLOOR_QUERY = """
WITH events AS MATERIALIZED (
    SELECT
        case_id,
        activity,
        row_number() OVER journey AS pos,
        lead(activity) OVER journey AS next_activity,
        date_diff('microsecond', ts, lead(ts) OVER journey) AS wait_us
    FROM read_parquet({path}, file_row_number = true)
    WINDOW journey AS (PARTITION BY case_id ORDER BY ts, file_row_number)
),
edges AS (
    SELECT
        activity AS source,
        next_activity AS target,
        count(*) AS n,
        avg(wait_us) / 1e6 AS mean_s,
        median(wait_us) / 1e6 AS median_s,
        min(wait_us) / 1e6 AS min_s,
        max(wait_us) / 1e6 AS max_s
    FROM events
    WHERE next_activity IS NOT NULL
    GROUP BY ALL
),
traces AS (
    SELECT list(activity ORDER BY pos) AS trace FROM events GROUP BY case_id
),
variants AS (
    SELECT trace, count(*) AS n FROM traces GROUP BY trace
)
SELECT 'edge' AS kind, source, target, NULL::VARCHAR[] AS trace, n, mean_s, median_s, min_s, max_s
FROM edges
UNION ALL
SELECT 'variant', NULL, NULL, trace, n, NULL, NULL, NULL, NULL FROM variants
"""


def run_floor(args: argparse.Namespace) -> dict[str, Any]:
    import duckdb

    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    path = "'" + str(args.parquet).replace("'", "''") + "'"
    dump: dict[str, Any] = {}
    clock = Clock()
    if args.step == "sort":
        con.execute(
            f"CREATE TABLE sorted AS SELECT * FROM read_parquet({path}, file_row_number = true) "
            "ORDER BY case_id, ts, file_row_number"
        )
        clock.lap("sort")
    else:
        rows = con.execute(FLOOR_QUERY.format(path=path)).fetchall()
        clock.lap("dfg_perf_variants_query")
        dump = {
            "dfg": {(r[1], r[2]): int(r[4]) for r in rows if r[0] == "edge"},
            "perf": {
                (r[1], r[2]): {"mean": r[5], "median": r[6], "min": r[7], "max": r[8]}
                for r in rows
                if r[0] == "edge"
            },
            "variants": {tuple(r[3]): int(r[4]) for r in rows if r[0] == "variant"},
        }
    if args.dump:
        with open(args.dump, "wb") as handle:
            pickle.dump(dump, handle)
    return {"route": "floor", "step": args.step, "timings": clock.wall, "cpu": clock.cpu}


def main() -> int:
    parser = argparse.ArgumentParser(description="one measured benchmark stage")
    parser.add_argument("route", choices=("ours", "pm4py", "floor"))
    parser.add_argument("--out", required=True, help="JSON file for the timings")
    parser.add_argument("--step", default="load")
    parser.add_argument("--parquet")
    parser.add_argument("--data-dir")
    parser.add_argument("--warehouse")
    parser.add_argument("--fresh", action="store_true", help="delete the warehouse first")
    parser.add_argument("--dump", help="pickle of what the route found, for the check")
    parser.add_argument("--pyinstrument", help="write a pyinstrument text profile here")
    parser.add_argument(
        "--memory-limit", help="ours: cap on DuckDB's memory (default: the pipeline's)"
    )
    args = parser.parse_args()
    os.chdir(ROOT)
    runner = {"ours": run_ours, "pm4py": run_pm4py, "floor": run_floor}[args.route]
    payload = runner(args)
    payload["self_maxrss_mb"] = _maxrss_mb()
    Path(args.out).write_text(json.dumps(payload, indent=1, default=str))
    return 0


def _maxrss_mb() -> float:
    import resource

    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT / "src"))
    sys.exit(main())
