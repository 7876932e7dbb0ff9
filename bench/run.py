"""The benchmark: our pipeline against the pm4py route and the DuckDB floor, on the same log.

One command::

    .venv/bin/python bench/run.py --events 1e5,1e6,1e7

For each size it generates (once) the Parquet log with ``bench/generate.py``, then runs
every measurement in a fresh process (``bench/stage.py``) and reads that process's wall
time, CPU time and peak RSS (``os.wait4``):

1. **ours** — ``run_pipeline`` on ``bench/pipeline.yaml`` into a new warehouse (*cold*:
   every variant aligned), then again on the same warehouse (*warm*: the file is unchanged
   and skipped, every table is rebuilt, alignments come from ``meta.alignment_cache``).
   Stage times come from the pipeline's ``progress`` callback; each SQL statement is timed
   too (the top ones are kept in the JSON);
2. **pm4py** — pandas ``read_parquet`` → ``pm4py.format_dataframe`` → ``discover_dfg``,
   ``discover_performance_dfg``, ``get_variants``, ``conformance_diagnostics_alignments``
   and ``conformance_diagnostics_token_based_replay`` against the same happy path; each
   step in its own process (each re-reads and re-formats the frame; the read and format
   are counted once). Skipped above ``--pm4py-max-events``;
3. **floor** — DuckDB alone: sort the Parquet by (case, ts, row), and one query computing
   the DFG, the performance DFG and the variants.

It checks that the routes found the same variants (multiset), DFG (counts and mean /
median / min / max waits), start/end activities and per-journey alignment fitness, prints
rich tables with the ratios ours/pm4py and ours/floor, and writes everything as JSON to
``bench/results/<timestamp>.json``. ``--scaling 1e6`` (the default) also runs ours cold
on the same log with every journey twice (same variants, twice the events) to show that
conformance grows with variants, not events. ``--profile`` adds a pyinstrument run of ours
per size (``bench/results/profile_<size>.txt``).
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import platform
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
RESULTS_DIR = BENCH_DIR / "results"
sys.path.insert(0, str(BENCH_DIR))

import generate  # noqa: E402  (bench/ is a folder of scripts, not a package)

PYTHON = sys.executable
STAGE = str(BENCH_DIR / "stage.py")
PM4PY_STEPS = ("load", "dfg", "variants", "alignments", "tbr")
OURS_STAGE_LABELS = {
    "setup": "setup, commit, bookkeeping (no stage)",
    "load": "load (Parquet → raw)",
    "staging": "staging + union",
    "stitch": "identity stitching",
    "journeys": "journeys (journey_events)",
    "variants+DFG": "variants + DFG + handoffs",
    "conformance": "conformance (alignments)",
    "funnel": "funnel steps",
    "deviations+marts": "journey steps, deviations, journeys, funnel, segments, trends",
    "findings": "findings",
    "tests": "SQL tests (before the commit)",
    "discovery": "discovery (BPMN)",
}
console = Console(width=None if sys.stdout.isatty() else 160)


# ----------------------------------------------------------------------------- measuring


def measure(args: list[str], label: str, timeout: float, log_dir: Path) -> dict[str, Any]:
    """Run ``stage.py args`` in a fresh process; its wall/CPU time, peak RSS and JSON payload."""
    out = log_dir / f"{label}.json"
    log = log_dir / f"{label}.log"
    out.unlink(missing_ok=True)
    env = dict(os.environ, PM4PY_SHOW_PROGRESS_BAR="False", PYTHONHASHSEED="0")
    load_before = os.getloadavg()[0]
    started = time.perf_counter()
    with log.open("w") as log_file:
        process = subprocess.Popen(
            [PYTHON, STAGE, *args, "--out", str(out)],
            cwd=ROOT,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,
        )
        timed_out = threading.Event()

        def kill() -> None:
            timed_out.set()
            os.killpg(process.pid, signal.SIGKILL)

        timer = threading.Timer(timeout, kill)
        timer.start()
        _, status, usage = os.wait4(process.pid, 0)
        timer.cancel()
        process.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - started
    result: dict[str, Any] = {
        "label": label,
        "wall_s": round(wall, 3),
        "cpu_s": round(usage.ru_utime + usage.ru_stime, 3),
        "peak_mb": round(usage.ru_maxrss / 1024, 1),
        "returncode": process.returncode,
        "loadavg_before": round(load_before, 2),
        "loadavg_after": round(os.getloadavg()[0], 2),
        "status": "ok",
    }
    if timed_out.is_set():
        result["status"] = f"timeout after {timeout:.0f} s"
    elif process.returncode != 0 or not out.is_file():
        tail = log.read_text(errors="replace").strip().splitlines()[-3:]
        result["status"] = "failed: " + " | ".join(tail)
    else:
        result["payload"] = json.loads(out.read_text())
    return result


def _status_line(result: dict[str, Any], seconds: float | None) -> str:
    shown = f"{seconds:.2f} s" if seconds is not None else "-"
    return f"{result['label']}: {shown}, peak {result['peak_mb']:.0f} MB ({result['status']})"


# ----------------------------------------------------------------------------- the routes


def run_floor(parquet: Path, log_dir: Path, timeout: float) -> dict[str, Any]:
    routes: dict[str, Any] = {}
    for step in ("sort", "query"):
        dump = log_dir / f"floor_{step}.pkl"
        result = measure(
            ["floor", "--step", step, "--parquet", str(parquet), "--dump", str(dump)],
            f"floor_{step}",
            timeout,
            log_dir,
        )
        seconds = sum(result["payload"]["timings"].values()) if "payload" in result else None
        result["seconds"] = seconds
        result["cpu_seconds"] = (
            sum(result["payload"].get("cpu", {}).values()) if "payload" in result else None
        )
        console.log(_status_line(result, seconds))
        routes[step] = result
    return routes


def run_ours(
    data_dir: Path,
    log_dir: Path,
    timeout: float,
    fresh: bool,
    label: str,
    profile: Path | None,
    memory_limit: str | None = None,
) -> dict[str, Any]:
    args = [
        "ours",
        "--data-dir",
        str(data_dir),
        "--warehouse",
        str(data_dir / "bench.duckdb"),
    ]
    if fresh:
        args.append("--fresh")
    if memory_limit is not None:
        args += ["--memory-limit", memory_limit]
    if profile is not None:
        args += ["--pyinstrument", str(profile)]
    result = measure(args, label, timeout, log_dir)
    if profile is not None and "payload" in result:
        write_sql_profile(result["payload"], profile.with_name(profile.stem + "_sql.txt"))
    result["seconds"] = result["payload"]["total_s"] if "payload" in result else None
    result["cpu_seconds"] = result["payload"].get("total_cpu_s") if "payload" in result else None
    console.log(_status_line(result, result["seconds"]))
    return result


def run_pm4py(parquet: Path, log_dir: Path, timeout: float) -> dict[str, Any]:
    steps: dict[str, Any] = {}
    for step in PM4PY_STEPS:
        dump = log_dir / f"pm4py_{step}.pkl"
        result = measure(
            ["pm4py", "--step", step, "--parquet", str(parquet), "--dump", str(dump)],
            f"pm4py_{step}",
            timeout,
            log_dir,
        )
        timings = result.get("payload", {}).get("timings", {})
        own = {k: v for k, v in timings.items() if k not in ("read_parquet", "format_dataframe")}
        cpu = result.get("payload", {}).get("cpu", {})
        own_cpu = {k: v for k, v in cpu.items() if k not in ("read_parquet", "format_dataframe")}
        result["timings"] = timings
        result["cpu"] = cpu
        result["seconds"] = sum(timings.values()) if step == "load" else (sum(own.values()) or None)
        result["cpu_seconds"] = (
            sum(cpu.values()) if step == "load" else (sum(own_cpu.values()) or None)
        )
        console.log(_status_line(result, result["seconds"]))
        steps[step] = result
        if step == "load" and result["status"] != "ok":
            break
    complete = all(s.get("status") == "ok" for s in steps.values()) and len(steps) == len(
        PM4PY_STEPS
    )
    total = sum(s["seconds"] or 0 for s in steps.values()) if complete else None
    total_cpu = sum(s.get("cpu_seconds") or 0 for s in steps.values()) if complete else None
    return {
        "steps": steps,
        "total_s": total,
        "total_cpu_s": total_cpu,
        "peak_mb": max(s["peak_mb"] for s in steps.values()),
        "complete": complete,
    }


def write_sql_profile(payload: dict[str, Any], path: Path) -> None:
    """The stages of a profiled run of ours and its slowest models (from mining.run_stages)."""
    lines = [f"ours, profiled run: {payload['total_s']:.2f} s wall", ""]
    lines.append("stage                wall s   CPU s   peak MB")
    for name, stage in payload["stages"].items():
        lines.append(
            f"{name:<18} {stage['seconds']:>8.2f} {stage.get('cpu_seconds', 0):>7.2f} "
            f"{stage['peak_mb']:>9.0f}"
        )
    lines += ["", "slowest models (wall s, CPU s, rows written, peak RSS MB, DuckDB MB, model):"]
    for model in payload.get("models", [])[:20]:
        lines.append(
            f"{model['wall_s']:8.2f} {model['cpu_s']:8.2f} {model['rows_written'] or 0:>12,} "
            f"{model['peak_rss_mb']:>8.0f} {model['duckdb_mb'] or 0:>8.0f}  {model['stage']}"
        )
    path.write_text("\n".join(lines) + "\n")


# --------------------------------------------------------------------------------- checks


def _close(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return abs(a - b) <= 1e-6 + 1e-9 * max(abs(a), abs(b))


def read_ours(warehouse: Path) -> dict[str, Any]:
    import duckdb

    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        variants = {
            tuple(acts): int(n)
            for acts, n in con.execute("SELECT activities, n_cases FROM mining.variants").fetchall()
        }
        edges = con.execute(
            "SELECT source, target, n_transitions, mean_wait_s, median_wait_s, min_wait_s, "
            "max_wait_s FROM mining.dfg_edges"
        ).fetchall()
        ends = con.execute("SELECT kind, activity, n_cases FROM mining.endpoints").fetchall()
        fitness = Counter(
            {
                round(float(f), 9): int(n)
                for f, n in con.execute(
                    "SELECT round(fitness, 9), count(*) FROM mining.journeys GROUP BY 1"
                ).fetchall()
            }
        )
        counts = con.execute(
            "SELECT (SELECT count(*) FROM mining.journey_events), "
            "(SELECT count(*) FROM mining.deviations), (SELECT count(*) FROM mining.friction), "
            "(SELECT count(*) FROM mining.funnel)"
        ).fetchone()
    finally:
        con.close()
    return {
        "variants": variants,
        "dfg": {(s, t): int(n) for s, t, n, *_ in edges},
        "perf": {
            (s, t): {"mean": mean, "median": med, "min": lo, "max": hi}
            for s, t, _, mean, med, lo, hi in edges
        },
        "start": {a: int(n) for k, a, n in ends if k == "start"},
        "end": {a: int(n) for k, a, n in ends if k == "end"},
        "fitness": fitness,
        "events": int(counts[0]) if counts else 0,
        "deviations": int(counts[1]) if counts else 0,
        "friction": int(counts[2]) if counts else 0,
        "funnel": int(counts[3]) if counts else 0,
    }


def _load_dump(path: Path) -> dict[str, Any] | None:
    if not path.is_file():
        return None
    with path.open("rb") as handle:
        data: dict[str, Any] = pickle.load(handle)
    return data


def _compare_perf(ours: dict[Any, dict[str, Any]], theirs: dict[Any, dict[str, Any]]) -> list[str]:
    bad = []
    for edge, stats in theirs.items():
        mine = ours.get(edge)
        if mine is None:
            bad.append(f"{edge} missing")
            continue
        for key in ("mean", "median", "min", "max"):
            if not _close(mine[key], stats[key]):
                bad.append(f"{edge} {key}: ours {mine[key]} vs {stats[key]}")
    return bad


def _diff(name: str, ours: dict[Any, Any], theirs: dict[Any, Any]) -> dict[str, Any]:
    if ours == theirs:
        return {"what": name, "equal": True, "n": len(ours)}
    only_ours = [k for k in ours if k not in theirs][:3]
    only_theirs = [k for k in theirs if k not in ours][:3]
    differ = [k for k in ours if k in theirs and ours[k] != theirs[k]][:3]
    return {
        "what": name,
        "equal": False,
        "n": len(ours),
        "n_other": len(theirs),
        "examples": [str(x) for x in (only_ours + only_theirs + differ)][:5],
    }


def check(ours: dict[str, Any], log_dir: Path, with_pm4py: bool) -> list[dict[str, Any]]:
    """Compare what ours found with pm4py's and the floor query's answers."""
    results: list[dict[str, Any]] = []
    floor = _load_dump(log_dir / "floor_query.pkl")
    if floor is not None:
        results.append(
            {"against": "floor", **_diff("variants", ours["variants"], floor["variants"])}
        )
        results.append({"against": "floor", **_diff("DFG counts", ours["dfg"], floor["dfg"])})
        bad = _compare_perf(ours["perf"], floor["perf"])
        results.append(
            {
                "against": "floor",
                "what": "DFG waits",
                "equal": not bad,
                "n": len(floor["perf"]),
                "examples": bad[:3],
            }
        )
    if with_pm4py:
        dfg = _load_dump(log_dir / "pm4py_dfg.pkl")
        if dfg is not None:
            results.append({"against": "pm4py", **_diff("DFG counts", ours["dfg"], dfg["dfg"])})
            bad = _compare_perf(ours["perf"], dfg["perf"])
            results.append(
                {
                    "against": "pm4py",
                    "what": "DFG waits",
                    "equal": not bad,
                    "n": len(dfg["perf"]),
                    "examples": bad[:3],
                }
            )
            results.append(
                {"against": "pm4py", **_diff("start activities", ours["start"], dfg["start"])}
            )
            results.append({"against": "pm4py", **_diff("end activities", ours["end"], dfg["end"])})
        variants = _load_dump(log_dir / "pm4py_variants.pkl")
        if variants is not None:
            results.append(
                {"against": "pm4py", **_diff("variants", ours["variants"], variants["variants"])}
            )
        alignments = _load_dump(log_dir / "pm4py_alignments.pkl")
        if alignments is not None:
            results.append(
                {
                    "against": "pm4py",
                    **_diff(
                        "alignment fitness per journey",
                        dict(ours["fitness"]),
                        dict(alignments["fitness"]),
                    ),
                }
            )
    return results


# ---------------------------------------------------------------------------------- output


def _fmt_s(value: float | None) -> str:
    return "-" if value is None else f"{value:,.2f}"


def _fmt_mb(value: float | None) -> str:
    return "-" if value is None else f"{value:,.0f}"


def _ratio(a: float | None, b: float | None) -> float | None:
    return None if a is None or b is None or b == 0 else a / b


def _fmt_x(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}×"


def print_size(record: dict[str, Any]) -> None:
    facts = record["log"]
    table = Table(
        title=f"{facts['events']:,} events · {facts['journeys']:,} journeys · "
        f"{record.get('variants') or '?'} variants",
        title_justify="left",
    )
    table.add_column("route / stage")
    table.add_column("cold s", justify="right")
    table.add_column("cold CPU s", justify="right")
    table.add_column("warm s", justify="right")
    table.add_column("warm CPU s", justify="right")
    table.add_column("peak MB", justify="right")
    cold = record["ours_cold"].get("payload", {}).get("stages", {})
    warm = record["ours_warm"].get("payload", {}).get("stages", {})
    for key, label in OURS_STAGE_LABELS.items():
        if key in cold or key in warm:
            table.add_row(
                f"  ours: {label}",
                _fmt_s(cold.get(key, {}).get("seconds")),
                _fmt_s(cold.get(key, {}).get("cpu_seconds")),
                _fmt_s(warm.get(key, {}).get("seconds")),
                _fmt_s(warm.get(key, {}).get("cpu_seconds")),
                _fmt_mb(cold.get(key, {}).get("peak_mb")),
            )
    table.add_row(
        "[bold]ours: total[/bold]",
        f"[bold]{_fmt_s(record['ours_cold'].get('seconds'))}[/bold]",
        f"[bold]{_fmt_s(record['ours_cold'].get('cpu_seconds'))}[/bold]",
        f"[bold]{_fmt_s(record['ours_warm'].get('seconds'))}[/bold]",
        f"[bold]{_fmt_s(record['ours_warm'].get('cpu_seconds'))}[/bold]",
        f"[bold]{_fmt_mb(record['ours_cold'].get('peak_mb'))}[/bold]",
        end_section=True,
    )
    pm4py = record.get("pm4py")
    if pm4py:
        names = {
            "read_parquet": "pandas read_parquet",
            "format_dataframe": "format_dataframe",
            "discover_dfg": "discover_dfg",
            "discover_performance_dfg": "discover_performance_dfg",
            "get_variants": "get_variants",
            "alignments": "alignments (full frame)",
            "token_replay": "token-based replay",
        }
        for step_name, step in pm4py["steps"].items():
            timings = step.get("timings", {})
            cpu = step.get("cpu", {})
            own = (
                timings
                if step_name == "load"
                else {
                    k: v
                    for k, v in timings.items()
                    if k not in ("read_parquet", "format_dataframe")
                }
            )
            if not own:
                table.add_row(
                    f"  pm4py: {step_name}", step["status"], "", "", "", _fmt_mb(step["peak_mb"])
                )
            for key, value in own.items():
                table.add_row(
                    f"  pm4py: {names.get(key, key)}",
                    _fmt_s(value),
                    _fmt_s(cpu.get(key)),
                    "",
                    "",
                    _fmt_mb(step["peak_mb"]),
                )
        table.add_row(
            "[bold]pm4py: total[/bold]",
            f"[bold]{_fmt_s(pm4py['total_s'])}[/bold]",
            f"[bold]{_fmt_s(pm4py.get('total_cpu_s'))}[/bold]",
            "",
            "",
            f"[bold]{_fmt_mb(pm4py['peak_mb'])}[/bold]",
            end_section=True,
        )
    else:
        table.add_row("pm4py", "skipped (--pm4py-max-events)", "", "", "", "", end_section=True)
    floor = record["floor"]
    table.add_row(
        "  floor: DuckDB sort by (case, ts, row)",
        _fmt_s(floor["sort"].get("seconds")),
        _fmt_s(floor["sort"].get("cpu_seconds")),
        "",
        "",
        _fmt_mb(floor["sort"]["peak_mb"]),
    )
    table.add_row(
        "[bold]floor: one DFG + perf DFG + variants query[/bold]",
        f"[bold]{_fmt_s(floor['query'].get('seconds'))}[/bold]",
        f"[bold]{_fmt_s(floor['query'].get('cpu_seconds'))}[/bold]",
        "",
        "",
        f"[bold]{_fmt_mb(floor['query']['peak_mb'])}[/bold]",
    )
    console.print(table)
    checks = record.get("checks", [])
    for c in checks:
        mark = "[green]equal[/green]" if c["equal"] else "[red]DIFFERENT[/red]"
        extra = "" if c["equal"] else f" e.g. {c.get('examples')}"
        console.print(f"  check vs {c['against']}: {c['what']} ({c['n']:,}) {mark}{extra}")


def _stage_cpu(measured: dict[str, Any], stage: str) -> float | None:
    """CPU seconds of one stage of ours (from the run's ``mining.run_stages``), if measured."""
    stages = (measured.get("payload") or {}).get("stages") or {}
    return (stages.get(stage) or {}).get("cpu_seconds")


def summary_rows(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    rows = []
    for r in records:
        cold = r["ours_cold"].get("seconds")
        warm = r["ours_warm"].get("seconds")
        pm4py = r.get("pm4py") or {}
        floor = r["floor"]["query"].get("seconds")
        rows.append(
            {
                "size": r["size"],
                "events": r["log"]["events"],
                "journeys": r["log"]["journeys"],
                "variants": r.get("variants"),
                "ours_cold_s": cold,
                "ours_warm_s": warm,
                "ours_peak_mb": r["ours_cold"].get("peak_mb"),
                "ours_cold_cpu_s": r["ours_cold"].get("cpu_seconds"),
                "ours_warm_cpu_s": r["ours_warm"].get("cpu_seconds"),
                "pm4py_cpu_s": pm4py.get("total_cpu_s"),
                "floor_cpu_s": r["floor"]["query"].get("cpu_seconds"),
                "loadavg": max(
                    (m.get("loadavg_before") or 0)
                    for m in (r["ours_cold"], r["ours_warm"], r["floor"]["query"])
                ),
                "pm4py_s": pm4py.get("total_s"),
                "pm4py_peak_mb": pm4py.get("peak_mb"),
                "floor_s": floor,
                "floor_peak_mb": r["floor"]["query"].get("peak_mb"),
                "cold_vs_pm4py": _ratio(cold, pm4py.get("total_s")),
                "warm_vs_pm4py": _ratio(warm, pm4py.get("total_s")),
                "cold_vs_floor": _ratio(cold, floor),
                "warm_vs_floor": _ratio(warm, floor),
                "cold_cpu_vs_pm4py": _ratio(
                    r["ours_cold"].get("cpu_seconds"), pm4py.get("total_cpu_s")
                ),
                "cold_cpu_vs_floor": _ratio(
                    r["ours_cold"].get("cpu_seconds"), r["floor"]["query"].get("cpu_seconds")
                ),
                "warm_cpu_vs_floor": _ratio(
                    r["ours_warm"].get("cpu_seconds"), r["floor"]["query"].get("cpu_seconds")
                ),
                "findings_cold_cpu_vs_floor": _ratio(
                    _stage_cpu(r["ours_cold"], "findings"), r["floor"]["query"].get("cpu_seconds")
                ),
                "mem_vs_pm4py": _ratio(r["ours_cold"].get("peak_mb"), pm4py.get("peak_mb")),
                "checks_equal": all(c["equal"] for c in r.get("checks", []))
                if r.get("checks")
                else None,
            }
        )
    return rows


def print_summary(rows: list[dict[str, Any]]) -> None:
    table = Table(
        title="summary: wall seconds (CPU seconds), peak MB; ratios are ours ÷ other, lower is better",
        title_justify="left",
    )
    for name in (
        "events",
        "variants",
        "ours cold",
        "ours warm",
        "ours MB",
        "pm4py",
        "pm4py MB",
        "floor",
        "cold/pm4py",
        "warm/pm4py",
        "cold/floor",
        "warm/floor",
        "MB/pm4py",
        "same",
    ):
        table.add_column(name, justify="right")

    def both(wall: float | None, cpu: float | None) -> str:
        return f"{_fmt_s(wall)} ({_fmt_s(cpu)})"

    for row in rows:
        same = {True: "[green]yes[/green]", False: "[red]NO[/red]", None: "-"}[row["checks_equal"]]
        table.add_row(
            f"{row['events']:,}",
            f"{row['variants'] or '-'}",
            both(row["ours_cold_s"], row.get("ours_cold_cpu_s")),
            both(row["ours_warm_s"], row.get("ours_warm_cpu_s")),
            _fmt_mb(row["ours_peak_mb"]),
            both(row["pm4py_s"], row.get("pm4py_cpu_s")),
            _fmt_mb(row["pm4py_peak_mb"]),
            both(row["floor_s"], row.get("floor_cpu_s")),
            _fmt_x(row["cold_vs_pm4py"]),
            _fmt_x(row["warm_vs_pm4py"]),
            _fmt_x(row["cold_vs_floor"]),
            _fmt_x(row["warm_vs_floor"]),
            _fmt_x(row["mem_vs_pm4py"]),
            same,
        )
    console.print(table)


PEAK_TARGET_MB = 1500.0
"""Issue 10: peak memory of ours at 10^7 events with the bench's ``memory_limit``."""

FINDINGS_TARGET = 1.43
"""Issue 9: the findings stage, in CPU seconds, at most this multiple of the floor query (the
ratio of the last run before the findings were rebuilt: 17.4 against 12.1 CPU s)."""


def _target(
    text: str, row: dict[str, Any], value: float | None, met: bool | None
) -> dict[str, Any]:
    return {"target": text, "at_events": row["events"], "value": value, "met": met}


def targets(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The open issues' targets (9 and 10), judged at 10^7 events, where they are stated.

    Ratios are of CPU seconds (all threads), measured in the same run: on a shared machine they
    move less than wall seconds (README, "Noise"). ``value`` is ours ÷ the other for the floor
    and memory, and pm4py ÷ ours for "faster than". Nothing is judged when 10^7 was not run.
    """
    at_target_size = [r for r in rows if r["size"] == "1e7"]
    if not at_target_size:
        return []
    row = at_target_size[0]
    found = []
    for run, limit in (("cold", 3.0), ("warm", 2.5)):
        ratio = row[f"{run}_cpu_vs_floor"]
        found.append(
            _target(
                f"ours ({run}) ≤ {limit:g}× the floor query (CPU s)",
                row,
                ratio,
                None if ratio is None else ratio <= limit,
            )
        )
    speedup = _ratio(row.get("pm4py_cpu_s"), row.get("ours_cold_cpu_s"))
    found.append(
        _target(
            "ours (cold) ≥ 10× faster than pm4py (CPU s)",
            row,
            speedup,
            None if speedup is None else speedup >= 10.0,
        )
    )
    peak = row.get("ours_peak_mb")
    found.append(
        _target(
            f"ours peak memory ≤ {PEAK_TARGET_MB:,.0f} MB (peak ÷ {PEAK_TARGET_MB:,.0f} MB)",
            row,
            None if peak is None else peak / PEAK_TARGET_MB,
            None if peak is None else peak <= PEAK_TARGET_MB,
        )
    )
    findings = row.get("findings_cold_cpu_vs_floor")
    found.append(
        _target(
            f"findings stage (cold) ≤ {FINDINGS_TARGET}× the floor query (CPU s)",
            row,
            findings,
            None if findings is None else findings <= FINDINGS_TARGET,
        )
    )
    return found


def print_scaling(scaling: dict[str, Any]) -> None:
    table = Table(
        title=f"conformance grows with variants, not events: {scaling['size']} vs the same "
        "journeys ×2 (cold; wall s, CPU s)",
        title_justify="left",
    )
    for name in ("stage", "×1 s", "×2 s", "×1 CPU s", "×2 CPU s", "×2 ÷ ×1 (CPU)"):
        table.add_column(name, justify="right")
    base = scaling["base"]["payload"]["stages"]
    double = scaling["double"]["payload"]["stages"]
    for key, label in OURS_STAGE_LABELS.items():
        if key in base and key in double:
            a, b = base[key], double[key]
            table.add_row(
                label,
                _fmt_s(a["seconds"]),
                _fmt_s(b["seconds"]),
                _fmt_s(a.get("cpu_seconds")),
                _fmt_s(b.get("cpu_seconds")),
                _fmt_x(_ratio(b.get("cpu_seconds"), a.get("cpu_seconds"))),
            )
    a, b = scaling["base"], scaling["double"]
    table.add_row(
        "[bold]total[/bold]",
        _fmt_s(a["seconds"]),
        _fmt_s(b["seconds"]),
        _fmt_s(a.get("cpu_seconds")),
        _fmt_s(b.get("cpu_seconds")),
        _fmt_x(_ratio(b.get("cpu_seconds"), a.get("cpu_seconds"))),
    )
    console.print(table)
    console.print(
        f"  variants aligned: ×1 {a['payload']['variants_aligned']:,}, "
        f"×2 {b['payload']['variants_aligned']:,}; "
        f"journeys ×1 {a['payload']['journeys']:,}, ×2 {b['payload']['journeys']:,}"
    )


def _version(package: str) -> str:
    from importlib.metadata import version

    return version(package)  # not pm4py.__version__: importing it here prints its banner


def machine() -> dict[str, Any]:
    import duckdb
    import pandas

    model = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
        mem_kb = int(Path("/proc/meminfo").read_text().split()[1])
    except OSError:
        mem_kb = 0
    return {
        "cpu": model,
        "cores": os.cpu_count(),
        "memory_gb": round(mem_kb / 1024 / 1024, 1),
        "python": platform.python_version(),
        "duckdb": duckdb.__version__,
        "pandas": pandas.__version__,
        "pm4py": _version("pm4py"),
        "platform": platform.platform(),
        "code": _code_version(),
    }


def _code_version() -> dict[str, Any]:
    """The commit measured, and whether src/ or sql/ had uncommitted changes."""

    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=False)
        return done.stdout.strip()

    return {
        "commit": git("rev-parse", "--short", "HEAD"),
        "dirty": bool(git("status", "--porcelain", "src", "sql")),
    }


# ------------------------------------------------------------------------------------ main


def run_size(
    size: int,
    pm4py_max: int,
    timeout: float,
    profile: bool,
    log_root: Path,
    memory_limit: str | None = None,
) -> dict[str, Any]:
    label = generate.size_label(size)
    console.rule(f"[bold]{label} events")
    facts = generate.ensure_parquet(size)
    parquet = Path(str(facts["path"]))
    data_dir = parquet.parent
    log_dir = log_root / label
    log_dir.mkdir(parents=True, exist_ok=True)
    console.log(f"log: {facts['events']:,} events, {facts['journeys']:,} journeys, {parquet}")
    record: dict[str, Any] = {"size": label, "log": facts, "memory_limit": memory_limit}
    record["floor"] = run_floor(parquet, log_dir, timeout)
    record["ours_cold"] = run_ours(
        data_dir, log_dir, timeout, True, "ours_cold", None, memory_limit
    )
    ours = read_ours(data_dir / "bench.duckdb") if record["ours_cold"]["status"] == "ok" else None
    record["ours_warm"] = run_ours(
        data_dir, log_dir, timeout, False, "ours_warm", None, memory_limit
    )
    if profile:
        profile_file = RESULTS_DIR / f"profile_{label}.txt"
        record["ours_profiled"] = run_ours(
            data_dir, log_dir, timeout, True, "ours_profiled", profile_file, memory_limit
        )
        console.log(f"pyinstrument profile: {profile_file}")
    with_pm4py = size <= pm4py_max
    record["pm4py"] = run_pm4py(parquet, log_dir, timeout) if with_pm4py else None
    if ours is not None:
        record["variants"] = len(ours["variants"])
        record["ours_outputs"] = {
            k: ours[k] for k in ("events", "deviations", "friction", "funnel")
        }
        record["checks"] = check(ours, log_dir, with_pm4py)
    print_size(record)
    return record


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="journey-mining benchmark (see bench/README.md)")
    parser.add_argument("--events", default="1e5,1e6,1e7", help="sizes, e.g. 1e5,1e6,1e7[,1e8]")
    parser.add_argument(
        "--pm4py-max-events",
        type=float,
        default=1e7,
        help="skip the pm4py route for sizes above this (nominal --events size; default 1e7)",
    )
    parser.add_argument("--timeout", type=float, default=3600, help="seconds per process")
    parser.add_argument(
        "--scaling",
        default="1e6",
        help="also run ours on this size with every journey twice ('' to skip)",
    )
    parser.add_argument(
        "--profile", action="store_true", help="also profile ours with pyinstrument"
    )
    parser.add_argument(
        "--memory-limit",
        help="cap DuckDB's memory in ours, e.g. 8GB (default: bench/pipeline.yaml's memory_limit)",
    )
    parser.add_argument("--no-save", action="store_true", help="do not write bench/results/*.json")
    args = parser.parse_args(argv)

    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    log_root = generate.DATA_DIR / "logs" / stamp
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    info = machine()
    console.log(f"machine: {info['cores']} cores, {info['memory_gb']} GB, {info['cpu']}")
    records = [
        run_size(
            size,
            int(args.pm4py_max_events),
            args.timeout,
            args.profile,
            log_root,
            args.memory_limit,
        )
        for size in generate.parse_sizes(args.events)
    ]
    scaling = None
    if args.scaling:
        # Both runs back to back, cold, so they see the same machine load.
        size = int(float(args.scaling))
        label = generate.size_label(size)
        console.rule(f"[bold]scaling: {label} vs the same journeys ×2")
        runs = {}
        for replicate, key in ((1, "base"), (2, "double")):
            facts = generate.ensure_parquet(size, replicate=replicate)
            data_dir = Path(str(facts["path"])).parent
            log_dir = log_root / f"scaling_{label}_x{replicate}"
            log_dir.mkdir(parents=True, exist_ok=True)
            runs[key] = run_ours(
                data_dir,
                log_dir,
                args.timeout,
                True,
                f"ours_cold_x{replicate}",
                None,
                args.memory_limit,
            )
        if all(r["status"] == "ok" for r in runs.values()):
            scaling = {"size": label, **runs}
            print_scaling(scaling)
    rows = summary_rows(records)
    console.rule("[bold]summary")
    print_summary(rows)
    found = targets(rows)
    for t in found:
        mark = {True: "[green]met[/green]", False: "[red]missed[/red]", None: "-"}[t["met"]]
        console.print(
            f"  target at {t['at_events']:,} events: {t['target']}: {_fmt_x(t['value'])} {mark}"
        )
    elapsed = time.perf_counter() - started
    console.log(f"benchmark took {elapsed / 60:.1f} min")
    if not args.no_save:
        out = RESULTS_DIR / f"{stamp}.json"
        payload = {
            "run": stamp,
            "command": " ".join(["bench/run.py", *(argv if argv is not None else sys.argv[1:])]),
            "machine": info,
            "minutes": round(elapsed / 60, 1),
            "summary": rows,
            "targets": found,
            "sizes": [_slim(r) for r in records],
            "scaling": None
            if scaling is None
            else {
                "size": scaling["size"],
                "base": _slim_run(scaling["base"]),
                "double": _slim_run(scaling["double"]),
            },
        }
        out.write_text(json.dumps(payload, indent=1, default=str) + "\n")
        console.log(f"results: {out.relative_to(ROOT)}")
    if any(row["checks_equal"] is False for row in rows):
        console.print("[red]the routes did not find the same answers (see the checks above)[/red]")
        return 1
    return 0


def _slim_run(run: dict[str, Any] | None) -> dict[str, Any] | None:
    """A measurement without bulky parts: stages and the 12 slowest models."""
    if run is None:
        return None
    slim = {k: v for k, v in run.items() if k != "payload"}
    payload = run.get("payload")
    if payload:
        slim["payload"] = {**payload, "models": payload.get("models", [])[:12]}
    return slim


def _slim(record: dict[str, Any]) -> dict[str, Any]:
    slim = dict(record)
    for key in ("ours_cold", "ours_warm", "ours_profiled"):
        if key in slim:
            slim[key] = _slim_run(slim[key])
    if slim.get("pm4py"):
        slim["pm4py"] = {
            **slim["pm4py"],
            "steps": {
                k: {kk: vv for kk, vv in v.items() if kk != "payload"}
                for k, v in slim["pm4py"]["steps"].items()
            },
        }
    slim["floor"] = {
        k: {kk: vv for kk, vv in v.items() if kk != "payload"} for k, v in slim["floor"].items()
    }
    return slim


if __name__ == "__main__":
    sys.exit(main())
