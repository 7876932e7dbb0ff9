"""The pm4py boundary: the only package of the project that imports pm4py.

Everything here works on the compressed log — one trace per variant — and on plain
Python values (tuples of activity names, ``TreeSpec`` process trees, paths); pm4py's
objects never leave this package except as the opaque payload of a ``ProcessModel``.

pm4py is imported lazily, on the first call that needs it (importing it takes seconds),
and then configured through its own settings only: ``SHOW_PROGRESS_BAR = False`` so no
tqdm bar reaches stderr. pm4py prints its licence banner only when the importing module
is ``__main__``; here the importer is this module, so nothing is printed and no output
redirection is needed (``tests/unit/test_conformance.py`` checks that stderr stays empty).

Example:
    >>> net, im, fm = petri_net_from_tree(("seq", ("a", "b")))  # doctest: +SKIP
    >>> align_traces([("a", "b"), ("b",)], net, im, fm)[1].fitness  # doctest: +SKIP
    0.6666666666666667
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from journey_mining.errors import MiningError
from journey_mining.mining.models import Move, TreeSpec

SKIP = ">>"
"""pm4py's label for "no move" on one side of an alignment."""

_ACTIVITY_KEY = "concept:name"
_CASE_ID_KEY = "case:concept:name"
_TIMESTAMP_KEY = "time:timestamp"


@cache
def _pm4py() -> Any:
    """Import pm4py once and silence its progress bars (its own setting, nothing global)."""
    import pm4py
    from pm4py.util import constants

    constants.SHOW_PROGRESS_BAR = False
    return pm4py


@dataclass(frozen=True)
class TraceAlignment:
    """pm4py's optimal alignment of one trace: its fitness and its moves (silent steps dropped)."""

    fitness: float
    moves: list[Move]


# --------------------------------------------------------------------------- models


def petri_net_from_tree(tree: TreeSpec) -> tuple[Any, Any, Any]:
    """Build pm4py's process tree from a ``TreeSpec`` and convert it to an accepting Petri net.

    Example:
        >>> net, im, fm = petri_net_from_tree(("seq", ("a", ("xor", ("b", None)))))  # doctest: +SKIP
    """
    pm4py = _pm4py()
    net, im, fm = pm4py.convert_to_petri_net(_process_tree(tree))
    return net, im, fm


def _process_tree(spec: TreeSpec, parent: Any = None) -> Any:
    from pm4py.objects.process_tree.obj import Operator, ProcessTree

    if spec is None or isinstance(spec, str):
        return ProcessTree(parent=parent, label=spec)
    operators = {
        "seq": Operator.SEQUENCE,
        "xor": Operator.XOR,
        "and": Operator.PARALLEL,
        "loop": Operator.LOOP,
    }
    operator, children = spec
    node = ProcessTree(operator=operators[operator], parent=parent)
    node.children.extend(_process_tree(child, node) for child in children)
    return node


def _check_model_file(path: Path, kind: str) -> Path:
    if not path.is_file():
        raise MiningError(
            f"{kind} file {str(path.absolute())!r} does not exist. Fix: check the path."
        )
    return path


def petri_net_from_bpmn(path: Path) -> tuple[Any, Any, Any]:
    """Read a BPMN 2.0 file (bpmn.io, Camunda, Signavio, pm4py) and convert it to a Petri net."""
    pm4py = _pm4py()
    _check_model_file(path, "BPMN")
    try:
        bpmn = pm4py.read_bpmn(str(path))
        net, im, fm = pm4py.convert_to_petri_net(bpmn)
    except Exception as err:
        raise MiningError(
            f"BPMN file {str(path)!r} could not be read as a BPMN 2.0 process ({err!r}). "
            "Fix: export it again as BPMN 2.0 XML with one process, one start and one end event."
        ) from None
    if not net.transitions:
        raise MiningError(
            f"BPMN file {str(path)!r} has no tasks. Fix: export the process diagram "
            "(with its tasks), not an empty collaboration."
        )
    return net, im, fm


