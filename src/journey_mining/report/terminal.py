"""Render a ``Summary`` in the terminal with rich: headline, variants, deviations, funnel, friction.

Example:
    >>> # render_summary(summary, Console())  # doctest: +SKIP
"""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from journey_mining.report.stitching import render_stitching
from journey_mining.report.summary import Summary


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


def render_summary(summary: Summary, console: Console) -> None:
    """Print the summary's tables."""
    console.print(
        f"[bold]{summary.journeys:,}[/] journeys · {summary.events:,} events · "
        f"[bold]{summary.variants:,}[/] variants, of which [bold]{summary.variants_covering_80pct}[/] "
        f"cover 80% of journeys · [bold]{_pct(summary.share_conforming)}[/] conform to the happy path "
        f"· {_pct(summary.share_reached_goal)} reached the goal"
    )
    variants = Table(title="Most frequent variants", title_justify="left")
    for column in ("#", "journeys", "share", "fitness", "path"):
        variants.add_column(column, justify="right" if column != "path" else "left")
    for v in summary.top_variants[:5]:
        activities = list(v["activities"])  # type: ignore[call-overload]
        path = " → ".join(activities[:8]) + (" → …" if len(activities) > 8 else "")
        fitness = v["fitness"]
        variants.add_row(
            str(v["rank"]),
            f"{v['n_cases']:,}",
            _pct(float(v["share"])),  # type: ignore[arg-type]
            "–" if fitness is None else f"{float(fitness):.2f}",  # type: ignore[arg-type]
            path,
        )
    console.print(variants)

    deviations = Table(title="Top deviations from the happy path", title_justify="left")
    for column in ("kind", "activity", "journeys", "share"):
        deviations.add_column(
            column, justify="right" if column in ("journeys", "share") else "left"
        )
    for d in summary.top_deviations:
        deviations.add_row(d.kind, d.activity, f"{d.n_journeys:,}", _pct(d.share))
    console.print(deviations)

    funnel = Table(title="Funnel along the happy path", title_justify="left")
    for column in (
        "#",
        "step",
        "reached",
        "skipped",
        "stopped here",
        "went on",
        "median wait",
        "late",
    ):
        funnel.add_column(column, justify="left" if column == "step" else "right")
    for step in summary.funnel:
        funnel.add_row(
            str(step.step_no),
            step.step,
            f"{step.reached:,}",
            f"{step.skipped:,}",
            f"[red]{step.dropped:,}[/]" if step.dropped else "0",
            _pct(step.conversion_to_next),
            human_duration(step.median_s_from_previous),
            f"{step.n_late:,}",
        )
    console.print(funnel)

    friction = Table(title="Friction ranked by estimated goals lost", title_justify="left")
    for column in ("#", "kind", "where", "journeys", "goal with", "without", "lost", "p", "wait"):
        friction.add_column(
            column,
            justify="left" if column in ("kind", "where") else "right",
            no_wrap=column != "where",
        )
    for finding in summary.top_friction:
        friction.add_row(
            str(finding.rank),
            finding.kind,
            finding.where,
            f"{finding.n_cases:,}",
            _pct(finding.goal_rate_with),
            _pct(finding.goal_rate_without),
            f"{finding.impact:,.0f}",
            "–" if finding.p_value is None else f"{finding.p_value:.1g}",
            human_duration(finding.median_wait_s),
        )
    console.print(friction)

    render_stitching(summary.stitching, summary.shared_identifiers, console)
    if summary.quarantine:
        total = sum(q.n_rows for q in summary.quarantine)
        console.print(f"[yellow]{total} row(s) in quarantine[/] (table mining.quarantine):")
        for q in summary.quarantine:
            console.print(f"  {q.source}: {q.n_rows} × {q.reason}")
