"""The SQL expressions a preset compiles to: quoting, fields, values, timestamps, checks.

Every column name and JSON path was validated by ``config``; here it is quoted, and every
literal is escaped, before it becomes SQL. ``compile.compile_source`` puts these together.

Example:
    >>> fields = Fields()
    >>> value_sql(fields, ValueSpec(template="deal_{stage}")), fields.columns
    ("('deal_' || _f1)", ['stage'])
"""

from __future__ import annotations

import re

from journey_mining.config import ConnectorPreset, ValueSpec, check_column, check_header
from journey_mining.connectors.timeparse import (
    EPOCH_MAX_S,
    EPOCH_MIN_S,
    DstPolicy,
    epoch_expression,
    iso_expression,
    local_expression,
    timestamp_problem,
)

_TEMPLATE_FIELD = re.compile(r"\{([^{}]+)\}")
_CONTROL = "[\\x00-\\x08\\x0B\\x0C\\x0E-\\x1F\\x7F]"  # not tab, newline, return
_TZ_PATTERN = re.compile(r"^[A-Za-z0-9_+\-/]{1,64}$")


def quote_literal(value: str) -> str:
    """A SQL string literal for ``value``.

    Example:
        >>> quote_literal("it's")
        "'it''s'"
    """
    return "'" + value.replace("'", "''") + "'"


def quote_identifier(name: str) -> str:
    """A double-quoted SQL identifier: any header an export has is data, never syntax.

    Example:
        >>> quote_identifier('Say "hi" [/]')
        '"Say ""hi"" [/]"'
    """
    return '"' + name.replace('"', '""') + '"'


_INDEXED_SEGMENT = re.compile(r"^(.*?)((?:\[\d+\])+)$")


def json_path(column: str) -> str:
    """A JSON path for a dotted column; ``a.ids[0]`` reads the first element of ``ids``.

    Example:
        >>> json_path("associations.contactIds[0]")
        '$."associations"."contactIds"[0]'
    """
    parts = []
    for segment in check_column(column).split("."):
        indexed = _INDEXED_SEGMENT.match(segment)
        key, index = (indexed.group(1), indexed.group(2)) if indexed else (segment, "")
        parts.append('"' + key + '"' + index)
    return "$." + ".".join(parts)


class Fields:
    """Hands out one ``_f<n>`` field per distinct source column a preset reads."""

    def __init__(self) -> None:
        self.columns: list[str] = []

    def ref(self, column: str) -> str:
        """The field reading ``column`` (added on first use)."""
        check_header(column)
        if column not in self.columns:
            self.columns.append(column)
        return f"_f{self.columns.index(column) + 1}"


def value_sql(fields: Fields, spec: ValueSpec) -> str:
    """SQL for a value spec: a literal, a field, or a template's parts joined with ``||``."""
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


def event_id_expression(key: str) -> str:
    """SQL for the event id of the key string ``key``: a signed 64-bit integer (BIGINT).

    The first 16 hex digits of the key's MD5 (its first 8 bytes, big-endian), read as a
    two's-complement integer — the same number ``int.from_bytes(hashlib.md5(key.encode())
    .digest()[:8], "big", signed=True)`` gives, or Spark's ``conv(substr(md5(key), 1, 16),
    16, -10)`` (docs/tables.md, ``journey_events.event_id``).

    Example:
        >>> import duckdb, hashlib
        >>> key = quote_literal("crm" + chr(31) + "101")
        >>> duckdb.sql(f"SELECT {event_id_expression(key)}").fetchall()
        [(-5188665319672994552,)]
        >>> int.from_bytes(hashlib.md5("crm\x1f101".encode()).digest()[:8], "big", signed=True)
        -5188665319672994552
    """
    unsigned = f"('0x' || left(md5({key}), 16))::UBIGINT"
    return (
        f"({unsigned}::HUGEINT - CASE WHEN {unsigned} >= 9223372036854775808 "
        "THEN 18446744073709551616::HUGEINT ELSE 0 END)::BIGINT"
    )


def offset_ms_expression(text: str) -> str:
    """Milliseconds in ``text`` as an INTERVAL (fractions kept to the microsecond); NULL if unreadable.

    NaN, infinities and more than about 300 years give NULL (the row is quarantined).

    Example:
        >>> offset_ms_expression("_f2")
        'to_microseconds(TRY_CAST(round(CASE WHEN abs(try_cast(_f2 AS DOUBLE)) < 1e13 THEN try_cast(_f2 AS DOUBLE) END * 1000) AS BIGINT))'
    """
    number = f"try_cast({text} AS DOUBLE)"
    bounded = f"CASE WHEN abs({number}) < 1e13 THEN {number} END"
    return f"to_microseconds(TRY_CAST(round({bounded} * 1000) AS BIGINT))"


