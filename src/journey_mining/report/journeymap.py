"""The customer journey map from data: representative journeys, their stages and touchpoints.

**Representative journeys** are real variants chosen by weighted k-medoids (greedy build):
the distance between two variants is 1 − the Jaccard similarity of their directly-follows
pairs (with start and end), each variant weighs its journeys, and medoids are added while a
new one lowers the mean distance by at least ``MIN_GAIN`` and represents at least
``MIN_SHARE`` of the journeys (at most ``MAX_GROUPS``). Every variant then belongs to its
nearest medoid, so each representative says how many journeys it stands for. This is
per-variant work on the compressed log, never per event; the per-event part — when, and
through which team, channel and system, each group's journeys do each activity — is
``sql/report/touchpoints.sql``.

Example:
    >>> variants = [("v1", ["a", "b"], 60), ("v3", ["c"], 35), ("v2", ["a", "b", "b"], 5)]
    >>> [(g.medoid, g.n_cases) for g in representatives(variants)]
    [('v1', 65), ('v3', 35)]
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import sparse

from journey_mining.report.queries import Reader, Row

MAX_GROUPS = 5
MIN_GAIN = 0.02
MIN_SHARE = 0.03
CANDIDATES = 200  # medoids are chosen among the most frequent variants
POOL = 2000  # the cost is measured over the most frequent variants
MIN_REACH = 0.05  # a touchpoint is shown when this share of the group's journeys does it

Variant = tuple[str, list[str], int]


@dataclass
class Group:
    """One representative journey: its medoid variant and the variants it stands for."""

    medoid: str
    variants: list[str] = field(default_factory=list)
    n_cases: int = 0


def _features(variants: list[Variant]) -> sparse.csr_matrix:
    """One row per variant, one column per directly-follows pair (with start and end): 0/1."""
    columns: dict[tuple[str, str], int] = {}
    rows: list[int] = []
    cols: list[int] = []
    for i, (_, activities, _) in enumerate(variants):
        path = ["\x00start", *activities, "\x00end"]
        for pair in set(itertools.pairwise(path)):
            rows.append(i)
            cols.append(columns.setdefault(pair, len(columns)))
    data = np.ones(len(rows), dtype=np.float64)
    return sparse.csr_matrix((data, (rows, cols)), shape=(len(variants), max(1, len(columns))))


def _distances(features: sparse.csr_matrix, rows: range, columns: list[int]) -> np.ndarray:
    """1 − Jaccard similarity between the ``rows`` variants and the ``columns`` variants."""
    sizes = np.asarray(features.sum(axis=1)).ravel()
    left = features[rows.start : rows.stop]
    right = features[columns]
    inter = np.asarray((left @ right.T).todense())
    union = sizes[rows.start : rows.stop, None] + sizes[columns][None, :] - inter
    with np.errstate(invalid="ignore", divide="ignore"):
        similarity = np.where(union > 0, inter / union, 1.0)
    return np.asarray(1.0 - similarity)


def representatives(
    variants: list[Variant],
    max_groups: int = MAX_GROUPS,
    min_gain: float = MIN_GAIN,
    min_share: float = MIN_SHARE,
) -> list[Group]:
    """Pick representative variants (see the module doc); ``variants`` most frequent first."""
    if not variants:
        return []
    features = _features(variants)
    weights = np.array([v[2] for v in variants], dtype=np.float64)
    pool = range(0, min(POOL, len(variants)))
    w = weights[pool.start : pool.stop] / weights[pool.start : pool.stop].sum()
    candidates = list(range(min(CANDIDATES, len(variants))))
    distance = _distances(features, pool, candidates)  # pool × candidates
    nearest = np.ones(len(pool))
    chosen: list[int] = []
    cost = 1.0
    while len(chosen) < max_groups:
        trial = np.minimum(nearest[:, None], distance)  # pool × candidates
        costs = w @ trial
        costs[chosen] = np.inf
        best = int(np.argmin(costs))
        gain = cost - float(costs[best])
        share = float(w[distance[:, best] < nearest].sum())
        if gain <= 1e-12 or (chosen and (gain < min_gain or share < min_share)):
            break
        chosen.append(best)
        nearest = np.minimum(nearest, distance[:, best])
        cost = float(costs[best])
    groups = [Group(medoid=variants[c][0]) for c in chosen]
    for start in range(0, len(variants), 20_000):
        block = range(start, min(start + 20_000, len(variants)))
        owner = np.argmin(_distances(features, block, chosen), axis=1)
        for offset, j in enumerate(owner):
            variant_id, _, n_cases = variants[block.start + offset]
            groups[int(j)].variants.append(variant_id)
            groups[int(j)].n_cases += n_cases
    return sorted(groups, key=lambda g: (-g.n_cases, g.medoid))


def stage_order(nodes: list[Row], steps: list[Row]) -> list[str]:
    """Stages in journey order: by their first happy-path step, then by mean event position."""
    first_step: dict[str, float] = {}
    position: dict[str, list[float]] = {}
    for node in nodes:
        stage = node.get("stage")
        if not stage or node.get("ghost"):
            continue
        if node.get("step_no") is not None:
            first_step[stage] = min(first_step.get(stage, float("inf")), float(node["step_no"]))
        position.setdefault(stage, []).append(float(node.get("mean_ordinal") or 0.0))
    return sorted(
        position,
        key=lambda s: (first_step.get(s, float("inf")), sum(position[s]) / len(position[s]), s),
    )


def build_journey_map(
    reader: Reader, nodes: list[Row], steps: list[Row], rating_missing: bool
) -> dict[str, Any]:
    """The ``journey_map`` part of the page's data (see docs/report.md)."""
    variants_rows = reader.rows(
        "SELECT variant_id, rank, activities, n_cases FROM mining.variants ORDER BY rank"
    )
    variants = [
        (str(r["variant_id"]), list(r["activities"]), int(r["n_cases"])) for r in variants_rows
    ]
    rank_of = {str(r["variant_id"]): int(r["rank"]) for r in variants_rows}
    groups = representatives(variants)
    if not groups:
        return {"stages": [], "groups": []}
    frame = pd.DataFrame(
        [(v, i) for i, g in enumerate(groups) for v in g.variants],
        columns=["variant_id", "cluster"],
    )
    reader.con.register("_report_clusters", frame)
    try:
        reader.con.execute(
            "CREATE OR REPLACE TEMP TABLE report_clusters AS "
            "SELECT variant_id::VARCHAR AS variant_id, cluster::INTEGER AS cluster FROM _report_clusters"
        )
    finally:
        reader.con.unregister("_report_clusters")
    touch = reader.report_sql("touchpoints", rating=reader.event_column("rating"))
    total = sum(g.n_cases for g in groups)
    stage_of = {n["name"]: n.get("stage") for n in nodes}
    payload_groups = []
    for i, group in enumerate(groups):
        medoid = next(v for v in variants if v[0] == group.medoid)
        points = []
        for row in touch:
            if row["cluster"] != i:
                continue
            reach = row["n_journeys"] / group.n_cases if group.n_cases else 0.0
            on_path = row["activity"] in medoid[1]
            if reach < MIN_REACH and not on_path:
                continue
            points.append(
                {
                    "activity": row["activity"],
                    "stage": stage_of.get(row["activity"]),
                    "n_journeys": row["n_journeys"],
                    "reach": reach,
                    "n_events": row["n_events"],
                    "median_since_start_s": row["median_since_start_s"],
                    "team": row["team"],
                    "channel": row["channel"],
                    "system": row["system"],
                    "on_medoid": on_path,
                    "n_rated": row["n_rated"],
                    "mean_rating": row["mean_rating"],
                    "top_rating": row["top_rating"],
                }
            )
        payload_groups.append(
            {
                "medoid_rank": rank_of[group.medoid],
                "medoid": group.medoid,
                "activities": medoid[1],
                "n_journeys": group.n_cases,
                "share": group.n_cases / total if total else 0.0,
                "n_variants": len(group.variants),
                "touchpoints": points,
            }
        )
    return {
        "stages": stage_order(nodes, steps),
        "groups": payload_groups,
        "rating_missing": rating_missing,
    }
