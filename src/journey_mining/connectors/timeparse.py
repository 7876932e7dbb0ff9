"""Strict times, in SQL: ISO 8601 with its zone, epoch numbers in range, local times and DST.

Every expression here yields a UTC ``TIMESTAMPTZ`` or NULL — never an error — so one bad
value quarantines its row and never fails a run (``expressions.reject_reason`` then says
why, with ``timestamp_problem``). All of it runs vectorised in DuckDB at landing.

* **ISO**: the whole value must be a date, an optional time and an optional zone: ``Z``/``z``,
  ``UTC``/``GMT``, an offset within ±14:00, or an IANA name DuckDB knows
  (``2025-03-01 10:00 Europe/Amsterdam``). Anything else — an abbreviation such as ``PST`` or
  ``CET`` (ambiguous), an offset such as ``+25:00``, trailing text — is not guessed.
* **Epoch numbers**: finite and within the years 0001–9999, else NULL.
* **Local times** (naive values, read in the source's zone or the value's IANA zone) follow
  the declared DST policy (``timestamp.dst``): ``quarantine`` (default) rejects a time in a
  spring-forward gap (it never happened) or a fall-back overlap (it happened twice);
  ``earliest``/``latest`` take the first/second of the two instants of an overlap, and both
  read a time in a gap with the offset in force before the change (02:30 in New York's gap
  becomes 03:30 EDT: shifted later by the gap, as Java's ``ZonedDateTime.of`` does).

Example:
    >>> import duckdb
    >>> con = duckdb.connect()
    >>> sql = iso_expression("'2025-03-30 02:30'", "Europe/Amsterdam", "quarantine")
    >>> con.execute(f"SELECT {sql}").fetchone()
    (None,)
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DstPolicy = Literal["quarantine", "earliest", "latest"]

_DATE_TIME = r"\d{4}-\d{1,2}-\d{1,2}(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)?"
_ZONE = r"Z|z|UTC|GMT|[+-]\d{2}(?::?\d{2})?|[A-Za-z][A-Za-z0-9_+-]*(?:/[A-Za-z0-9_+-]+)+"
ISO_PATTERN = rf"^({_DATE_TIME})\s*({_ZONE})?$"
_OFFSET_IN_RANGE = r"^[+-]((0\d|1[0-3])(:?[0-5]\d)?|14(:?00)?)$"
_KNOWN_ZONE = "(SELECT list(name) FROM pg_timezone_names() WHERE contains(name, '/'))"
# 0001-01-01 .. 9999-12-31 in epoch seconds: beyond, a number is no event time
EPOCH_MIN_S = -62135596800
EPOCH_MAX_S = 253402300799
EPOCH_UNITS = {"epoch_s": 1, "epoch_ms": 1000, "epoch_us": 1_000_000, "epoch_ns": 1_000_000_000}


def _q(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def epoch_expression(text: str, per_second: int) -> str:
    """``text`` as epoch units (``per_second`` of them in a second) → TIMESTAMPTZ, else NULL.

    NaN, infinities and values outside the years 0001–9999 give NULL (quarantined), never
    DuckDB's conversion error.

    Example:
        >>> import duckdb
        >>> duckdb.sql(f"SELECT {epoch_expression(repr('1e17'), 1)}").fetchone()
        (None,)
    """
    number = f"try_cast({text} AS DOUBLE)"
    seconds = number if per_second == 1 else f"({number} / {float(per_second)!r})"
    return (
        f"CASE WHEN isfinite({number}) AND {seconds} BETWEEN {EPOCH_MIN_S} AND {EPOCH_MAX_S} "
        f"THEN to_timestamp({seconds}) END"
    )


def _offset_at(zone: str, instant: str) -> str:
    """The zone's UTC offset (an INTERVAL) at ``instant`` (a TIMESTAMPTZ)."""
    return f"(timezone({zone}, {instant}) - timezone('UTC', {instant}))"


_STEP = timedelta(days=7)  # offsets are compared a week apart: no zone changes twice in one


