"""Records that cross the pm4py boundary: plain Python, no pm4py import.

``ProcessModel`` carries pm4py's Petri net as an opaque payload plus a ``fingerprint``
that identifies the model definition (the key of the alignment cache). Alignments and
deviations are pydantic models, so they serialise to JSON or rows as they are.

A model is described to ``eventlog`` as a ``TreeSpec``, a process tree in plain tuples:

* ``"a"`` — an activity, ``None`` — a silent step (tau);
* ``("seq" | "xor" | "and" | "loop", (child, ...))`` — an operator and its children;
  ``("loop", (do, redo))`` runs ``do``, then ``redo`` followed by ``do`` any number of times.

Example:
    >>> moves = [("a", "a"), (None, "b"), ("c", None)]
    >>> VariantAlignment(variant_id="v1", cost=2, fitness=0.5, moves=moves).trace
    ('a', 'c')
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, TypeAlias

from pydantic import BaseModel, ConfigDict

TreeOperator: TypeAlias = Literal["seq", "xor", "and", "loop"]
TreeSpec: TypeAlias = str | tuple[TreeOperator, tuple["TreeSpec", ...]] | None

Move: TypeAlias = tuple[str | None, str | None]
"""One alignment move ``(log label, model label)``; ``None`` stands for pm4py's ``>>``."""

DeviationKind: TypeAlias = Literal["skipped", "inserted", "repeated", "out_of_order", "timed_out"]
"""The kinds of the ``deviations`` table. ``timed_out`` comes from step time windows
(computed in SQL), never from an alignment."""


@dataclass(frozen=True)
class ProcessModel:
    """A process model ready for alignments: pm4py's Petri net, opaque to the rest of the code.

    ``fingerprint`` is a sha256 hex digest of the model definition: equal fingerprints mean
    equal alignments for the same trace, so it is the key of the alignment cache.
    ``activities`` are the labels of the model's visible transitions; ``source`` says
    where the model came from, for messages.
    """

    fingerprint: str
    source: str
    activities: frozenset[str]
    net: Any = field(repr=False, compare=False)
    initial_marking: Any = field(repr=False, compare=False)
    final_marking: Any = field(repr=False, compare=False)


class VariantAlignment(BaseModel):
    """The optimal alignment of one variant's trace against a model.

    * ``cost`` — number of deviating moves (log-only plus visible model-only moves);
      moves on silent transitions are free and are not listed.
    * ``fitness`` — pm4py's per-trace alignment fitness
      (``1 - cost / (len(trace) + cost of the shortest run through the model)``).
    * ``moves`` — ``(log label, model label)`` pairs in order: ``(a, a)`` synchronous,
      ``(a, None)`` log-only, ``(None, b)`` model-only.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    variant_id: str
    cost: int
    fitness: float
    moves: list[Move]

    @property
    def trace(self) -> tuple[str, ...]:
        """The aligned trace: the log side of the moves."""
        return tuple(log for log, _ in self.moves if log is not None)


class Deviation(BaseModel):
    """One named deviation in one variant; ``position`` is 1-based in the variant's trace."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    variant_id: str
    kind: DeviationKind
    activity: str
    position: int
