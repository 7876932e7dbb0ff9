"""Progress bars on a terminal for the run's ``ProgressEvent`` values (rich), nothing in a pipe.

Each task gets one line: a countable task (a source's bytes or rows, the variants being
aligned) a bar with its count, rate and elapsed time; a stage a spinner that turns into a
tick with its duration when the next stage starts. On a console that is not a terminal the
bars print nothing, so logs and pipes stay clean.

Example:
    >>> # with ProgressBars(Console(stderr=True)) as bars:  # doctest: +SKIP
    >>> #     jm.run("pipelines/demo.yaml", progress=bars)
"""

from __future__ import annotations

from types import TracebackType

from rich.console import Console, RenderableType
from rich.markup import escape
from rich.progress import (
    BarColumn,
    Progress,
    ProgressColumn,
    SpinnerColumn,
    Task,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.text import Text

from journey_mining.progress import ProgressEvent

_SIZE_UNITS = ((1 << 30, "GB"), (1 << 20, "MB"), (1 << 10, "kB"))


def _bytes(value: float) -> str:
    for size, unit in _SIZE_UNITS:
        if value >= size:
            return f"{value / size:.1f} {unit}"
    return f"{value:.0f} B"


def count_text(done: float, total: float | None, unit: str) -> str:
    """``'1.2/3.4 MB'``, ``'1,200/3,000 variants'``, ``'12,000 rows'``.

    Example:
        >>> count_text(1200, 3000, "variants")
        '1,200/3,000 variants'
    """
    if unit == "bytes":
        return _bytes(done) + ("" if total is None else f" of {_bytes(total)}")
    counted = f"{done:,.0f}" if total is None else f"{done:,.0f}/{total:,.0f}"
    return f"{counted} {unit}"


def rate_text(speed: float | None, unit: str) -> str:
    """``'2.1 MB/s'``, ``'350 rows/s'``; empty until there is a rate.

    Example:
        >>> rate_text(350.4, "rows")
        '350 rows/s'
    """
    if speed is None:
        return ""
    if unit == "bytes":
        return f"{_bytes(speed)}/s"
    return f"{speed:,.0f} {unit}/s"


class _Bar(BarColumn):
    """A bar for countable tasks only; a stage shows none."""

    def render(self, task: Task) -> RenderableType:  # type: ignore[override]
        if not task.fields.get("unit"):
            return Text(" " * (self.bar_width or 0))
        return super().render(task)


class _CountColumn(ProgressColumn):
    def render(self, task: Task) -> Text:
        unit = task.fields.get("unit")
        if not unit:
            return Text("")
        return Text(count_text(task.completed, task.total, unit), style="progress.download")


class _RateColumn(ProgressColumn):
    def render(self, task: Task) -> Text:
        unit = task.fields.get("unit")
        if not unit or task.finished:
            return Text("")
        return Text(rate_text(task.speed, unit), style="progress.data.speed")


class ProgressBars:
    """A progress sink drawing rich bars on ``console`` while it is a terminal."""

    def __init__(self, console: Console) -> None:
        self.enabled = console.is_terminal
        self._progress = Progress(
            SpinnerColumn(finished_text="[green]✓[/]"),
            TextColumn("{task.description}"),
            _Bar(bar_width=30),
            _CountColumn(),
            _RateColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=False,
            refresh_per_second=8,
        )
        self._tasks: dict[str, TaskID] = {}
        self._stage: TaskID | None = None

    def __enter__(self) -> ProgressBars:
        if self.enabled:
            self._progress.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self._close_stage()
        if self.enabled:
            self._progress.stop()

    def _close_stage(self) -> None:
        if self._stage is not None:
            self._progress.update(self._stage, total=1, completed=1)
            self._progress.stop_task(self._stage)
            self._stage = None

    def __call__(self, event: ProgressEvent, /) -> None:
        if not self.enabled:
            return
        label = escape(event.label)
        if event.done is None:  # a stage: one line each, ticked when the next begins
            self._close_stage()
            self._stage = self._progress.add_task(label, total=None, unit=None)
            return
        task = self._tasks.get(event.task)
        if task is None:
            self._close_stage()
            task = self._progress.add_task(label, total=event.total, unit=event.unit)
            self._tasks[event.task] = task
        self._progress.update(
            task, description=label, completed=event.done, total=event.total, unit=event.unit
        )
        if event.finished:
            self._progress.update(task, total=event.total or event.done)
            self._progress.stop_task(task)
