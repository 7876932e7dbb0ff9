"""The careful reader for a CSV or JSON lines file DuckDB's reader refuses as a whole.

DuckDB's reader is fast, but a few things real exports do stop it for the whole file
rather than one row: a field longer than its line limit (a 10 MB note), a bare carriage
return in an unquoted field (its dialect sniffer gives up). Then ``files`` reads the file
again here, record by record, with Python's ``csv`` module: every record that can be read
is kept (as text, like DuckDB's ``all_varchar``), every one that cannot — a bare ``\\r``
outside quotes, a field over ``MAX_FIELD_CHARS``, a wrong number of fields — is a
rejected row with its reason, so it is quarantined and the rest of the file loads. Rows
keep their 1-based data record number.

It runs only on files DuckDB refused (rare), and holds that one file in memory.

Example:
    >>> import io
    >>> rows, rejected = read_records(io.StringIO('a,b\\n1,x\\n2,y\\rz\\n'), "csv", ",", '"', [])
    >>> rows, rejected[0][:2]
    ({'a': ['1'], 'b': ['x'], '_row': [1]}, (2, 'malformed row: a carriage return outside quotes ends no row'))
"""

from __future__ import annotations

import csv
import sys
from collections.abc import Iterator
from typing import TextIO

MAX_FIELD_CHARS = 1_000_000
Rejected = tuple[int, str, str]  # data row number, reason, the row as read (bounded)


def _header(names: list[str]) -> list[str]:
    """Column names as DuckDB would give them: empty ones numbered, duplicates suffixed."""
    seen: dict[str, int] = {}
    result = []
    for index, name in enumerate(names):
        name = name or f"column{index}"
        if name in seen:
            seen[name] += 1
            name = f"{name}_{seen[name]}"
        else:
            seen[name] = 0
        result.append(name)
    return result


def _records(handle: TextIO, fmt: str, delimiter: str, quote: str) -> Iterator[list[str] | str]:
    """Each record as its fields, or an error text where the record cannot be read."""
    if fmt == "jsonl":
        for line in handle:
            yield [line.rstrip("\n").rstrip("\r")]
        return
    csv.field_size_limit(sys.maxsize)
    reader = csv.reader(handle, delimiter=delimiter, quotechar=quote or None, strict=False)
    while True:
        try:
            yield next(reader)
        except StopIteration:
            return
        except csv.Error as err:
            text = str(err)
            if "new-line character" in text:
                text = "a carriage return outside quotes ends no row"
            yield text


def read_records(
    handle: TextIO, fmt: str, delimiter: str, quote: str, null_values: list[str]
) -> tuple[dict[str, list[object]], list[Rejected]]:
    """Columns (with ``_row``) of the records that read, and the rejected ones (see above)."""
    records = _records(handle, fmt, delimiter, quote)
    if fmt == "jsonl":
        names = ["line"]
    else:
        first = next(records, [])
        names = _header(first if isinstance(first, list) else [])
    columns: dict[str, list[object]] = {name: [] for name in names}
    columns["_row"] = []
    rejected: list[Rejected] = []
    nulls = set(null_values)
    for number, record in enumerate(records, start=1):
        if isinstance(record, str):
            rejected.append((number, f"malformed row: {record}", ""))
            continue
        if fmt == "csv" and record == []:
            continue  # a blank line
        longest = max((len(v) for v in record), default=0)
        if longest > MAX_FIELD_CHARS:
            reason = f"field of {longest:,} characters (at most {MAX_FIELD_CHARS:,} are read)"
            rejected.append((number, reason, (delimiter or " ").join(v[:100] for v in record)))
            continue
        if len(record) != len(names):
            reason = f"malformed row: expected {len(names)} fields, found {len(record)}"
            rejected.append((number, reason, (delimiter or " ").join(record)[:1000]))
            continue
        for name, value in zip(names, record, strict=True):
            columns[name].append(None if value in nulls else value)
        columns["_row"].append(number)
    return columns, rejected
