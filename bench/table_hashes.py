"""Ordered hashes of every contract table of a warehouse: proof that a refactor changed no row.

For each table ``mining.<name>`` of ``journey_mining.api.CONTRACT_TABLES`` it computes, in
DuckDB, ``md5`` over the ``md5`` of every row's text (the row as a struct, cast to
``VARCHAR``), concatenated in the order of all columns (``ORDER BY`` every column, in table
order). Two warehouses with equal hashes hold the same rows, value for value. Columns that
record *when* a run happened rather than what it computed are left out: ``runs``' run id,
start and finish; ``run_sources``' run id; ``quarantine``'s load id and run id (both carry
the run id, which holds the start time). For ``journey_events`` a second hash leaves out
``event_id`` too, so a change of the event id's type can be told apart from a change of
anything else, and the count of distinct event ids shows they are still unique.

Usage::

    .venv/bin/python bench/table_hashes.py WAREHOUSE.duckdb [--out hashes.json]
    .venv/bin/python bench/table_hashes.py --demo 3000 --out bench/results/hashes_demo_3000.json
    .venv/bin/python bench/table_hashes.py --bench 1e5 --out bench/results/hashes_bench_1e5.json
    .venv/bin/python bench/table_hashes.py --compare A.json B.json

``--demo N`` runs ``journey-mining demo`` (``jm.demo``, seed 7) with N generated customers
into a temporary folder and hashes its warehouse; ``--bench SIZE`` runs
``bench/pipeline.yaml`` on the benchmark log of that size (``bench/generate.py``, generated
once under ``bench/data/``). ``--compare`` prints, per table, whether the two files agree,
and exits 1 when any table differs.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import duckdb

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
# Columns recording when a run happened (its id embeds the start time), not what it computed.
EXCLUDED = {
    "runs": ("run_id", "started_at", "finished_at"),
    "run_sources": ("run_id",),
    "quarantine": ("load_id", "run_id"),
}
# Columns whose type may change on purpose: a second hash leaves them out.
ALSO_WITHOUT = {"journey_events": ("event_id",)}


def _columns(con: duckdb.DuckDBPyConnection, table: str) -> list[tuple[str, str]]:
    return [
        (str(name), str(kind))
        for name, kind in con.execute(
            "SELECT column_name, data_type FROM information_schema.columns "
            "WHERE table_schema = 'mining' AND table_name = ? ORDER BY ordinal_position",
            [table],
        ).fetchall()
    ]


def _ordered_hash(con: duckdb.DuckDBPyConnection, table: str, columns: list[str]) -> str:
    quoted = [f'"{c}"' for c in columns]
    row = "struct_pack(" + ", ".join(f"{q} := {q}" for q in quoted) + ")"
    order = ", ".join(f"{q} NULLS FIRST" for q in quoted)
    result = con.execute(
        f"SELECT coalesce(md5(string_agg(md5(CAST({row} AS VARCHAR)), '' ORDER BY {order})), "
        f"md5('')) FROM mining.{table}"
    ).fetchone()
    assert result is not None
    return str(result[0])


def table_hashes(warehouse: Path) -> dict[str, Any]:
    """Rows, column types and ordered hashes of every contract table of ``warehouse``."""
    from journey_mining.api import CONTRACT_TABLES

    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        tables: dict[str, Any] = {}
        for table in CONTRACT_TABLES:
            columns = _columns(con, table)
            if not columns:
                tables[table] = {"missing": True}
                continue
            kept = [c for c, _ in columns if c not in EXCLUDED.get(table, ())]
            count = con.execute(f"SELECT count(*) FROM mining.{table}").fetchone()
            assert count is not None
            entry: dict[str, Any] = {
                "rows": int(count[0]),
                "types": dict(columns),
                "excluded": list(EXCLUDED.get(table, ())),
                "hash": _ordered_hash(con, table, kept),
            }
            for column in ALSO_WITHOUT.get(table, ()):
                others = [c for c in kept if c != column]
                entry.setdefault("hash_without", {})[column] = _ordered_hash(con, table, others)
                distinct = con.execute(f'SELECT count(DISTINCT "{column}") FROM mining.{table}')
                entry.setdefault("distinct", {})[column] = int(distinct.fetchall()[0][0])
            tables[table] = entry
    finally:
        con.close()
    return tables


def compare(a: dict[str, Any], b: dict[str, Any]) -> list[tuple[str, str]]:
    """``(table, verdict)`` per table: ``equal``, or what differs between ``a`` and ``b``."""
    verdicts = []
    for table in sorted(set(a["tables"]) | set(b["tables"])):
        left, right = a["tables"].get(table), b["tables"].get(table)
        if left is None or right is None or left.get("missing") or right.get("missing"):
            verdicts.append((table, "missing in one warehouse"))
            continue
        if left["hash"] == right["hash"] and left["types"] == right["types"]:
            verdicts.append((table, "equal"))
            continue
        notes = []
        if left["rows"] != right["rows"]:
            notes.append(f"rows {left['rows']:,} vs {right['rows']:,}")
        typed = sorted(
            f"{c}: {left['types'].get(c)} → {right['types'].get(c)}"
            for c in set(left["types"]) | set(right["types"])
            if left["types"].get(c) != right["types"].get(c)
        )
        notes += [f"type {t}" for t in typed]
        if left["hash"] == right["hash"]:
            notes.append("same values")
        for column, value in left.get("hash_without", {}).items():
            if right.get("hash_without", {}).get(column) == value:
                notes.append(f"equal without {column}")
            else:
                notes.append(f"differs even without {column}")
            for side in (left, right):
                if column in side.get("distinct", {}) and side["distinct"][column] != side["rows"]:
                    notes.append(f"{column} not unique ({side['distinct'][column]:,} distinct)")
        verdicts.append((table, "differs: " + "; ".join(notes or ["values"])))
    return verdicts


def _run_demo(customers: int, folder: Path) -> tuple[Path, dict[str, Any]]:
    import journey_mining as jm

    result = jm.demo(folder, customers=customers, seed=7)
    return Path(result.warehouse), {"demo_customers": customers, "seed": 7}


def _run_bench(size: str, folder: Path) -> tuple[Path, dict[str, Any]]:
    import journey_mining as jm

    sys.path.insert(0, str(BENCH_DIR))
    import generate  # bench/ is a folder of scripts, not a package

    events = int(float(size))
    facts = generate.ensure_parquet(events)
    warehouse = folder / "bench.duckdb"
    jm.run(
        BENCH_DIR / "pipeline.yaml",
        data_dir=generate.dataset_dir(events),
        warehouse=warehouse,
        outputs_dir=folder,
    )
    return warehouse, {"bench_events": facts["events"], "seed": facts["seed"]}


def _commit() -> str:
    """The checked-out commit, with ``+dirty`` when the working tree has changes."""
    head = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=no"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    ).stdout.strip()
    return head + ("+dirty" if dirty else "")


def _describe(warehouse: Path, extra: dict[str, Any]) -> dict[str, Any]:
    tables = table_hashes(warehouse)
    customers = tables.get("customers", {}).get("rows")
    return {**extra, "commit": _commit(), "customers": customers, "tables": tables}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("warehouse", nargs="?", help="a warehouse file to hash")
    parser.add_argument("--demo", type=int, help="hash a fresh demo with this many customers")
    parser.add_argument("--bench", help="hash a fresh bench run at this size (1e5, 1e6)")
    parser.add_argument("--compare", nargs=2, metavar=("A", "B"), help="compare two hash files")
    parser.add_argument("--out", help="write the JSON here (default: print it)")
    args = parser.parse_args(argv)
    if args.compare:
        a, b = (json.loads(Path(p).read_text()) for p in args.compare)
        verdicts = compare(a, b)
        for table, verdict in verdicts:
            print(f"{table:<16} {verdict}")
        return 0 if all(v == "equal" for _, v in verdicts) else 1
    with tempfile.TemporaryDirectory(prefix="jm-hashes-") as tmp:
        if args.demo:
            warehouse, extra = _run_demo(args.demo, Path(tmp))
        elif args.bench:
            warehouse, extra = _run_bench(args.bench, Path(tmp))
        elif args.warehouse:
            warehouse, extra = Path(args.warehouse), {"warehouse": args.warehouse}
        else:
            parser.error("give a warehouse, --demo N, --bench SIZE or --compare A B")
        described = _describe(warehouse, extra)
    text = json.dumps(described, indent=1, sort_keys=True) + "\n"
    if args.out:
        Path(args.out).write_text(text)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
