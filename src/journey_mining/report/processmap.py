"""The process map's data: activities, edges, slider levels with their layouts, the overlay.

Numbers come from ``mining.dfg_edges`` (edges), ``mining.endpoints`` (start and end edges),
the event profile and the variants (``sql/report/activities.sql``), and the happy path's
declarations (``meta.happy_path_steps``, ``meta.happy_path_activities``). Each slider level
is laid out once by dot (:mod:`.layout`); the edges shown by default shape it, the others
are routed without moving the nodes.

Example:
    >>> expected_edges([["a"], ["b", "c"], ["d"]])
    [('a', 'b'), ('a', 'c'), ('b', 'c'), ('b', 'd'), ('c', 'b'), ('c', 'd')]
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

from journey_mining.report.layout import EdgeSpec, NodeSpec, Placed, layout
from journey_mining.report.mapgraph import END, START, Level, MapGraph, default_level
from journey_mining.report.queries import Reader, Row

EDGE_BUDGET = 40  # edges the paths slider shows by default: legible at 30+ activities
LEVEL_STOPS = 12
ROUTED = 120  # edges per level dot routes; rarer ones are drawn as plain curves by the page
NODE_HEIGHT = 40.0
CHAR_PX = 7.6  # average width of a 13 px sans-serif character


def expected_edges(steps: list[list[str]]) -> list[tuple[str, str]]:
    """Directly-follows pairs the happy path expects: step to next step, any order within a group."""
    pairs: set[tuple[str, str]] = set()
    for i, group in enumerate(steps):
        pairs.update((a, b) for a in group for b in group if a != b)
        if i + 1 < len(steps):
            pairs.update((a, b) for a in group for b in steps[i + 1])
    return sorted(pairs)


def _node_width(name: str) -> float:
    return max(96.0, CHAR_PX * len(name) + 24.0)


def _happy_path(reader: Reader) -> dict[str, Any]:
    if not reader.has("meta.happy_path_steps"):
        reader.note("The warehouse has no happy path declarations: the overlay is not shown.")
        return {"steps": [], "optional": [], "expected": []}
    steps = reader.rows("SELECT * FROM meta.happy_path_steps ORDER BY step_no")
    groups = [list(s.get("activities") or []) for s in steps]
    on_steps = {a for g in groups for a in g}
    optional: list[str] = []
    if reader.has("meta.happy_path_activities"):
        optional = [
            str(r["activity"])
            for r in reader.rows("SELECT activity FROM meta.happy_path_activities")
            if r["activity"] not in on_steps
        ]
    expected = expected_edges(groups)
    if groups:
        expected = [(START, a) for a in groups[0]] + expected
    return {"steps": steps, "optional": sorted(optional), "expected": expected}


def build_map(reader: Reader, mix_modes: dict[str, dict[str, str]]) -> dict[str, Any]:
    """The ``map`` part of the page's data (see docs/report.md)."""
    activities = reader.report_sql("activities")
    dfg = reader.table("mining.dfg_edges", "the process map", "n_transitions DESC, source, target")
    endpoints = reader.table("mining.endpoints", "start and end of the map", "kind, activity")
    through = reader.report_sql("variant_through", {"top": 3})
    top_ranks = {(r["source"], r["target"]): r["top_ranks"] for r in through}
    happy = _happy_path(reader)
    n_journeys = _journeys(reader)

    names = [str(a["activity"]) for a in activities]
    known = set(names)
    ghosts = sorted(
        {a for pair in happy["expected"] for a in pair if a not in known and a != START}
    )
    keys = {name: f"n{i}" for i, name in enumerate(names + ghosts)}
    keys[START], keys[END] = "s", "e"
    expected = set(happy["expected"])
    optional = set(happy["optional"])
    steps_of = {a: int(s["step_no"]) for s in happy["steps"] for a in (s.get("activities") or [])}

    nodes = []
    for row in activities:
        name = str(row["activity"])
        modes = mix_modes.get(name, {})
        nodes.append(
            {
                "key": keys[name],
                "name": name,
                "n_events": row["n_events"],
                "n_cases": row["n_cases"],
                "share": row["n_cases"] / n_journeys if n_journeys else None,
                "mean_ordinal": row["mean_ordinal"],
                "stage": modes.get("stage"),
                "team": modes.get("team"),
                "channel": modes.get("channel"),
                "system": modes.get("system"),
                "step_no": steps_of.get(name),
                "path": "step" if name in steps_of else "optional" if name in optional else None,
                "top_ranks": top_ranks.get((name, None), []),
            }
        )
    nodes += [
        {"key": keys[g], "name": g, "ghost": True, "step_no": steps_of.get(g), "path": "step"}
        for g in ghosts
    ]

    edges: list[Row] = []
    weights: dict[tuple[str, str], int] = {}
    for row in dfg:
        pair = (str(row["source"]), str(row["target"]))
        weights[pair] = int(row["n_transitions"])
        mean = row.get("mean_wait_s")
        edges.append(
            {
                **{k: row.get(k) for k in _EDGE_COLUMNS},
                "from": keys[pair[0]],
                "to": keys[pair[1]],
                "kind": "flow",
                "total_wait_s": mean * row["n_transitions"] if mean is not None else None,
                "path": _path_class(pair, expected, optional),
                "top_ranks": top_ranks.get(pair, []),
            }
        )
    starts = {str(r["activity"]): int(r["n_cases"]) for r in endpoints if r["kind"] == "start"}
    ends = {str(r["activity"]): int(r["n_cases"]) for r in endpoints if r["kind"] == "end"}
    for kind, table in (("start", starts), ("end", ends)):
        for activity, n in sorted(table.items(), key=lambda item: (-item[1], item[0])):
            pair = (START, activity) if kind == "start" else (activity, END)
            edges.append(
                {
                    "source": pair[0],
                    "target": pair[1],
                    "n_cases": n,
                    "n_transitions": n,
                    "from": keys[pair[0]],
                    "to": keys[pair[1]],
                    "kind": kind,
                    "path": _path_class(pair, expected, optional) if kind == "start" else None,
                }
            )
    index = {(e["source"], e["target"]): i for i, e in enumerate(edges)}
    for pair in happy["expected"]:
        if pair not in index and pair[0] in keys and pair[1] in keys:
            index[pair] = len(edges)
            edges.append(
                {
                    "source": pair[0],
                    "target": pair[1],
                    "from": keys[pair[0]],
                    "to": keys[pair[1]],
                    "kind": "ghost",
                    "path": "expected",
                }
            )

    graph = MapGraph(
        {n: int(a["n_cases"]) for n, a in zip(names, activities, strict=True)},
        weights,
        starts,
        ends,
    )
    levels = graph.levels(LEVEL_STOPS, EDGE_BUDGET)
    ghost_edges = [i for i, e in enumerate(edges) if e["kind"] == "ghost"]
    with ThreadPoolExecutor(max_workers=2) as pool:
        placed = list(
            pool.map(lambda lv: _lay_out(lv, edges, index, keys, ghosts, ghost_edges), levels)
        )
    return {
        "nodes": nodes,
        "edges": edges,
        "levels": [
            _level_payload(lv, p, index, keys, edges, ghost_edges)
            for lv, p in zip(levels, placed, strict=True)
        ],
        "default_level": default_level(levels, EDGE_BUDGET),
        "edge_budget": EDGE_BUDGET,
        "happy_path": {"steps": happy["steps"], "optional": happy["optional"]},
        "n_journeys": n_journeys,
        "unconnected": [n for n in names if not graph.connected(n)],
    }


