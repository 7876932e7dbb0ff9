"""A source's changes to its preset: columns named differently, another timestamp format or zone.

``columns:`` maps what the preset reads to what the export has. A key is a column the
preset reads (renamed everywhere the preset uses it: event id, templates, identifiers,
filters) or, when no column has that name, a role: ``timestamp``, ``sequence``,
``account``, ``activity``, ``channel``, ``episode``, ``team``, ``resource``, ``rating``, an
identifier kind or an attribute name (the role then reads that column). ``timestamp:``
changes the preset's column, format, time zone or offset column; the source's
``timezone:`` is short for ``timestamp: {timezone: …}``.

Example:
    >>> from journey_mining.config.presets import load_preset
    >>> preset = apply_overrides(load_preset("salesforce_lead_history"),
    ...                          {"LeadId": "LEADID", "CreatedDate": "CREATEDDATE"}, None, None)
    >>> preset.identifiers, preset.timestamp.column
    ({'salesforce_lead_id': 'LEADID'}, 'CREATEDDATE')
"""

from __future__ import annotations

import difflib
import re
from typing import Any

from pydantic import ValidationError

from journey_mining.config.presets import ConnectorPreset, TimestampOverride
from journey_mining.config.yamlfile import _explain
from journey_mining.errors import ConfigError

VALUE_ROLES = ("activity", "channel", "episode", "team", "resource", "rating")
ROLES = ("timestamp", "sequence", "account", *VALUE_ROLES)
_TEMPLATE_FIELD = re.compile(r"\{([^{}]+)\}")
_ROW_IDENTITY = "@row"


def preset_columns(preset: ConnectorPreset) -> list[str]:
    """Every column (or JSON path) the preset reads, once each, in a stable order."""
    ts = preset.timestamp
    columns = [ts.column, *([ts.offset_ms_column] if ts.offset_ms_column else [])]
    columns += [c for c in preset.event_id if c != _ROW_IDENTITY]
    columns += [c for c in (preset.sequence, preset.account) if c is not None]
    for role in VALUE_ROLES:
        spec = getattr(preset, role)
        if spec is not None:
            columns += spec.columns
    columns += [*preset.identifiers.values(), *preset.attributes.values(), *preset.required]
    if preset.events_where is not None:
        columns.append(preset.events_where.column)
    return list(dict.fromkeys(columns))


def apply_overrides(
    preset: ConnectorPreset,
    columns: dict[str, str],
    timestamp: TimestampOverride | None,
    timezone: str | None,
    where: str = "source",
) -> ConnectorPreset:
    """The preset with the source's ``columns:``, ``timestamp:`` and ``timezone:`` applied."""
    if not columns and timestamp is None and timezone is None:
        return preset
    data = preset.model_dump()
    read = preset_columns(preset)
    renames = {k: v for k, v in columns.items() if k in read}
    _rename(data, renames)
    for key, column in columns.items():
        if key not in renames:
            _set_role(data, preset, key, column, where)
    if timestamp is not None:
        data["timestamp"].update(timestamp.model_dump(exclude_none=True))
    if timezone is not None:
        data["timestamp"]["timezone"] = timezone
    try:
        return ConnectorPreset.model_validate(data)
    except ValidationError as err:
        raise _explain(
            err, f"{where} (preset {preset.name!r} with its overrides)", ConnectorPreset
        ) from None


def _rename(data: dict[str, Any], renames: dict[str, str]) -> None:
    """Rename columns everywhere the preset's declaration reads them, all at once."""
    if not renames:
        return

    def new(column: str | None) -> str | None:
        return None if column is None else renames.get(column, column)

    data["event_id"] = [c if c == _ROW_IDENTITY else new(c) for c in data["event_id"]]
    ts = data["timestamp"]
    ts["column"], ts["offset_ms_column"] = new(ts["column"]), new(ts["offset_ms_column"])
    data["sequence"], data["account"] = new(data["sequence"]), new(data["account"])
    for role in VALUE_ROLES:
        spec = data[role]
        if spec is not None:
            spec["column"] = new(spec["column"])
            if spec["template"] is not None:
                spec["template"] = _TEMPLATE_FIELD.sub(
                    lambda m: "{" + renames.get(m.group(1), m.group(1)) + "}", spec["template"]
                )
    for mapping in ("identifiers", "attributes"):
        data[mapping] = {k: new(v) for k, v in data[mapping].items()}
    data["required"] = [new(c) for c in data["required"]]
    if data["events_where"] is not None:
        data["events_where"]["column"] = new(data["events_where"]["column"])


def _set_role(
    data: dict[str, Any], preset: ConnectorPreset, role: str, column: str, where: str
) -> None:
    """Make ``role`` (timestamp, activity, an identifier kind, …) read ``column``."""
    if role == "timestamp":
        data["timestamp"]["column"] = column
    elif role in ("sequence", "account"):
        data[role] = column
    elif role in VALUE_ROLES:
        data[role] = {"column": column, "value": None, "template": None}
    elif role in preset.identifiers:
        data["identifiers"][role] = column
    elif role in preset.attributes:
        data["attributes"][role] = column
    else:
        known = [*preset_columns(preset), *ROLES, *preset.identifiers, *preset.attributes]
        close = difflib.get_close_matches(role, known, n=1)
        hint = f"did you mean {close[0]!r}? " if close else ""
        raise ConfigError(
            f"{where}: columns: key {role!r} is neither a column preset {preset.name!r} reads "
            f"nor a role. Fix: {hint}use a column of the preset "
            f"({', '.join(preset_columns(preset))}) or a role ({', '.join(ROLES)}, an "
            "identifier kind or an attribute name)."
        )
