"""Database values as the text a raw table keeps, batches as Arrow tables, typed cursors.

Like file exports, rows of a SQL source land as text: timestamps with a time zone as ISO
8601 in UTC (``+00:00``), naive ones as naive ISO 8601 (the source's ``timezone`` applies
later), numbers as their plain text, JSON as JSON text; NULL stays NULL. The cursor (the
highest value of an increasing column) is kept as text plus its type and bound back to the
database as a typed parameter, so numbers compare as numbers and times as times.

Example:
    >>> from datetime import datetime
    >>> cursor = cursor_value("updated_at", datetime(2025, 3, 1, 12, 0))
    >>> cursor.text, cursor.value_type, python_value(cursor)
    ('2025-03-01T12:00:00', 'timestamp', datetime.datetime(2025, 3, 1, 12, 0))
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

import pyarrow as pa
import sqlalchemy as sa

from journey_mining.connectors.protocol import CursorValue
from journey_mining.errors import SourceError


def _datetime_text(value: datetime) -> str:
    offset = value.utcoffset()
    if not offset:  # naive (None), or already UTC (ends in +00:00)
        return value.isoformat()
    # The same text as value.astimezone(UTC).isoformat(), at half the cost.
    return (value.replace(tzinfo=None) - offset).isoformat() + "+00:00"


def _bytes_text(value: bytes | bytearray | memoryview) -> str:
    data = bytes(value)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return "\\x" + data.hex()


def _json_text(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


_TEXT: dict[type, Callable[[Any], str]] = {
    str: str,
    bool: lambda v: "true" if v else "false",
    int: int.__str__,
    float: float.__repr__,
    Decimal: lambda v: format(v, "f"),
    datetime: _datetime_text,
    date: date.isoformat,
    time: time.isoformat,
    timedelta: str,
    UUID: str,
    bytes: _bytes_text,
    bytearray: _bytes_text,
    memoryview: _bytes_text,
    dict: _json_text,
    list: _json_text,
}


def to_text(value: object) -> str | None:
    """A database value as the text the raw table keeps (NULL stays ``None``).

    Timestamps with a time zone become ISO 8601 in UTC with ``+00:00``; naive ones stay
    naive (the source's ``timezone`` applies later); numbers are their plain text.

    Example:
        >>> from datetime import datetime, timezone, timedelta
        >>> to_text(datetime(2025, 1, 2, 10, 0, tzinfo=timezone(timedelta(hours=1))))
        '2025-01-02T09:00:00+00:00'
        >>> to_text(datetime(2025, 1, 2, 9, 30)), to_text(Decimal("1E+2")), to_text(None)
        ('2025-01-02T09:30:00', '100', None)
    """
    if value is None:
        return None
    convert = _TEXT.get(type(value))
    if convert is None:  # subclasses (pandas.Timestamp, IntEnum, ...)
        convert = next((f for t, f in _TEXT.items() if isinstance(value, t)), str)
    return convert(value)


def _column_text(values: Sequence[object]) -> Sequence[object]:
    """One column of a batch as text, with a fast path for columns that already are text."""
    kinds = set(map(type, values))
    kinds.discard(type(None))
    if kinds <= {str}:
        return values
    if kinds == {int}:
        return [None if v is None else str(v) for v in values]
    return [to_text(v) for v in values]


def batch_table(columns: list[str], rows: Sequence[Sequence[Any]], first_row: int) -> Any:
    """A batch as an Arrow table of text columns plus ``_row`` (running 1-based number)."""
    values = list(zip(*rows, strict=True)) if rows else [() for _ in columns]
    arrays = [pa.array(_column_text(column), type=pa.string()) for column in values]
    arrays.append(pa.array(range(first_row, first_row + len(rows)), type=pa.int64()))
    return pa.Table.from_arrays(arrays, names=[*columns, "_row"])


# --- the cursor -----------------------------------------------------------------------------

_CURSOR_TYPES: dict[str, tuple[Callable[[str], object], Callable[[], sa.types.TypeEngine[Any]]]] = {
    "integer": (int, sa.BigInteger),
    "numeric": (Decimal, sa.Numeric),
    "float": (float, sa.Float),
    "timestamptz": (datetime.fromisoformat, lambda: sa.DateTime(timezone=True)),
    "timestamp": (datetime.fromisoformat, sa.DateTime),
    "date": (date.fromisoformat, sa.Date),
    "text": (str, sa.String),
}


def _cursor_kind(value: object) -> str | None:
    """The stored type of a cursor value; ``None`` for types that cannot be compared back."""
    if isinstance(value, bool):
        return None
    if isinstance(value, datetime):  # before date: a datetime is a date too
        return "timestamptz" if value.utcoffset() is not None else "timestamp"
    kinds = (
        (int, "integer"),
        (Decimal, "numeric"),
        (float, "float"),
        (date, "date"),
        (str, "text"),
    )
    return next((kind for python_type, kind in kinds if isinstance(value, python_type)), None)


def cursor_value(column: str, value: object) -> CursorValue:
    """The cursor value of one row; an error for types that cannot be compared back."""
    kind = _cursor_kind(value)
    if kind is None:
        raise SourceError(
            f"cursor column {column!r} holds {type(value).__name__} values, which cannot "
            "be compared to find new rows. Fix: use an increasing number, timestamp, date "
            "or text column as cursor (e.g. updated_at or id)."
        )
    text = to_text(value)
    assert text is not None
    return CursorValue(column, text, kind)


def python_value(cursor: CursorValue) -> object:
    """The cursor's value as the Python type the database driver binds."""
    parse, _ = _CURSOR_TYPES[cursor.value_type]
    return parse(cursor.text)


def bind_cursor(cursor: CursorValue) -> sa.BindParameter[Any]:
    """The typed ``:last`` parameter of the incremental filter."""
    _, sql_type = _CURSOR_TYPES[cursor.value_type]
    return sa.bindparam("last", python_value(cursor), type_=sql_type())
