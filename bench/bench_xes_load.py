"""Benchmark: stream an XES log into a DuckDB warehouse; print rows/s and peak memory.

Loads the biggest shared XES log (``../shared/data/bpic2012.xes.gz``, 262,200 events, by
default) through ``iter_xes_batches`` + ``land_source`` into a new DuckDB file, as the file
connector does for ``format: xes``, once per ``--batch-rows`` value. Each run is a fresh
process, so ``ru_maxrss`` (peak resident memory) belongs to that load alone; a reader-only
pass (parse, no DuckDB) shows what the XML parsing itself costs. Not part of the test run::

    .venv/bin/python bench/bench_xes_load.py
    .venv/bin/python bench/bench_xes_load.py --file ../shared/data/bpic2013_incidents.xes.gz \
        --batch-rows 10000,100000
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

DEFAULT_FILE = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "bpic2012.xes.gz"


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def read_only(file: Path, batch_rows: int) -> dict[str, float]:
    """Parse the whole log into batches without landing them."""
    from journey_mining.connectors.xes import iter_xes_batches

    baseline = _peak_rss_mb()
    started = time.perf_counter()
    rows = sum(len(batch) for batch in iter_xes_batches(file, batch_rows=batch_rows))
    seconds = time.perf_counter() - started
    return {
        "rows": rows,
        "seconds": seconds,
        "peak_rss_mb": _peak_rss_mb(),
        "baseline_mb": baseline,
    }


def load(file: Path, batch_rows: int) -> dict[str, float]:
    """Stream the log into ``raw.log`` of a new warehouse, through the landing step."""
    from journey_mining.config import SourceConfig, load_preset
    from journey_mining.connectors.compile import compile_source
    from journey_mining.connectors.landing import land_source
    from journey_mining.connectors.protocol import Batch, LoadContext, Origin
    from journey_mining.connectors.xes import iter_xes_batches
    from journey_mining.warehouse import connect

    baseline = _peak_rss_mb()
    preset = load_preset("xes_event_log")
    source = SourceConfig(name="log", preset=preset, path=file.name)
    with tempfile.TemporaryDirectory() as folder:
        con = connect(Path(folder) / "bench.duckdb")
        ctx = LoadContext(con, source, preset, compile_source("log", preset, None), "bench")
        started = time.perf_counter()
        batches = (Batch(frame) for frame in iter_xes_batches(file, batch_rows=batch_rows))
        result = land_source(ctx, [Origin(file.name, batches)])
        loaded, quarantined = result.rows_loaded, result.rows_quarantined
        seconds = time.perf_counter() - started
        con.close()
    return {
        "rows": loaded + quarantined,
        "loaded": loaded,
        "quarantined": quarantined,
        "seconds": seconds,
        "peak_rss_mb": _peak_rss_mb(),
        "baseline_mb": baseline,
    }


def _child(mode: str, file: Path, batch_rows: int) -> dict[str, float]:
    output = subprocess.run(
        [
            sys.executable,
            __file__,
            "--child",
            mode,
            "--file",
            str(file),
            "--batch-rows",
            str(batch_rows),
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return dict(json.loads(output.strip().splitlines()[-1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--file", type=Path, default=DEFAULT_FILE)
    parser.add_argument("--batch-rows", default="10000,100000")
    parser.add_argument("--child", choices=["read", "load"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        run = read_only if args.child == "read" else load
        print(json.dumps(run(args.file, int(args.batch_rows))))
        return
    if not args.file.is_file():
        sys.exit(f"{args.file} does not exist: pass --file with an XES log (.xes or .xes.gz)")
    print(f"{args.file.name}: {args.file.stat().st_size / 2**20:.1f} MiB on disk")
    for batch_rows in (int(b) for b in args.batch_rows.split(",")):
        for mode in ("read", "load"):
            result = _child(mode, args.file, batch_rows)
            rate = result["rows"] / result["seconds"]
            what = "reader only      " if mode == "read" else "reader + landing "
            print(
                f"batch_rows={batch_rows:>7,}  {what} {int(result['rows']):>9,} rows  "
                f"{result['seconds']:6.1f} s  {rate:>9,.0f} rows/s  "
                f"peak RSS {result['peak_rss_mb']:5.0f} MB "
                f"({result['baseline_mb']:.0f} MB after imports)"
            )


if __name__ == "__main__":
    main()
