"""The bad-input corpus: what real exports do, one kind per entry, each a file and its fate.

Each ``Kind`` is one export file (CSV or JSON lines) written by the test, with the number
of data records the test wrote (counted here, independently of the loader) and how many of
them must load; the rest must be quarantined, with ``reason`` in their reason. ``REFUSED``
kinds are files no preset can read: the run must refuse them with one line naming the file
and a fix.
"""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass, field
from typing import Any

HEADER = ["id", "email", "ts", "activity"]
GOOD = [
    ["1", "a@x.com", "2025-01-01T10:00:00Z", "signup"],
    ["2", "b@x.com", "2025-01-02T10:00:00Z", "signup"],
    ["3", "a@x.com", "2025-01-03T10:00:00Z", "purchase"],
]


@dataclass(frozen=True)
class Kind:
    """One bad export: its bytes, the records in it, how many load, the preset's changes."""

    name: str
    data: bytes
    records: int
    loaded: int
    fmt: str = "csv"
    suffix: str = ".csv"
    timestamp: dict[str, Any] = field(default_factory=dict)
    reason: str = ""  # a text every quarantine reason of this kind contains


def csv_bytes(rows: list[list[str]], header: list[str] | None = None, end: str = "\n") -> bytes:
    """Rows as CSV text; values are written as given (the kind decides quoting)."""
    lines = [",".join(header or HEADER)] + [",".join(r) for r in rows]
    return (end.join(lines) + end).encode("utf-8")


def with_ts(*values: str) -> list[list[str]]:
    """GOOD's first row followed by one row per timestamp value."""
    return [GOOD[0]] + [[str(10 + i), "c@x.com", v, "signup"] for i, v in enumerate(values)]


def with_email(*values: str) -> list[list[str]]:
    return [GOOD[0]] + [
        [str(10 + i), v, "2025-01-05T10:00:00Z", "signup"] for i, v in enumerate(values)
    ]


def jsonl(objects: list[Any]) -> bytes:
    return "".join(json.dumps(o) + "\n" for o in objects).encode("utf-8")


GOOD_JSON = [dict(zip(HEADER, r, strict=True)) for r in GOOD]


def _ts_kind(name: str, value: str, loads: bool, reason: str = "", **ts: Any) -> Kind:
    return Kind(
        name,
        csv_bytes(with_ts(value)),
        2,
        2 if loads else 1,
        timestamp=ts,
        reason="" if loads else reason or "unparseable timestamp in 'ts'",
    )


def _header_kind(name: str, column: str) -> Kind:
    quoted = '"' + column.replace('"', '""') + '"'
    rows = [[*r, "x"] for r in GOOD]
    return Kind(name, csv_bytes(rows, header=[*HEADER, quoted]), 3, 3)


EPOCH = {"format": "epoch_s"}
EPOCH_MS = {"format": "epoch_ms"}


def _epoch_kind(name: str, value: str, ms: bool = False) -> Kind:
    good = "1735725600000" if ms else "1735725600"
    rows = [["1", "a@x.com", good, "signup"], ["2", "b@x.com", value, "signup"]]
    return Kind(
        name, csv_bytes(rows), 2, 1, timestamp=EPOCH_MS if ms else EPOCH, reason="(expected format"
    )


HUGE = "x" * 10_500_000

