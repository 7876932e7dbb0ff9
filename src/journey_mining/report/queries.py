"""The report's reads: the aggregates of ``sql/report/*.sql`` and the contract tables it shows.

Every per-event aggregation is one of the SQL files; Python gets rows of aggregates only.
Tables and columns are read defensively: what a warehouse lacks (an older run, a column a
later version adds) comes back empty or ``None``, and :class:`Reader` records a note the page
shows instead of failing.

Example:
    >>> reader = Reader(connect(":memory:"))
    >>> reader.columns("mining.journey_events")
    set()
"""

from __future__ import annotations

import math
from datetime import date, datetime
from typing import Any

import duckdb

from journey_mining.resources import sql_file
from journey_mining.warehouse import render_sql, table_exists

Row = dict[str, Any]

# Optional journey_events columns the six questions read, with what the page says without them.
OPTIONAL_EVENT_COLUMNS = {
    "resource": "who does or owns the step (agent, owner, assignee)",
    "rating": "the customer's voice (CSAT, ratings)",
    "third_party": "a third party (partner, carrier, reseller)",
}


def plain(value: Any) -> Any:
    """A DuckDB value as JSON-ready Python: NaN → None, timestamps → ISO text, lists kept."""
    if isinstance(value, float):
        return None if math.isnan(value) or math.isinf(value) else value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if hasattr(value, "item") and not isinstance(value, str | bytes):  # numpy scalars
        return plain(value.item())
    return value


class Reader:
    """Reads the warehouse for the report and keeps the notes about what is missing."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con
        self.notes: list[str] = []
        self._columns: dict[str, set[str]] = {}

    def note(self, text: str) -> None:
        """Record something the page should say (a missing table or column)."""
        if text not in self.notes:
            self.notes.append(text)

    def has(self, qualified: str) -> bool:
        """Whether ``schema.table`` exists."""
        return table_exists(self.con, qualified)

    def columns(self, qualified: str) -> set[str]:
        """The column names of ``schema.table`` (empty when it does not exist)."""
        if qualified not in self._columns:
            schema, _, table = qualified.partition(".")
            rows = self.con.execute(
                "SELECT column_name FROM information_schema.columns "
                "WHERE table_schema = ? AND table_name = ?",
                [schema, table],
            ).fetchall()
            self._columns[qualified] = {str(r[0]) for r in rows}
        return self._columns[qualified]

    def rows(self, sql: str, parameters: dict[str, Any] | list[Any] | None = None) -> list[Row]:
        """Run ``sql`` and return its rows as dicts of JSON-ready values."""
        cursor = (
            self.con.execute(sql, parameters) if parameters is not None else self.con.execute(sql)
        )
        names = [d[0] for d in cursor.description]
        return [
            {name: plain(value) for name, value in zip(names, row, strict=True)}
            for row in cursor.fetchall()
        ]

    def execute_sql(self, name: str, **fragments: str) -> None:
        """Run ``sql/report/<name>.sql`` for its effect (a temp table), fragments filled."""
        self.con.execute(render_sql(sql_file(f"report/{name}.sql"), **fragments))

    def report_sql(
        self,
        name: str,
        parameters: dict[str, Any] | None = None,
        **fragments: str,
    ) -> list[Row]:
        """Rows of the query ``sql/report/<name>.sql`` (fragments filled, ``$parameters`` bound)."""
        return self.rows(render_sql(sql_file(f"report/{name}.sql"), **fragments), parameters)

    def table(self, qualified: str, what: str, order_by: str = "") -> list[Row]:
        """All rows of a (small) contract table, or ``[]`` with a note when it is absent."""
        if not self.has(qualified):
            self.note(f"The warehouse has no {qualified}: {what} is not shown.")
            return []
        order = f" ORDER BY {order_by}" if order_by else ""
        return self.rows(f"SELECT * FROM {qualified}{order}")

    def event_column(self, name: str) -> str:
        """SQL for an optional journey_events column: itself, or a typed NULL (noted)."""
        if name in self.columns("mining.journey_events"):
            return f"CAST({name} AS VARCHAR)"
        return "NULL::VARCHAR"