def petri_net_from_ptml(path: Path) -> tuple[Any, Any, Any]:
    """Read a process tree file (``.ptml``) and convert it to a Petri net."""
    pm4py = _pm4py()
    _check_model_file(path, "process tree (PTML)")
    try:
        net, im, fm = pm4py.convert_to_petri_net(pm4py.read_ptml(str(path)))
    except Exception as err:
        raise MiningError(
            f"PTML file {str(path)!r} could not be read as a process tree ({err!r}). "
            "Fix: export it again as PTML (ProM or pm4py.write_ptml)."
        ) from None
    return net, im, fm


def petri_net_from_pnml(path: Path) -> tuple[Any, Any, Any]:
    """Read an accepting Petri net file (``.pnml``) with its initial and final marking."""
    pm4py = _pm4py()
    _check_model_file(path, "Petri net (PNML)")
    try:
        net, im, fm = pm4py.read_pnml(str(path), auto_guess_final_marking=True)
    except Exception as err:
        raise MiningError(
            f"PNML file {str(path)!r} could not be read as a Petri net ({err!r}). "
            "Fix: export it again as PNML with an initial and a final marking."
        ) from None
    if not im or not fm:
        raise MiningError(
            f"PNML file {str(path)!r} has no initial or final marking. "
            "Fix: mark the start place and the end place in the modeller and export again."
        )
    return net, im, fm


def visible_labels(net: Any) -> frozenset[str]:
    """The labels of a Petri net's visible transitions: the activities the model knows."""
    return frozenset(str(t.label) for t in net.transitions if t.label is not None)


# ----------------------------------------------------------------------- alignments


def align_traces(
    traces: Sequence[Sequence[str]],
    net: Any,
    initial_marking: Any,
    final_marking: Any,
    *,
    model_name: str = "the model",
    on_aligned: Callable[[int], None] | None = None,
) -> list[TraceAlignment]:
    """Optimal alignments of the given traces against an accepting Petri net, in input order.

    The costs and fitness are pm4py's (``alignments.apply_trace`` with the standard costs,
    one best-worst cost per call), with two savings that do not change them:

    * pm4py's memory-efficient Dijkstra search instead of the default A* (≈ 6× faster on
      the receipt log's reference BPMN; both find optimal alignments);
    * each distinct *projection* is aligned once. An activity the model does not know
      can only be a log move, at the standard cost, whatever the rest of the alignment
      does; so a trace's optimal cost is the cost of its projection onto the model's
      labels plus one log move per removed event. The removed events re-enter the moves
      as log moves at their trace positions (right after the known event before
      them), and fitness is pm4py's formula on the whole trace's length.
      Thousands of variants that differ only in off-path activities (support tickets,
      rare product events) share a few hundred projections.

    When two alignments are optimal, which one is reported may differ from pm4py's
    default; never the cost or the fitness. ``on_aligned(i)`` is called after trace ``i``.

    Example:
        >>> net, im, fm = petri_net_from_tree(("seq", ("a", "b")))  # doctest: +SKIP
        >>> [a.fitness for a in align_traces([("a", "b"), ("b",)], net, im, fm)]  # doctest: +SKIP
        [1.0, 0.6666666666666667]
    """
    for index, activities in enumerate(traces):
        if SKIP in activities:
            raise MiningError(
                f"activity {SKIP!r} in trace {index} collides with pm4py's 'no move' label. "
                "Fix: rename that activity in the mapping."
            )
    known = visible_labels(net)
    projections = [tuple(a for a in trace if a in known) for trace in traces]
    aligned: dict[tuple[str, ...], tuple[int, list[Move]]] = {}
    align_one, best_worst_units = _projection_aligner(
        net, initial_marking, final_marking, model_name
    )
    results: list[TraceAlignment] = []
    for index, (trace, projection) in enumerate(zip(traces, projections, strict=True)):
        if projection not in aligned:
            aligned[projection] = align_one(projection)
        cost_units, projected_moves = aligned[projection]
        removed = len(trace) - len(projection)
        denominator = len(trace) + best_worst_units
        fitness = 1 - (cost_units + removed) / denominator if denominator > 0 else 0.0
        moves = _with_removed_events(trace, known, projected_moves)
        results.append(TraceAlignment(fitness=fitness, moves=moves))
        if on_aligned is not None:
            on_aligned(index)
    return results


