"""Benchmark: a large JSON document streamed into a warehouse, and phone numbers to E.164.

Two measurements, each in a fresh process so ``ru_maxrss`` (peak resident memory) is its own:

* ``json``: writes a JSON document of ``--records`` records under ``data.items`` (about
  190 bytes a record: 1,000,000 records ≈ 190 MB), then loads it through the file connector
  and the landing step (``format: json``, ``records: data.items``); a reader-only pass shows
  what ``ijson`` itself costs. Memory should follow the batch (``jsondoc.BATCH_ROWS``), not
  the document.
* ``phones``: ``--records`` rows whose phone numbers, written in four national and
  international spellings, belong to ``--distinct`` people, normalised by the SQL function
  ``jm_phone_e164`` (distinct values per chunk, cached): rows per second.

Not part of the test run::

    .venv/bin/python bench/bench_export_shapes.py json --records 1000000
    .venv/bin/python bench/bench_export_shapes.py phones --records 1000000 --distinct 100000
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


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def write_document(path: Path, records: int) -> None:
    """A JSON document ``{"meta": …, "data": {"items": [...]}}`` written without holding it."""
    with path.open("w", encoding="utf-8") as out:
        out.write('{"meta": {"page": 1}, "data": {"items": [')
        for n in range(records):
            record = {
                "id": f"ev-{n:09d}",
                "customer": {"email": f"c{n % 50_000}@example.com", "tier": "gold"},
                "event": ("opened", "clicked", "paid")[n % 3],
                "at": 1_735_689_600_000_000 + n * 1_000_000,
                "tags": ["a", "b"],
            }
            out.write(("," if n else "") + json.dumps(record))
        out.write("]}}")


def _preset() -> dict[str, object]:
    return {
        "name": "doc",
        "format": "json",
        "records": "data.items",
        "system": "api",
        "event_id": ["id"],
        "timestamp": {"column": "at", "format": "epoch_us"},
        "activity": {"column": "event"},
        "identifiers": {"email": "customer.email"},
    }


def load_json(records: int, reader_only: bool) -> dict[str, float]:
    from journey_mining.config import ConnectorPreset, SourceConfig
    from journey_mining.connectors.compile import compile_source
    from journey_mining.connectors.jsondoc import iter_records
    from journey_mining.connectors.protocol import LoadContext
    from journey_mining.connectors.sources import load_source
    from journey_mining.warehouse import connect

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "doc.json"
        write_document(path, records)
        size_mb = path.stat().st_size / 1e6
        baseline = _peak_rss_mb()
        started = time.perf_counter()
        if reader_only:
            with path.open("rb") as handle:
                rows = sum(1 for _ in iter_records(handle, "data.items"))
        else:
            preset = ConnectorPreset.model_validate(_preset())
            source = SourceConfig(name="doc", preset=preset, path="doc.json")
            con = connect(Path(folder) / "w.duckdb")
            ctx = LoadContext(
                con, source, preset, compile_source("doc", preset, None), "bench", Path(folder)
            )
            rows = load_source(ctx).rows_loaded
            con.close()
        seconds = time.perf_counter() - started
    return {
        "records": rows,
        "document_mb": round(size_mb, 1),
        "seconds": round(seconds, 2),
        "records_per_s": round(rows / seconds),
        "peak_rss_mb": round(_peak_rss_mb()),
        "baseline_mb": round(baseline),
    }


def phones(records: int, distinct: int) -> dict[str, float]:
    import duckdb

    from journey_mining.connectors.phones import phone_expression, register_phone_function

    con = duckdb.connect()
    register_phone_function(con)
    con.execute(
        "CREATE TABLE p AS SELECT CASE i % 4 "
        "WHEN 0 THEN '06 ' || lpad(CAST(i % ? AS VARCHAR), 8, '0') "
        "WHEN 1 THEN '+31 6 ' || lpad(CAST(i % ? AS VARCHAR), 8, '0') "
        "WHEN 2 THEN '00316' || lpad(CAST(i % ? AS VARCHAR), 8, '0') "
        "ELSE '(06) ' || lpad(CAST(i % ? AS VARCHAR), 8, '0') END AS phone "
        "FROM range(?) t(i)",
        [distinct, distinct, distinct, distinct, records],
    )
    started = time.perf_counter()
    ((n, unique),) = con.execute(
        f"SELECT count(e), count(DISTINCT e) FROM (SELECT {phone_expression('phone', 'NL')} AS e "
        "FROM p)"
    ).fetchall()
    seconds = time.perf_counter() - started
    return {
        "rows": records,
        "normalised": n,
        "distinct_e164": unique,
        "seconds": round(seconds, 2),
        "rows_per_s": round(records / seconds),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("what", choices=["json", "phones"])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--distinct", type=int, default=100_000)
    parser.add_argument("--child", choices=["load", "read"], default=None)
    args = parser.parse_args()
    if args.what == "phones":
        print(json.dumps(phones(args.records, args.distinct)))
        return
    if args.child is not None:
        print(json.dumps(load_json(args.records, args.child == "read")))
        return
    for child in ("read", "load"):
        out = subprocess.run(
            [sys.executable, __file__, "json", "--records", str(args.records), "--child", child],
            check=True,
            capture_output=True,
            text=True,
        )
        print(child, out.stdout.strip())


if __name__ == "__main__":
    main()
