"""The XES connector: a streaming reader whose batches land like any other source.

Small hand-written logs pin the reader's rows (trace attributes as ``case:``, nested and
list attributes, event numbers across batches, gzip, malformed XML). The real BPIC 2012 log
(262,200 events) is loaded through the reader and the pipeline, and its variants and
directly-follows graph must equal pm4py's on the same file; the reader's memory must
follow the batch size, not the log size.
"""

from __future__ import annotations

import gc
import gzip
import itertools
import tracemalloc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pm4py
import pytest
import yaml

from journey_mining.config import SourceConfig, load_pipeline, load_preset
from journey_mining.connectors.compile import compile_source
from journey_mining.connectors.landing import land_source
from journey_mining.connectors.protocol import Batch, LoadContext, Origin
from journey_mining.connectors.xes import iter_xes_batches
from journey_mining.errors import SourceError
from journey_mining.pipeline import run_pipeline
from journey_mining.warehouse import connect

SHARED_DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"
needs_shared_data = pytest.mark.skipif(
    not SHARED_DATA.is_dir(),
    reason="../shared/data is absent: real public logs are not shipped with the project",
)
BPIC2012 = SHARED_DATA / "bpic2012.xes.gz"
BPIC2012_EVENTS = 262_200
KEYS = {
    "case_id_key": "case:concept:name",
    "activity_key": "concept:name",
    "timestamp_key": "time:timestamp",
}

TINY_XES = """<?xml version="1.0" encoding="UTF-8" ?>
<log xes.version="1.0" xmlns="http://www.xes-standard.org/">
  <extension name="Concept" prefix="concept" uri="http://www.xes-standard.org/concept.xesext"/>
  <global scope="event"><string key="concept:name" value="UNKNOWN"/></global>
  <string key="concept:name" value="tiny log"/>
  <trace>
    <string key="concept:name" value="case-1"/>
    <float key="amount" value="12.5"/>
    <event>
      <string key="concept:name" value="register"/>
      <date key="time:timestamp" value="2025-01-31T14:05:00.000+01:00"/>
      <string key="org:resource" value="Ann">
        <string key="org:role" value="clerk"/>
      </string>
    </event>
    <!-- a comment between events -->
    <event>
      <string key="concept:name" value="check"/>
      <date key="time:timestamp" value="2025-01-31T15:00:00.000+01:00"/>
      <list key="tags"><values><string key="tag" value="urgent"/></values></list>
      <boolean key="approved" value="true"/>
    </event>
  </trace>
  <trace>
    <string key="concept:name" value="case-2"/>
    <event>
      <string key="concept:name" value="register"/>
      <date key="time:timestamp" value="2025-02-01T09:00:00.000Z"/>
    </event>
  </trace>
</log>
"""


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    data = text.encode("utf-8")
    path.write_bytes(gzip.compress(data) if path.suffix == ".gz" else data)
    return path


def _records(batches: Iterator[pd.DataFrame]) -> list[list[dict[str, Any]]]:
    """Each batch as records, without the columns a batch does not have."""
    return [
        [{k: v for k, v in row.items() if not pd.isna(v)} for row in batch.to_dict("records")]
        for batch in batches
    ]


def test_one_row_per_event_with_trace_attributes_prefixed_case(tmp_path: Path) -> None:
    batches = _records(iter_xes_batches(_write(tmp_path / "tiny.xes", TINY_XES)))
    assert batches == [
        [
            {
                "concept:name": "register",
                "time:timestamp": "2025-01-31T14:05:00.000+01:00",
                "org:resource": "Ann",
                "case:concept:name": "case-1",
                "case:amount": "12.5",
                "_row": 1,
            },
            {
                "concept:name": "check",
                "time:timestamp": "2025-01-31T15:00:00.000+01:00",
                "approved": "true",
                "case:concept:name": "case-1",
                "case:amount": "12.5",
                "_row": 2,
            },
            {
                "concept:name": "register",
                "time:timestamp": "2025-02-01T09:00:00.000Z",
                "case:concept:name": "case-2",
                "_row": 3,
            },
        ]
    ]


