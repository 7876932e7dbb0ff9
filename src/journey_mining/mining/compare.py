"""Compare the discovered variants with the happy path, inside the warehouse.

Reads the variants (compressed log: one row per activity sequence, with its count) from
``temp.int_variants`` (in a run) or ``mining.variants``, reuses alignments kept in
``meta.alignment_cache`` for the same model fingerprint (a variant's alignment against an
unchanged model never changes), aligns only the new variants with pm4py, and writes ``temp.int_variant_alignments`` and
``temp.int_variant_deviations`` for the SQL marts.

Example:
    >>> # compare_variants(con, model)  # doctest: +SKIP
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Literal

import duckdb
import pandas as pd

from journey_mining.mining.conformance import align_variants, classify_deviations
from journey_mining.mining.models import ProcessModel, VariantAlignment


def read_variant_log(
    con: duckdb.DuckDBPyConnection,
    table: Literal["mining.variants", "temp.int_variants"] = "mining.variants",
) -> pd.DataFrame:
    """The compressed log: ``variant_id``, ``activities`` (list), ``n_cases``, most frequent first.

    ``table`` is ``mining.variants`` or, inside a run before it exists, ``temp.int_variants``.
    """
    return con.execute(f"SELECT variant_id, activities, n_cases FROM {table} ORDER BY rank").df()


def read_dfg(
    con: duckdb.DuckDBPyConnection,
) -> tuple[dict[tuple[str, str], int], dict[str, int], dict[str, int]]:
    """The directly-follows graph from ``mining.dfg_edges`` and ``mining.endpoints``."""
    edges = {
        (str(s), str(t)): int(n)
        for s, t, n in con.execute(
            "SELECT source, target, n_transitions FROM mining.dfg_edges"
        ).fetchall()
    }
    ends = con.execute("SELECT kind, activity, n_cases FROM mining.endpoints").fetchall()
    starts = {str(a): int(n) for kind, a, n in ends if kind == "start"}
    finals = {str(a): int(n) for kind, a, n in ends if kind == "end"}
    return edges, starts, finals


def _cached(con: duckdb.DuckDBPyConnection, fingerprint: str) -> dict[str, VariantAlignment]:
    rows = con.execute(
        "SELECT variant_id, cost, fitness, moves FROM meta.alignment_cache WHERE model_fingerprint = ?",
        [fingerprint],
    ).fetchall()
    return {
        str(variant_id): VariantAlignment(
            variant_id=str(variant_id),
            cost=float(cost),
            fitness=float(fitness),
            moves=[(m[0], m[1]) for m in json.loads(moves)],
        )
        for variant_id, cost, fitness, moves in rows
    }


def compare_variants(
    con: duckdb.DuckDBPyConnection,
    model: ProcessModel,
    progress: Callable[[int, int], None] | None = None,
    table: Literal["mining.variants", "temp.int_variants"] = "mining.variants",
) -> tuple[int, int]:
    """Align every variant of ``table`` against ``model``; return (aligned now, from cache)."""
    variants = read_variant_log(con, table)
    cached = _cached(con, model.fingerprint)
    alignments = align_variants(variants, model, cached=cached, progress=progress)
    fresh = [a for a in alignments if a.variant_id not in cached]
    if fresh:
        cache_rows = pd.DataFrame(
            {
                "variant_id": [a.variant_id for a in fresh],
                "cost": [float(a.cost) for a in fresh],
                "fitness": [float(a.fitness) for a in fresh],
                "moves": [json.dumps(a.moves) for a in fresh],
            }
        )
        con.register("_cache_rows", cache_rows)
        con.execute(
            "INSERT INTO meta.alignment_cache SELECT ?, variant_id::VARCHAR, cost::DOUBLE, "
            "fitness::DOUBLE, moves::JSON FROM _cache_rows",
            [model.fingerprint],
        )
        con.unregister("_cache_rows")
    alignment_frame = pd.DataFrame(
        {
            "variant_id": [a.variant_id for a in alignments],
            "cost": [float(a.cost) for a in alignments],
            "fitness": [float(a.fitness) for a in alignments],
        }
    )
    deviations = [d for a in alignments for d in classify_deviations(a)]
    deviation_frame = pd.DataFrame(
        {
            "variant_id": [d.variant_id for d in deviations],
            "kind": [d.kind for d in deviations],
            "activity": [d.activity for d in deviations],
            "position": [int(d.position) for d in deviations],
        }
    )
    con.register("_alignment_frame", alignment_frame)
    con.register("_deviation_frame", deviation_frame)
    con.execute(
        "CREATE OR REPLACE TEMP TABLE int_variant_alignments AS "
        "SELECT variant_id::VARCHAR AS variant_id, cost::DOUBLE AS cost, fitness::DOUBLE AS fitness "
        "FROM _alignment_frame"
    )
    con.execute(
        "CREATE OR REPLACE TEMP TABLE int_variant_deviations AS "
        "SELECT variant_id::VARCHAR AS variant_id, kind::VARCHAR AS kind, "
        "activity::VARCHAR AS activity, position::BIGINT AS position FROM _deviation_frame"
    )
    con.unregister("_alignment_frame")
    con.unregister("_deviation_frame")
    return len(fresh), len(alignments) - len(fresh)
