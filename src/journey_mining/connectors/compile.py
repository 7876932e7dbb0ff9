"""Compile a connector preset into the SQL expressions of the canonical event.

The same expressions validate rows while they land (a row whose timestamp or
identifiers cannot be read goes to quarantine with its reason) and build the staging
table from the raw one, so what was accepted is exactly what staging can read.

Every column name and JSON path was validated by ``config``; here it is quoted, and every
literal is escaped, before it becomes SQL.

Example:
    >>> from journey_mining.config import load_preset
    >>> compiled = compile_source("crm_contacts", load_preset("hubspot_contacts"), None)
    >>> sorted(compiled.identifiers)
    ['crm_contact_id', 'email']
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from journey_mining.config import ConnectorPreset, ValueSpec, check_column, check_name

_TEMPLATE_FIELD = re.compile(r"\{([^{}]+)\}")
_TZ_PATTERN = re.compile(r"^[A-Za-z0-9_+\-/]{1,64}$")
_OFFSET_SUFFIX = r"(Z|z|[+-]\d\d(:?\d\d)?)$"
JSON_DOC = "_doc"
# event_id: ["@row"] — rows are events in their own right: identity is file + row, no dedup.
ROW_IDENTITY = "@row"


def quote_literal(value: str) -> str:
    """A SQL string literal for ``value``.

    Example:
        >>> quote_literal("it's")
        "'it''s'"
    """
    return "'" + value.replace("'", "''") + "'"


def quote_identifier(name: str) -> str:
    """A double-quoted SQL identifier for an already validated column name."""
    check_column(name)
    return '"' + name + '"'


@dataclass(frozen=True)
class CompiledSource:
    """SQL expressions (over one landed or raw row) that make the canonical event."""

    source: str
    system: str
    format: str
    event_id: str
    ts: str
    ts_text: str
    sequence: str
    source_activity: str
    channel: str
    account: str
    identifiers: dict[str, str]
    is_event: str
    reject_reason: str


def column_ref(preset: ConnectorPreset, column: str) -> str:
    """The expression reading ``column`` as trimmed text, NULL when empty."""
    if preset.format == "jsonl":
        path = "$." + ".".join('"' + segment + '"' for segment in check_column(column).split("."))
        raw = f"json_extract_string({JSON_DOC}, {quote_literal(path)})"
    else:
        raw = f"CAST({quote_identifier(column)} AS VARCHAR)"
    return f"nullif(trim({raw}), '')"


def _value(preset: ConnectorPreset, spec: ValueSpec) -> str:
    if spec.value is not None:
        return quote_literal(spec.value)
    if spec.column is not None:
        return column_ref(preset, spec.column)
    assert spec.template is not None
    parts: list[str] = []
    position = 0
    for match in _TEMPLATE_FIELD.finditer(spec.template):
        if match.start() > position:
            parts.append(quote_literal(spec.template[position : match.start()]))
        parts.append(column_ref(preset, match.group(1)))
        position = match.end()
    if position < len(spec.template):
        parts.append(quote_literal(spec.template[position:]))
    return "(" + " || ".join(parts) + ")"


def timestamp_expression(text: str, fmt: str, timezone: str) -> str:
    """Parse ``text`` into a UTC TIMESTAMPTZ as declared; NULL when it cannot be read.

    Example:
        >>> "try_strptime" in timestamp_expression("x", "%d-%m-%Y %H:%M", "Europe/Rome")
        True
    """
    if not _TZ_PATTERN.match(timezone):
        raise ValueError(f"time zone {timezone!r} is not an IANA name like Europe/Amsterdam")
    zone = quote_literal(timezone)
    if fmt == "iso":
        return (
            f"CASE WHEN regexp_matches({text}, {quote_literal(_OFFSET_SUFFIX)}) "
            f"THEN try_cast({text} AS TIMESTAMPTZ) "
            f"ELSE timezone({zone}, try_cast({text} AS TIMESTAMP)) END"
        )
    if fmt == "epoch_s":
        return f"to_timestamp(try_cast({text} AS DOUBLE))"
    if fmt == "epoch_ms":
        return f"to_timestamp(try_cast({text} AS DOUBLE) / 1000.0)"
    parsed = f"try_strptime({text}, {quote_literal(fmt)})"
    if "%z" in fmt or "%Z" in fmt:
        return parsed
    return f"timezone({zone}, {parsed})"


def compile_source(
    source: str,
    preset: ConnectorPreset,
    timezone: str | None,
    normalise_email: tuple[str, ...] = ("email",),
) -> CompiledSource:
    """Turn ``preset`` (applied as source ``source``) into SQL expressions."""
    check_name(source, "source name")
    ts_text = column_ref(preset, preset.timestamp.column)
    ts = timestamp_expression(
        ts_text, preset.timestamp.format, timezone or preset.timestamp.timezone
    )
    identifiers: dict[str, str] = {}
    for kind, column in preset.identifiers.items():
        value = column_ref(preset, column)
        identifiers[kind] = f"lower({value})" if kind in normalise_email else value
    if preset.event_id == (ROW_IDENTITY,):
        natural_key = "_file || chr(31) || _row"
    else:
        key_parts = ", ".join(f"coalesce({column_ref(preset, c)}, chr(0))" for c in preset.event_id)
        natural_key = f"concat_ws(chr(31), {key_parts})"
    event_id = f"md5({quote_literal(source)} || chr(31) || {natural_key})"
    sequence = (
        f"try_cast({column_ref(preset, preset.sequence)} AS BIGINT)"
        if preset.sequence
        else "NULL::BIGINT"
    )
    activity = _value(preset, preset.activity)
    channel = _value(preset, preset.channel) if preset.channel else "NULL::VARCHAR"
    account = column_ref(preset, preset.account) if preset.account else "NULL::VARCHAR"
    if preset.events_where is not None:
        is_event = (
            f"coalesce({column_ref(preset, preset.events_where.column)} = "
            f"{quote_literal(preset.events_where.equals)}, false)"
        )
    else:
        is_event = "true"
    reject_reason = _reject_reason(preset, ts, ts_text, identifiers, activity, is_event)
    return CompiledSource(
        source=source,
        system=preset.system,
        format=preset.format,
        event_id=event_id,
        ts=ts,
        ts_text=ts_text,
        sequence=sequence,
        source_activity=activity,
        channel=channel,
        account=account,
        identifiers=identifiers,
        is_event=is_event,
        reject_reason=reject_reason,
    )


def _reject_reason(
    preset: ConnectorPreset,
    ts: str,
    ts_text: str,
    identifiers: dict[str, str],
    activity: str,
    is_event: str,
) -> str:
    """A CASE expression naming why a landed row cannot be used (NULL when it can)."""
    checks: list[tuple[str, str]] = []
    if preset.format == "jsonl":
        checks.append(
            (f"{JSON_DOC} IS NULL", quote_literal("invalid JSON line (truncated or malformed)"))
        )
    for column in preset.required:
        checks.append(
            (
                f"{column_ref(preset, column)} IS NULL",
                quote_literal(f"missing required value {column!r}"),
            )
        )
    any_identifier = " OR ".join(f"{expr} IS NOT NULL" for expr in identifiers.values())
    kinds = ", ".join(preset.identifiers.values())
    checks.append(
        (f"NOT ({any_identifier})", quote_literal(f"missing identifier (none of {kinds})"))
    )
    fmt = preset.timestamp.format
    checks.append(
        (
            f"{ts_text} IS NULL",
            quote_literal(f"missing timestamp {preset.timestamp.column!r}"),
        )
    )
    column = preset.timestamp.column
    checks.append(
        (
            f"{ts} IS NULL",
            f"{quote_literal(f'unparseable timestamp in {column!r}: ')} || chr(39) || {ts_text} "
            f"|| chr(39) || {quote_literal(f' (expected format {fmt})')}",
        )
    )
    checks.append((f"{is_event} AND {activity} IS NULL", quote_literal("missing activity value")))
    branches = " ".join(f"WHEN {condition} THEN {reason}" for condition, reason in checks)
    return f"CASE {branches} ELSE NULL END"