def test_nested_attribute_keeps_its_value_and_ignores_children(tmp_path: Path) -> None:
    (batch,) = iter_xes_batches(_write(tmp_path / "tiny.xes", TINY_XES))
    assert "org:role" not in batch.columns
    assert "tags" not in batch.columns and "tag" not in batch.columns
    assert batch.loc[0, "org:resource"] == "Ann"


def test_values_are_text_and_rows_are_numbered_in_file_order(tmp_path: Path) -> None:
    (batch,) = iter_xes_batches(_write(tmp_path / "tiny.xes", TINY_XES))
    assert batch["_row"].tolist() == [1, 2, 3]
    assert batch.loc[1, "approved"] == "true"
    assert batch.loc[0, "case:amount"] == "12.5"


def test_gzipped_log_reads_the_same_as_plain(tmp_path: Path) -> None:
    plain = _records(iter_xes_batches(_write(tmp_path / "tiny.xes", TINY_XES)))
    zipped = _records(iter_xes_batches(_write(tmp_path / "tiny.xes.gz", TINY_XES)))
    assert zipped == plain


def test_batches_end_at_trace_boundaries_and_row_numbers_continue(tmp_path: Path) -> None:
    batches = list(iter_xes_batches(_write(tmp_path / "tiny.xes", TINY_XES), batch_rows=2))
    assert [b["_row"].tolist() for b in batches] == [[1, 2], [3]]
    # the second batch has fewer attributes: its columns differ, and that is fine
    assert sorted(batches[1].columns) == [
        "_row",
        "case:concept:name",
        "concept:name",
        "time:timestamp",
    ]


def test_trace_longer_than_a_batch_is_split_and_keeps_its_case(tmp_path: Path) -> None:
    events = "".join(
        f'<event><string key="concept:name" value="step {i}"/></event>' for i in range(1, 6)
    )
    log = f'<log><trace><string key="concept:name" value="long"/>{events}</trace></log>'
    batches = list(iter_xes_batches(_write(tmp_path / "long.xes", log), batch_rows=2))
    assert [b["_row"].tolist() for b in batches] == [[1, 2], [3, 4], [5]]
    assert {c for b in batches for c in b["case:concept:name"]} == {"long"}


def test_malformed_xml_names_file_and_line(tmp_path: Path) -> None:
    broken = TINY_XES.replace('<boolean key="approved" value="true"/>', '<boolean key="approved">')
    path = _write(tmp_path / "broken.xes", broken)
    with pytest.raises(SourceError, match=r"broken\.xes, line 2\d: not well-formed XES"):
        list(iter_xes_batches(path))


def test_truncated_gzip_is_a_source_error(tmp_path: Path) -> None:
    path = tmp_path / "cut.xes.gz"
    path.write_bytes(gzip.compress(TINY_XES.encode() * 50)[:300])
    with pytest.raises(SourceError, match=r"cut\.xes\.gz"):
        list(iter_xes_batches(path))


def test_attribute_key_starting_with_underscore_is_refused(tmp_path: Path) -> None:
    log = '<log><trace><event><string key="_row" value="7"/></event></trace></log>'
    with pytest.raises(SourceError, match=r"line 1: attribute key '_row' starts with '_'"):
        list(iter_xes_batches(_write(tmp_path / "clash.xes", log)))


def _land_batches(
    con: duckdb.DuckDBPyConnection, path: Path, preset_name: str, batch_rows: int
) -> tuple[int, int, int]:
    """The log's batches as one origin through the landing step (files.py reads XES so)."""
    preset = load_preset(preset_name)
    ctx = LoadContext(
        con=con,
        source=SourceConfig(name="log", preset=preset, path=path.name),
        preset=preset,
        compiled=compile_source("log", preset, None),
        run_id="run-1",
    )
    batches = (Batch(frame) for frame in iter_xes_batches(path, batch_rows=batch_rows))
    load = land_source(ctx, [Origin(path.name, batches)])
    return load.rows_read, load.rows_loaded, load.rows_quarantined


