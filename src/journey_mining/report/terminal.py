"""Render a ``Summary`` in the terminal with rich: headline, variants, deviations, funnel, findings.

Example:
    >>> # render_summary(summary, Console())  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

import pandas as pd
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from journey_mining.report.stitching import render_stitching
from journey_mining.report.summary import FindingLine, Summary


def human_duration(seconds: float | None) -> str:
    """``93784`` → ``'1.1d'``; ``None`` → ``'–'``.

    Example:
        >>> human_duration(5400)
        '1.5h'
    """
    if seconds is None:
        return "–"
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds / size:.1f}{unit}"
    return f"{seconds:.0f}s"


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{value:.0%}"


def _points(value: float | None) -> str:
    return "–" if value is None else f"{value * 100:+.0f}"


def _headline(summary: Summary, console: Console) -> None:
    console.print(
        f"[bold]{summary.journeys:,}[/] journeys · {summary.events:,} events · "
        f"[bold]{summary.variants:,}[/] variants, of which [bold]{summary.variants_covering_80pct}[/] "
        f"cover 80% of journeys · {_pct(summary.share_reached_goal)} reached the goal"
    )
    console.print(
        f"[bold]{_pct(summary.share_fits_path)}[/] fit the happy path's order (zero-cost "
        f"alignment) · [bold]{_pct(summary.share_conforming)}[/] conform (its order and every "
        "step's window)"
    )
    console.print(
        f"{summary.journeys_partial:,} partial (first seen mid-path) · "
        f"{summary.journeys_in_progress:,} in progress at the end of the data · "
        f"{summary.journeys_off_path:,} off the path · "
        f"{summary.journeys_in_findings:,} in the findings' population"
    )


def _variants(summary: Summary, console: Console) -> None:
    table = Table(title="Most frequent variants", title_justify="left")
    for column in ("#", "journeys", "share", "fitness", "fits", "path"):
        table.add_column(column, justify="right" if column != "path" else "left")
    for v in summary.top_variants[:5]:
        activities = [str(a) for a in v["activities"]]  # type: ignore[attr-defined]
        path = " → ".join(activities[:8]) + (" → …" if len(activities) > 8 else "")
        fitness = v["fitness"]
        table.add_row(
            str(v["rank"]),
            f"{v['n_cases']:,}",
            _pct(float(v["share"])),  # type: ignore[arg-type]
            "–" if fitness is None else f"{float(fitness):.2f}",  # type: ignore[arg-type]
            {True: "yes", False: "no"}.get(v["fits_path"], "–"),  # type: ignore[call-overload]
            escape(path),
        )
    console.print(table)


def _deviations(summary: Summary, console: Console) -> None:
    table = Table(
        title="Top deviations from the happy path (share of the journeys it was due for)",
        title_justify="left",
    )
    for column in ("kind", "activity", "journeys", "due", "share"):
        table.add_column(column, justify="left" if column in ("kind", "activity") else "right")
    for d in summary.top_deviations:
        table.add_row(
            d.kind, escape(d.activity), f"{d.n_journeys:,}", f"{d.n_due:,}", _pct(d.share_of_due)
        )
    console.print(table)


def _funnel(summary: Summary, console: Console) -> None:
    table = Table(
        title="Funnel along the happy path (reached = in order; skips allowed)",
        title_justify="left",
    )
    columns = (
        "#",
        "step",
        "reached",
        "after skip",
        "first seen",
        "skipped",
        "went on",
        "stopped",
        "in progress",
        "median wait",
        "late",
    )
    for column in columns:
        table.add_column(column, justify="left" if column == "step" else "right")
    for step in summary.funnel:
        table.add_row(
            str(step.step_no),
            escape(step.step),
            f"{step.reached:,}",
            f"{step.reached_after_skip:,}",
            f"{step.started_here:,}" if step.step_no > 1 else "–",
            f"{step.skipped:,}",
            _pct(step.conversion_to_next),
            f"[red]{step.stopped:,}[/]" if step.stopped else "0",
            f"{step.in_progress:,}",
            human_duration(step.median_s_from_previous),
            f"{step.n_late:,}",
        )
    console.print(table)
    console.print(
        "  after skip: reached without the step before · first seen: partial journeys that "
        "start here · went on: of those who did not stop or are still in progress"
    )


def _finding_row(finding: FindingLine) -> list[str]:
    interval = f"{_points(finding.difference_low)}…{_points(finding.difference_high)}"
    return [
        str(finding.rank),
        finding.kind,
        escape(finding.label),
        f"{finding.n_exposed:,}/{finding.n_exposed + finding.n_unexposed:,}",
        _pct(finding.rate_exposed),
        _pct(finding.rate_unexposed),
        f"{_points(finding.difference)} [{interval}]",
        "–" if finding.q_value is None else f"{finding.q_value:.1g}",
        "yes" if finding.replicated else "no",
        "–" if finding.loss_low is None else f"{max(finding.loss_low, 0):,.0f}",
        f"{finding.shared_with_above:,}",
    ]


def _findings(summary: Summary, console: Console) -> None:
    table = Table(
        title="Findings (q < threshold, replicated first, ranked by the loss one can count on)",
        title_justify="left",
    )
    columns = (
        "#",
        "kind",
        "finding",
        "exposed",
        "goal with",
        "without",
        "points [95% CI]",
        "q",
        "repl.",
        "lost ≥",
        "shared",
    )
    for column in columns:
        table.add_column(
            column,
            justify="left" if column in ("kind", "finding") else "right",
            no_wrap=column not in ("finding", "points [95% CI]"),
        )
    for finding in summary.findings:
        table.add_row(*_finding_row(finding))
    console.print(table)
    hidden = summary.findings_total - summary.findings_in_default_view
    console.print(
        f"  explained loss (non-overlapping): {summary.explained_loss:,.0f} of "
        f"{summary.journeys_not_converted:,} journeys that did not reach the goal · "
        f"{hidden:,} more findings (all kinds, all segments): journey-mining findings --all"
    )


def _segments(summary: Summary, console: Console) -> None:
    if not summary.segments:
        return
    table = Table(
        title="Segments",
        title_justify="left",
        caption="goal rate: of the journeys followed up long enough (docs/findings.md)",
        caption_justify="left",
    )
    columns = ("attribute", "value", "journeys", "followed up", "fits path", "conform")
    for column in (*columns, "goal rate [95% CI]"):
        table.add_column(column, justify="left" if column in ("attribute", "value") else "right")
    for s in summary.segments:
        table.add_row(
            escape(s.attribute),
            escape(s.value),
            f"{s.journeys:,}",
            f"{s.n_observed:,}",
            _pct(s.fits_path_share),
            _pct(s.conforming_share),
            f"{_pct(s.goal_rate)} [{_pct(s.goal_rate_low)}–{_pct(s.goal_rate_high)}]",
        )
    console.print(table)


def _trends(summary: Summary, console: Console) -> None:
    if not summary.trends:
        return
    table = Table(title="By month of journey start", title_justify="left")
    for column in ("month", "journeys", "fits path", "conform", "goal rate", "final"):
        table.add_column(column, justify="right")
    for t in summary.trends:
        table.add_row(
            t.period_start,
            f"{t.journeys:,}",
            _pct(t.fits_path_share),
            _pct(t.conforming_share),
            _pct(t.goal_rate),
            "yes" if t.complete else "[yellow]not yet[/]",
        )
    console.print(table)


def render_summary(summary: Summary, console: Console) -> None:
    """Print the summary's tables."""
    _headline(summary, console)
    _variants(summary, console)
    _deviations(summary, console)
    _funnel(summary, console)
    _findings(summary, console)
    _segments(summary, console)
    _trends(summary, console)
    render_stitching(summary.stitching, summary.shared_identifiers, console)
    if summary.quarantine:
        total = sum(q.n_rows for q in summary.quarantine)
        console.print(f"[yellow]{total} row(s) in quarantine[/] (table mining.quarantine):")
        for q in summary.quarantine:
            console.print(f"  {escape(q.source)}: {q.n_rows} × {escape(q.reason)}")


