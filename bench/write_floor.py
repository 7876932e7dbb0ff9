"""What writing the contract's per-event tables costs alone, against the floor query (issue 10).

The whole job's target (issue 10: cold ≤ 3× the floor query in CPU seconds at 10^7 events)
is judged against one DuckDB query that reads the Parquet log and writes nothing. The job
must also write the contract's per-event tables, unchanged row for row (the same issue's
second criterion). This measures, in one process and under the bench's ``memory_limit``,
what copying those tables out of an existing bench warehouse costs — no staging, identity,
window functions, joins or checks, only reading compressed columns and writing them again:
a lower bound of what producing them costs. Each statement writes a new table in a fresh
warehouse file; the floor query runs in memory as ``bench/stage.py`` runs it.

Usage (after ``bench/run.py --events 1e7``, which leaves ``bench/data/1e7/bench.duckdb``)::

    .venv/bin/python bench/write_floor.py --size 1e7
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

import duckdb
from stage import FLOOR_QUERY

BENCH_DIR = Path(__file__).resolve().parent

STEPS = (
    (
        "raw: the Parquet log written as read (5 columns + row number)",
        "CREATE TABLE raw_as_read AS SELECT *, file_row_number "
        "FROM read_parquet({parquet}, file_row_number = true)",
    ),
    ("raw.events copied (19 columns)", "CREATE TABLE raw_events AS FROM bench.raw.events"),
    (
        "mining.journey_events copied as stored, not sorted (22 columns)",
        "CREATE TABLE journey_events_unsorted AS FROM bench.mining.journey_events",
    ),
    (
        "mining.journey_events copied in journey order (22 columns)",
        "CREATE TABLE journey_events AS FROM bench.mining.journey_events ORDER BY case_id, ordinal",
    ),
    (
        "mining.journey_steps copied (12 columns)",
        "CREATE TABLE journey_steps AS FROM bench.mining.journey_steps",
    ),
)


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="1e7", help="bench/data/<size>/ (default 1e7)")
    parser.add_argument("--memory-limit", default="1GB", help="as bench/pipeline.yaml")
    args = parser.parse_args()
    data = BENCH_DIR / "data" / args.size
    parquet = "'" + str(data / "events.parquet").replace("'", "''") + "'"
    warehouse = data / "bench.duckdb"
    if not warehouse.exists():
        parser.error(f"{warehouse} is missing: run bench/run.py --events {args.size} first")

    floor = duckdb.connect()
    floor.execute("SET TimeZone = 'UTC'")
    started = _cpu()
    floor.execute(FLOOR_QUERY.format(path=parquet)).fetchall()
    floor_cpu = _cpu() - started
    floor.close()
    print(f"{'floor query (DFG + performance DFG + variants)':62s} {floor_cpu:7.2f} CPU s")

    total = 0.0
    with tempfile.TemporaryDirectory(dir=data) as folder:
        con = duckdb.connect(str(Path(folder) / "copies.duckdb"))
        con.execute(f"SET memory_limit = '{args.memory_limit}'")
        con.execute(f"ATTACH '{warehouse}' AS bench (READ_ONLY)")
        for label, sql in STEPS:
            started, wall = _cpu(), time.perf_counter()
            con.execute(sql.format(parquet=parquet))
            cpu = _cpu() - started
            if not label.startswith(("raw: the Parquet", "mining.journey_events copied as")):
                total += cpu
            print(
                f"{label:62s} {cpu:7.2f} CPU s ({time.perf_counter() - wall:5.2f} s wall)"
                f" = {cpu / floor_cpu:4.2f}× the floor"
            )
        con.close()
    print(
        f"{'raw.events + journey_events in order + journey_steps':62s} {total:7.2f} CPU s"
        f" = {total / floor_cpu:4.2f}× the floor"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
