"""Layered layout of the process map with Graphviz's ``dot`` algorithm (``graphviz-pure``).

``graphviz-pure`` is a self-contained port of Graphviz installed from PyPI with the project:
no system package. We write the graph in DOT, read dot's ``plain`` output (positions in
inches, y upwards) and return SVG coordinates in pixels (y downwards). Edges that should
not shape the layout (the ones shown only when the paths slider is opened further) are
``constraint=false``: dot still routes them, around the nodes.

Example:
    >>> placed = layout([NodeSpec("n0", 80, 30), NodeSpec("n1", 80, 30)],
    ...                 [EdgeSpec("n0", "n1")])                    # doctest: +SKIP
    >>> placed.nodes["n0"][1] < placed.nodes["n1"][1]               # doctest: +SKIP
    True
"""

from __future__ import annotations

import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from journey_mining.errors import ReportError

DPI = 72.0
TOOL = "graphviz-pure"


@dataclass(frozen=True)
class NodeSpec:
    """A node to place: its id (a safe DOT name), width and height in pixels, shape."""

    key: str
    width: float
    height: float
    shape: str = "box"


@dataclass(frozen=True)
class EdgeSpec:
    """An edge to route; ``label_chars`` reserves room for a label of that many characters."""

    source: str
    target: str
    constraint: bool = True
    weight: int = 1
    label_chars: int = 0


@dataclass
class Placed:
    """Node boxes (centre x, centre y, width, height), edge splines and label positions."""

    width: float
    height: float
    nodes: dict[str, tuple[float, float, float, float]] = field(default_factory=dict)
    edges: dict[tuple[str, str], list[tuple[float, float]]] = field(default_factory=dict)
    labels: dict[tuple[str, str], tuple[float, float]] = field(default_factory=dict)


def dot_program() -> str:
    """The path of the ``graphviz-pure`` program installed with the project."""
    beside = Path(sys.executable).parent / TOOL
    if beside.is_file():
        return str(beside)
    found = shutil.which(TOOL)
    if found is None:
        raise ReportError(
            f"the layout program {TOOL!r} is not installed. Fix: pip install graphviz-pure "
            "(a dependency of journey-mining; reinstall the package)."
        )
    return found