_EDGE_COLUMNS = (
    "source",
    "target",
    "n_transitions",
    "n_cases",
    "median_wait_s",
    "p90_wait_s",
    "mean_wait_s",
    "min_wait_s",
    "max_wait_s",
)


def _journeys(reader: Reader) -> int:
    if not reader.has("mining.journeys"):
        return 0
    row = reader.rows("SELECT count(*) AS n FROM mining.journeys")[0]
    return int(row["n"])


def _path_class(pair: tuple[str, str], expected: set[tuple[str, str]], optional: set[str]) -> str:
    if pair in expected:
        return "expected"
    if pair[0] in optional or pair[1] in optional:
        return "optional"
    return "off"


def _lay_out(
    level: Level,
    edges: list[Row],
    index: dict[tuple[str, str], int],
    keys: dict[str, str],
    ghosts: list[str],
    ghost_edges: list[int],
) -> Placed:
    names = {keys[n]: n for n in level.nodes}
    specs = [NodeSpec(keys[n], _node_width(n), NODE_HEIGHT) for n in level.nodes]
    specs += [NodeSpec(keys[g], _node_width(g), NODE_HEIGHT) for g in ghosts]
    specs += [NodeSpec("s", 22, 22, "circle"), NodeSpec("e", 22, 22, "circle")]
    present = set(names) | {keys[g] for g in ghosts} | {"s", "e"}
    shown = set(level.edges[: level.default_edges])
    routes = []
    for pair in level.edges[: max(ROUTED, level.default_edges)]:
        edge = edges[index[pair]]
        routes.append(
            EdgeSpec(
                edge["from"],
                edge["to"],
                constraint=pair in shown,
                weight=2 if pair in shown else 1,
                label_chars=7 if pair in shown else 0,
            )
        )
    for i in ghost_edges:
        edge = edges[i]
        if edge["from"] in present and edge["to"] in present:
            routes.append(EdgeSpec(edge["from"], edge["to"], constraint=False))
    return layout(specs, routes)


def _level_payload(
    level: Level,
    placed: Placed,
    index: dict[tuple[str, str], int],
    keys: dict[str, str],
    edges: list[Row],
    ghost_edges: list[int],
) -> dict[str, Any]:
    routes: dict[str, list[float]] = {}
    labels: dict[str, list[float]] = {}
    ordered = [index[pair] for pair in level.edges]
    for i in ordered + ghost_edges:
        key = (edges[i]["from"], edges[i]["to"])
        if key in placed.edges:
            routes[str(i)] = [round(v, 1) for point in placed.edges[key] for v in point]
        if key in placed.labels:
            labels[str(i)] = [round(v, 1) for v in placed.labels[key]]
    return {
        "k": level.k,
        "nodes": [keys[n] for n in level.nodes],
        "edges": ordered,
        "n_skeleton": level.n_skeleton,
        "default_edges": level.default_edges,
        "width": round(placed.width, 1),
        "height": round(placed.height, 1),
        "boxes": {k: [round(v, 1) for v in box] for k, box in placed.nodes.items()},
        "routes": routes,
        "labels": labels,
    }