@cache
def _changes(zone: str) -> tuple[tuple[int, ...], tuple[int, ...]] | None:
    """Months and local hours in which ``zone``'s wall clock ever skips or repeats a time
    (1900–2100), or None for a zone that never changes: outside them a local time is plain."""
    try:
        tz = ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        return ((*range(1, 13),), (*range(24),))  # unknown to Python: check every row
    months: set[int] = set()
    hours: set[int] = set()
    day = datetime(1900, 1, 1, tzinfo=UTC)
    before = day.astimezone(tz).utcoffset()
    while day.year < 2101:
        after = (day + _STEP).astimezone(tz).utcoffset()
        if after != before and before is not None and after is not None:
            low, high = day, day + _STEP  # the change is in (low, high]
            while high - low > timedelta(minutes=1):
                middle = low + (high - low) / 2
                if middle.astimezone(tz).utcoffset() == before:
                    low = middle
                else:
                    high = middle
            # local times in [start, end) are skipped or repeated; all others are plain
            start = (high + min(before, after)).replace(minute=0, second=0, microsecond=0)
            end = high + max(before, after)
            while start < end:
                months.add(start.month)
                hours.add(start.hour)
                start += timedelta(hours=1)
            before = after
        day += _STEP
    return (tuple(sorted(months)), tuple(sorted(hours))) if months else None


def _risky(zone: str, local: str) -> str:
    """SQL: whether ``local`` may be near an offset change of ``zone`` (a quoted name)."""
    changes = _changes(zone[1:-1].replace("''", "'")) if zone.startswith("'") else None
    if not zone.startswith("'"):
        return "true"  # a zone named in the value: every row checked
    if changes is None:
        return "false"
    months, hours = changes
    month_test = "" if len(months) == 12 else f"month({local}) IN {months} AND ".replace(",)", ")")
    hour_test = "true" if len(hours) == 24 else f"hour({local}) IN {hours}".replace(",)", ")")
    return month_test + hour_test


def _exact(local: str, zone: str, dst: DstPolicy) -> str:
    """The instant of ``local`` on ``zone``'s wall clock, checking for a gap or overlap.

    Offsets are looked up a day before and after; where they agree the time is plain;
    where they differ, each candidate instant is checked against the wall clock, which tells
    a gap (neither) from an overlap (both), handled as ``dst`` says.
    """
    as_utc = f"timezone('UTC', {local})"
    before = _offset_at(zone, f"({as_utc} - INTERVAL 1 DAY)")
    after = _offset_at(zone, f"({as_utc} + INTERVAL 1 DAY)")
    first, second = f"({as_utc} - {before})", f"({as_utc} - {after})"
    first_ok = f"(timezone({zone}, {first}) = {local})"
    second_ok = f"(timezone({zone}, {second}) = {local})"
    both = {"quarantine": "NULL", "earliest": f"least({first}, {second})"}.get(
        dst, f"greatest({first}, {second})"
    )
    gap = "NULL" if dst == "quarantine" else first
    return (
        f"CASE WHEN {before} = {after} THEN {first} "
        f"WHEN {first_ok} AND {second_ok} THEN {both} WHEN {first_ok} THEN {first} "
        f"WHEN {second_ok} THEN {second} ELSE {gap} END"
    )


def local_expression(local: str, zone: str, dst: DstPolicy) -> str:
    """The UTC instant of ``local`` (a naive TIMESTAMP) on the wall clock of ``zone`` (SQL).

    ``zone`` is a SQL expression (a quoted name, or a column of known names). Rows far
    from any offset change of a named zone
    (months and hours from Python's zone data) take one conversion, as a plain reading
    would; the others are checked exactly (``_exact``).
    """
    if zone.upper() in ("'UTC'", "'ETC/UTC'", "'GMT'"):
        return f"timezone('UTC', {local})"
    risky = _risky(zone, local)
    if risky == "false":
        return f"timezone({zone}, {local})"
    return (
        f"CASE WHEN {local} IS NULL THEN NULL WHEN NOT ({risky}) THEN timezone({zone}, {local}) "
        f"ELSE {_exact(local, zone, dst)} END"
    )


def _parts(text: str) -> tuple[str, str]:
    pattern = _q(ISO_PATTERN)
    return (
        f"regexp_extract({text}, {pattern}, 1)",
        f"regexp_extract({text}, {pattern}, 2)",
    )


