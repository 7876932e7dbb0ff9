"""Which columns hold times, in which format, unit and zone — read from the values.

A column's sampled values are classified by shape (epoch numbers, ISO 8601, numeric
day/month/year, textual months), and the format each shape suggests is checked with the
same DuckDB functions the loader uses (``try_cast``, ``try_strptime``): a guess is kept
when it reads at least ``MIN_SHARE`` of the values. Numeric dates are day-first when some
first field exceeds 12, month-first when some second field does, and *ambiguous* when every
day is ≤ 12 (then the caller's ``day_first`` decides, and the guess says so).

Example:
    >>> guess_format(["31/01/2025 14:05", "01/02/2025 09:00"])[0]
    '%d/%m/%Y %H:%M'
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import UTC, datetime

import duckdb

from journey_mining.init import words
from journey_mining.init.dst import dst_examples, naive_times
from journey_mining.init.models import TimestampGuess
from journey_mining.init.profile import Profile

MIN_SHARE = 0.9
_EPOCH = re.compile(r"^-?\d{9,19}(\.\d+)?$")
_ISO = re.compile(
    r"^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?)?\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?$"
)
_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_NUMERIC = re.compile(
    r"^(\d{1,2})([/.-])(\d{1,2})\2(\d{4}|\d{2})"
    r"(?:([ T]|, ?)(\d{1,2}):(\d{2})(?::(\d{2})(\.\d+)?)?(\s?[AaPp][Mm])?)?$"
)
_YMD_SLASH = re.compile(r"^\d{4}/\d{1,2}/\d{1,2}(?: \d{1,2}:\d{2}(?::\d{2})?)?$")
_TEXT_FORMATS = (
    "%d %b %Y %H:%M:%S",
    "%d %b %Y %H:%M",
    "%d %b %Y",
    "%d-%b-%Y %H:%M:%S",
    "%d-%b-%Y",
    "%b %d, %Y %I:%M %p",
    "%b %d, %Y %I:%M:%S %p",
    "%b %d, %Y %H:%M",
    "%b %d, %Y",
    "%d %B %Y %H:%M",
    "%d %B %Y",
    "%B %d, %Y",
    "%a, %d %b %Y %H:%M:%S %z",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y/%m/%d",
)
_YEARS = (
    datetime(1990, 1, 1, tzinfo=UTC).timestamp(),
    datetime(2100, 1, 1, tzinfo=UTC).timestamp(),
)
_UNITS = (("s", 1.0), ("ms", 1e3), ("us", 1e6), ("ns", 1e9))


def _epoch_unit(values: list[str]) -> str | None:
    """The unit (s, ms, us, ns) that puts ``MIN_SHARE`` of the numbers in 1990–2100."""
    numbers = [float(v) for v in values if _EPOCH.match(v)]
    if len(numbers) < MIN_SHARE * len(values):
        return None
    for unit, scale in _UNITS:
        inside = sum(_YEARS[0] <= n / scale < _YEARS[1] for n in numbers)
        if inside >= MIN_SHARE * len(values):
            return unit
    return None


def _numeric_format(values: list[str], day_first: bool | None) -> tuple[str, bool | None, bool]:
    """The strptime pattern of numeric day/month dates, which comes first, and if it is unsure."""
    matches = [m for m in (_NUMERIC.match(v) for v in values) if m]
    first = max(int(m.group(1)) for m in matches)
    second = max(int(m.group(3)) for m in matches)
    ambiguous = first <= 12 and second <= 12
    if first > 12 and second <= 12:
        dayfirst = True
    elif second > 12 and first <= 12:
        dayfirst = False
    else:
        dayfirst = True if day_first is None else day_first
    shape = Counter(
        (m.group(2), len(m.group(4)), m.group(5), m.group(8) is not None, m.group(9), m.group(10))
        for m in matches
    ).most_common(1)[0][0]
    sep, year_digits, joiner, seconds, fraction, ampm = shape
    year = "%Y" if year_digits == 4 else "%y"
    date = sep.join(("%d", "%m") if dayfirst else ("%m", "%d")) + sep + year
    if joiner is None:
        return date, dayfirst, ambiguous
    hour = "%I" if ampm else "%H"
    time = f"{hour}:%M" + (":%S" if seconds else "") + (".%f" if fraction else "")
    suffix = (" %p" if ampm.startswith(" ") else "%p") if ampm else ""
    return f"{date}{joiner}{time}{suffix}", dayfirst, ambiguous


def guess_format(
    values: list[str], day_first: bool | None = None
) -> tuple[str, bool | None, bool] | None:
    """The format most of ``values`` are written in (before checking), or None.

    Returns ``(format, day_first, ambiguous)``; ``format`` is ``iso``, ``epoch_<unit>`` or a
    strptime pattern.
    """
    if not values:
        return None
    unit = _epoch_unit(values)
    if unit is not None:
        return f"epoch_{unit}", None, False
    if sum(bool(_ISO.match(v)) for v in values) >= MIN_SHARE * len(values):
        if all(_DATE_ONLY.match(v) for v in values):
            return "%Y-%m-%d", None, False
        return "iso", None, False
    if sum(bool(_NUMERIC.match(v)) for v in values) >= MIN_SHARE * len(values):
        return _numeric_format(values, day_first)
    return None


def parsed_count(con: duckdb.DuckDBPyConnection, values: list[str], fmt: str) -> int:
    """How many of ``values`` the loader would read with ``fmt`` (the loader's functions)."""
    if fmt == "iso":
        expression = (
            "CASE WHEN regexp_matches(v, '(Z|z|[+-]\\d\\d(:?\\d\\d)?)$') "
            "THEN try_cast(v AS TIMESTAMPTZ)::VARCHAR ELSE try_cast(v AS TIMESTAMP)::VARCHAR END"
        )
    elif fmt.startswith("epoch_"):
        scale = dict(_UNITS)[fmt.removeprefix("epoch_")]
        expression = f"try_cast(try_cast(v AS DOUBLE) / {scale} AS DOUBLE)"
    else:
        expression = "try_strptime(v, $fmt)::VARCHAR"
    sql = f"SELECT count({expression}) FROM (SELECT unnest($values::VARCHAR[]) AS v)"
    parameters: dict[str, object] = {"values": values}
    if "$fmt" in sql:
        parameters["fmt"] = fmt
    return int(con.execute(sql, parameters).fetchall()[0][0])


def best_text_format(con: duckdb.DuckDBPyConnection, values: list[str]) -> str | None:
    """The textual-month (or y/m/d) pattern reading the most values, if it reads enough."""
    best, best_count = None, 0
    for fmt in _TEXT_FORMATS:
        count = parsed_count(con, values, fmt)
        if count > best_count:
            best, best_count = fmt, count
    return best if best_count >= MIN_SHARE * len(values) else None


def offsets_seen(values: list[str]) -> tuple[list[str], bool]:
    """The distinct offsets written in ISO values (most frequent first) and whether some have none."""
    found = Counter(m.group(1) for m in (_ISO.match(v) for v in values) if m and m.group(1))
    naive = any(m is not None and not m.group(1) for m in (_ISO.match(v) for v in values))
    return [offset for offset, _ in found.most_common(5)], naive


def describe_format(fmt: str, day_first: bool | None, ambiguous: bool) -> str:
    """A few words for a comment: ``ISO 8601``, ``epoch seconds``, ``day-first %d/%m/%Y``.

    Example:
        >>> describe_format("%d/%m/%Y", True, True)
        'day-first %d/%m/%Y (ambiguous: every day ≤ 12)'
    """
    if fmt == "iso":
        return "ISO 8601"
    if fmt.startswith("epoch_"):
        words = {"s": "seconds", "ms": "milliseconds", "us": "microseconds", "ns": "nanoseconds"}
        return "epoch " + words[fmt.removeprefix("epoch_")]
    order = "" if day_first is None else ("day-first " if day_first else "month-first ")
    return f"{order}{fmt}" + (" (ambiguous: every day ≤ 12)" if ambiguous else "")


def time_score(p: Profile) -> float:
    names = set(p.tokens)
    score = 5.0 if names & {"timestamp", "time", "ts", "occurred", "when", "datetime"} else 0.0
    score += (
        3.0 if names & {"created", "date", "at", "start", "started", "entered", "changed"} else 0.0
    )
    score -= 6.0 if names & words.LATE_WORDS else 0.0
    return score + 2.0 * p.share(p.filled) * (p.filled / p.rows if p.rows else 0)


def timestamp_guess(
    con: duckdb.DuckDBPyConnection, p: Profile, day_first: bool | None, timezone: str
) -> TimestampGuess | None:
    """How ``p``'s values read as times, if ``MIN_SHARE`` of them do."""
    if not p.values or (p.integers == p.filled and not (set(p.tokens) & words.TIME_WORDS)):
        return None
    guessed = guess_format(p.values, day_first)
    fmt, dayfirst, ambiguous = (
        guessed if guessed else (best_text_format(con, p.values), None, False)
    )
    if fmt is None:
        return None
    parsed = parsed_count(con, p.values, fmt)
    if parsed < MIN_SHARE * len(p.values):
        return None
    offsets, naive = offsets_seen(p.values) if fmt == "iso" else ([], "%z" not in fmt)
    unparsed = [] if parsed == len(p.values) else _unparsed(con, p.values, fmt)
    evidence = f"{p.filled:,} values; {describe_format(fmt, dayfirst, ambiguous)}"
    if dayfirst is not None and not ambiguous:
        evidence += " (a day above 12 comes " + ("first" if dayfirst else "second") + ")"
    if offsets:
        evidence += f"; offsets {', '.join(offsets)}"
    if unparsed:
        evidence += (
            f"; {len(p.values) - parsed} distinct value(s) do not read, e.g. {unparsed[0]!r}"
        )
    gaps, overlaps = (
        dst_examples(naive_times(con, p.values, fmt), timezone)
        if naive and timezone != "UTC"
        else ([], [])
    )
    return TimestampGuess(
        dst_gap=gaps,
        dst_overlap=overlaps,
        column=p.column,
        format=fmt,
        unit=fmt.removeprefix("epoch_") if fmt.startswith("epoch_") else None,
        offsets=offsets,
        naive=naive and not fmt.startswith("epoch_"),
        timezone=timezone,
        day_first=dayfirst,
        ambiguous=ambiguous,
        parsed=parsed,
        values=len(p.values),
        unparsed_examples=unparsed,
        evidence=evidence,
    )


def _unparsed(con: duckdb.DuckDBPyConnection, values: list[str], fmt: str) -> list[str]:
    return [v for v in values[:500] if parsed_count(con, [v], fmt) == 0][:3]
