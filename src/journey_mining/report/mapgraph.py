"""The process map's levels: which activities and edges each slider position shows.

Pure graph work on the aggregated map (activities, ``dfg_edges``, ``endpoints``), never on
events. The **activities slider** keeps the *k* activities most journeys do, plus the
activities on the widest paths (the path whose thinnest edge is thickest) from the start to
each of them and from each of them to the end — so every activity shown is reachable from
the start and reaches the end, through real edges. The **paths slider** then shows, at a
level, first its *skeleton* (the fewest widest-path edges that keep every activity connected
to start and end), then the remaining edges from most to least frequent.

Example:
    >>> g = MapGraph(
    ...     activities={"a": 10, "b": 6, "c": 4},
    ...     edges={("a", "b"): 6, ("a", "c"): 4, ("b", "c"): 1},
    ...     starts={"a": 10}, ends={"b": 5, "c": 5})
    >>> g.level(1).nodes
    ['a', 'b']
    >>> [e for e in g.level(3).edges]
    [('START', 'a'), ('a', 'b'), ('b', 'END'), ('c', 'END'), ('a', 'c'), ('b', 'c')]
"""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass, field

START = "START"
END = "END"
Edge = tuple[str, str]


@dataclass(frozen=True)
class Level:
    """One position of the activities slider: its nodes, and its edges in paths-slider order."""

    k: int
    nodes: list[str]
    edges: list[Edge]
    n_skeleton: int
    default_edges: int = 0
    extra: dict[str, object] = field(default_factory=dict)


def _widest_tree(
    sources: dict[str, float], adjacency: dict[str, list[tuple[str, float]]], order: dict[str, int]
) -> dict[str, str]:
    """For each node, its predecessor on the widest path from the virtual root (maximin)."""
    best: dict[str, float] = {}
    parent: dict[str, str] = {}
    heap: list[tuple[float, int, str, str]] = []
    for node, width in sources.items():
        heapq.heappush(heap, (-width, order[node], node, "ROOT"))
    done: set[str] = set()
    while heap:
        negative, _, node, via = heapq.heappop(heap)
        if node in done:
            continue
        done.add(node)
        best[node] = -negative
        parent[node] = via
        for target, width in adjacency.get(node, []):
            if target not in done:
                heapq.heappush(heap, (-min(-negative, width), order[target], target, node))
    return parent


