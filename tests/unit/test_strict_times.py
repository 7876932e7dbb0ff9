"""Strict times: every value gives the declared instant or NULL with a reason, never an error.

Golden instants for both DST transitions of New York and Amsterdam under each policy, and the
ISO and epoch values real exports carry.
"""

from __future__ import annotations

import duckdb
import pytest

from journey_mining.connectors.expressions import timestamp_expression
from journey_mining.connectors.timeparse import timestamp_problem


def _read(value: str, fmt: str, zone: str, dst: str = "quarantine") -> tuple[str | None, str]:
    con = duckdb.connect()
    try:
        con.execute("SET TimeZone = 'UTC'")
        sql = timestamp_expression("v", fmt, zone, dst)  # type: ignore[arg-type]
        problem = timestamp_problem("v", fmt, zone)
        row = con.execute(f"SELECT {sql}, {problem} FROM (SELECT ? AS v)", [value]).fetchone()
    finally:
        con.close()
    assert row is not None
    return (None if row[0] is None else row[0].strftime("%Y-%m-%d %H:%M")), row[1] or ""


@pytest.mark.parametrize(
    "value,zone,dst,instant,says",
    [
        # New York, spring forward 2025-03-09 02:00 → 03:00 (02:30 never happens)
        ("2025-03-09 02:30:00", "America/New_York", "quarantine", None, "does not exist"),
        ("2025-03-09 02:30:00", "America/New_York", "earliest", "2025-03-09 07:30", ""),
        ("2025-03-09 02:30:00", "America/New_York", "latest", "2025-03-09 07:30", ""),
        ("2025-03-09 03:00:00", "America/New_York", "quarantine", "2025-03-09 07:00", ""),
        # New York, fall back 2025-11-02 02:00 → 01:00 (01:30 happens twice)
        ("2025-11-02 01:30:00", "America/New_York", "quarantine", None, "happens twice"),
        ("2025-11-02 01:30:00", "America/New_York", "earliest", "2025-11-02 05:30", ""),
        ("2025-11-02 01:30:00", "America/New_York", "latest", "2025-11-02 06:30", ""),
        # Amsterdam, spring forward 2025-03-30 02:00 → 03:00, fall back 2025-10-26 03:00 → 02:00
        ("2025-03-30 02:30:00", "Europe/Amsterdam", "quarantine", None, "does not exist"),
        ("2025-03-30 02:30:00", "Europe/Amsterdam", "earliest", "2025-03-30 01:30", ""),
        ("2025-10-26 02:30:00", "Europe/Amsterdam", "quarantine", None, "happens twice"),
        ("2025-10-26 02:30:00", "Europe/Amsterdam", "earliest", "2025-10-26 00:30", ""),
        ("2025-10-26 02:30:00", "Europe/Amsterdam", "latest", "2025-10-26 01:30", ""),
        ("2025-07-01 12:00:00", "Europe/Amsterdam", "quarantine", "2025-07-01 10:00", ""),
    ],
)
def test_local_times_follow_the_declared_dst_policy(
    value: str, zone: str, dst: str, instant: str | None, says: str
) -> None:
    for fmt in ("iso", "%Y-%m-%d %H:%M:%S"):
        got, problem = _read(value, fmt, zone, dst)
        assert got == instant, fmt
        assert says in problem


@pytest.mark.parametrize(
    "value,instant,says",
    [
        ("2025-01-04T10:00:00Z", "2025-01-04 10:00", ""),
        ("2025-01-04T10:00:00z", "2025-01-04 10:00", ""),
        ("2025-01-04 10:00:00 UTC", "2025-01-04 10:00", ""),
        ("2025-01-04T10:00:00.123+0530", "2025-01-04 04:30", ""),
        ("2025-01-04T10:00:00 -05:00", "2025-01-04 15:00", ""),
        ("2025-01-04T10:00:00+14:00", "2025-01-03 20:00", ""),
        ("2025-01-04 10:00:00 America/New_York", "2025-01-04 15:00", ""),
        ("2025-01-04 10:00:00", "2025-01-04 10:00", ""),
        ("2025-01-04", "2025-01-04 00:00", ""),
        ("2025-01-04T10:00:00+25:00", None, "offset out of range"),
        ("2025-01-04T10:00:00+14:30", None, "offset out of range"),
        ("2025-01-04 10:00:00 PST", None, "abbreviation is ambiguous"),
        ("2025-01-04 10:00:00 CET", None, "abbreviation is ambiguous"),
        ("2025-01-04 10:00:00 Mars/Olympus", None, "unknown time zone"),
        ("2025-01-04 10:00:00 garbage here", None, ""),
        ("2025-02-30 10:00:00", None, ""),
        ("04/01/2025 10:00", None, ""),
    ],
)
def test_iso_values_are_read_strictly(value: str, instant: str | None, says: str) -> None:
    got, problem = _read(value, "iso", "UTC")
    assert got == instant and says in problem


@pytest.mark.parametrize(
    "value,fmt,instant",
    [
        ("1735725600", "epoch_s", "2025-01-01 10:00"),
        ("1735725600000", "epoch_ms", "2025-01-01 10:00"),
        ("1735725600.5", "epoch_s", "2025-01-01 10:00"),
        ("NaN", "epoch_s", None),
        ("inf", "epoch_s", None),
        ("-Infinity", "epoch_ms", None),
        ("1e17", "epoch_s", None),
        ("1e20", "epoch_ms", None),
        ("253402300800", "epoch_s", None),
    ],
)
def test_epoch_values_in_range_or_null_never_an_error(
    value: str, fmt: str, instant: str | None
) -> None:
    got, problem = _read(value, fmt, "UTC")
    assert got == instant
    assert (problem != "") == (instant is None)