def to_dot(nodes: list[NodeSpec], edges: list[EdgeSpec], rankdir: str = "TB") -> str:
    """The DOT text of the graph (node ids must be plain identifiers)."""
    lines = [
        "digraph map {",
        f"  graph [rankdir={rankdir}, nodesep=0.25, ranksep=0.3, splines=spline, "
        "outputorder=edgesfirst];",
        '  node [fixedsize=true, label=""];',
        "  edge [arrowsize=0.6];",
    ]
    for node in nodes:
        lines.append(
            f"  {node.key} [shape={node.shape}, width={node.width / DPI:.3f}, "
            f"height={node.height / DPI:.3f}];"
        )
    for edge in edges:
        attributes = [f"weight={edge.weight}"]
        if not edge.constraint:
            attributes.append("constraint=false")
        if edge.label_chars:
            attributes.append(f'label="{"0" * edge.label_chars}", fontsize=11')
        lines.append(f"  {edge.source} -> {edge.target} [{', '.join(attributes)}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def parse_plain(text: str) -> Placed:
    """Read dot's ``-Tplain`` output into pixel coordinates with y pointing down."""
    placed = Placed(width=0.0, height=0.0)
    height_in = 0.0
    for line in text.splitlines():
        parts = shlex.split(line)
        if not parts:
            continue
        if parts[0] == "graph":
            placed.width = float(parts[2]) * DPI
            height_in = float(parts[3])
            placed.height = height_in * DPI
        elif parts[0] == "node":
            x, y, w, h = (float(v) for v in parts[2:6])
            placed.nodes[parts[1]] = (x * DPI, (height_in - y) * DPI, w * DPI, h * DPI)
        elif parts[0] == "edge":
            key = (parts[1], parts[2])
            count = int(parts[3])
            values = [float(v) for v in parts[4 : 4 + 2 * count]]
            placed.edges[key] = [
                (values[i] * DPI, (height_in - values[i + 1]) * DPI)
                for i in range(0, len(values), 2)
            ]
            rest = parts[4 + 2 * count :]
            if len(rest) >= 5:  # label, x, y, style, colour
                placed.labels[key] = (float(rest[1]) * DPI, (height_in - float(rest[2])) * DPI)
    return placed


def _run(arguments: list[str], text: str, timeout_s: float, what: str) -> str:
    try:
        finished = subprocess.run(
            [dot_program(), *arguments, "-Tplain"],
            input=text,
            capture_output=True,
            text=True,
            timeout=timeout_s,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise ReportError(
            f"laying out the process map took longer than {timeout_s:.0f} s ({what}). "
            "Fix: report on fewer activities."
        ) from None
    if finished.returncode != 0:
        raise ReportError(
            f"{TOOL} could not lay out the process map: {finished.stderr.strip()[:300]}. "
            "Fix: reinstall graphviz-pure."
        )
    return finished.stdout


def _route_fixed(nodes: list[NodeSpec], placed: Placed, edges: list[EdgeSpec]) -> str:
    """DOT for neato -n2: nodes pinned where dot put them (points, y up), edges to route."""
    lines = [
        "digraph routes {",
        "  graph [splines=true, overlap=true];",
        '  node [fixedsize=true, label=""];',
        "  edge [arrowsize=0.6];",
    ]
    for node in nodes:
        x, y, w, h = placed.nodes[node.key]
        lines.append(
            f"  {node.key} [shape={node.shape}, width={w / DPI:.3f}, height={h / DPI:.3f}, "
            f'pos="{x:.2f},{placed.height - y:.2f}!"];'
        )
    lines += [f"  {e.source} -> {e.target};" for e in edges]
    return "\n".join([*lines, "}"]) + "\n"


def layout(nodes: list[NodeSpec], edges: list[EdgeSpec], timeout_s: float = 120.0) -> Placed:
    """Lay the graph out with dot (constraint edges) and route the others around it."""
    main = [e for e in edges if e.constraint]
    extra = [e for e in edges if not e.constraint]
    placed = parse_plain(_run([], to_dot(nodes, main), timeout_s, f"{len(nodes)} activities"))
    if not extra:
        return placed
    routed = parse_plain(
        _run(["-Kneato", "-n2"], _route_fixed(nodes, placed, extra), timeout_s, "routing")
    )
    anchor = nodes[0].key
    dx = placed.nodes[anchor][0] - routed.nodes[anchor][0]
    dy = placed.nodes[anchor][1] - routed.nodes[anchor][1]
    for key, points in routed.edges.items():
        if key not in placed.edges:
            placed.edges[key] = [(x + dx, y + dy) for x, y in points]
    _normalise(placed)
    return placed


def _normalise(placed: Placed) -> None:
    """Shift everything so no point has a negative coordinate; grow the size to fit."""
    xs = [p[0] for points in placed.edges.values() for p in points]
    ys = [p[1] for points in placed.edges.values() for p in points]
    shift_x = -min([0.0, *xs])
    shift_y = -min([0.0, *ys])
    if shift_x or shift_y:
        placed.nodes = {
            k: (x + shift_x, y + shift_y, w, h) for k, (x, y, w, h) in placed.nodes.items()
        }
        placed.edges = {
            k: [(x + shift_x, y + shift_y) for x, y in v] for k, v in placed.edges.items()
        }
        placed.labels = {k: (x + shift_x, y + shift_y) for k, (x, y) in placed.labels.items()}
    placed.width = max([placed.width + shift_x, *(x + shift_x for x in xs)])
    placed.height = max([placed.height + shift_y, *(y + shift_y for y in ys)])
