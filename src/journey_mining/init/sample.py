"""Read the first rows of an export into a text table of the inspection's DuckDB connection.

CSV and TSV: the encoding from the bytes (a BOM says UTF-16; bytes that are not UTF-8 say
latin-1), then DuckDB's sniffer for delimiter, quote and header. JSON lines and JSON
documents (a top-level array, or an object holding the records under a path, found as the
longest array of objects): records flattened into dotted paths (``requester.email``; the first
element of an array as ``ids[0]``), as presets name them. Parquet: its columns and types. XES:
events with their trace's attributes as ``case:…``. Gzipped files are read as such.

Example:
    >>> flatten({"a": {"b": 1}, "ids": [7, 8], "ok": True})
    {'a.b': '1', 'ids': '[7, 8]', 'ids[0]': '7', 'ok': 'true'}
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from journey_mining.connectors.jsondoc import open_maybe_gzipped
from journey_mining.connectors.xes import iter_xes_batches
from journey_mining.errors import SourceError

SAMPLE_ROWS = 50_000
_MAX_DEPTH = 6
_MAX_COLUMNS = 400
_BAD_KEY = set("\"'\\.") | {chr(c) for c in range(32)}


@dataclass
class Sample:
    """An export's first rows (text columns in ``table``) and how the file is written."""

    table: str
    format: str
    columns: list[str]
    rows: int
    types: dict[str, str] = field(default_factory=dict)
    delimiter: str = ","
    quote: str = '"'
    encoding: str = "utf-8"
    header: bool = True
    records_path: str | None = None
    notes: list[str] = field(default_factory=list)


def _head(path: Path, size: int = 1 << 20) -> bytes:
    with open_maybe_gzipped(path) as handle:
        return handle.read(size)


def sniff_encoding(head: bytes) -> str:
    """``utf-16`` (a BOM), ``utf-8`` (valid, BOM or not) or ``latin-1`` (anything else).

    Example:
        >>> sniff_encoding("naïve".encode("latin-1"))
        'latin-1'
    """
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as err:
        if err.start < len(head) - 4:  # not just a character cut at the end of the sample
            return "latin-1"
    return "utf-8"


def flatten(record: Any, prefix: str = "", depth: int = 0) -> dict[str, str]:
    """A JSON record as ``{dotted path: text}``; text as DuckDB's ``json_extract_string`` gives it."""
    out: dict[str, str] = {}
    if isinstance(record, dict) and depth < _MAX_DEPTH:
        for key, value in record.items():
            if not key or _BAD_KEY & set(key):
                continue  # not expressible as a preset column path
            out.update(flatten(value, f"{prefix}.{key}" if prefix else key, depth + 1))
        return out
    if not prefix:
        return out
    if record is None:
        return out
    if isinstance(record, bool):
        out[prefix] = "true" if record else "false"
    elif isinstance(record, str):
        out[prefix] = record
    elif isinstance(record, int | float):
        out[prefix] = json.dumps(record)
    else:
        out[prefix] = json.dumps(record, ensure_ascii=False)
        if isinstance(record, list) and record and depth < _MAX_DEPTH:
            out.update(flatten(record[0], f"{prefix}[0]", depth + 1))
    return out


def _register(
    con: duckdb.DuckDBPyConnection, table: str, records: list[dict[str, str]]
) -> list[str]:
    columns: dict[str, None] = {}
    for record in records:
        for key in record:
            if len(columns) < _MAX_COLUMNS:
                columns.setdefault(key)
    frame = pd.DataFrame.from_records(records, columns=list(columns)).astype("string")
    con.register("_sample_frame", frame)
    con.execute(f'CREATE OR REPLACE TABLE "{table}" AS SELECT * FROM _sample_frame')
    con.unregister("_sample_frame")
    return list(columns)


def json_shape(path: Path) -> str:
    """``jsonl`` (one object per line) or ``json`` (one document) from a file's first bytes."""
    text = _head(path, 1 << 16).decode("utf-8", "replace").lstrip("\ufeff \t\r\n")
    if text.startswith("["):
        return "json"
    lines = [line for line in text.splitlines() if line.strip()]
    try:
        first = json.loads(lines[0]) if lines else None
    except ValueError:
        return "json"  # a pretty-printed document: its first line is not a whole object
    if len(lines) == 1 and isinstance(first, dict):
        return "json" if _records_in(first)[0] else "jsonl"
    return "jsonl"


def _records_in(document: Any) -> tuple[str | None, list[Any]]:
    """The path of the longest array of objects in a document ("" for a top-level array)."""
    best: tuple[str | None, list[Any]] = (None, [])
    queue: list[tuple[str, Any, int]] = [("", document, 0)]
    while queue:
        path, value, depth = queue.pop(0)
        if isinstance(value, list):
            objects = [v for v in value if isinstance(v, dict)]
            if objects and len(objects) >= len(value) / 2 and len(objects) > len(best[1]):
                best = (path, objects)
        elif isinstance(value, dict) and depth < 4:
            for key, child in value.items():
                if isinstance(key, str) and key and not (_BAD_KEY & set(key)):
                    queue.append((f"{path}.{key}" if path else key, child, depth + 1))
    return best


