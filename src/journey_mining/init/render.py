"""Write what ``init`` detected as YAML an analyst reads: every guess with a comment on what it saw.

Presets for exports no shipped preset fits, and the pipeline: JSON documents as
``format: json`` (with ``records:``, the path to the array), wide milestone exports as
``milestones:``, epoch units, resource and rating as keys. A field the preset format would
not have is written as a comment.

Example:
    >>> scalar("Record ID"), scalar("$insert_id"), scalar("yes")
    ('Record ID', '"$insert_id"', '"yes"')
"""

from __future__ import annotations

import json
import re
from typing import Any

import yaml
from pydantic import ValidationError

from journey_mining.config import ConnectorPreset
from journey_mining.init.models import ColumnGuess, SourceGuess, TimestampGuess
from journey_mining.init.profile import top_text
from journey_mining.init.timestamps import describe_format

_PLAIN = re.compile(r"^[A-Za-z_][A-Za-z0-9_ ./()-]*$")
_MAX_COMMENT = 200


def scalar(value: object) -> str:
    """A YAML scalar for ``value``: plain when it reads back as the same string, else quoted."""
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    if not isinstance(value, str):
        return str(value)
    if _PLAIN.match(value) and not value.endswith(" ") and yaml.safe_load(value) == value:
        return value
    return json.dumps(value, ensure_ascii=False)


def flow(items: dict[str, Any] | list[Any]) -> str:
    """A one-line YAML mapping or list: ``{column: event}``, ``[a, b]``.

    Example:
        >>> flow({"column": "Deal Stage"}), flow(["id"])
        ('{column: Deal Stage}', '[id]')
    """
    if isinstance(items, list):
        return "[" + ", ".join(scalar(v) for v in items) + "]"
    return "{" + ", ".join(f"{scalar(k)}: {scalar(v)}" for k, v in items.items()) + "}"


