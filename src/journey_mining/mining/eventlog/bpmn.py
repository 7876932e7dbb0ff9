"""Writing a discovered process tree as BPMN, laid out (part of the pm4py boundary).

Example:
    >>> # write_tree_as_bpmn(inductive_tree_from_variants({("a", "b"): 3}), Path("m.bpmn"))  # doctest: +SKIP
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from journey_mining.errors import MiningError
from journey_mining.mining.eventlog import _pm4py


def write_tree_as_bpmn(tree: Any, path: Path) -> None:
    """Write a discovered process tree as a BPMN 2.0 file with a diagram layout.

    pm4py lays the diagram out with Graphviz's ``dot`` program; when ``dot`` is not on
    the PATH a simple left-to-right layered layout is written instead, so modellers
    (bpmn.io, Camunda) never show every shape stacked at (0, 0).

    Example:
        >>> write_tree_as_bpmn(inductive_tree_from_variants({("a", "b"): 3}), Path("m.bpmn"))  # doctest: +SKIP
    """
    pm4py = _pm4py()
    bpmn = pm4py.convert_to_bpmn(tree)
    with_graphviz = shutil.which("dot") is not None
    if not with_graphviz:
        _layered_layout(bpmn)
    try:
        pm4py.write_bpmn(bpmn, str(path), auto_layout=with_graphviz)
    except OSError as err:
        raise MiningError(
            f"cannot write BPMN file {str(path)!r} ({err.strerror or err}). "
            "Fix: check that the folder exists and is writable."
        ) from None


def _layered_layout(bpmn: Any) -> None:
    """Place nodes in columns by their distance from the start, edges as straight lines."""
    from pm4py.objects.bpmn.obj import BPMN

    nodes = list(bpmn.get_nodes())
    flows = list(bpmn.get_flows())
    successors: dict[Any, list[Any]] = {node: [] for node in nodes}
    for flow in flows:
        successors.setdefault(flow.source, []).append(flow.target)
    starts = [n for n in nodes if isinstance(n, BPMN.StartEvent)] or nodes[:1]
    column: dict[Any, int] = {node: 0 for node in starts}
    frontier = list(starts)
    while frontier:  # breadth first: loops do not push nodes further right
        following = []
        for node in frontier:
            for target in successors.get(node, []):
                if target not in column:
                    column[target] = column[node] + 1
                    following.append(target)
        frontier = following
    layout = bpmn.get_layout()
    rows: dict[int, int] = {}
    for node in sorted(nodes, key=lambda n: (column.get(n, 0), str(n.get_name()))):
        col = column.get(node, 0)
        row = rows.get(col, 0)
        rows[col] = row + 1
        if isinstance(node, BPMN.Event):
            width, height = 36, 36
        elif isinstance(node, BPMN.Gateway):
            width, height = 50, 50
        else:
            width, height = 100, 80
        shape = layout.get(node)
        shape.set_width(width)
        shape.set_height(height)
        shape.set_x(60 + col * 160 + (100 - width) / 2)
        shape.set_y(60 + row * 120 + (80 - height) / 2)
    for flow in flows:
        source, target = layout.get(flow.source), layout.get(flow.target)
        edge = layout.get(flow)
        edge.del_waypoints()
        edge.add_waypoint(
            (source.get_x() + source.get_width(), source.get_y() + source.get_height() / 2)
        )
        edge.add_waypoint((target.get_x(), target.get_y() + target.get_height() / 2))
