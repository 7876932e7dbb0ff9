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

import hashlib
import json
import re
from dataclasses import dataclass

from journey_mining.config import ConnectorPreset, ValueSpec, check_column, check_name

_TEMPLATE_FIELD = re.compile(r"\{([^{}]+)\}")
_TZ_PATTERN = re.compile(r"^[A-Za-z0-9_+\-/]{1,64}$")
_OFFSET_SUFFIX = r"(Z|z|[+-]\d\d(:?\d\d)?)$"
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


CANONICAL_PREFIX = "_jm_"
"""Prefix of the canonical columns stored beside a source's own columns in ``raw.<source>``."""


@dataclass(frozen=True)
class CompiledSource:
    """How one source's rows become canonical events, as SQL.

    ``columns`` are the source columns (or JSON paths) the preset reads; each is read once,
    as trimmed text, into the field ``_f<n>``. The other expressions refer to those
    fields only, so ``canonical_sql`` costs one pass (and, for JSON lines, one parse).
    ``ts`` parses the timestamp's text; ``ts_typed`` reads a column that is already a
    timestamp or date (Parquet) by its type, without a round trip through text.
    """

    source: str
    system: str
    format: str
    columns: tuple[str, ...]
    event_id: str
    ts: str
    ts_text: str
    ts_column: str
    ts_typed: dict[str, str]
    sequence: str
    source_activity: str
    channel: str
    episode: str
    team: str
    resource: str
    rating: str
    account: str
    identifiers: dict[str, str]
    attributes: dict[str, str]
    is_event: str
    reject_reason: str

    def canonical_columns(self) -> dict[str, str]:
        """The canonical columns ``canonical_sql`` adds (``_jm_ts``, …) and their SQL types."""
        columns = {
            "_jm_event_id": "UHUGEINT",
            "_jm_ts": "TIMESTAMPTZ",
            "_jm_source_seq": "BIGINT",
            "_jm_source_activity": "VARCHAR",
            "_jm_source_channel": "VARCHAR",
            "_jm_account_name": "VARCHAR",
            "_jm_is_event": "BOOLEAN",
            "_jm_episode": "VARCHAR",
            "_jm_team": "VARCHAR",
            "_jm_resource": "VARCHAR",
            "_jm_rating": "VARCHAR",
        }
        columns.update({f"_jm_id_{kind}": "VARCHAR" for kind in self.identifiers})
        columns.update({f"_jm_attr_{name}": "VARCHAR" for name in self.attributes})
        return columns

    @property
    def fingerprint(self) -> str:
        """sha256 of the expressions behind the canonical columns: equal means equal values.

        The canonical columns are computed once, when a row lands, and kept in
        ``raw.<source>``; when this changes (a preset edit, another time zone) they are
        computed again from the source columns.
        """
        definition = [
            self.format,
            self.columns,
            self.event_id,
            self.ts,
            sorted(self.ts_typed.items()),
            self.sequence,
            self.source_activity,
            self.channel,
            self.account,
            sorted(self.identifiers.items()),
            self.is_event,
            [self.episode, self.team, self.resource, self.rating],
            sorted(self.attributes.items()),
        ]
        return hashlib.sha256(json.dumps(definition).encode("utf-8")).hexdigest()

    def canonical_sql(self, relation: str, types: dict[str, str] | None = None) -> str:
        """``relation``'s rows with the canonical columns added (``_jm_event_id``, ``_jm_ts``, …).

        ``types``: the relation's columns and their DuckDB types, when known. A column the
        preset reads but the relation lacks (a CSV without an optional column) reads as
        NULL; a timestamp column typed as a timestamp or date is read as such.
        """
        available = None if types is None else set(types)
        ts = self.ts
        if types is not None and types.get(self.ts_column) in self.ts_typed:
            ts = self.ts_typed[types[self.ts_column]]
        if self.format == "jsonl":
            paths = ", ".join(quote_literal(_json_path(c)) for c in self.columns)
            values = (
                f"CASE WHEN json_valid(line) THEN json_extract_string(line, [{paths}]) END"
                if self.columns
                else "CASE WHEN json_valid(line) THEN []::VARCHAR[] END"
            )
            fields = [
                f"nullif(trim(_v[{i}]), '') AS _f{i}" for i in range(1, len(self.columns) + 1)
            ]
        else:
            values = "NULL::VARCHAR[]"
            fields = [
                f"nullif(trim(CAST({quote_identifier(c)} AS VARCHAR)), '') AS _f{i}"
                if available is None or c in available
                else f"NULL::VARCHAR AS _f{i}"
                for i, c in enumerate(self.columns, start=1)
            ]
        identifiers = ", ".join(
            f"{expr} AS _jm_id_{kind}" for kind, expr in self.identifiers.items()
        )
        attributes = "".join(
            f", {expr} AS _jm_attr_{name}" for name, expr in self.attributes.items()
        )
        field_list = "".join(f", {f}" for f in fields)
        return (
            f"SELECT *, {self.event_id} AS _jm_event_id, {ts} AS _jm_ts, "
            f"{self.sequence} AS _jm_source_seq, {self.source_activity} AS _jm_source_activity, "
            f"{self.channel} AS _jm_source_channel, {self.account} AS _jm_account_name, "
            f"{self.is_event} AS _jm_is_event, {self.episode} AS _jm_episode, "
            f"{self.team} AS _jm_team, {self.resource} AS _jm_resource, "
            f"{self.rating} AS _jm_rating, {identifiers}{attributes} "
            f"FROM (SELECT *{field_list} FROM (SELECT *, {values} AS _v FROM {relation}))"
        )