class Lines:
    """YAML lines with end-of-line comments."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def add(self, text: str, comment: str = "") -> None:
        comment = " ".join(comment.split())
        if len(comment) > _MAX_COMMENT:
            comment = comment[: _MAX_COMMENT - 1] + "…"
        self.lines.append(f"{text}  # {comment}" if comment else text)

    def note(self, text: str, indent: int = 0) -> None:
        for line in text.splitlines():
            self.lines.append(" " * indent + "# " + line if line else "#")

    def text(self) -> str:
        return "\n".join(self.lines) + "\n"


def field_shape(field: str) -> str | None:
    """How the preset format takes ``field`` (``resource``, ``rating``): ``column``, ``spec`` or None."""
    if field not in ConnectorPreset.model_fields:
        return None
    base = {
        "name": "probe",
        "format": "csv",
        "system": "probe",
        "event_id": ["@row"],
        "timestamp": {"column": "t"},
        "activity": {"value": "a"},
        "identifiers": {"email": "e"},
    }
    for shape, value in (("column", "c"), ("spec", {"column": "c"})):
        try:
            ConnectorPreset.model_validate({**base, field: value})
        except ValidationError:
            continue
        return shape
    return None


def _optional_field(lines: Lines, field: str, guess: ColumnGuess | None) -> None:
    if guess is None:
        return
    shape = field_shape(field)
    if shape is None:
        lines.note(
            f"{field}: {flow({'column': guess.column})}   ({guess.evidence}; the preset "
            f"format has no {field} field yet)"
        )
    else:
        value = scalar(guess.column) if shape == "column" else flow({"column": guess.column})
        lines.add(f"{field}: {value}", guess.evidence)


def render_preset(source: SourceGuess) -> str:
    """The preset YAML of a source no shipped preset fits."""
    lines = Lines()
    files = ", ".join(source.files[:3]) + (
        f", … ({len(source.files)} files)" if len(source.files) > 3 else ""
    )
    lines.note(
        f"{source.name}: written by `journey-mining init` from {files} "
        f"({source.rows_sampled:,} rows sampled).\nEvery guess says what it saw: check them."
    )
    for note in source.notes:
        lines.note(note)
    lines.add(f"name: {source.name}")
    lines.add(f"description: {scalar(f'{source.format} export ' + source.glob)}")
    fmt_comment = (
        "a JSON document: its records are read one by one" if source.format == "json" else ""
    )
    lines.add(f"format: {source.format}", fmt_comment)
    if source.format == "json" and source.records_path:
        lines.add(
            f"records: {scalar(source.records_path)}",
            "the array holding the records (a dotted path inside the document)",
        )
    lines.add(f"system: {source.system}")
    _csv(lines, source)
    lines.add(f"event_id: {flow(source.event_id)}", source.event_id_evidence)
    _time(lines, source)
    if source.sequence:
        lines.add(
            f"sequence: {scalar(source.sequence)}", "integer ids: they order events of one time"
        )
    _activity(lines, source)
    if source.channel:
        lines.add(f"channel: {flow({'column': source.channel.column})}", source.channel.evidence)
    lines.add("identifiers:")
    for ident in source.identifiers:
        lines.add(f"  {ident.kind}: {scalar(ident.column)}", ident.evidence)
    if source.account:
        lines.add(
            f"account: {scalar(source.account.column)}",
            source.account.evidence + "; the customer's account, not a link",
        )
    _optional_field(lines, "resource", source.resource)
    _optional_field(lines, "rating", source.rating)
    return lines.text()


def _csv(lines: Lines, source: SourceGuess) -> None:
    if source.format != "csv":
        return
    options = []
    if source.delimiter != ",":
        options.append((f"  delimiter: {scalar(source.delimiter)}", "sniffed by DuckDB"))
    if source.quote != '"':
        options.append((f"  quote: {scalar(source.quote)}", "sniffed by DuckDB"))
    if source.encoding != "utf-8":
        why = "a byte order mark" if source.encoding == "utf-16" else "bytes that are not UTF-8"
        options.append((f"  encoding: {source.encoding}", why))
    if not source.header:
        options.append(("  header: false", "the first line holds values, not names"))
    if options:
        lines.add("csv:")
        for text, comment in options:
            lines.add(text, comment)


def _time(lines: Lines, source: SourceGuess) -> None:
    ts = source.timestamp or (source.milestones[0] if source.milestones else None)
    if ts is None:
        return
    lines.add("timestamp:")
    if source.milestones:
        lines.note("no column: each milestone column below is a time in this format", 2)
    else:
        alternatives = ", ".join(source.timestamp_alternatives)
        lines.add(
            f"  column: {scalar(ts.column)}",
            ts.evidence + (f"; other time columns: {alternatives}" if alternatives else ""),
        )
    lines.add(
        f"  format: {scalar(ts.format)}",
        describe_format(ts.format, ts.day_first, ts.ambiguous)
        + ("; check: the values cannot tell day-first from month-first" if ts.ambiguous else ""),
    )
    if ts.naive and not ts.format.startswith("epoch_"):
        lines.add(
            f"  timezone: {ts.timezone}",
            "the values carry no offset: times in this zone"
            + (" (UTC unless --timezone says otherwise)" if ts.timezone == "UTC" else ""),
        )
        if ts.timezone != "UTC":
            lines.add("  dst: quarantine", _dst_comment(ts))
    elif ts.offsets:
        lines.note(f"the values carry their offset ({', '.join(ts.offsets)}): no zone needed", 2)


def _dst_comment(ts: TimestampGuess) -> str:
    """What the DST policy will do, with the sampled values it applies to."""
    seen = [
        f"{', '.join(repr(v) for v in values)} {label}"
        for label, values in (("in a DST gap", ts.dst_gap), ("in a DST overlap", ts.dst_overlap))
        if values
    ]
    found = "sampled " + "; ".join(seen) if seen else "no sampled time is in a DST gap or overlap"
    return f"{found}; such times are quarantined, never guessed (earliest|latest keeps them)"


def _activity(lines: Lines, source: SourceGuess) -> None:
    if source.milestones:
        lines.add(
            "milestones:",
            "one event per filled cell, named by its column; an empty cell is no event "
            "(not quarantined); the event id is the record's id plus the milestone",
        )
        for ts, activity in zip(source.milestones, source.activities, strict=True):
            lines.add(f"  {scalar(ts.column)}: {scalar(activity)}", ts.evidence)
        return
    if source.activity_template and source.events_where:
        lines.add(
            f"activity: {flow({'template': source.activity_template})}",
            source.activity.evidence if source.activity else "",
        )
        column, equals = source.events_where
        lines.add(
            f"events_where: {flow({'column': column, 'equals': equals})}",
            "other fields land and link without being events",
        )
        return
    if source.activity is None:
        lines.add(
            f"activity: {flow({'value': source.name})}",
            "no column names what happened: every row is one kind of event",
        )
        return
    others = "; ".join(f"{a.column}: {a.evidence}" for a in source.activity_alternatives)
    lines.add(
        f"activity: {flow({'column': source.activity.column})}",
        source.activity.evidence + (f"; other candidates: {others}" if others else ""),
    )
    if source.activity.values:
        lines.note(f"activities seen: {top_text(source.activity.values, 12)}")
