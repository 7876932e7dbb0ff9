"""One measured stage of the benchmark, run by ``bench/run.py`` in a fresh process.

``run.py`` starts this script once per measurement, reads the peak RSS and CPU time of the
process from ``os.wait4`` and the stage's own timings from the JSON file written to ``--out``.
Routes:

* ``ours``   — ``run_pipeline`` on the benchmark pipeline; stage times from its ``progress``
  callback, each SQL statement timed (the connection is wrapped, the pipeline untouched),
  the peak RSS of each stage sampled from ``/proc/self/status``; optionally under pyinstrument.
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
import re
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
PIPELINE = BENCH_DIR / "pipeline.yaml"
HAPPY_PATH = BENCH_DIR / "happy_path.yaml"

# ------------------------------------------------------------------------- memory sampler


def rss_mb() -> float:
    """Resident set size of this process now (Linux /proc), in MB."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


class PeakSampler:
    """Samples RSS every 20 ms; ``mark()`` starts a new segment and returns the last one's peak."""

    def __init__(self) -> None:
        self._peak = rss_mb()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(0.02):
            self._peak = max(self._peak, rss_mb())

    def mark(self) -> float:
        peak = max(self._peak, rss_mb())
        self._peak = rss_mb()
        return round(peak, 1)

    def stop(self) -> None:
        self._stop.set()


# ---------------------------------------------------------------------------------- ours

_TARGET = re.compile(
    r"^\s*(CREATE\s+(?:OR\s+REPLACE\s+)?(?:TEMP\s+|TEMPORARY\s+)?TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?"
    r"|INSERT\s+INTO\s+|UPDATE\s+|DELETE\s+FROM\s+|DROP\s+TABLE\s+(?:IF\s+EXISTS\s+)?)([\w.\"]+)",
    re.IGNORECASE,
)


def _statement_label(sql: str) -> str:
    lines = [
        line for line in sql.splitlines() if line.strip() and not line.strip().startswith("--")
    ]
    text = " ".join(lines).strip()
    match = _TARGET.match(text)
    if match:
        verb = match.group(1).split()[0].upper()
        return f"{verb} {match.group(2)}"
    return " ".join(text.split())[:70]


class StatementTimer:
    """Times every statement a wrapped connection executes, by pipeline stage and SQL file.

    With ``operators`` (a path DuckDB writes its JSON query profile to), statements slower
    than ``min_seconds`` also keep their most expensive physical operators.
    """

    def __init__(self, operators: Path | None = None, min_seconds: float = 0.5) -> None:
        self.stage = "setup"
        self.file = "-"
        self.records: list[dict[str, Any]] = []
        self.operators = operators
        self.min_seconds = min_seconds

    def timed(self, run: Any, sql: str) -> Any:
        started = time.perf_counter()
        try:
            return run()
        finally:
            seconds = time.perf_counter() - started
            record = {
                "stage": self.stage,
                "file": self.file,
                "statement": _statement_label(sql),
                "seconds": seconds,
            }
            if self.operators is not None and seconds >= self.min_seconds:
                record["operators"] = top_operators(self.operators)
            self.records.append(record)


def top_operators(profile: Path, keep: int = 6) -> list[dict[str, Any]]:
    """The most expensive operators of the last profiled query (DuckDB's JSON profile)."""
    try:
        tree = json.loads(profile.read_text())
    except (OSError, ValueError):
        return []
    found: list[dict[str, Any]] = []

    def walk(node: dict[str, Any]) -> None:
        info = node.get("extra_info") or {}
        detail = {
            k: (str(v)[:160])
            for k, v in info.items()
            if k not in ("Estimated Cardinality",) and v not in ("", [], {})
        }
        found.append(
            {
                "type": node.get("type") or node.get("operator_type"),
                "seconds": round(float(node.get("timing") or node.get("operator_timing") or 0), 3),
                "rows": node.get("intermediate_rows") or node.get("operator_cardinality"),
                "detail": detail,
            }
        )
        for child in node.get("children", []):
            walk(child)

    for root in tree.get("operator", tree.get("children", [])) or []:
        walk(root)
    found.sort(key=lambda op: -op["seconds"])
    return found[:keep]


class TimedConnection:
    """A DuckDB connection that times each statement; multi-statement strings run one by one."""

    def __init__(self, con: Any, timer: StatementTimer) -> None:
        self._con = con
        self._timer = timer

    def execute(self, query: Any, parameters: Any = None) -> Any:
        if parameters is None and isinstance(query, str):
            statements = self._con.extract_statements(query)
            result = None
            for statement in statements:
                result = self._timer.timed(
                    lambda s=statement: self._con.execute(s), statement.query
                )
            return result if statements else self._con.execute(query)
        return self._timer.timed(lambda: self._con.execute(query, parameters), str(query))

    def executemany(self, query: str, parameters: Any = None) -> Any:
        return self._timer.timed(lambda: self._con.executemany(query, parameters), query)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._con, name)


STAGES = (
    ("loading ", "load"),
    ("staging sources", "staging"),
    ("stitching identities", "stitch"),
    ("ordering journeys", "journeys"),
    ("mining variants", "variants+DFG"),
    ("aligning variants", "conformance"),
    ("building the funnel", "funnel"),
    ("testing findings", "findings"),
    ("discovering the process model", "discovery"),
)
STAGE_ORDER = [
    "setup",
    "load",
    "staging",
    "stitch",
    "journeys",
    "variants+DFG",
    "conformance",
    "funnel",
    "deviations+marts",
    "findings",
    "commit",
    "discovery",
]