class MapGraph:
    """The directly-follows graph with its widest-path trees, and its slider levels."""

    def __init__(
        self,
        activities: dict[str, int],
        edges: dict[Edge, int],
        starts: dict[str, int],
        ends: dict[str, int],
    ) -> None:
        # activities most journeys do first; ties by name, so levels are deterministic
        self.ranked = sorted(activities, key=lambda a: (-activities[a], a))
        self.order = {a: i for i, a in enumerate(self.ranked)}
        self.weights: dict[Edge, int] = dict(edges)
        self.weights.update({(START, a): n for a, n in starts.items()})
        self.weights.update({(a, END): n for a, n in ends.items()})
        forward: dict[str, list[tuple[str, float]]] = {}
        backward: dict[str, list[tuple[str, float]]] = {}
        for (source, target), n in sorted(edges.items()):
            if source != target:
                forward.setdefault(source, []).append((target, float(n)))
                backward.setdefault(target, []).append((source, float(n)))
        self.pred = _widest_tree({a: float(n) for a, n in starts.items()}, forward, self.order)
        self.succ = _widest_tree({a: float(n) for a, n in ends.items()}, backward, self.order)
        for node, via in list(self.pred.items()):
            self.pred[node] = START if via == "ROOT" else via
        for node, via in list(self.succ.items()):
            self.succ[node] = END if via == "ROOT" else via

    def connected(self, activity: str) -> bool:
        """Whether the activity is reachable from the start and reaches the end."""
        return activity in self.pred and activity in self.succ

    def closure(self, kept: list[str]) -> list[str]:
        """``kept`` plus every activity on their widest paths from the start and to the end."""
        nodes: set[str] = set()
        for chain in (self.pred, self.succ):
            walked: set[str] = set()
            for activity in kept:
                node = activity
                while node not in (START, END) and node not in walked:
                    walked.add(node)
                    nodes.add(node)
                    node = chain[node]
        return sorted(nodes, key=lambda a: self.order[a])

    def skeleton(self, nodes: list[str]) -> list[Edge]:
        """Widest in-edges of every node (all reachable from the start), then widest
        out-paths from each node that does not reach the end yet, until it does."""
        present = set(nodes)
        forward: dict[str, list[tuple[str, float]]] = {}
        backward: dict[str, list[tuple[str, float]]] = {}
        starts: dict[str, float] = {}
        ends: dict[str, float] = {}
        for (source, target), n in sorted(self.weights.items()):
            if source == START and target in present:
                starts[target] = float(n)
            elif target == END and source in present:
                ends[source] = float(n)
            elif source in present and target in present and source != target:
                forward.setdefault(source, []).append((target, float(n)))
                backward.setdefault(target, []).append((source, float(n)))
        pred = _widest_tree(starts, forward, self.order)
        succ = _widest_tree(ends, backward, self.order)
        chosen = [(START if pred[v] == "ROOT" else pred[v], v) for v in nodes if v in pred]
        incoming: dict[str, set[str]] = {}
        for source, target in chosen:
            incoming.setdefault(target, set()).add(source)
        reaches_end: set[str] = set()

        def mark(node: str) -> None:
            stack = [node]
            while stack:
                current = stack.pop()
                if current not in reaches_end:
                    reaches_end.add(current)
                    stack.extend(incoming.get(current, ()))

        for node in nodes:
            current = node
            while current != END and current not in reaches_end and current in succ:
                following = END if succ[current] == "ROOT" else succ[current]
                chosen.append((current, following))
                incoming.setdefault(following, set()).add(current)
                current = following
            if current == END or current in reaches_end:
                reaches_end.discard(current)
                mark(current)  # back along the chosen edges: all of these reach the end
        unique = list(dict.fromkeys(chosen))
        return sorted(unique, key=lambda e: (-self.weights[e], e))

    def level(self, k: int, edge_budget: int = 40) -> Level:
        """The map with the ``k`` most frequent activities (and those connecting them)."""
        kept = [a for a in self.ranked if self.connected(a)][: max(1, k)]
        nodes = self.closure(kept)
        present = set(nodes) | {START, END}
        skeleton = self.skeleton(nodes)
        in_skeleton = set(skeleton)
        rest = sorted(
            (
                e
                for e in self.weights
                if e[0] in present and e[1] in present and e not in in_skeleton
            ),
            key=lambda e: (-self.weights[e], e),
        )
        default = max(len(skeleton), min(edge_budget, len(skeleton) + len(rest)))
        return Level(
            k=k,
            nodes=nodes,
            edges=skeleton + rest,
            n_skeleton=len(skeleton),
            default_edges=default,
        )

    def levels(self, stops: int = 12, edge_budget: int = 40) -> list[Level]:
        """Levels for up to ``stops`` slider positions, fewest activities first, distinct node sets."""
        connected = [a for a in self.ranked if self.connected(a)]
        n = len(connected)
        if n == 0:
            return []
        ks = sorted({max(1, math.ceil(n * i / stops)) for i in range(1, stops + 1)} | {1, n})
        if n <= stops:
            ks = list(range(1, n + 1))
        result: list[Level] = []
        seen: set[tuple[str, ...]] = set()
        for k in ks:
            level = self.level(k, edge_budget)
            key = tuple(level.nodes)
            if key not in seen:
                seen.add(key)
                result.append(level)
        return result


def default_level(levels: list[Level], edge_budget: int = 40) -> int:
    """Index of the level shown first: the most activities whose skeleton leaves a quarter of
    the edge budget to the most frequent other paths."""
    fitting = [i for i, level in enumerate(levels) if level.n_skeleton <= 0.75 * edge_budget]
    return fitting[-1] if fitting else 0
