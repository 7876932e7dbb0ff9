"""Wide milestone exports: one row per record, one date column per milestone, unpivoted to events.

A CRM report such as ``Id, Email, Created Date, MQL Date, SQL Date, Won Date`` has one row
per record and one column per milestone; an empty cell means the milestone has not
happened. A preset declares ``milestones: {<date column>: <activity>, …}`` and a
``timestamp:`` with the format and zone but no column. Before a batch lands, each row
becomes one row per **filled** milestone cell, carrying the record's columns and:

* ``_milestone`` — the milestone's activity (the preset's activity),
* ``_milestone_column`` — the date column it came from,
* ``_milestone_at`` — the cell's text (the preset's timestamp column).

So for such a source a *row* read, loaded or quarantined is a filled cell, one candidate
event (empty cells are not rows: never quarantined); a cell whose text does not parse is
quarantined with a reason naming its column and value. The event id is the record's id
plus the milestone. A JSON record's milestones are dotted paths inside the ``line``; a JSON
line that is not valid JSON stays one row (quarantined as such).

Example:
    >>> from journey_mining.config import ConnectorPreset
    >>> preset = ConnectorPreset.model_validate({
    ...     "name": "deals", "format": "csv", "system": "crm", "event_id": ["Id"],
    ...     "timestamp": {"format": "%Y-%m-%d"}, "identifiers": {"email": "Email"},
    ...     "milestones": {"Created": "created", "Won": "won"}})
    >>> "unnest" in milestone_rows(preset, "SELECT 1")
    True
"""

from __future__ import annotations

import duckdb

from journey_mining.config import ConnectorPreset
from journey_mining.config.presets import MILESTONE, MILESTONE_AT, MILESTONE_COLUMN
from journey_mining.connectors.expressions import json_path, quote_identifier, quote_literal
from journey_mining.errors import MissingColumn

_CELL = "_jm_cell"


def _cell_text(preset: ConnectorPreset, column: str) -> str:
    if preset.format in ("jsonl", "json"):
        return (
            f"CASE WHEN json_valid(line) THEN json_extract_string(line, "
            f"{quote_literal(json_path(column))}) END"
        )
    return f"CAST({quote_identifier(column)} AS VARCHAR)"


def milestone_rows(preset: ConnectorPreset, relation: str) -> str:
    """SQL of ``relation``'s rows unpivoted: one per filled milestone cell (see the module doc)."""
    cells = ", ".join(
        f"{{'activity': {quote_literal(activity)}, 'column': {quote_literal(column)}, "
        f"'at': {_cell_text(preset, column)}}}"
        for column, activity in preset.milestones.items()
    )
    keep = f"nullif(trim({_CELL}.at), '') IS NOT NULL"
    if preset.format == "jsonl":
        keep += " OR NOT json_valid(line)"  # one row, quarantined as an invalid line
    return (
        f"SELECT * EXCLUDE ({_CELL}), {_CELL}.activity AS {MILESTONE}, "
        f"{_CELL}.column AS {MILESTONE_COLUMN}, {_CELL}.at AS {MILESTONE_AT} "
        f"FROM (SELECT *, unnest([{cells}]) AS {_CELL} FROM ({relation})) "
        f"WHERE {keep}"
    )


def check_milestone_columns(
    con: duckdb.DuckDBPyConnection, preset: ConnectorPreset, relation: str, origin: str
) -> None:
    """Stop the source when a CSV/Parquet/SQL batch lacks a milestone column, naming it."""
    if preset.format in ("jsonl", "json"):
        return
    columns = [str(r[0]) for r in con.execute(f"DESCRIBE {relation}").fetchall()]
    missing = [c for c in preset.milestones if c not in columns]
    if missing:
        raise MissingColumn(
            f"{origin}: milestone column {missing[0]!r} is missing (preset {preset.name!r}; "
            f"found {columns}). Fix: export the data with that column, or remove it from the "
            "preset's milestones."
        )


def name_the_cell(reason: str) -> str:
    """``reason`` (a reject reason's SQL) naming the milestone's column, not ``_milestone_at``.

    The timestamp checks name the preset's timestamp column; for a milestone preset that is
    the unpivoted cell, so the reason names the date column the cell came from instead.

    Example:
        >>> name_the_cell("x")
        "replace(x, '''_milestone_at''', chr(39) || _milestone_column || chr(39))"
    """
    return (
        f"replace({reason}, {quote_literal(repr(MILESTONE_AT))}, "
        f"chr(39) || {MILESTONE_COLUMN} || chr(39))"
    )
