"""Read XES event logs (plain or gzipped) as a stream of text batches, one row per event.

The reader walks the XML with ``lxml.etree.iterparse`` and frees every event and trace as
soon as it has been read, so memory is bounded by one batch (plus the trace being read),
never by the log: no object log is built and pm4py is not involved.

Each row holds the event's attributes by key (``concept:name``, ``time:timestamp``,
``lifecycle:transition``, ``org:resource``, …), its trace's attributes prefixed ``case:``
(so ``case:concept:name`` is the case id), and ``_row``: the 1-based event number in file
order. Values are text exactly as written (dates stay ISO 8601 text: the connector preset
parses them). A nested attribute keeps its own value, its children are ignored; a list or
container attribute, which has no value of its own, is skipped.

Batches end at a trace boundary once ``batch_rows`` events are collected (a trace longer
than ``batch_rows`` is split), and may differ in their columns when attributes vary:
the landing step adds the new columns to the raw table.

Example:
    >>> import gzip, tempfile
    >>> from pathlib import Path
    >>> xes = (b'<log xmlns="http://www.xes-standard.org/"><trace>'
    ...        b'<string key="concept:name" value="case-1"/>'
    ...        b'<event><string key="concept:name" value="register"/>'
    ...        b'<date key="time:timestamp" value="2025-01-31T14:05:00.000+01:00"/></event>'
    ...        b'</trace></log>')
    >>> path = Path(tempfile.mkdtemp()) / "log.xes.gz"
    >>> _ = path.write_bytes(gzip.compress(xes))
    >>> batch = next(iter_xes_batches(path))
    >>> batch.to_dict("records")
    [{'concept:name': 'register', 'time:timestamp': '2025-01-31T14:05:00.000+01:00', \
'case:concept:name': 'case-1', '_row': 1}]
"""

from __future__ import annotations

import gzip
import io
import zlib
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
from lxml import etree

from journey_mining.config import check_column
from journey_mining.errors import InvalidIdentifier, SourceError

CASE_PREFIX = "case:"
ROW_COLUMN = "_row"
_GZIP_MAGIC = b"\x1f\x8b"


def _attributes(element: etree._Element) -> dict[str, str]:
    """The top-level attributes (``<string key=… value=…/>`` …) directly under ``element``.

    Events, comments and processing instructions have no ``key``; lists and containers no
    ``value``: all are skipped. Children of an attribute (nested attributes) are not read.
    """
    values: dict[str, str] = {}
    for child in element:
        key = child.get("key")
        if key is not None:
            value = child.get("value")
            if value is not None:
                values[key] = value
    return values


def _open(path: Path) -> io.BufferedIOBase:
    """The file's bytes, decompressed when it starts with the gzip magic number."""
    handle = path.open("rb")
    if handle.read(2) == _GZIP_MAGIC:
        handle.close()
        return gzip.open(path, "rb")
    handle.seek(0)
    return handle