def _projection_aligner(
    net: Any, initial_marking: Any, final_marking: Any, model_name: str
) -> tuple[Callable[[tuple[str, ...]], tuple[int, list[Move]]], int]:
    """A function aligning one trace of model labels (cost units, moves), and the best-worst cost units."""
    _pm4py()
    from pm4py.algo.conformance.alignments.petri_net import algorithm as alignments
    from pm4py.algo.conformance.alignments.petri_net.variants import dijkstra_less_memory
    from pm4py.objects.log.obj import Event, Trace
    from pm4py.objects.petri_net.utils.align_utils import STD_MODEL_LOG_MOVE_COST

    variant = alignments.Variants.VERSION_DIJKSTRA_LESS_MEMORY
    params = alignments.Parameters
    base: dict[Any, Any] = {
        params.ACTIVITY_KEY: _ACTIVITY_KEY,
        params.CASE_ID_KEY: _CASE_ID_KEY,
        params.TIMESTAMP_KEY: _TIMESTAMP_KEY,
        params.SHOW_PROGRESS_BAR: False,
        params.PARAM_MAX_ALIGN_TIME_TRACE: sys.maxsize,
    }
    try:
        best_worst = dijkstra_less_memory.get_best_worst_cost(
            net, initial_marking, final_marking, parameters=dict(base)
        )
    except Exception as err:
        raise MiningError(f"pm4py could not explore {model_name} ({err!r}).") from None
    if best_worst is None:
        raise MiningError(
            f"{model_name} has no complete run from its start to its end, so no trace can be "
            "aligned with it. Fix: connect every path of the model to its end event."
        )
    base[params.BEST_WORST_COST_INTERNAL] = best_worst

    def align_one(activities: tuple[str, ...]) -> tuple[int, list[Move]]:
        trace = Trace([Event({_ACTIVITY_KEY: a}) for a in activities])
        parameters = dict(base)
        parameters[params.PARAM_TRACE_COST_FUNCTION] = [STD_MODEL_LOG_MOVE_COST] * len(trace)
        try:
            result = alignments.apply_trace(
                trace, net, initial_marking, final_marking, parameters=parameters, variant=variant
            )
        except Exception as err:
            raise MiningError(
                f"pm4py failed to align trace {list(activities)!r} with {model_name} ({err!r})."
            ) from None
        if result is None or "cost" not in result:
            raise MiningError(
                f"pm4py found no alignment of trace {list(activities)!r} with {model_name}. "
                "Fix: check that the model is sound (every run can reach its end)."
            )
        moves: list[Move] = [
            (None if log == SKIP else log, None if model == SKIP else model)
            for log, model in result["alignment"]
            if not (log == SKIP and model is None)  # a silent model move: not a deviation
        ]
        return int(result["cost"]) // STD_MODEL_LOG_MOVE_COST, moves

    return align_one, int(best_worst) // STD_MODEL_LOG_MOVE_COST


def _with_removed_events(
    trace: Sequence[str], known: frozenset[str], projected_moves: list[Move]
) -> list[Move]:
    """The moves of the projection's alignment with the trace's unknown activities as log moves.

    Each unknown activity follows the known event before it at once, ahead of any model
    moves there: a skipped step is reported where the next known event is (or after the
    trace's end, where the journey stopped), as it would be without the unknown events.

    Example:
        >>> _with_removed_events(["a", "x", "c", "y"], frozenset("abcd"),
        ...                      [("a", "a"), (None, "b"), ("c", "c"), (None, "d")])
        [('a', 'a'), ('x', None), (None, 'b'), ('c', 'c'), ('y', None), (None, 'd')]
    """
    moves: list[Move] = []
    position = 0

    def flush_unknown() -> None:
        nonlocal position
        while position < len(trace) and trace[position] not in known:
            moves.append((trace[position], None))
            position += 1

    flush_unknown()
    for move in projected_moves:
        moves.append(move)
        if move[0] is not None:
            position += 1
            flush_unknown()
    return moves


