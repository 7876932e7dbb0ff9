"""The progress protocol between the pipeline and whoever shows it (CLI bars, a notebook, logs).

A run reports ``ProgressEvent`` values to one callable. Each event belongs to a *task* (a
stable key such as ``load crm_contacts`` or ``align``); countable tasks carry ``done`` and,
when known, ``total`` in a ``unit`` (files, bytes, rows, variants); stage tasks carry only a
label. ``finished`` closes a task. The CLI turns tasks into rich progress bars on a terminal
and shows nothing in a pipe; ``print`` works as a sink too (an event prints as its label).

Example:
    >>> seen = []
    >>> report = seen.append
    >>> report(ProgressEvent("align", "aligning variants", done=3, total=10, unit="variants"))
    >>> str(seen[0])
    'aligning variants (3/10 variants)'
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

Unit = Literal["files", "bytes", "rows", "variants"]


@dataclass(frozen=True)
class ProgressEvent:
    """One report: which task, what it is doing, and how far (when it can be counted)."""

    task: str
    label: str
    done: int | None = None
    total: int | None = None
    unit: Unit | None = None
    finished: bool = False

    def __str__(self) -> str:
        if self.done is None:
            return self.label
        counted = f"{self.done:,}" if self.total is None else f"{self.done:,}/{self.total:,}"
        return f"{self.label} ({counted} {self.unit or ''})".replace(" )", ")")


class ProgressSink(Protocol):
    """Anything that takes progress events: ``sink(event)``."""

    def __call__(self, event: ProgressEvent, /) -> None: ...


def ignore(event: ProgressEvent, /) -> None:
    """The sink that shows nothing (the default of every API call)."""
