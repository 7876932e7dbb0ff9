"""Conformance of the compressed log against a process model: one alignment per variant.

The model is the authored happy path (``happy_path_model``), a BPMN file drawn in any
modeller (``bpmn_model``), or a process tree / Petri net file. Alignments are computed
by pm4py (through ``journey_mining.mining.eventlog``) once per variant, never per event
or case, and a variant already aligned against the same model fingerprint is reused.
The moves of each alignment are then named as deviations (``classify_deviations``).

Example:
    >>> import pandas as pd
    >>> from journey_mining.happy_path import parse_happy_path
    >>> hp = parse_happy_path({"name": "x", "goal": "c", "steps": ["a", "b", "c"]})
    >>> variants = pd.DataFrame(
    ...     {"variant_id": ["v1"], "activities": [["a", "c"]], "n_cases": [7]}
    ... )
    >>> (alignment,) = align_variants(variants, happy_path_model(hp))  # doctest: +SKIP
    >>> alignment.fitness, classify_deviations(alignment, set(hp.activities))  # doctest: +SKIP
    (0.8, [Deviation(variant_id='v1', kind='skipped', activity='b', position=2)])
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pandas as pd

from journey_mining.errors import ConfigError, MiningError
from journey_mining.happy_path import HappyPath, HappyPathStep
from journey_mining.mining import eventlog
from journey_mining.mining.eventlog.bpmn import write_tree_as_bpmn
from journey_mining.mining.models import (
    Deviation,
    DeviationKind,
    ProcessModel,
    TreeSpec,
    VariantAlignment,
)

_HAPPY_PATH_MODEL_VERSION = "journey-mining happy path model v1"
"""Salt of happy path fingerprints: bump it when ``happy_path_tree`` changes its output."""

_VARIANT_COLUMNS = ("variant_id", "activities")

# ------------------------------------------------------------------------------ models


# Above this many variants the discovered model comes from the directly-follows graph.
DISCOVERY_MAX_VARIANTS = 1000


def happy_path_tree(hp: HappyPath) -> TreeSpec:
    """The happy path as a process tree (a ``TreeSpec``).

    * the steps, in order, form a sequence;
    * an ``any_order`` group is a parallel block of its activities;
    * ``repeat: true`` is ``loop(step, tau)`` — the step once, then any number of times more;
    * ``optional: true`` is ``xor(step, tau)`` — the step or nothing (both flags: zero or more);
    * the top-level ``optional`` activities run in parallel with the whole sequence as
      ``loop(tau, xor(optional...))``: any of them, anywhere, any number of times, and
      absence is free. One loop over a choice keeps the state space small (k separate
      loops would multiply it by 3^k).

    Example:
        >>> from journey_mining.happy_path import parse_happy_path
        >>> hp = parse_happy_path({"name": "x", "goal": "b", "steps": ["a", {"b": {"repeat": True}}],
        ...                        "optional": ["w"]})
        >>> happy_path_tree(hp)
        ('and', (('seq', ('a', ('loop', ('b', None)))), ('loop', (None, 'w'))))
    """
    main: TreeSpec = ("seq", tuple(_step_tree(step) for step in hp.steps))
    if not hp.optional:
        return main
    anywhere: TreeSpec = hp.optional[0] if len(hp.optional) == 1 else ("xor", hp.optional)
    return ("and", (main, ("loop", (None, anywhere))))


def _step_tree(step: HappyPathStep) -> TreeSpec:
    node: TreeSpec
    if len(step.activities) == 1:
        node = step.activities[0]
    else:
        node = ("and" if step.any_order else "seq", step.activities)
    if step.repeat:
        node = ("loop", (node, None))
    if step.optional:
        node = ("xor", (node, None))
    return node


def happy_path_model(hp: HappyPath) -> ProcessModel:
    """The happy path as a Petri net for alignments (see ``happy_path_tree`` for the rules).

    The fingerprint is a sha256 of the process tree (plus a version salt), so it changes
    exactly when the path's behaviour changes — not for a new name, goal or ``within``
    window, which do not affect alignments.

    Example:
        >>> from journey_mining.happy_path import parse_happy_path
        >>> hp = parse_happy_path({"name": "x", "goal": "b", "steps": ["a", "b"]})
        >>> model = happy_path_model(hp)  # doctest: +SKIP
        >>> sorted(model.activities), len(model.fingerprint)  # doctest: +SKIP
        (['a', 'b'], 64)
    """
    tree = happy_path_tree(hp)
    definition = json.dumps([_HAPPY_PATH_MODEL_VERSION, tree], ensure_ascii=False)
    net, im, fm = eventlog.petri_net_from_tree(tree)
    return ProcessModel(
        fingerprint=hashlib.sha256(definition.encode("utf-8")).hexdigest(),
        source=f"happy path {hp.name!r}",
        activities=eventlog.visible_labels(net),
        net=net,
        initial_marking=im,
        final_marking=fm,
    )


def _file_model(
    path: str | Path, kind: str, suffixes: Iterable[str], read: Callable[[Path], Any]
) -> ProcessModel:
    file = Path(path)
    if not file.is_file():
        raise ConfigError(
            f"{kind} file {str(file.absolute())!r} does not exist. Fix: check the path."
        )
    if file.suffix.lower() not in set(suffixes):
        raise ConfigError(
            f"{str(file)!r} is not a {kind} file (expected {' or '.join(suffixes)}). "
            "Fix: point to the exported model file."
        )
    net, im, fm = read(file)
    return ProcessModel(
        fingerprint=hashlib.sha256(file.read_bytes()).hexdigest(),
        source=f"{kind} file {str(file)!r}",
        activities=eventlog.visible_labels(net),
        net=net,
        initial_marking=im,
        final_marking=fm,
    )


def bpmn_model(path: str | Path) -> ProcessModel:
    """A BPMN 2.0 file (bpmn.io, Camunda, Signavio, pm4py) as a model; fingerprint = sha256 of its bytes.

    Example:
        >>> model = bpmn_model("pipelines/happy_paths/onboarding.bpmn")  # doctest: +SKIP
    """
    return _file_model(path, "BPMN", (".bpmn", ".xml"), eventlog.petri_net_from_bpmn)


def ptml_model(path: str | Path) -> ProcessModel:
    """A process tree file (``.ptml``, from ProM or pm4py) as a model; fingerprint = sha256 of its bytes.

    Example:
        >>> model = ptml_model("running-example.ptml")  # doctest: +SKIP
    """
    return _file_model(path, "process tree (PTML)", (".ptml",), eventlog.petri_net_from_ptml)


def pnml_model(path: str | Path) -> ProcessModel:
    """An accepting Petri net file (``.pnml``) as a model; fingerprint = sha256 of its bytes.

    Example:
        >>> model = pnml_model("running-example.pnml")  # doctest: +SKIP
    """
    return _file_model(path, "Petri net (PNML)", (".pnml",), eventlog.petri_net_from_pnml)


# -------------------------------------------------------------------------- variants


def _variant_traces(variants: pd.DataFrame) -> list[tuple[str, tuple[str, ...]]]:
    """``(variant_id, activities)`` per row, validated, without touching the frame."""
    missing = [c for c in _VARIANT_COLUMNS if c not in variants.columns]
    if missing:
        raise MiningError(
            f"the variant log lacks column(s) {missing} (it has {list(variants.columns)}). "
            "Fix: pass the mining.variants table (variant_id, activities, n_cases)."
        )
    rows: list[tuple[str, tuple[str, ...]]] = []
    seen: set[str] = set()
    for variant_id, activities in zip(
        variants["variant_id"].tolist(), variants["activities"].tolist(), strict=True
    ):
        vid = str(variant_id)
        if vid in seen:
            raise MiningError(
                f"variant_id {vid!r} appears more than once in the variant log. "
                "Fix: pass one row per variant."
            )
        seen.add(vid)
        if activities is None or isinstance(activities, str | float):
            raise MiningError(
                f"variant {vid!r}: activities must be a list of activity names, got {activities!r}."
            )
        trace = tuple(activities)
        if not all(isinstance(a, str) for a in trace):
            raise MiningError(
                f"variant {vid!r}: every activity must be a name, got {list(trace)!r}. "
                "Fix: map empty activities to a name or drop those events."
            )
        rows.append((vid, tuple(str(a) for a in trace)))
    return rows


def align_variants(
    variants: pd.DataFrame,
    model: ProcessModel,
    cached: dict[str, VariantAlignment] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> list[VariantAlignment]:
    """Align each variant's trace with ``model``, reusing ``cached`` alignments; in input order.

    ``variants`` is the compressed log (``variant_id``, ``activities``; other columns are
    ignored and the frame is not modified). pm4py sees one trace per variant: the
    variants missing from ``cached`` (keyed by ``variant_id``, for the same model
    fingerprint) are aligned in one pass that computes the model's best-worst cost once.
    A cached alignment whose trace is not the variant's is stale and is recomputed.
    ``progress(done, total)`` is called after each newly aligned variant (``total`` =
    variants to align now); it is not called when every variant is cached.
    ``fitness`` equals pm4py's per-trace alignment fitness for that trace.

    Example:
        >>> alignments = align_variants(variants, model, cached={})  # doctest: +SKIP
        >>> [(a.variant_id, a.fitness) for a in alignments]  # doctest: +SKIP
        [('v1', 1.0), ('v2', 0.8)]
    """
    rows = _variant_traces(variants)
    cache = cached or {}
    results: dict[str, VariantAlignment] = {}
    todo: dict[tuple[str, ...], list[str]] = {}
    for vid, trace in rows:
        hit = cache.get(vid)
        if hit is not None and hit.variant_id == vid and hit.trace == trace:
            results[vid] = hit
        else:
            todo.setdefault(trace, []).append(vid)

    if todo:
        traces = list(todo)
        total = len(traces)

        def on_aligned(index: int) -> None:
            if progress is not None:
                progress(index + 1, total)

        aligned = eventlog.align_traces(
            traces,
            model.net,
            model.initial_marking,
            model.final_marking,
            model_name=model.source,
            on_aligned=on_aligned,
        )
        for trace, alignment in zip(traces, aligned, strict=True):
            cost = sum(1 for log, mod in alignment.moves if log is None or mod is None)
            for vid in todo[trace]:
                results[vid] = VariantAlignment(
                    variant_id=vid, cost=cost, fitness=alignment.fitness, moves=alignment.moves
                )
    return [results[vid] for vid, _ in rows]


def classify_deviations(
    alignment: VariantAlignment, hp_activities: set[str] | None = None
) -> list[Deviation]:
    """Name the deviations of one variant from its alignment's moves.

    Positions are 1-based indexes in the variant's trace. Per activity, the i-th
    log-only move is paired with the i-th model-only move; then:

    * ``out_of_order`` — a pair: the activity happened, but not where the model expects
      it. Reported once, at the log-only move's position (instead of skipped + inserted).
    * ``skipped`` — an unpaired model-only move (the activity has no log-only move left):
      the model needed it and it never came. ``position`` is the index of the next trace
      event, i.e. where it was expected (``len(trace) + 1`` after the last event).
    * ``repeated`` — an unpaired log-only move of an activity that already occurred
      earlier in the trace (synchronously or not).
    * ``inserted`` — an unpaired log-only move of an activity not earlier in the trace.

    ``hp_activities`` (the activities the model knows, e.g. ``set(hp.activities)``):
    when given, an extra activity outside it is always ``inserted``, never ``repeated``
    — repetition is a property of steps. Silent model moves are never deviations.
    Deviations come in trace order.

    Example:
        >>> a = VariantAlignment(variant_id="v", cost=2, fitness=0.8,
        ...     moves=[("a", "a"), (None, "b"), ("c", "c"), ("b", None), ("c", None)])
        >>> [(d.kind, d.activity, d.position) for d in classify_deviations(a, {"a", "b", "c"})]
        [('out_of_order', 'b', 3), ('repeated', 'c', 4)]
    """
    log_only: dict[str, list[tuple[int, int, bool]]] = {}  # activity -> (move, position, seen)
    model_only: dict[str, list[tuple[int, int]]] = {}  # activity -> (move, position)
    seen: set[str] = set()
    position = 0
    for index, (log, model) in enumerate(alignment.moves):
        if log is not None:
            position += 1
            if model is None:
                log_only.setdefault(log, []).append((index, position, log in seen))
            seen.add(log)
        elif model is not None:
            model_only.setdefault(model, []).append((index, position + 1))

    found: list[tuple[int, int, Deviation]] = []

    def add(kind: DeviationKind, activity: str, at: int, move: int) -> None:
        deviation = Deviation(
            variant_id=alignment.variant_id, kind=kind, activity=activity, position=at
        )
        found.append((at, move, deviation))

    for activity in set(log_only) | set(model_only):
        logs = log_only.get(activity, [])
        models = model_only.get(activity, [])
        paired = min(len(logs), len(models))
        for move, at, _ in logs[:paired]:
            add("out_of_order", activity, at, move)
        for move, at in models[paired:]:
            add("skipped", activity, at, move)
        known = hp_activities is None or activity in hp_activities
        for move, at, before in logs[paired:]:
            add("repeated" if before and known else "inserted", activity, at, move)
    found.sort(key=lambda item: (item[0], item[1]))
    return [deviation for _, _, deviation in found]


# ------------------------------------------------------------------------- discovery


def discover_model_bpmn(
    variants: pd.DataFrame,
    path: str | Path,
    noise_threshold: float = 0.0,
    dfg: tuple[dict[tuple[str, str], int], dict[str, int], dict[str, int]] | None = None,
    max_variants: int = DISCOVERY_MAX_VARIANTS,
) -> str:
    """Discover a process model and write it as a BPMN 2.0 file; return the algorithm used.

    With at most ``max_variants`` variants (or no ``dfg`` given): pm4py's inductive miner on
    the variant log with its counts (``n_cases``; 1 per variant when absent) — plain IM when
    ``noise_threshold`` is 0, the same model as IM on the full log; IMf otherwise, filtering
    by the true case counts. With more variants and a ``dfg`` (edges, start and end
    activities, computed in SQL): the inductive miner on the directly-follows graph (IMd),
    whose cost does not grow with variants — IM's fall-throughs take minutes on a few
    thousand variants (70 s on BPIC 2012's 4,366). ``path`` must end in ``.bpmn``.

    Example:
        >>> discover_model_bpmn(variants, Path("out/discovered.bpmn"))  # doctest: +SKIP
        'inductive miner on 12 variants'
    """
    file = Path(path)
    if file.suffix.lower() != ".bpmn":
        raise ConfigError(
            f"{str(file)!r}: a discovered model is written as BPMN. "
            "Fix: give a file name ending in .bpmn."
        )
    if dfg is not None and len(variants) > max_variants:
        tree = eventlog.inductive_tree_from_dfg(*dfg, noise_threshold=noise_threshold)
        algorithm = f"inductive miner on the directly-follows graph ({len(variants)} variants)"
    else:
        tree = eventlog.inductive_tree_from_variants(_variant_counts(variants), noise_threshold)
        algorithm = f"inductive miner on {len(variants)} variants"
    if noise_threshold:
        algorithm += f", noise threshold {noise_threshold:g}"
    write_tree_as_bpmn(tree, file)
    return algorithm


def _variant_counts(variants: pd.DataFrame) -> dict[tuple[str, ...], int]:
    rows = _variant_traces(variants)
    has_counts = "n_cases" in variants.columns
    counts = variants["n_cases"].tolist() if has_counts else [1] * len(rows)
    result: dict[tuple[str, ...], int] = {}
    for (vid, trace), count in zip(rows, counts, strict=True):
        if count is None or (isinstance(count, float) and math.isnan(count)) or int(count) < 1:
            raise MiningError(
                f"variant {vid!r}: n_cases must be a positive count, got {count!r}. "
                "Fix: drop variants without cases."
            )
        result[trace] = result.get(trace, 0) + int(count)
    return result