def run_ours(args: argparse.Namespace) -> dict[str, Any]:
    import journey_mining.analytics.findings as findings_module
    import journey_mining.identity as identity_module
    import journey_mining.ordering as ordering_module
    import journey_mining.pipeline as pipeline_module
    from journey_mining.config import load_pipeline
    from journey_mining.progress import ProgressEvent

    warehouse = Path(args.warehouse)
    if args.fresh:
        for file in warehouse.parent.glob(warehouse.name + "*"):
            file.unlink()
    operators = Path(args.operators) if args.operators else None
    timer = StatementTimer(operators)
    sampler = PeakSampler()
    # (stage, wall seconds, CPU seconds of all threads, peak MB) in run order
    segments: list[tuple[str, float, float, float]] = []
    current = {"since": time.perf_counter(), "cpu": time.process_time()}

    def set_stage(name: str) -> None:
        now, cpu = time.perf_counter(), time.process_time()
        segments.append((timer.stage, now - current["since"], cpu - current["cpu"], sampler.mark()))
        current["since"], current["cpu"] = now, cpu
        timer.stage = name

    def progress(event: ProgressEvent) -> None:
        message = event.label
        for prefix, name in STAGES:
            if message.startswith(prefix):
                if timer.stage != name:
                    set_stage(name)
                return

    real_connect = pipeline_module.connect

    def connect(*a: Any, **k: Any) -> TimedConnection:
        con = real_connect(*a, **k)
        if operators is not None:
            con.execute("SET enable_profiling = 'json'")
            con.execute(f"SET profiling_output = '{operators}'")
        return TimedConnection(con, timer)

    pipeline_module.connect = connect

    def wrap_sql(module: Any, name: str) -> None:
        real = getattr(module, name)

        def wrapped(con: Any, relative: str, *rest: Any, **values: Any) -> Any:
            previous = timer.file
            timer.file = relative
            if relative == "marts/journey_steps.sql" and timer.stage == "funnel":
                set_stage("deviations+marts")
            try:
                return real(con, relative, *rest, **values)
            finally:
                timer.file = previous

        setattr(module, name, wrapped)

    for module in (pipeline_module, identity_module, ordering_module, findings_module):
        for name in ("run_sql", "run_sql_with"):
            if hasattr(module, name):
                wrap_sql(module, name)

    real_execute = TimedConnection.execute

    def execute_marking_commit(self: TimedConnection, query: Any, parameters: Any = None) -> Any:
        if (
            isinstance(query, str)
            and query.strip().upper() == "COMMIT"
            and timer.stage == "findings"
        ):
            set_stage("commit")
        result = real_execute(self, query, parameters)
        if isinstance(query, str) and query.strip().upper() == "COMMIT" and timer.stage == "commit":
            set_stage("discovery")
        return result

    TimedConnection.execute = execute_marking_commit  # type: ignore[method-assign]

    pipeline = load_pipeline(PIPELINE)
    profiler = None
    if args.pyinstrument:
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.005)
        profiler.start()
    started, started_cpu = time.perf_counter(), time.process_time()
    sampler.mark()
    current["since"], current["cpu"] = started, started_cpu
    timer.stage = "setup"
    result = pipeline_module.run_pipeline(
        pipeline,
        data_dir=Path(args.data_dir),
        warehouse=warehouse,
        outputs_dir=warehouse.parent,
        progress=progress,
        memory_limit=args.memory_limit,
    )
    finished, finished_cpu = time.perf_counter(), time.process_time()
    set_stage("end")
    if profiler is not None:
        profiler.stop()
        Path(args.pyinstrument).write_text(
            profiler.output_text(unicode=True, color=False, show_all=False, short_mode=False)
        )
    sampler.stop()

    stages: dict[str, dict[str, float]] = {}
    for name, seconds, cpu, peak in segments:
        entry = stages.setdefault(
            name, {"seconds": 0.0, "cpu_seconds": 0.0, "peak_mb": 0.0, "sql_seconds": 0.0}
        )
        entry["seconds"] += seconds
        entry["cpu_seconds"] += cpu
        entry["peak_mb"] = max(entry["peak_mb"], peak)
    for record in timer.records:
        if record["stage"] in stages:
            stages[record["stage"]]["sql_seconds"] += record["seconds"]
    by_statement: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
    for record in timer.records:
        key = (record["stage"], record["file"], record["statement"])
        by_statement.setdefault(key, []).append(record)
    statements = []
    for (stage_name, file, statement), runs in by_statement.items():
        entry: dict[str, Any] = {
            "stage": stage_name,
            "file": file,
            "statement": statement,
            "calls": len(runs),
            "seconds": round(sum(r["seconds"] for r in runs), 3),
        }
        slowest = max(runs, key=lambda r: r["seconds"])
        if "operators" in slowest:
            entry["operators"] = slowest["operators"]
        statements.append(entry)
    statements.sort(key=lambda r: -r["seconds"])
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
        "statements": statements[:40],
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
    parser.add_argument(
        "--operators", help="keep DuckDB's slowest operators per slow statement (profile file)"
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