def findings_table(frame: pd.DataFrame, title: str) -> Table:
    """The findings of ``frame`` (rows of ``mining.friction``) as a terminal table.

    Example:
        >>> # Console().print(findings_table(jm.findings(w).head(20), "Findings"))  # doctest: +SKIP
    """
    table = Table(title=title, title_justify="left")
    columns = (
        "#",
        "segment",
        "kind",
        "finding",
        "exposed",
        "goal with",
        "without",
        "points [95% CI]",
        "q",
        "repl.",
        "default",
    )
    for column in columns:
        table.add_column(
            column, justify="left" if column in ("segment", "kind", "finding") else "right"
        )
    for row in frame.to_dict("records"):

        def points(value: object) -> str:
            return "–" if value is None or pd.isna(value) else f"{float(value) * 100:+.0f}"  # type: ignore[call-overload, arg-type]

        table.add_row(
            str(row["rank"]),
            "all" if row["segment"] is None else f"{row['segment']}={row['segment_value']}",
            str(row["kind"]),
            escape(str(row["label"])),
            f"{row['n_exposed']:,}/{row['n_population']:,}",
            "–" if pd.isna(row["rate_exposed"]) else f"{row['rate_exposed']:.0%}",
            "–" if pd.isna(row["rate_unexposed"]) else f"{row['rate_unexposed']:.0%}",
            f"{points(row['difference'])} [{points(row['difference_low'])}…{points(row['difference_high'])}]",
            "–" if pd.isna(row["q_value"]) else f"{row['q_value']:.1g}",
            "yes" if row["replicated"] else "no",
            "yes" if row["in_default_view"] else "no",
        )
    return table


class SourceCounts(Protocol):
    """What a source's load reports (``connectors.protocol.SourceLoad``)."""

    @property
    def source(self) -> str: ...
    @property
    def files(self) -> Sequence[Any]: ...
    @property
    def rows_read(self) -> int: ...
    @property
    def rows_loaded(self) -> int: ...
    @property
    def rows_quarantined(self) -> int: ...


def run_table(run_id: str, sources: Sequence[SourceCounts]) -> Table:
    """What a run loaded, per source, as a terminal table."""
    table = Table(title=f"Run {run_id}", title_justify="left")
    for column in ("source", "files loaded", "files skipped", "rows read", "loaded", "quarantined"):
        table.add_column(column, justify="left" if column == "source" else "right")
    for source in sources:
        loaded = sum(f.status != "skipped" for f in source.files)
        table.add_row(
            source.source,
            str(loaded),
            str(len(source.files) - loaded),
            f"{source.rows_read:,}",
            f"{source.rows_loaded:,}",
            f"{source.rows_quarantined:,}",
        )
    return table
