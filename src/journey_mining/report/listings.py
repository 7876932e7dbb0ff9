"""Rich tables for the listing commands: ``journey-mining variants`` and ``sources``.

Example:
    >>> # console.print(variants_table(jm.variants(warehouse), "Variants"))  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

import pandas as pd
from rich.markup import escape
from rich.table import Table


def variants_table(frame: pd.DataFrame, title: str) -> Table:
    """The variants (``jm.variants``): rank, journeys, shares, fitness, path."""
    table = Table(title=title, title_justify="left")
    for column in ("#", "journeys", "share", "cum.", "fitness", "fits path", "activities"):
        table.add_column(column, justify="left" if column == "activities" else "right")
    for row in frame.to_dict("records"):
        fitness = row["fitness"]
        table.add_row(
            str(row["rank"]),
            f"{row['n_cases']:,}",
            f"{row['share']:.1%}",
            f"{row['cumulative_share']:.0%}",
            "–" if pd.isna(fitness) else f"{fitness:.2f}",
            "yes" if row["fits_path"] is True else "no",
            escape(" → ".join(str(a) for a in row["activities"])),  # values, never markup
        )
    return table


class SourceLine(Protocol):
    """What the sources table reads of a source's status (``api.SourceStatus``)."""

    source: str
    preset: str
    location: str
    files_loaded: int
    rows_loaded: int
    rows_quarantined: int
    cursor: str | None
    last_loaded_at: datetime | None


def sources_table(statuses: Sequence[SourceLine], title: str) -> Table:
    """Each source's last load: files, rows, quarantined, cursor, when."""
    table = Table(title=title, title_justify="left")
    numeric = ("files", "rows", "quarantined")
    for column in ("source", "preset", "location", *numeric, "cursor", "last load"):
        table.add_column(column, justify="right" if column in numeric else "left")
    for s in statuses:
        table.add_row(
            s.source,
            escape(s.preset),
            escape(s.location),  # a file name like "[prod] *.csv" prints as it is
            f"{s.files_loaded:,}",
            f"{s.rows_loaded:,}",
            f"{s.rows_quarantined:,}",
            s.cursor or "–",
            s.last_loaded_at.strftime("%Y-%m-%d %H:%M:%S UTC") if s.last_loaded_at else "never",
        )
    return table
