"""Show what ``init`` detected: one line per source, the identity rule, what to do next.

Example:
    >>> # render_init(jm.init("exports"), Console())  # doctest: +SKIP
"""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from journey_mining.init.models import InitResult


def render_init(result: InitResult, console: Console) -> None:
    """Print the sources found, how each is read, and the files written."""
    table = Table(title=f"Exports in {escape(result.exports_dir)}", title_justify="left")
    for column in ("source", "files", "read as", "time", "identifiers", "activities"):
        table.add_column(column, justify="right" if column in ("files", "activities") else "left")
    for s in result.sources:
        ts = s.timestamp
        time = (
            f"{ts.column} ({ts.format})"
            if ts
            else f"{len(s.milestones)} milestone columns"
            if s.milestones
            else "–"
        )
        table.add_row(
            escape(s.name),
            str(len(s.files)),
            escape(f"preset {s.preset}" if s.preset else f"new preset ({s.format})"),
            escape(time),
            escape(", ".join(f"{i.kind}={i.column}" for i in s.identifiers)),
            f"{len(s.activities):,}",
        )
    console.print(table)
    console.print(f"identity.link_on: {escape(', '.join(result.link_on))}", highlight=False)
    if result.attribute_kinds:
        console.print(
            f"identity.attributes (kept on the customer, not links): "
            f"{escape(', '.join(result.attribute_kinds))}",
            highlight=False,
        )
    for skipped in result.skipped:
        console.print(f"[dim]not loaded: {escape(skipped.path)}: {escape(skipped.reason)}[/]")
    if result.needs_loader:
        console.print("[yellow]needs loader features not built yet:[/]")
        for need in result.needs_loader:
            console.print(f"  {escape(need)}", highlight=False)
    console.print("Wrote: " + escape(", ".join(result.written)), highlight=False)
    console.print(
        f"Next: fill stage:/team: under activities in {escape(result.pipeline_file)}, "
        f"then: journey-mining run {escape(result.pipeline_file)}",
        highlight=False,
    )