def test_batches_with_different_columns_land_in_one_raw_table(tmp_path: Path) -> None:
    con = connect(tmp_path / "w.duckdb")
    path = _write(tmp_path / "tiny.xes", TINY_XES)
    assert _land_batches(con, path, "xes_event_log", batch_rows=2) == (3, 3, 0)
    rows = con.execute(
        'SELECT _row, "case:concept:name", "concept:name", approved FROM raw.log ORDER BY _row'
    ).fetchall()
    assert rows == [
        (1, "case-1", "register", None),
        (2, "case-1", "check", "true"),
        (3, "case-2", "register", None),
    ]
    con.close()


def test_event_without_lifecycle_is_quarantined_by_the_lifecycle_preset(tmp_path: Path) -> None:
    con = connect(tmp_path / "w.duckdb")
    path = _write(tmp_path / "tiny.xes", TINY_XES)
    assert _land_batches(con, path, "xes_lifecycle_event_log", batch_rows=10) == (3, 0, 3)
    reasons = con.execute("SELECT DISTINCT reason FROM mining.quarantine").fetchall()
    assert reasons == [("missing activity value",)]
    con.close()


# --- the real BPIC 2012 log ---------------------------------------------------------------


def _pm4py_log(file: Path, activity: str = "concept:name") -> pd.DataFrame:
    frame = pm4py.read_xes(str(file), return_legacy_log_object=False)
    if activity != "concept:name":
        frame["concept:name"] = frame["concept:name"] + "+" + frame["lifecycle:transition"]
    frame = frame[list(KEYS.values())].copy()
    frame["case:concept:name"] = frame["case:concept:name"].astype(str)
    return pm4py.format_dataframe(
        frame,
        case_id=KEYS["case_id_key"],
        activity_key=KEYS["activity_key"],
        timestamp_key=KEYS["timestamp_key"],
    )


def _run_xes_pipeline(root: Path, log: Path, preset: str) -> Any:
    (root / "pipeline.yaml").write_text(
        yaml.safe_dump(
            {
                "name": "xes",
                "warehouse": str(root / "w.duckdb"),
                "sources": [
                    {
                        "name": "log",
                        "preset": preset,
                        "path": str(log),
                        "allow_outside_data_dir": True,
                    }
                ],
                "identity": {"link_on": ["case_id"]},
            }
        ),
        encoding="utf-8",
    )
    return run_pipeline(load_pipeline(root / "pipeline.yaml"), data_dir=log.parent)


@pytest.fixture(scope="module")
def bpic2012(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, Any]]:
    if not SHARED_DATA.is_dir():
        pytest.skip("../shared/data is absent: real public logs are not shipped with the project")
    root = tmp_path_factory.mktemp("bpic2012")
    result = _run_xes_pipeline(root, BPIC2012, "xes_event_log")
    con = connect(root / "w.duckdb", read_only=True)
    yield result, con
    con.close()


@pytest.fixture(scope="module")
def bpic2012_pm4py() -> pd.DataFrame:
    if not SHARED_DATA.is_dir():
        pytest.skip("../shared/data is absent: real public logs are not shipped with the project")
    return _pm4py_log(BPIC2012)


@needs_shared_data
@pytest.mark.shared_data
def test_bpic2012_every_event_read_is_loaded_or_quarantined(bpic2012: tuple[Any, Any]) -> None:
    result, con = bpic2012
    (load,) = result.sources
    rows = (load.rows_read, load.rows_loaded, load.rows_quarantined)
    assert rows == (BPIC2012_EVENTS, BPIC2012_EVENTS, 0)
    assert con.execute(
        'SELECT count(*), max(_row), count(DISTINCT "case:concept:name"), '
        'count(DISTINCT "concept:name") FROM raw.log'
    ).fetchone() == (262_200, 262_200, 13_087, 24)
    assert con.execute("SELECT count(*) FROM mining.journeys").fetchone() == (13_087,)