_INDEXED_SEGMENT = re.compile(r"^(.*?)((?:\[\d+\])+)$")


def _json_path(column: str) -> str:
    """A JSON path for a dotted column; ``a.ids[0]`` reads the first element of ``ids``.

    Example:
        >>> _json_path("associations.contactIds[0]")
        '$."associations"."contactIds"[0]'
    """
    parts = []
    for segment in check_column(column).split("."):
        indexed = _INDEXED_SEGMENT.match(segment)
        key, index = (indexed.group(1), indexed.group(2)) if indexed else (segment, "")
        parts.append('"' + key + '"' + index)
    return "$." + ".".join(parts)


class _Fields:
    """Hands out one ``_f<n>`` field per distinct source column a preset reads."""

    def __init__(self) -> None:
        self.columns: list[str] = []

    def ref(self, column: str) -> str:
        check_column(column)
        if column not in self.columns:
            self.columns.append(column)
        return f"_f{self.columns.index(column) + 1}"


def _value(fields: _Fields, spec: ValueSpec) -> str:
    if spec.value is not None:
        return quote_literal(spec.value)
    if spec.column is not None:
        return fields.ref(spec.column)
    assert spec.template is not None
    parts: list[str] = []
    position = 0
    for match in _TEMPLATE_FIELD.finditer(spec.template):
        if match.start() > position:
            parts.append(quote_literal(spec.template[position : match.start()]))
        parts.append(fields.ref(match.group(1)))
        position = match.end()
    if position < len(spec.template):
        parts.append(quote_literal(spec.template[position:]))
    return "(" + " || ".join(parts) + ")"


def offset_ms_expression(text: str) -> str:
    """Milliseconds in ``text`` as an INTERVAL (fractions kept to the microsecond); NULL if unreadable.

    Example:
        >>> offset_ms_expression("_f2")
        'to_microseconds(CAST(round(try_cast(_f2 AS DOUBLE) * 1000) AS BIGINT))'
    """
    return f"to_microseconds(CAST(round(try_cast({text} AS DOUBLE) * 1000) AS BIGINT))"


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


def typed_timestamp_expressions(column: str, timezone: str) -> dict[str, str]:
    """How a column already typed as a timestamp or date becomes a UTC TIMESTAMPTZ, per type.

    Naive timestamps and dates take ``timezone``, as naive text does.

    Example:
        >>> typed_timestamp_expressions("ts", "UTC")["TIMESTAMP WITH TIME ZONE"]
        '"ts"'
    """
    if not _TZ_PATTERN.match(timezone):
        raise ValueError(f"time zone {timezone!r} is not an IANA name like Europe/Amsterdam")
    value = quote_identifier(column)
    naive = f"timezone({quote_literal(timezone)}, CAST({value} AS TIMESTAMP))"
    expressions = {"TIMESTAMP WITH TIME ZONE": value, "DATE": naive}
    expressions.update(
        {kind: naive for kind in ("TIMESTAMP", "TIMESTAMP_S", "TIMESTAMP_MS", "TIMESTAMP_NS")}
    )
    return expressions


