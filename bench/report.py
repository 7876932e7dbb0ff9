"""The report's benchmark: build time and file size of ``journey-mining report`` on a bench warehouse.

    .venv/bin/python bench/report.py bench/data/1e7/bench.duckdb --repeat 3

Each build runs in a fresh process (imports included, as the CLI pays them), the wall and
CPU seconds and the peak RSS are read from ``os.wait4``; the size is the written file's.
The warehouse comes from ``bench/run.py`` (or ``journey-mining run bench/pipeline.yaml
--data-dir bench/data/1e7 -w bench/data/1e7/bench.duckdb``). Results go to
``bench/results/report_<timestamp>.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
BUILD = (
    "import sys, journey_mining as jm; r = jm.report(sys.argv[1], sys.argv[2]); "
    "print(r.model_dump_json())"
)


def build(warehouse: Path, out: Path) -> dict[str, object]:
    """One report build in its own process: wall, CPU, peak RSS, size, the result's notes."""
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-c", BUILD, str(warehouse), str(out)], stdout=subprocess.PIPE, text=True
    )
    assert process.stdout is not None
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    if status != 0:
        raise SystemExit(f"the report build failed (status {status})")
    result = json.loads(output.strip().splitlines()[-1])
    return {
        "wall_s": round(wall, 2),
        "cpu_s": round(usage.ru_utime + usage.ru_stime, 2),
        "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),
        "bytes": result["bytes"],
        "build_s": result["seconds"],
        "notes": result["notes"],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("warehouse", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out", type=Path, default=Path("/tmp/jm-bench-report.html"))
    args = parser.parse_args()
    runs = [build(args.warehouse, args.out) for _ in range(args.repeat)]
    for run in runs:
        print(
            f"wall {run['wall_s']:.2f} s (in jm.report {run['build_s']:.2f} s, CPU {run['cpu_s']:.2f} s), "
            f"peak {run['peak_rss_mb']:.0f} MB, file {int(run['bytes']) / 1e6:.2f} MB"  # type: ignore[call-overload]
        )
    record = {
        "warehouse": str(args.warehouse),
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "load_average": os.getloadavg(),
        "runs": runs,
    }
    results = BENCH_DIR / "results"
    results.mkdir(exist_ok=True)
    target = results / f"report_{datetime.now(UTC).strftime('%Y%m%dT%H%M%SZ')}.json"
    target.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    print(f"written {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