@needs_shared_data
@pytest.mark.shared_data
def test_bpic2012_timestamps_keep_their_offsets(bpic2012: tuple[Any, Any]) -> None:
    _, con = bpic2012
    # the first event of the file: 2011-10-01T00:38:44.546+02:00
    row = con.execute(
        "SELECT strftime(ts, '%Y-%m-%d %H:%M:%S.%g') FROM mining.journey_events "
        "WHERE source_ref = 'bpic2012.xes.gz:1'"
    ).fetchone()
    assert row == ("2011-09-30 22:38:44.546",)


@needs_shared_data
@pytest.mark.shared_data
def test_bpic2012_variants_equal_pm4py(
    bpic2012: tuple[Any, Any], bpic2012_pm4py: pd.DataFrame
) -> None:
    _, con = bpic2012
    ours = {
        tuple(a): n
        for a, n in con.execute("SELECT activities, n_cases FROM mining.variants").fetchall()
    }
    theirs = {tuple(v): n for v, n in pm4py.get_variants(bpic2012_pm4py, **KEYS).items()}
    assert len(ours) == len(theirs)
    assert ours == theirs


@needs_shared_data
@pytest.mark.shared_data
def test_bpic2012_dfg_equals_pm4py(bpic2012: tuple[Any, Any], bpic2012_pm4py: pd.DataFrame) -> None:
    _, con = bpic2012
    dfg, starts, ends = pm4py.discover_dfg(bpic2012_pm4py, **KEYS)
    ours = {
        (s, t): n
        for s, t, n in con.execute(
            "SELECT source, target, n_transitions FROM mining.dfg_edges"
        ).fetchall()
    }
    assert ours == dict(dfg)
    endpoints = con.execute("SELECT kind, activity, n_cases FROM mining.endpoints").fetchall()
    assert {a: n for k, a, n in endpoints if k == "start"} == dict(starts)
    assert {a: n for k, a, n in endpoints if k == "end"} == dict(ends)


@needs_shared_data
@pytest.mark.shared_data
def test_lifecycle_preset_variants_equal_pm4py_with_lifecycle_classifier(
    tmp_path: Path,
) -> None:
    log = SHARED_DATA / "receipt.xes.gz"
    result = _run_xes_pipeline(tmp_path, log, "xes_lifecycle_event_log")
    assert (result.rows_read, result.rows_quarantined) == (8_577, 0)
    con = connect(tmp_path / "w.duckdb", read_only=True)
    ours = {
        tuple(a): n
        for a, n in con.execute("SELECT activities, n_cases FROM mining.variants").fetchall()
    }
    con.close()
    theirs = pm4py.get_variants(_pm4py_log(log, activity="concept:name+lifecycle"), **KEYS)
    assert ours == {tuple(v): n for v, n in theirs.items()}
    assert any(a.endswith("+complete") for variant in ours for a in variant)


def _reader_peak_bytes(path: Path, batch_rows: int, batches: int) -> tuple[int, int]:
    """Events read and the peak of Python allocations while streaming ``batches`` batches."""
    gc.collect()
    tracemalloc.start()
    try:
        stream = itertools.islice(iter_xes_batches(path, batch_rows=batch_rows), batches)
        events = sum(len(batch) for batch in stream)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return events, peak


@needs_shared_data
@pytest.mark.shared_data
@pytest.mark.slow
def test_reader_memory_follows_the_batch_not_the_log() -> None:
    # The same first ~100,000 events of BPIC 2012 (tracemalloc slows parsing ~4x, so not all
    # 262,200): read in ten batches of 10,000 they must peak far lower than in one batch.
    small_events, small_peak = _reader_peak_bytes(BPIC2012, 10_000, batches=10)
    large_events, large_peak = _reader_peak_bytes(BPIC2012, 100_000, batches=1)
    assert abs(small_events - large_events) < 1_000  # batches end at trace boundaries
    assert small_events > 100_000
    assert small_peak < large_peak / 4
    # ten batches of 10,000 events peak like one: a few MB (measured ~9 MB vs ~86 MB)
    assert small_peak < 30 * 2**20