def timestamp_expression(text: str, fmt: str, timezone: str, dst: DstPolicy = "quarantine") -> str:
    """Parse ``text`` into a UTC TIMESTAMPTZ as declared; NULL when it cannot be read.

    Strict (``timeparse``): ISO values with their zone, epoch numbers in range, local times
    in a DST gap or overlap as ``dst`` says; never an error, whatever the value.

    Example:
        >>> "try_strptime" in timestamp_expression("x", "%d-%m-%Y %H:%M", "Europe/Rome")
        True
    """
    if not _TZ_PATTERN.match(timezone):
        raise ValueError(f"time zone {timezone!r} is not an IANA name like Europe/Amsterdam")
    zone = quote_literal(timezone)
    if fmt == "iso":
        return iso_expression(text, timezone, dst)
    if fmt == "epoch_s":
        return epoch_expression(text, 1)
    if fmt == "epoch_ms":
        return epoch_expression(text, 1000)
    if fmt in _EPOCH_INTEGER_UNITS:
        return _epoch_integer(text, fmt)
    parsed = f"try_strptime({text}, {quote_literal(fmt)})"
    if "%z" in fmt or "%Z" in fmt:
        return parsed
    return local_expression(parsed, zone, dst)


_EPOCH_INTEGER_UNITS = ("epoch_us", "epoch_ns")


def _epoch_integer(text: str, fmt: str) -> str:
    """Epoch micro- or nanoseconds (integers: a DOUBLE would round nanoseconds) as UTC time.

    Example:
        >>> import duckdb
        >>> sql = _epoch_integer(quote_literal("1738332300123456789"), "epoch_ns")
        >>> duckdb.sql(f"SELECT epoch_us({sql})").fetchall()
        [(1738332300123456,)]
    """
    micros = f"try_cast({text} AS BIGINT)"
    if fmt == "epoch_ns":  # DuckDB keeps microseconds in TIMESTAMPTZ: round down to them
        micros = f"(try_cast({text} AS HUGEINT) // 1000)::BIGINT"
    low, high = EPOCH_MIN_S * 1_000_000, EPOCH_MAX_S * 1_000_000  # out of range: NULL
    return f"CASE WHEN {micros} BETWEEN {low} AND {high} THEN make_timestamptz({micros}) END"


def typed_timestamp_expressions(
    column: str, timezone: str, dst: DstPolicy = "quarantine"
) -> dict[str, str]:
    """How a column already typed as a timestamp or date becomes a UTC TIMESTAMPTZ, per type.

    Naive timestamps and dates take ``timezone``, as naive text does.

    Example:
        >>> typed_timestamp_expressions("ts", "UTC")["TIMESTAMP WITH TIME ZONE"]
        '"ts"'
    """
    if not _TZ_PATTERN.match(timezone):
        raise ValueError(f"time zone {timezone!r} is not an IANA name like Europe/Amsterdam")
    value = quote_identifier(column)
    naive = local_expression(f"CAST({value} AS TIMESTAMP)", quote_literal(timezone), dst)
    expressions = {"TIMESTAMP WITH TIME ZONE": value, "DATE": naive}
    expressions.update(
        {kind: naive for kind in ("TIMESTAMP", "TIMESTAMP_S", "TIMESTAMP_MS", "TIMESTAMP_NS")}
    )
    return expressions


def reject_reason(
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
    if preset.format == "json":
        checks.append(("json_type(line) <> 'OBJECT'", quote_literal("record is not a JSON object")))
    for column, field in required.items():
        checks.append((f"{field} IS NULL", quote_literal(f"missing required value {column!r}")))
    any_identifier = " OR ".join(f"_jm_id_{kind} IS NOT NULL" for kind in linking)
    columns = ", ".join(preset.identifiers[kind] for kind in linking)
    checks.append(
        (f"NOT ({any_identifier})", quote_literal(f"missing identifier (none of {columns})"))
    )
    column = preset.timestamp.column
    spec = preset.timestamp
    problem = timestamp_problem(ts_text, spec.format, spec.timezone)
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
                f"chr(39) || left({offset_text}, 100) || chr(39) || {quote_literal(' (expected milliseconds)')}",
            )
        )
    checks.append(
        (
            "_jm_ts IS NULL",
            f"{quote_literal(f'unparseable timestamp in {column!r}: ')} || chr(39) || "
            f"left({ts_text}, 100) "
            f"|| chr(39) || {quote_literal(f' (expected format {preset.timestamp.format})')} || "
            f"coalesce({problem}, '')",
        )
    )
    checks.append(
        ("_jm_is_event AND _jm_source_activity IS NULL", quote_literal("missing activity value"))
    )
    checks.append(
        (
            f"regexp_matches(_jm_source_activity, {quote_literal(_CONTROL)})",
            f"{quote_literal('activity contains a control character: ')} || chr(39) || "
            "left(regexp_replace(_jm_source_activity, "
            f"{quote_literal(_CONTROL)}, '?', 'g'), 100) || chr(39) || "
            f"{quote_literal(' (no process model or report can show it; fix the export)')}",
        )
    )
    branches = " ".join(f"WHEN {condition} THEN {reason}" for condition, reason in checks)
    return f"CASE {branches} ELSE NULL END"
