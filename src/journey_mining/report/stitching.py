"""Stitching diagnostics: did each source's records join the others'? Read, and shown.

Read from ``mining.stitching`` (one row per source) and ``mining.shared_identifiers``; a
warehouse written before these tables existed reads as empty.

Example:
    >>> # lines, shared = read_stitching(connect("journeys.duckdb", read_only=True))  # doctest: +SKIP
"""

from __future__ import annotations

import duckdb
from pydantic import BaseModel
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from journey_mining.warehouse import table_exists


class StitchingLine(BaseModel):
    """One source: its journeys, how many join another source, and the verdict."""

    source: str
    n_journeys: int
    n_joined: int
    share_joined: float
    joined_sources: list[str]
    linking_kinds: list[str]
    rows_unlinked: int
    status: str
    warning: str | None


class SharedIdentifierLine(BaseModel):
    """An identifier value shared by implausibly many others (a shared inbox, a test account)."""

    kind: str
    value: str
    linked_kind: str
    n_linked: int
    used_as_link: bool


def read_stitching(
    con: duckdb.DuckDBPyConnection, top: int = 20
) -> tuple[list[StitchingLine], list[SharedIdentifierLine]]:
    """The per-source lines and the ``top`` most shared identifier values."""
    lines: list[StitchingLine] = []
    shared: list[SharedIdentifierLine] = []
    if table_exists(con, "mining.stitching"):
        cursor = con.execute("SELECT * FROM mining.stitching ORDER BY source")
        names = [d[0] for d in cursor.description]
        lines = [
            StitchingLine.model_validate(dict(zip(names, row, strict=True)))
            for row in cursor.fetchall()
        ]
    if table_exists(con, "mining.shared_identifiers"):
        cursor = con.execute(
            f"SELECT * FROM mining.shared_identifiers ORDER BY n_linked DESC, kind, value "
            f"LIMIT {int(top)}"
        )
        names = [d[0] for d in cursor.description]
        shared = [
            SharedIdentifierLine.model_validate(dict(zip(names, row, strict=True)))
            for row in cursor.fetchall()
        ]
    return lines, shared


def render_stitching(
    lines: list[StitchingLine], shared: list[SharedIdentifierLine], console: Console
) -> None:
    """Print the stitching table, then the warnings and the shared identifier values."""
    if not lines:
        return
    table = Table(title="Stitching: journeys joining another source", title_justify="left")
    for column in ("source", "journeys", "joined", "share", "joins", "links on"):
        table.add_column(
            column, justify="right" if column in ("journeys", "joined", "share") else "left"
        )
    for line in lines:
        flagged = line.warning is not None
        table.add_row(
            escape(line.source),
            f"{line.n_journeys:,}",
            f"{line.n_joined:,}",
            ("[red]" if flagged else "") + f"{line.share_joined:.0%}" + ("[/]" if flagged else ""),
            escape(", ".join(line.joined_sources)) or "–",
            escape(", ".join(line.linking_kinds)) or "–",
        )
    console.print(table)
    for line in lines:
        if line.warning:
            console.print(f"[yellow]warning:[/] {escape(line.warning)}", highlight=False)
    if shared:
        console.print(
            f"[yellow]{len(shared)} identifier value(s) shared by implausibly many others[/] "
            "(table mining.shared_identifiers):",
            highlight=False,
        )
        for s in shared:
            use = "still a link" if s.used_as_link else "not used as a link"
            console.print(
                f"  {escape(s.kind)} {escape(s.value)!s}: with {s.n_linked:,} "
                f"{escape(s.linked_kind)} values ({use})",
                highlight=False,
            )