def compile_source(
    source: str,
    preset: ConnectorPreset,
    timezone: str | None,
    normalise_email: tuple[str, ...] = ("email",),
    link_on: tuple[str, ...] | None = None,
) -> CompiledSource:
    """Turn ``preset`` (applied as source ``source``) into SQL expressions.

    ``link_on``: the identifier kinds that join customers; a row needs one of them (all the
    preset's kinds count when not given).
    """
    check_name(source, "source name")
    fields = _Fields()
    ts_text = fields.ref(preset.timestamp.column)
    zone = timezone or preset.timestamp.timezone
    ts = timestamp_expression(ts_text, preset.timestamp.format, zone)
    ts_typed = (
        typed_timestamp_expressions(preset.timestamp.column, zone)
        if preset.format == "parquet" and preset.timestamp.format == "iso"
        else {}
    )
    offset_text = None
    if preset.timestamp.offset_ms_column is not None:
        offset_text = fields.ref(preset.timestamp.offset_ms_column)
        offset = offset_ms_expression(offset_text)
        ts = f"({ts} + {offset})"
        ts_typed = {kind: f"({expr} + {offset})" for kind, expr in ts_typed.items()}
    identifiers: dict[str, str] = {}
    for kind, column in preset.identifiers.items():
        value = fields.ref(column)
        identifiers[kind] = f"lower({value})" if kind in normalise_email else value
    if preset.event_id == (ROW_IDENTITY,):
        natural_key = "_file || chr(31) || _row"
    else:
        key_parts = ", ".join(f"coalesce({fields.ref(c)}, chr(0))" for c in preset.event_id)
        natural_key = f"concat_ws(chr(31), {key_parts})"
    event_id = f"md5_number({quote_literal(source)} || chr(31) || {natural_key})"
    sequence = (
        f"try_cast({fields.ref(preset.sequence)} AS BIGINT)" if preset.sequence else "NULL::BIGINT"
    )
    activity = _value(fields, preset.activity)
    channel, episode, team, resource, rating = (
        _value(fields, spec) if spec is not None else "NULL::VARCHAR"
        for spec in (preset.channel, preset.episode, preset.team, preset.resource, preset.rating)
    )
    account = fields.ref(preset.account) if preset.account else "NULL::VARCHAR"
    attributes = {name: fields.ref(column) for name, column in preset.attributes.items()}
    if preset.events_where is not None:
        is_event = (
            f"coalesce({fields.ref(preset.events_where.column)} = "
            f"{quote_literal(preset.events_where.equals)}, false)"
        )
    else:
        is_event = "true"
    required = {column: fields.ref(column) for column in preset.required}
    linking = [k for k in identifiers if link_on is None or k in link_on] or list(identifiers)
    reject_reason = _reject_reason(preset, ts_text, offset_text, required, linking)
    return CompiledSource(
        source=source,
        system=preset.system,
        format=preset.format,
        columns=tuple(fields.columns),
        event_id=event_id,
        ts=ts,
        ts_text=ts_text,
        ts_column=preset.timestamp.column,
        ts_typed=ts_typed,
        sequence=sequence,
        source_activity=activity,
        channel=channel,
        episode=episode,
        team=team,
        resource=resource,
        rating=rating,
        account=account,
        identifiers=identifiers,
        attributes=attributes,
        is_event=is_event,
        reject_reason=reject_reason,
    )


def _reject_reason(
    preset: ConnectorPreset,
    ts_text: str,
    offset_text: str | None,
    required: dict[str, str],
    linking: list[str],
) -> str:
    """A CASE over ``canonical_sql``'s columns naming why a row cannot be used (NULL when it can)."""
    checks: list[tuple[str, str]] = []
    if preset.format == "jsonl":
        checks.append(("_v IS NULL", quote_literal("invalid JSON line (truncated or malformed)")))
    for column, field in required.items():
        checks.append((f"{field} IS NULL", quote_literal(f"missing required value {column!r}")))
    any_identifier = " OR ".join(f"_jm_id_{kind} IS NOT NULL" for kind in linking)
    columns = ", ".join(preset.identifiers[kind] for kind in linking)
    checks.append(
        (f"NOT ({any_identifier})", quote_literal(f"missing identifier (none of {columns})"))
    )
    column = preset.timestamp.column
    checks.append((f"{ts_text} IS NULL", quote_literal(f"missing timestamp {column!r}")))
    offset_column = preset.timestamp.offset_ms_column
    if offset_text is not None:
        checks.append(
            (f"{offset_text} IS NULL", quote_literal(f"missing timestamp offset {offset_column!r}"))
        )
        checks.append(
            (
                f"{offset_ms_expression(offset_text)} IS NULL",
                f"{quote_literal(f'unparseable timestamp offset in {offset_column!r}: ')} || "
                f"chr(39) || {offset_text} || chr(39) || {quote_literal(' (expected milliseconds)')}",
            )
        )
    checks.append(
        (
            "_jm_ts IS NULL",
            f"{quote_literal(f'unparseable timestamp in {column!r}: ')} || chr(39) || {ts_text} "
            f"|| chr(39) || {quote_literal(f' (expected format {preset.timestamp.format})')}",
        )
    )
    checks.append(
        ("_jm_is_event AND _jm_source_activity IS NULL", quote_literal("missing activity value"))
    )
    branches = " ".join(f"WHEN {condition} THEN {reason}" for condition, reason in checks)
    return f"CASE {branches} ELSE NULL END"