LOADS: list[Kind] = [
    Kind("clean", csv_bytes(GOOD), 3, 3),
    _header_kind("header_brackets", "[/]"),
    _header_kind("header_apostrophe", "Contact's Phone"),
    _header_kind("header_dot", "Phone No."),
    _header_kind("header_double_quotes", 'Say "hi"'),
    _header_kind("header_unicode", "Téléphone ☎ 電話"),
    _header_kind("header_markup", "[bold]:x:[/bold]"),
    _header_kind("header_sql", "x); DROP TABLE raw.clean; --"),
    Kind(
        "header_duplicate",
        csv_bytes([[*r, "n1", "n2"] for r in GOOD], [*HEADER, "note", "note"]),
        3,
        3,
    ),
    Kind("header_empty_name", csv_bytes([[*r, "n"] for r in GOOD], [*HEADER, ""]), 3, 3),
    _epoch_kind("epoch_nan", "NaN"),
    _epoch_kind("epoch_inf", "inf"),
    _epoch_kind("epoch_minus_inf", "-Infinity"),
    _epoch_kind("epoch_1e17", "1e17"),
    _epoch_kind("epoch_negative_huge", "-1e300"),
    _epoch_kind("epoch_text", "yesterday"),
    _epoch_kind("epoch_ms_1e20", "1e20", ms=True),
    _epoch_kind("epoch_ms_nan", "nan", ms=True),
    _ts_kind("ts_pst", "2025-01-04 10:00:00 PST", False, "ambiguous"),
    _ts_kind("ts_cet", "2025-01-04 10:00:00 CET", False, "ambiguous"),
    _ts_kind("ts_iana_name", "2025-01-04 10:00:00 Europe/Amsterdam", True),
    _ts_kind("ts_unknown_zone", "2025-01-04 10:00:00 Mars/Olympus", False, "unknown time zone"),
    _ts_kind("ts_trailing_garbage", "2025-01-04 10:00:00 garbage", False),
    _ts_kind("ts_offset_25", "2025-01-04T10:00:00+25:00", False, "offset out of range"),
    _ts_kind("ts_offset_99", "2025-01-04T10:00:00+99:00", False, "offset out of range"),
    _ts_kind("ts_offset_14", "2025-01-04T10:00:00+14:00", True),
    _ts_kind("ts_offset_minus_12", "2025-01-04T10:00:00-12:00", True),
    _ts_kind("ts_lowercase_z", "2025-01-04T10:00:00z", True),
    _ts_kind("ts_date_only", "2025-01-04", True),
    _ts_kind("ts_february_30", "2025-02-30 10:00:00", False),
    _ts_kind("ts_zero_date", "0000-00-00 00:00:00", False),
    _ts_kind("ts_year_5_digits", "20250-01-01 10:00:00", False),
    _ts_kind("ts_words", "last tuesday", False),
    _ts_kind("ts_whitespace_only", " \t ", False, "missing timestamp 'ts'"),
    _ts_kind(
        "ts_dst_gap_new_york",
        "2025-03-09 02:30:00",
        False,
        "does not exist",
        timezone="America/New_York",
    ),
    _ts_kind(
        "ts_dst_overlap_new_york",
        "2025-11-02 01:30:00",
        False,
        "ambiguous local time",
        timezone="America/New_York",
    ),
    _ts_kind(
        "ts_dst_gap_amsterdam_shifted",
        "2025-03-30 02:30:00",
        True,
        timezone="Europe/Amsterdam",
        dst="earliest",
    ),
    _ts_kind(
        "ts_dst_overlap_amsterdam_latest",
        "2025-10-26 02:30:00",
        True,
        timezone="Europe/Amsterdam",
        dst="latest",
    ),
    Kind(
        "ts_strptime_dst_gap",
        csv_bytes(
            [
                ["1", "a@x.com", "08/03/2025 02:30", "signup"],
                ["2", "b@x.com", "09/03/2025 02:30", "signup"],
            ]
        ),
        2,
        1,
        timestamp={"timezone": "America/New_York", "format": "%d/%m/%Y %H:%M"},
        reason="does not exist",
    ),
    Kind("empty_file", b"", 0, 0),
    Kind("header_only", csv_bytes([]), 0, 0),
    Kind("bom", b"\xef\xbb\xbf" + csv_bytes(GOOD), 3, 3),
    Kind("crlf", csv_bytes(GOOD, end="\r\n"), 3, 3),
    Kind("no_final_newline", csv_bytes(GOOD)[:-1], 3, 3),
    Kind("blank_lines_at_end", csv_bytes(GOOD) + b"\n\n\n", 3, 3),
    Kind(
        "too_many_fields",
        csv_bytes([*GOOD, ["4", "d@x.com", "2025-01-04T10:00:00Z", "x", "y"]]),
        4,
        3,
        reason="malformed row",
    ),
    Kind("too_few_fields", csv_bytes([*GOOD, ["4", "d@x.com"]]), 4, 3, reason="malformed row"),
    Kind(
        "huge_field",
        csv_bytes([*GOOD, ["4", "d@x.com", "2025-01-04T10:00:00Z", HUGE]]),
        4,
        3,
        reason="characters",
    ),
    Kind(
        "bare_cr_unquoted",
        csv_bytes(GOOD)
        + b"4,d@x.com,2025-01-04T10:00:00Z,sig\rnup\n5,e@x.com,2025-01-04T10:00:00Z,signup\n",
        5,
        4,
        reason="carriage return",
    ),
    Kind(
        "cr_inside_quotes",
        csv_bytes([*GOOD, ["4", "d@x.com", "2025-01-04T10:00:00Z", '"sig\rnup"']]),
        4,
        4,
    ),
    Kind(
        "newline_inside_quotes",
        csv_bytes([*GOOD, ["4", "d@x.com", "2025-01-04T10:00:00Z", '"two\nlines"']]),
        4,
        4,
    ),
    Kind(
        "nul_byte",
        csv_bytes([*GOOD, ["4", "d@x.com", "2025-01-04T10:00:00Z", "a\x00b"]]),
        4,
        3,
        reason="control character",
    ),
    Kind(
        "placeholder_emails",
        csv_bytes(with_email("N/A", "-", "none", "NULL", "unknown", "test", "n/a ")),
        8,
        1,
        reason="missing identifier",
    ),
    Kind("empty_email", csv_bytes(with_email("", '""')), 3, 1, reason="missing identifier"),
    Kind("email_trailing_tab", csv_bytes(with_email("a@x.com\t")), 2, 2),
    Kind("email_nbsp", csv_bytes(with_email("\u00a0a@x.com\u00a0")), 2, 2),
    Kind("email_zero_width", csv_bytes(with_email("\u200ba@x.com\ufeff")), 2, 2),
    Kind("email_upper", csv_bytes(with_email("A@X.COM")), 2, 2),
    Kind("email_long", csv_bytes(with_email("a" * 20_000 + "@x.com")), 2, 2),
    Kind(
        "sql_injection_values",
        csv_bytes(
            [
                *GOOD,
                [
                    "4'; DROP TABLE raw.clean; --",
                    "d@x.com",
                    "2025-01-04T10:00:00Z",
                    "'); DELETE FROM mining.runs; --",
                ],
            ]
        ),
        4,
        4,
    ),
    Kind(
        "markup_values",
        csv_bytes([*GOOD, ["4", "d@x.com", "2025-01-04T10:00:00Z", "[red]x[/red] :x:"]]),
        4,
        4,
    ),
    Kind(
        "emoji_activity",
        csv_bytes([*GOOD, ["4", "d@x.com", "2025-01-04T10:00:00Z", "signup 🎉"]]),
        4,
        4,
    ),
    Kind(
        "missing_activity",
        csv_bytes([*GOOD, ["4", "d@x.com", "2025-01-04T10:00:00Z", ""]]),
        4,
        3,
        reason="missing activity",
    ),
    Kind(
        "latin1_byte_in_utf8",
        csv_bytes(GOOD) + "4,d@x.com,2025-01-04T10:00:00Z,caf\xe9\n".encode("latin-1"),
        4,
        3,
        reason="utf-8",
    ),
    Kind("duplicate_rows", csv_bytes([*GOOD, GOOD[0], GOOD[0]]), 5, 5),
    Kind("gzip", gzip.compress(csv_bytes(GOOD), mtime=0), 3, 3, suffix=".csv.gz"),
    Kind("jsonl_clean", jsonl(GOOD_JSON), 3, 3, fmt="jsonl", suffix=".jsonl"),
    Kind(
        "jsonl_truncated_line",
        jsonl(GOOD_JSON) + b'{"id": "4", "email": "d@x',
        4,
        3,
        fmt="jsonl",
        suffix=".jsonl",
        reason="invalid JSON",
    ),
    Kind(
        "jsonl_array_line",
        jsonl([*GOOD_JSON, [1, 2, 3]]),
        4,
        3,
        fmt="jsonl",
        suffix=".jsonl",
        reason="missing identifier",
    ),
    Kind(
        "jsonl_scalar_line",
        jsonl([*GOOD_JSON, "just text"]),
        4,
        3,
        fmt="jsonl",
        suffix=".jsonl",
        reason="missing identifier",
    ),
    Kind(
        "jsonl_nan_literal",
        jsonl(GOOD_JSON) + b'{"id": NaN}\n',
        4,
        3,
        fmt="jsonl",
        suffix=".jsonl",
        reason="missing",
    ),
    Kind(
        "jsonl_deep_nesting",
        jsonl(GOOD_JSON) + b"[" * 5000 + b"]" * 5000 + b"\n",
        4,
        3,
        fmt="jsonl",
        suffix=".jsonl",
    ),
    Kind(
        "jsonl_huge_line",
        jsonl([*GOOD_JSON, {**GOOD_JSON[0], "note": HUGE}]),
        4,
        3,
        fmt="jsonl",
        suffix=".jsonl",
        reason="line size",
    ),
    Kind("jsonl_empty_file", b"", 0, 0, fmt="jsonl", suffix=".jsonl"),
    Kind(
        "jsonl_number_values",
        jsonl([{"id": 1, "email": "a@x.com", "ts": "2025-01-01T10:00:00Z", "activity": 7}]),
        1,
        1,
        fmt="jsonl",
        suffix=".jsonl",
    ),
    Kind(
        "jsonl_null_values",
        jsonl([*GOOD_JSON, {"id": None, "email": None, "ts": None, "activity": None}]),
        4,
        3,
        fmt="jsonl",
        suffix=".jsonl",
    ),
    Kind(
        "jsonl_crlf", jsonl(GOOD_JSON).replace(b"\n", b"\r\n"), 3, 3, fmt="jsonl", suffix=".jsonl"
    ),
]

REFUSED: list[tuple[str, bytes, str]] = [
    # (name, data, a text the one-line error must contain besides the file name and "Fix:")
    ("missing_required_column", csv_bytes([r[:3] for r in GOOD], HEADER[:3]), "required column"),
    ("semicolon_delimited", csv_bytes(GOOD).replace(b",", b";"), "required column"),
    ("canonical_clash", csv_bytes([[*r, "x"] for r in GOOD], [*HEADER, "_jm_ts"]), "clashes"),
    ("binary_garbage", bytes(range(256)) * 8, "cannot read"),
    ("utf16_file", ("\ufeff" + csv_bytes(GOOD).decode()).encode("utf-16-le"), "required column"),
    (
        "ten_thousand_columns",
        csv_bytes([[str(i) for i in range(10_000)]], [f"c{i}" for i in range(10_000)]),
        "required column",
    ),
]