def read_sample(con: duckdb.DuckDBPyConnection, table: str, fmt: str, files: list[Path]) -> Sample:
    """The first ``SAMPLE_ROWS`` rows of an export's files (in path order) as table ``table``."""
    if fmt == "json":
        fmt = json_shape(files[0])
    try:
        if fmt == "csv":
            return _csv(con, table, files)
        if fmt == "parquet":
            return _parquet(con, table, files)
        if fmt == "xes":
            batch = next(iter_xes_batches(files[0], batch_rows=SAMPLE_ROWS), None)
            if batch is None:
                raise SourceError(f"{files[0]}: no event in the XES log")
            records = batch.drop(columns=["_row"]).to_dict("records")
            rows = [{str(k): str(v) for k, v in r.items() if isinstance(v, str)} for r in records]
            return Sample(table, "xes", _register(con, table, rows), len(rows))
        return _json(con, table, fmt, files)
    except (duckdb.Error, UnicodeDecodeError, ValueError, OSError, EOFError) as err:
        raise SourceError(f"cannot inspect {files[0]} as {fmt}: {err}") from None


def _csv(con: duckdb.DuckDBPyConnection, table: str, files: list[Path]) -> Sample:
    head = _head(files[0])
    encoding = sniff_encoding(head)
    file = str(files[0]).replace("'", "''")
    (sniffed,) = con.execute(
        f"SELECT Delimiter, Quote, HasHeader FROM sniff_csv('{file}', encoding = '{encoding}')"
    ).fetchall()
    delimiter, quote, header = str(sniffed[0]), str(sniffed[1]), bool(sniffed[2])
    quote = '"' if quote in ("(empty)", "") else quote
    names = ", ".join("'" + str(f).replace("'", "''") + "'" for f in files)
    con.execute(
        f'CREATE OR REPLACE TABLE "{table}" AS SELECT * FROM read_csv([{names}], '
        f"all_varchar = true, delim = ?, quote = ?, header = ?, encoding = ?, "
        f"ignore_errors = true, union_by_name = true) LIMIT {SAMPLE_ROWS}",
        [delimiter, quote, header, encoding],
    )
    columns = [str(r[0]) for r in con.execute(f'DESCRIBE "{table}"').fetchall()]
    rows = int(con.execute(f'SELECT count(*) FROM "{table}"').fetchall()[0][0])
    return Sample(
        table,
        "csv",
        columns,
        rows,
        delimiter=delimiter,
        quote=quote,
        encoding=encoding,
        header=header,
    )


def _parquet(con: duckdb.DuckDBPyConnection, table: str, files: list[Path]) -> Sample:
    file = str(files[0]).replace("'", "''")
    types = {
        str(r[0]): str(r[1])
        for r in con.execute(f"DESCRIBE SELECT * FROM read_parquet('{file}')").fetchall()
    }
    casts = ", ".join(f'CAST("{c}" AS VARCHAR) AS "{c}"' for c in types if '"' not in c)
    con.execute(
        f"CREATE OR REPLACE TABLE \"{table}\" AS SELECT {casts} FROM read_parquet('{file}') "
        f"LIMIT {SAMPLE_ROWS}"
    )
    rows = int(con.execute(f'SELECT count(*) FROM "{table}"').fetchall()[0][0])
    return Sample(table, "parquet", [c for c in types if '"' not in c], rows, types=types)


def _json(con: duckdb.DuckDBPyConnection, table: str, fmt: str, files: list[Path]) -> Sample:
    records: list[dict[str, str]] = []
    records_path: str | None = None
    bad = 0
    for path in files:
        if len(records) >= SAMPLE_ROWS:
            break
        with open_maybe_gzipped(path) as raw:
            text = io.TextIOWrapper(raw, encoding="utf-8", errors="replace")
            if fmt == "json":
                records_path, objects = _records_in(json.load(text))
                records.extend(flatten(o) for o in objects[: SAMPLE_ROWS - len(records)])
                continue
            for line in text:
                if not line.strip():
                    continue
                try:
                    value = json.loads(line)
                except ValueError:
                    bad += 1
                    continue
                records.append(flatten(value) if isinstance(value, dict) else {})
                if len(records) >= SAMPLE_ROWS:
                    break
    sample = Sample(table, fmt, _register(con, table, records), len(records))
    sample.records_path = records_path
    if bad:
        sample.notes.append(f"{bad} line(s) are not valid JSON: they will be quarantined")
    return sample