class _ColumnCheck:
    """Validates each new column name once before it reaches SQL.

    It must be quotable, must not start with ``_`` (the loader's own columns do), and must
    not differ from another key only in case (SQL column names are case-insensitive).
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.seen: set[str] = set()
        self.folded: dict[str, str] = {}

    def __call__(self, row: dict[str, str], element: etree._Element) -> None:
        if self.seen.issuperset(row):
            return
        for column in row:
            if column in self.seen:
                continue
            where = f"{self.path}, line {element.sourceline}"
            if column.startswith("_"):
                raise SourceError(
                    f"{where}: attribute key {column!r} starts with '_', which is kept for the "
                    "loader's own columns. Fix: rename the attribute in the log before loading it."
                )
            other = self.folded.setdefault(column.casefold(), column)
            if other != column:
                raise SourceError(
                    f"{where}: attribute keys {other!r} and {column!r} differ only in case, "
                    "and column names do not. Fix: rename one of them in the log."
                )
            try:
                check_column(column, "XES attribute key")
            except InvalidIdentifier as err:
                raise SourceError(f"{where}: {err} Fix: rename the attribute in the log.") from None
            self.seen.add(column)


def iter_xes_batches(path: Path, batch_rows: int = 100_000) -> Iterator[pd.DataFrame]:
    """Yield the events of the XES file ``path`` (``.xes`` or gzipped) as text DataFrames.

    Columns: event attribute keys, trace attribute keys prefixed ``case:``, and ``_row``
    (1-based event number in the file). Malformed XML, a truncated gzip stream, or an
    attribute key that cannot be a column raises ``SourceError`` naming the file and line.

    Example:
        >>> import tempfile
        >>> log = Path(tempfile.mkdtemp()) / "tiny.xes"
        >>> _ = log.write_text(
        ...     '<log><trace><string key="concept:name" value="c1"/>'
        ...     '<event><string key="concept:name" value="a"/></event>'
        ...     '<event><string key="concept:name" value="b"/>'
        ...     '<list key="tags"><values><string key="t" value="x"/></values></list></event>'
        ...     '</trace></log>')
        >>> [b.values.tolist() for b in iter_xes_batches(log, batch_rows=1)]
        [[['a', 'c1', 1]], [['b', 'c1', 2]]]
    """
    if batch_rows < 1:
        raise ValueError(f"batch_rows must be at least 1, not {batch_rows}")
    if not path.is_file():
        raise SourceError(
            f"XES file {str(path.absolute())!r} does not exist. Fix: check the source's path."
        )
    reader = _Reader(path, batch_rows)
    try:
        with _open(path) as handle:
            yield from reader.frames(handle)
    except etree.XMLSyntaxError as err:
        at = err.lineno or (reader.last.sourceline if reader.last is not None else "?")
        raise SourceError(
            f"{path}, line {at}: not well-formed XES ({err.msg}). Fix: repair or re-export the "
            "log; a truncated file usually means the export or download stopped early."
        ) from None
    except (EOFError, OSError, zlib.error) as err:
        raise SourceError(
            f"{path}: cannot read the file ({err}). Fix: re-download or re-export it; a gzip "
            "stream that ends early means the file is truncated."
        ) from None
    reader.flush(None)
    if reader.batch:
        yield reader.frame()


class _Reader:
    """The state of one streaming read: the batch being filled and the trace being read."""

    def __init__(self, path: Path, batch_rows: int) -> None:
        self.check = _ColumnCheck(path)
        self.batch_rows = batch_rows
        self.batch: list[dict[str, str]] = []
        self.pending: list[dict[str, str]] = []  # events of the trace being read
        self.rows_done = 0
        self.last: etree._Element | None = None

    def frames(self, handle: io.BufferedIOBase) -> Iterator[pd.DataFrame]:
        """Parse ``handle``; yield a frame whenever ``batch_rows`` events are collected."""
        parser = etree.iterparse(
            handle,
            events=("end",),
            tag=("{*}event", "{*}trace"),
            resolve_entities=False,
            no_network=True,
        )
        for _, element in parser:
            self.last = element
            if str(element.tag).endswith("event"):
                self._event(element)
            else:
                self._trace(element)
            if len(self.batch) >= self.batch_rows:
                yield self.frame()

    def _event(self, element: etree._Element) -> None:
        attributes = _attributes(element)
        self.check(attributes, element)
        self.pending.append(attributes)
        element.clear()
        parent = element.getparent()
        if parent is None or not str(parent.tag).endswith("trace"):
            self.flush(None)  # an event outside any trace has no case attributes
        elif len(self.pending) >= self.batch_rows:
            self.flush(parent)  # a very long trace: split it, memory stays bounded
            # Drop the (cleared) events before this one; the parser may have read ahead,
            # so events after it are left alone.
            for stub in list(element.itersiblings(preceding=True)):
                if stub.get("key") is None:
                    parent.remove(stub)

    def _trace(self, element: etree._Element) -> None:
        self.flush(element)
        element.clear()
        parent = element.getparent()
        if parent is not None:  # drop the traces and headers read so far
            while element.getprevious() is not None:
                del parent[0]

    def flush(self, trace: etree._Element | None) -> None:
        """Give the pending events their trace's attributes and move them to the batch."""
        if trace is not None:
            case = {CASE_PREFIX + k: v for k, v in _attributes(trace).items()}
            self.check(case, trace)
            for event in self.pending:
                event.update(case)
        self.batch.extend(self.pending)
        self.pending.clear()

    def frame(self) -> pd.DataFrame:
        """The collected events as a text frame with ``_row``; the batch starts again."""
        result = pd.DataFrame.from_records(self.batch, coerce_float=False)
        first = self.rows_done + 1
        result[ROW_COLUMN] = pd.RangeIndex(first, first + len(self.batch))
        self.rows_done += len(self.batch)
        self.batch.clear()
        return result