# ------------------------------------------------------------------------ discovery


def _inductive_tree(variant_counts: Mapping[tuple[str, ...], int], noise_threshold: float) -> Any:
    """pm4py's inductive miner (IM, or IMf when ``noise_threshold > 0``) on variant counts.

    ``inductive_miner.apply`` would take a variant Counter too, but its type test
    (``type(obj) in [UVCL]``, a ``typing.Counter`` alias) never matches, so the steps it
    runs after compressing a log are run here: the miner on the variant structure, then
    ``fold`` and ``tree_sort``. The integration tests pin the result to
    ``pm4py.discover_process_tree_inductive`` on the full log.
    """
    _pm4py()
    from pm4py.algo.discovery.inductive.dtypes.im_ds import IMDataStructureUVCL
    from pm4py.algo.discovery.inductive.variants.im import IMUVCL
    from pm4py.algo.discovery.inductive.variants.imf import IMFUVCL
    from pm4py.objects.process_tree.utils import generic as tree_utils

    if not 0.0 <= noise_threshold < 1.0:
        raise MiningError(
            f"noise threshold {noise_threshold!r} is out of range. "
            "Fix: use 0 (keep every behaviour) up to below 1, e.g. 0.2."
        )
    uvcl: Counter[tuple[str, ...]] = Counter()
    for trace, count in variant_counts.items():
        uvcl[tuple(trace)] += int(count)
    if not uvcl:
        raise MiningError("cannot discover a model from an empty log. Fix: load events first.")
    # The parameters pm4py.discover_process_tree_inductive passes.
    parameters: dict[str, Any] = {
        "noise_threshold": noise_threshold,
        "multiprocessing": False,
        "disable_fallthroughs": False,
    }
    miner = IMFUVCL(parameters) if noise_threshold > 0 else IMUVCL(parameters)
    try:
        tree = tree_utils.fold(miner.apply(IMDataStructureUVCL(uvcl), parameters))
        tree_utils.tree_sort(tree)
    except Exception as err:
        raise MiningError(f"pm4py's inductive miner failed on the variant log ({err!r}).") from None
    return tree


def discover_tree_string(
    variant_counts: Mapping[tuple[str, ...], int], noise_threshold: float = 0.0
) -> str:
    """The inductive miner's process tree in pm4py's notation, e.g. ``->( 'a', 'b' )``.

    Example:
        >>> discover_tree_string({("a", "b"): 2})  # doctest: +SKIP
        "->( 'a', 'b' )"
    """
    return str(_inductive_tree(variant_counts, noise_threshold))


def inductive_tree_from_dfg(
    edges: Mapping[tuple[str, str], int],
    start_activities: Mapping[str, int],
    end_activities: Mapping[str, int],
    noise_threshold: float = 0.0,
) -> Any:
    """pm4py's inductive miner on a directly-follows graph (IMd; IMfd with noise).

    Costs O(activities²) whatever the number of events or variants: the DFG comes from SQL.

    Example:
        >>> str(inductive_tree_from_dfg({("a", "b"): 2}, {"a": 2}, {"b": 2}))  # doctest: +SKIP
        "->( 'a', 'b' )"
    """
    pm4py = _pm4py()
    from pm4py.objects.dfg.obj import DFG

    if not edges and not start_activities:
        raise MiningError("cannot discover a model from an empty log. Fix: load events first.")
    dfg = DFG(dict(edges), dict(start_activities), dict(end_activities))
    try:
        return pm4py.discover_process_tree_inductive(dfg, noise_threshold=noise_threshold)
    except Exception as err:
        raise MiningError(f"pm4py's inductive miner failed on the process map ({err!r}).") from None


def inductive_tree_from_variants(
    variant_counts: Mapping[tuple[str, ...], int], noise_threshold: float = 0.0
) -> Any:
    """pm4py's inductive miner (IM, or IMf with noise) on variant counts; see ``_inductive_tree``."""
    return _inductive_tree(variant_counts, noise_threshold)
