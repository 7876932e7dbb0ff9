"""Which sampled local times fall in a daylight-saving gap or overlap of the chosen zone.

``init`` writes the loader's declared policy (``timestamp.dst``, quarantine by default,
docs/pipelines.md) into every preset whose times are local, and says which sampled values it
would apply to: a time in the spring-forward gap does not exist, one in the fall-back overlap
happens twice — the loader never guesses either unless the preset says ``earliest`` or
``latest``.

Example:
    >>> dst_examples(["2025-03-30 02:30:00", "2025-10-26 02:30:00", "2025-06-01 12:00:00"],
    ...              "Europe/Amsterdam")
    (['2025-03-30 02:30:00'], ['2025-10-26 02:30:00'])
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import duckdb

_KEEP = 3  # examples kept per kind


def _in_gap(local: datetime, zone: ZoneInfo) -> bool:
    """A wall time the zone skips: it does not come back the same from UTC."""
    there = local.replace(tzinfo=zone).astimezone(UTC).astimezone(zone).replace(tzinfo=None)
    return there != local


def _in_overlap(local: datetime, zone: ZoneInfo) -> bool:
    """A wall time the zone shows twice: its two readings have different offsets."""
    first = local.replace(tzinfo=zone, fold=0).utcoffset()
    second = local.replace(tzinfo=zone, fold=1).utcoffset()
    return first != second


def dst_examples(local_times: list[str], timezone: str) -> tuple[list[str], list[str]]:
    """Up to three values (as given) in a DST gap, and up to three in an overlap, of ``timezone``.

    ``local_times`` are naive ISO times (``YYYY-MM-DD HH:MM:SS``); other text is skipped.
    """
    try:
        zone = ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        return [], []
    gaps: list[str] = []
    overlaps: list[str] = []
    for text in local_times:
        try:
            local = datetime.fromisoformat(text)
        except ValueError:
            continue
        if local.tzinfo is not None:
            continue
        if len(gaps) < _KEEP and _in_gap(local, zone):
            gaps.append(text)
        elif len(overlaps) < _KEEP and _in_overlap(local, zone):
            overlaps.append(text)
    return gaps, overlaps


def naive_times(con: duckdb.DuckDBPyConnection, values: list[str], fmt: str) -> list[str]:
    """``values`` read as naive wall times with ``fmt`` (the loader's functions), as ISO text."""
    if fmt == "iso":
        expression = (
            "CASE WHEN NOT regexp_matches(trim(v), '(Z|z|[+-]\\d\\d(:?\\d\\d)?)$') "
            "THEN try_cast(trim(v) AS TIMESTAMP) END"
        )
    elif fmt.startswith("epoch_") or "%z" in fmt or "%Z" in fmt:
        return []
    else:
        expression = "try_strptime(v, $fmt)::TIMESTAMP"
    sql = (
        f"SELECT strftime(t, '%Y-%m-%d %H:%M:%S') FROM "
        f"(SELECT {expression} AS t FROM (SELECT unnest($values::VARCHAR[]) AS v)) "
        "WHERE t IS NOT NULL"
    )
    parameters: dict[str, object] = {"values": values}
    if "$fmt" in sql:
        parameters["fmt"] = fmt
    return [row[0] for row in con.execute(sql, parameters).fetchall()]
