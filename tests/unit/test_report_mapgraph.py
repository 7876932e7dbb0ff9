"""The process map's slider levels: connected at every level, skeleton first, real edges only."""

from __future__ import annotations

from journey_mining.report.layout import EdgeSpec, NodeSpec, parse_plain, to_dot
from journey_mining.report.mapgraph import END, START, MapGraph, default_level
from journey_mining.report.processmap import expected_edges

# a → b → d is the main road; a → c → d a side road; e hangs off c only; f is never left
ACTIVITIES = {"a": 100, "b": 80, "c": 30, "d": 90, "e": 5, "f": 3}
EDGES = {
    ("a", "b"): 80,
    ("b", "d"): 78,
    ("a", "c"): 20,
    ("c", "d"): 18,
    ("c", "e"): 5,
    ("e", "d"): 5,
    ("b", "b"): 4,
    ("d", "a"): 2,
    ("f", "f"): 1,
}
STARTS = {"a": 100, "f": 3}
ENDS = {"d": 90}


def graph() -> MapGraph:
    return MapGraph(ACTIVITIES, EDGES, STARTS, ENDS)


def _reachable(edges: list[tuple[str, str]], source: str, reverse: bool = False) -> set[str]:
    seen, stack = {source}, [source]
    while stack:
        node = stack.pop()
        for s, t in edges:
            a, b = (t, s) if reverse else (s, t)
            if a == node and b not in seen:
                seen.add(b)
                stack.append(b)
    return seen


def test_activity_that_never_reaches_the_end_is_left_off_the_map() -> None:
    assert not graph().connected("f")
    assert all("f" not in level.nodes for level in graph().levels())


def test_one_activity_level_keeps_the_most_frequent_activity_and_its_way_to_the_end() -> None:
    level = graph().level(1)
    assert level.nodes == ["a", "d", "b"]  # b is on a's widest path to the end
    assert level.edges[: level.n_skeleton] == [(START, "a"), ("d", END), ("a", "b"), ("b", "d")]


def test_every_level_skeleton_connects_every_activity_to_start_and_end() -> None:
    for level in graph().levels():
        skeleton = level.edges[: level.n_skeleton]
        from_start = _reachable(skeleton, START)
        to_end = _reachable(skeleton, END, reverse=True)
        assert set(level.nodes) <= from_start & to_end, level


def test_paths_after_the_skeleton_come_most_frequent_first_and_all_are_real_edges() -> None:
    level = graph().level(5)
    rest = level.edges[level.n_skeleton :]
    weights = {
        **EDGES,
        **{(START, a): n for a, n in STARTS.items()},
        **{(a, END): n for a, n in ENDS.items()},
    }
    assert [weights[e] for e in rest] == sorted((weights[e] for e in rest), reverse=True)
    assert set(level.edges) == {e for e in weights if e[0] != "f" and e[1] != "f"}


def test_levels_grow_in_activities_and_the_default_fits_the_edge_budget() -> None:
    levels = graph().levels(stops=12, edge_budget=8)
    sizes = [len(level.nodes) for level in levels]
    assert sizes == sorted(sizes) and sizes[-1] == 5
    chosen = levels[default_level(levels, edge_budget=8)]
    assert chosen.n_skeleton <= 6 and chosen.default_edges == 8


def test_expected_edges_of_a_happy_path_with_an_any_order_group() -> None:
    assert expected_edges([["a"], ["b", "c"], ["d"]]) == [
        ("a", "b"),
        ("a", "c"),
        ("b", "c"),
        ("b", "d"),
        ("c", "b"),
        ("c", "d"),
    ]


def test_plain_output_becomes_pixels_with_y_down() -> None:
    text = (
        "graph 1 2 3\n"
        "node n0 1 2.5 1.5 0.5 n0 solid box black lightgrey\n"
        "edge n0 n1 4 1 2 1 1.5 1 1 1 0.5 0000000 1.25 1.5 solid black\n"
        "stop\n"
    )
    placed = parse_plain(text)
    assert (placed.width, placed.height) == (144.0, 216.0)
    assert placed.nodes["n0"] == (72.0, 36.0, 108.0, 36.0)
    assert placed.edges[("n0", "n1")] == [(72.0, 72.0), (72.0, 108.0), (72.0, 144.0), (72.0, 180.0)]
    assert placed.labels[("n0", "n1")] == (90.0, 108.0)


def test_edges_outside_the_default_view_do_not_constrain_the_layout() -> None:
    dot = to_dot([NodeSpec("n0", 72, 36)], [EdgeSpec("n0", "n1", constraint=False, label_chars=3)])
    assert 'n0 -> n1 [weight=1, constraint=false, label="000", fontsize=11];' in dot
