"""Show what ``check`` found: per source its files and counts, sample events, quarantined rows.

Example:
    >>> render_check(jm.check("pipelines/acme.yaml"), Console())  # doctest: +SKIP
"""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from journey_mining.checking import CheckResult, SourceCheck

_MAX_RAW = 120


def render_check(result: CheckResult, console: Console) -> None:
    """Print the dry run: a table of sources and files, then each source's samples."""
    table = Table(
        title=f"check {escape(result.pipeline_file)} (nothing written)", title_justify="left"
    )
    for column in ("source", "preset", "file", "rows read", "loaded", "quarantined"):
        table.add_column(
            column, justify="right" if column.startswith(("rows", "lo", "qu")) else "left"
        )
    for s in result.sources:
        if s.error is not None:
            table.add_row(escape(s.source), escape(s.preset), "[red]cannot load[/]", "", "", "")
        for f in s.files:
            table.add_row(
                escape(s.source),
                escape(s.preset),
                escape(f.path),
                f"{f.rows_read:,}",
                f"{f.rows_loaded:,}",
                f"{f.rows_quarantined:,}",
            )
    console.print(table)
    for s in result.sources:
        _source(s, console)
    verdict = "ok" if result.ok else "some sources cannot be loaded"
    console.print(
        f"check: {verdict}; a run would quarantine "
        f"{sum(s.rows_quarantined for s in result.sources):,} row(s).",
        highlight=False,
    )


def _source(s: SourceCheck, console: Console) -> None:
    console.print(f"\n[bold]{escape(s.source)}[/]", highlight=False)
    if s.error is not None:
        console.print(f"  [red]error:[/] {escape(s.error)}", highlight=False, soft_wrap=True)
    for warning in s.warnings:
        console.print(f"  [yellow]warning:[/] {escape(warning)}", highlight=False)
    if s.sample:
        sample = Table(title="parsed events (sample)", title_justify="left")
        for column in ("file:row", "time (UTC)", "activity", "channel", "identifiers"):
            sample.add_column(column)
        for e in s.sample:
            ids = ", ".join(f"{k}={v}" for k, v in e.identifiers.items() if v is not None)
            activity = e.activity if e.is_event else f"(link only) {e.activity}"
            sample.add_row(
                escape(f"{e.file}:{e.row}"),
                e.ts,
                escape(str(activity)),
                escape(e.channel or "–"),
                escape(ids),
            )
        console.print(sample)
    if s.quarantined:
        shown = len(s.quarantined)
        more = f" (first {shown} of {s.rows_quarantined:,})" if shown < s.rows_quarantined else ""
        bad = Table(title=f"would be quarantined{more}", title_justify="left")
        for column in ("file:row", "reason", "row as read"):
            bad.add_column(column)
        for q in s.quarantined:
            raw = q.raw_row or ""
            raw = raw if len(raw) <= _MAX_RAW else raw[: _MAX_RAW - 1] + "…"
            bad.add_row(escape(f"{q.file}:{q.row}"), escape(q.reason), escape(raw))
        console.print(bad)
