"""JSON documents (``format: json``): the records of a top-level array, or of an array under a path.

API exports come as one JSON document: ``[{…}, {…}]``, or ``{"data": {"items": [{…}, …]},
"paging": …}`` (``records: data.items`` in the preset). The document is streamed with
``ijson`` (its C parser): records are read one at a time and handed to the landing step in
batches of ``batch_rows``, each record as its JSON text in the column ``line`` — the shape
JSON lines land in — with ``_row``, its 1-based position in the array. So the preset's
columns are dotted paths inside a record, exactly as for JSON lines, and memory follows the
batch, not the document. A record that is not an object, or lacks a value the preset needs,
is quarantined with its reason by the usual checks; a document that is not well-formed JSON
(truncated, say) cannot be read past the fault, and stops the source with an error naming
the file and where it broke (nothing of the source is written).

Example:
    >>> import io
    >>> rows = list(iter_records(io.BytesIO(b'{"data": {"items": [{"a": 1}, 2]}}'), "data.items"))
    >>> rows
    ['{"a": 1}', '2']
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any, cast

import ijson
import pyarrow as pa

from journey_mining.connectors.protocol import Batch
from journey_mining.errors import SourceError

BATCH_ROWS = 50_000


def open_maybe_gzipped(path: Path) -> IO[bytes]:
    """The file's bytes, gunzipped when it starts with gzip's magic number."""
    handle = path.open("rb")
    if handle.read(2) == b"\x1f\x8b":
        handle.close()
        return cast(IO[bytes], gzip.open(path, "rb"))
    handle.seek(0)
    return handle


def _prefix(records: str | None) -> str:
    """ijson's prefix of the array's items: ``item`` (top level) or ``data.items.item``."""
    return f"{records}.item" if records else "item"


def _text(record: Any) -> str:
    return json.dumps(record, ensure_ascii=False, default=str)


def iter_records(handle: IO[bytes], records: str | None) -> Iterator[str]:
    """Each record of the array (top level, or at the dotted path ``records``) as JSON text."""
    for record in ijson.items(handle, _prefix(records), use_float=True):
        yield _text(record)


def _has_array(path: Path, records: str | None) -> bool:
    """Whether the document holds an array where the preset says the records are."""
    with open_maybe_gzipped(path) as handle:
        for prefix, event, _ in ijson.parse(handle):
            if prefix == (records or "") and event == "start_array":
                return True
    return False


def json_document_batches(
    path: Path, records: str | None, preset: str, batch_rows: int = BATCH_ROWS
) -> Iterator[Batch]:
    """The records of one JSON document as Arrow batches of ``line`` (JSON text) and ``_row``."""
    where = f"records {records!r}" if records else "a top-level array"
    row = 0
    try:
        with open_maybe_gzipped(path) as handle:
            lines: list[str] = []
            for line in iter_records(handle, records):
                lines.append(line)
                if len(lines) >= batch_rows:
                    yield _batch(lines, row)
                    row += len(lines)
                    lines = []
            if lines or row == 0:
                yield _batch(lines, row)
                row += len(lines)
        if row == 0 and not _has_array(path, records):
            raise SourceError(
                f"{path}: no array at {where} (preset {preset!r}). Fix: set the preset's "
                "records: to the dotted path of the array holding the records (e.g. "
                "data.items), or remove it for a document that is one top-level array."
            )
    except (ijson.JSONError, ijson.IncompleteJSONError, OSError, EOFError) as err:
        raise SourceError(
            f"cannot read {path} as a JSON document (preset {preset!r}, {where}) after "
            f"{row:,} records: {err}. Fix: check that the file is complete, well-formed "
            "JSON (a truncated download?); nothing of this source was written."
        ) from None


def _batch(lines: list[str], start: int) -> Batch:
    table = pa.table(
        {
            "line": pa.array(lines, pa.string()),
            "_row": pa.array(range(start + 1, start + len(lines) + 1), pa.int64()),
        }
    )
    return Batch(table)