def iso_expression(text: str, timezone: str, dst: DstPolicy) -> str:
    """Strict ISO 8601 ``text`` → UTC TIMESTAMPTZ, or NULL (see the module doc).

    The whole value is checked by one regular expression; the common shapes are then told
    apart cheaply (a ``Z`` at the end, a sign after the date, a letter at the end) so only
    values with an offset or a zone name are split into their parts.
    """
    moment, zone = _parts(text)
    last = f"right({text}, 1)"
    return (
        f"CASE WHEN NOT regexp_matches({text}, {_q(ISO_PATTERN)}) THEN NULL "
        f"WHEN {last} = 'Z' THEN try_cast({text} AS TIMESTAMPTZ) "
        f"WHEN {last} = 'z' THEN try_cast(left({text}, -1) || 'Z' AS TIMESTAMPTZ) "
        f"WHEN {last} BETWEEN '0' AND '9' AND NOT contains(substr({text}, 9), '+') "
        f"AND NOT contains(substr({text}, 9), '-') "
        f"THEN {local_expression(f'try_cast({text} AS TIMESTAMP)', _q(timezone), dst)} "
        f"WHEN {zone} IN ('UTC', 'GMT') THEN timezone('UTC', try_cast({moment} AS TIMESTAMP)) "
        f"WHEN regexp_matches({zone}, {_q(_OFFSET_IN_RANGE)}) "
        f"THEN try_cast({moment} || {zone} AS TIMESTAMPTZ) "
        f"WHEN list_contains({_KNOWN_ZONE}, {zone}) "
        f"THEN {local_expression(f'try_cast({moment} AS TIMESTAMP)', zone, dst)} END"
    )


def timestamp_problem(text: str, fmt: str, timezone: str) -> str:
    """SQL naming why ``text`` gave no time, beyond "unparseable" (NULL when nothing more is
    known): an offset out of range, an unknown or abbreviated zone, a DST gap or overlap."""
    if fmt == "iso":
        moment, zone = _parts(text)
        naive = f"try_cast(replace({moment}, 'T', ' ') AS TIMESTAMP)"
        value_zone = f"CASE WHEN {zone} = '' THEN {_q(timezone)} ELSE {zone} END"
        in_zone = local_expression(naive, value_zone, "earliest")
        return (
            f"CASE WHEN NOT regexp_matches({text}, {_q(ISO_PATTERN)}) THEN "
            f"CASE WHEN regexp_matches({text}, '\\s[A-Za-z]{{2,5}}$') THEN "
            "' (a time-zone abbreviation is ambiguous: write an offset such as +01:00 or an "
            "IANA name such as Europe/Amsterdam)' END "
            f"WHEN regexp_matches({zone}, '^[+-]') AND NOT regexp_matches({zone}, "
            f"{_q(_OFFSET_IN_RANGE)}) THEN ' (offset out of range: at most ±14:00)' "
            f"WHEN {zone} NOT IN ('', 'Z', 'z', 'UTC', 'GMT') AND NOT regexp_matches({zone}, "
            f"'^[+-]') AND NOT list_contains({_KNOWN_ZONE}, {zone}) "
            "THEN ' (unknown time zone)' "
            f"WHEN {zone} = '' OR list_contains({_KNOWN_ZONE}, {zone}) THEN "
            f"{_dst_problem(naive, value_zone, in_zone)} END"
        )
    if fmt in EPOCH_UNITS:
        return (
            f"CASE WHEN try_cast({text} AS DOUBLE) IS NOT NULL AND "
            f"{epoch_expression(text, EPOCH_UNITS[fmt])} IS NULL THEN "
            "' (not a finite number of the years 0001-9999)' END"
        )
    if "%z" in fmt or "%Z" in fmt:
        return "NULL"
    naive = f"try_strptime({text}, {_q(fmt)})"
    zone = _q(timezone)
    return _dst_problem(naive, zone, local_expression(naive, zone, "earliest"))


def _dst_problem(naive: str, zone: str, instant: str) -> str:
    """Why a valid local time has no instant under ``quarantine``: gap or overlap."""
    as_utc = f"timezone('UTC', {naive})"
    before = _offset_at(zone, f"({as_utc} - INTERVAL 1 DAY)")
    after = _offset_at(zone, f"({as_utc} + INTERVAL 1 DAY)")
    first, second = f"({as_utc} - {before})", f"({as_utc} - {after})"
    return (
        f"CASE WHEN {naive} IS NULL OR {before} = {after} THEN NULL "
        f"WHEN timezone({zone}, {first}) = {naive} AND timezone({zone}, {second}) = {naive} "
        f"THEN ' (ambiguous local time: it happens twice when clocks go back in ' || {zone} "
        "|| '; declare timestamp.dst: earliest or latest)' "
        f"WHEN {instant} IS NOT NULL AND timezone({zone}, {instant}) <> {naive} "
        f"THEN ' (this local time does not exist: clocks skip it in ' || {zone} "
        "|| '; declare timestamp.dst: earliest or latest to shift it)' END"
    )
