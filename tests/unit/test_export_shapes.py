"""Export shapes real systems produce: wide milestones, JSON documents, epoch µs/ns, phones,
identifier kinds kept as attributes, inline presets — loaded through a real warehouse."""

from __future__ import annotations

import gzip
import hashlib
import json
from typing import Any

import duckdb
import pytest
import yaml

from journey_mining.checking import check_pipeline, quarantined_rows
from journey_mining.config import load_pipeline
from journey_mining.connectors.phones import e164
from journey_mining.errors import ConfigError, SourceError
from tests.conftest import TinyProject

DEALS = (
    "Id,Email,Created Date,MQL Date,Won Date\n"
    "D1,ann@acme.com,2025-03-29 10:00,2025-03-30 02:30,\n"  # 02:30 does not exist there: skipped
    "D2,bob@acme.com,2025-01-03 09:00,,2025-02-01 17:45\n"
    "D3,cy@acme.com,2025-01-04 08:00,not a date,\n"
    "D4,dee@acme.com,,,\n"  # nothing happened yet: no row at all
)
DEALS_PRESET: dict[str, Any] = {
    "name": "crm_deals",
    "format": "csv",
    "system": "crm",
    "event_id": ["Id"],
    "timestamp": {"format": "%Y-%m-%d %H:%M", "timezone": "UTC"},
    "milestones": {"Created Date": "created", "MQL Date": "mql", "Won Date": "won"},
    "identifiers": {"email": "Email"},
}


def event_id(key: str) -> int:
    return int.from_bytes(hashlib.md5(key.encode()).digest()[:8], "big", signed=True)


def one_source(tiny: TinyProject, preset: dict[str, Any] | str, path: str, **identity: Any) -> None:
    tiny.pipeline(
        {
            "sources": [{"name": "src", "preset": preset, "path": path}],
            "identity": {"link_on": ["email"], **identity},
        }
    )


def test_a_wide_milestone_export_becomes_one_event_per_filled_cell(tiny: TinyProject) -> None:
    tiny.file("deals.csv", DEALS)
    one_source(tiny, DEALS_PRESET, "deals.csv")
    (load,) = tiny.run().sources
    # a row of a milestone source is a filled cell: 6 filled, 5 events, 1 unreadable
    assert (load.rows_read, load.rows_loaded, load.rows_quarantined) == (6, 5, 1)
    assert tiny.rows(
        "SELECT row_no, source_activity, strftime(ts, '%Y-%m-%d %H:%M'), event_id "
        "FROM staging.stg_src ORDER BY row_no, ts"
    ) == [
        (1, "created", "2025-03-29 10:00", event_id("src\x1fD1\x1fcreated")),
        (1, "mql", "2025-03-30 02:30", event_id("src\x1fD1\x1fmql")),
        (2, "created", "2025-01-03 09:00", event_id("src\x1fD2\x1fcreated")),
        (2, "won", "2025-02-01 17:45", event_id("src\x1fD2\x1fwon")),
        (3, "created", "2025-01-04 08:00", event_id("src\x1fD3\x1fcreated")),
    ]
    ((row, reason, raw),) = tiny.rows("SELECT row_no, reason, raw_row FROM mining.quarantine")
    assert (row, reason) == (
        3,
        "unparseable timestamp in 'MQL Date': 'not a date' (expected format %Y-%m-%d %H:%M)",
    )
    assert json.loads(raw)["_milestone_column"] == "MQL Date" and json.loads(raw)["Id"] == "D3"
    again = tiny.run().sources[0]
    assert (again.rows_read, again.files[0].status) == (0, "skipped")


def test_a_milestone_export_without_an_id_keys_its_events_by_file_row_and_milestone(
    tiny: TinyProject,
) -> None:
    tiny.file("deals.csv", DEALS)
    one_source(tiny, {**DEALS_PRESET, "event_id": ["@row"]}, "deals.csv")
    tiny.run()
    assert tiny.rows("SELECT event_id FROM staging.stg_src WHERE row_no = 2 ORDER BY ts") == [
        (event_id("src\x1fdeals.csv\x1f2\x1fcreated"),),
        (event_id("src\x1fdeals.csv\x1f2\x1fwon"),),
    ]


def test_a_milestone_column_missing_from_the_export_stops_the_source(tiny: TinyProject) -> None:
    tiny.file("deals.csv", DEALS.replace("Won Date", "Closed Date"))
    one_source(tiny, DEALS_PRESET, "deals.csv")
    with pytest.raises(SourceError, match="milestone column 'Won Date' is missing"):
        tiny.run()


def test_a_milestone_preset_takes_no_timestamp_column_nor_activity(tiny: TinyProject) -> None:
    preset = {**DEALS_PRESET, "timestamp": {"column": "Created Date"}}
    (tiny.root / "deals.yaml").write_text(yaml.safe_dump(preset), encoding="utf-8")
    one_source(tiny, "deals.yaml", "deals.csv")
    with pytest.raises(ConfigError, match="a milestone preset's timestamp names no column"):
        load_pipeline(tiny.pipeline_file)


CALLS = [
    {"id": 1, "caller": {"email": "ann@acme.com"}, "at": 1738332300123456, "result": "answered"},
    {"id": 2, "caller": {"email": "bob@acme.com"}, "at": 1738332360000000, "result": "missed"},
    "not a record",
    {"id": 3, "caller": {}, "at": 1738332420000000, "result": "missed"},
]
CALLS_PRESET: dict[str, Any] = {
    "name": "calls",
    "format": "json",
    "system": "telephony",
    "event_id": ["id"],
    "timestamp": {"column": "at", "format": "epoch_us"},
    "activity": {"column": "result"},
    "identifiers": {"email": "caller.email"},
}


@pytest.mark.parametrize(
    ("records", "document"),
    [
        (None, CALLS),
        ("data.items", {"paging": {"next": None}, "data": {"items": CALLS, "total": 4}}),
    ],
)
def test_a_json_document_lands_record_by_record(
    tiny: TinyProject, records: str | None, document: Any
) -> None:
    tiny.file("calls.json", json.dumps(document, indent=2))
    one_source(tiny, {**CALLS_PRESET, "records": records}, "calls.json")
    (load,) = tiny.run().sources
    assert (load.rows_read, load.rows_loaded, load.rows_quarantined) == (4, 2, 2)
    assert tiny.rows(
        "SELECT row_no, source_activity, id_email, strftime(ts, '%Y-%m-%d %H:%M:%S.%f') "
        "FROM staging.stg_src ORDER BY row_no"
    ) == [
        (1, "answered", "ann@acme.com", "2025-01-31 14:05:00.123456"),
        (2, "missed", "bob@acme.com", "2025-01-31 14:06:00.000000"),
    ]
    assert tiny.rows("SELECT row_no, reason, raw_row FROM mining.quarantine ORDER BY 1") == [
        (3, "record is not a JSON object", '"not a record"'),
        (
            4,
            "missing identifier (none of caller.email)",
            '{"id": 3, "caller": {}, "at": 1738332420000000, "result": "missed"}',
        ),
    ]


def test_a_gzipped_json_document_in_small_batches_keeps_its_row_numbers(
    tiny: TinyProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("journey_mining.connectors.jsondoc.BATCH_ROWS", 3)
    records = [
        {"id": n, "caller": {"email": f"c{n}@acme.com"}, "at": 1738332300000000 + n, "result": "x"}
        for n in range(1, 8)
    ]
    path = tiny.exports / "calls.json.gz"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(gzip.compress(json.dumps(records).encode()))
    one_source(tiny, CALLS_PRESET, "calls.json.gz")
    (load,) = tiny.run().sources
    assert (load.rows_read, load.rows_loaded) == (7, 7)
    assert tiny.rows(
        "SELECT list(row_no ORDER BY row_no), list(id_email ORDER BY row_no)[7] "
        "FROM staging.stg_src"
    ) == [([1, 2, 3, 4, 5, 6, 7], "c7@acme.com")]


def test_a_truncated_json_document_writes_nothing(tiny: TinyProject) -> None:
    tiny.file("calls.json", json.dumps(CALLS)[:-40])
    one_source(tiny, CALLS_PRESET, "calls.json")
    with pytest.raises(SourceError, match=r"cannot read .*calls.json as a JSON document"):
        tiny.run()
    assert tiny.rows("SELECT count(*) FROM mining.quarantine") == [(0,)]
    assert tiny.rows("SELECT count(*) FROM meta.loaded_files") == [(0,)]


def test_records_at_a_path_the_document_lacks_is_an_error_naming_it(tiny: TinyProject) -> None:
    tiny.file("calls.json", json.dumps({"results": CALLS}))
    one_source(tiny, {**CALLS_PRESET, "records": "data.items"}, "calls.json")
    with pytest.raises(SourceError, match=r"no array at records 'data\.items'"):
        tiny.run()


def test_epoch_nanoseconds_keep_their_microseconds(tiny: TinyProject) -> None:
    tiny.file(
        "log.csv",
        "email,at,event\nann@acme.com,1738332300123456789,signed_up\nbob@acme.com,12x,signed_up\n",
    )
    preset = {
        "name": "log",
        "format": "csv",
        "system": "app",
        "event_id": ["@row"],
        "timestamp": {"column": "at", "format": "epoch_ns"},
        "activity": {"column": "event"},
        "identifiers": {"email": "email"},
    }
    one_source(tiny, preset, "log.csv")
    tiny.run()
    assert tiny.rows("SELECT strftime(ts, '%Y-%m-%d %H:%M:%S.%f') FROM staging.stg_src") == [
        ("2025-01-31 14:05:00.123456",)
    ]
    assert tiny.rows("SELECT reason FROM mining.quarantine") == [
        ("unparseable timestamp in 'at': '12x' (expected format epoch_ns)",)
    ]


def test_phone_numbers_link_whatever_way_they_are_written() -> None:
    written = ["06 12345678", "+31 6 1234 5678", "0031612345678", "(06) 1234-5678", "+31612345678"]
    assert {e164(v, "NL") for v in written} == {"+31612345678"}
    assert e164("020 555 0101", "NL") == "+31205550101"
    assert e164("+44 20 7946 0958", "NL") == "+442079460958"  # its own country code wins
    assert [e164(v, "NL") for v in ("n/a", "12", "")] == [None, None, None]


def phone_project(tiny: TinyProject, identity: dict[str, Any]) -> None:
    tiny.file(
        "crm.csv",
        "email,phone,created,household\n"
        "ann@acme.com,+31 6 1234 5678,2025-01-02T09:00:00Z,H1\n"
        "bob@acme.com,+31623456789,2025-01-02T10:00:00Z,H1\n",
    )
    tiny.file(
        "calls.csv",
        "call,phone,at,outcome\n"
        "k1,06-12345678,2025-01-03T09:00:00Z,answered\n"
        "k2,06 2345 6789,2025-01-03T10:00:00Z,missed\n"
        "k3,no number,2025-01-03T11:00:00Z,missed\n",
    )
    common = {"format": "csv", "system": "x", "event_id": ["@row"]}
    tiny.pipeline(
        {
            "sources": [
                {
                    "name": "crm",
                    "path": "crm.csv",
                    "preset": {
                        **common,
                        "name": "crm",
                        "timestamp": {"column": "created"},
                        "activity": {"value": "contact_created"},
                        "identifiers": {
                            "email": "email",
                            "phone": "phone",
                            "household": "household",
                        },
                    },
                },
                {
                    "name": "calls",
                    "path": "calls.csv",
                    "preset": {
                        **common,
                        "name": "calls",
                        "timestamp": {"column": "at"},
                        "activity": {"column": "outcome"},
                        "identifiers": {"phone": "phone"},
                    },
                },
            ],
            "identity": identity,
            "segments": ["household"],
        }
    )


def test_national_and_e164_phones_link_and_a_household_stays_an_attribute(
    tiny: TinyProject,
) -> None:
    phone_project(
        tiny,
        {
            "link_on": ["email", "phone"],
            "normalise_phone": ["phone"],
            "phone_region": "nl",
            "attributes": ["household"],
        },
    )
    result = tiny.run()
    assert result.journeys == 2 and result.warnings == []
    assert tiny.rows(
        "SELECT string_agg(source || ':' || activity, ' ' ORDER BY ts) FROM mining.journey_events "
        "GROUP BY case_id ORDER BY 1"
    ) == [
        ("crm:contact_created calls:answered",),
        ("crm:contact_created calls:missed",),
    ]
    assert tiny.rows(
        "SELECT c.value, count(*) FROM mining.customer_attributes c "
        "WHERE attribute = 'household' GROUP BY ALL"
    ) == [("H1", 2)]
    assert tiny.rows("SELECT row_no, reason FROM mining.quarantine") == [
        (3, "missing identifier (none of phone)")
    ]
    assert tiny.rows(
        "SELECT value, journeys FROM mining.segments WHERE attribute = 'household'"
    ) == [("H1", 2)]


def test_without_phone_normalisation_the_calls_join_nobody(tiny: TinyProject) -> None:
    phone_project(tiny, {"link_on": ["email", "phone"], "attributes": ["household"]})
    result = tiny.run()
    assert result.journeys == 5  # 2 contacts, and each call on its own ("no number" too)
    assert [w.split(":")[0] for w in result.warnings] == [
        "source calls joins no other source",
        "source crm joins no other source",
    ]


@pytest.mark.parametrize(
    ("identity", "message"),
    [
        (
            {"link_on": ["email", "household"], "attributes": ["household"]},
            "'household' is both in link_on and in attributes",
        ),
        (
            {"link_on": ["phone"], "normalise_phone": ["phone"]},
            "normalise_phone needs phone_region",
        ),
        (
            {"link_on": ["phone"], "normalise_phone": ["phone"], "phone_region": "XX"},
            "phone_region 'XX' is not a region",
        ),
    ],
)
def test_identity_roles_are_checked(
    tiny: TinyProject, identity: dict[str, Any], message: str
) -> None:
    phone_project(tiny, identity)
    with pytest.raises(ConfigError, match=message):
        load_pipeline(tiny.pipeline_file)


def test_check_shows_exactly_what_run_quarantines_and_writes_nothing(tiny: TinyProject) -> None:
    tiny.file("deals.csv", DEALS)
    tiny.file("calls.json", json.dumps({"data": {"items": CALLS}}))
    tiny.pipeline(
        {
            "sources": [
                {"name": "deals", "preset": DEALS_PRESET, "path": "deals.csv"},
                {
                    "name": "calls",
                    "preset": {**CALLS_PRESET, "records": "data.items"},
                    "path": "calls.json",
                },
            ],
            "identity": {"link_on": ["email"]},
        }
    )
    checked = check_pipeline(tiny.pipeline_file, tiny.exports, quarantine_rows=100)
    assert not tiny.warehouse.exists()
    assert [
        (s.source, s.rows_read, s.rows_loaded, s.rows_quarantined) for s in checked.sources
    ] == [
        ("deals", 6, 5, 1),
        ("calls", 4, 2, 2),
    ]
    result = tiny.run()
    con = tiny.connect()
    try:
        for s in checked.sources:
            assert s.quarantined == quarantined_rows(con, s.source)
    finally:
        con.close()
    assert [(s.rows_read, s.rows_quarantined) for s in result.sources] == [(6, 1), (4, 2)]


INLINE_PIPELINE = """
name: inline
warehouse: w.duckdb
data_dir: exports
sources:
  - name: log
    path: log.csv
    preset: {name: log, format: csv, system: log, event_id: ["@row"],
             timestamp: {column: time, format: "%d/%m/%Y %H:%M", timezone: Europe/Amsterdam},
             activity: {column: step}, identifiers: {case_id: case}}
    columns: {case: Case ID}
identity: {link_on: [case_id]}
"""


def test_an_inline_preset_loads_with_the_sources_overrides(tiny: TinyProject) -> None:
    tiny.file("log.csv", "Case ID,step,time\nc1,open,30/03/2025 01:30\nc1,close,30/03/2025 03:30\n")
    tiny.pipeline_file.write_text(INLINE_PIPELINE, encoding="utf-8")
    pipeline = load_pipeline(tiny.pipeline_file)
    assert pipeline.preset("log").identifiers == {"case_id": "Case ID"}
    result = tiny.run()
    assert (result.rows_loaded, result.journeys) == (2, 1)
    con = duckdb.connect(str(tiny.root / "w.duckdb"), read_only=True)
    try:
        rows = con.execute(
            "SELECT activity, strftime(ts, '%H:%M') FROM mining.journey_events ORDER BY ts"
        ).fetchall()
    finally:
        con.close()
    assert rows == [("open", "00:30"), ("close", "01:30")]  # CET, then CEST


def test_an_inline_presets_error_names_its_key(tiny: TinyProject) -> None:
    tiny.pipeline_file.write_text(
        INLINE_PIPELINE.replace("activity: {column: step}", "activty: {column: step}"),
        encoding="utf-8",
    )
    with pytest.raises(ConfigError, match=r"unknown key 'sources\.0\.preset\.activty'"):
        load_pipeline(tiny.pipeline_file)
    tiny.pipeline_file.write_text(
        INLINE_PIPELINE.replace("format: csv", "format: excel"), encoding="utf-8"
    )
    with pytest.raises(ConfigError, match=r"sources\.0\.preset\.format: Input should be"):
        load_pipeline(tiny.pipeline_file)


def test_check_exit_codes_and_its_report_on_a_terminal(tiny: TinyProject) -> None:
    from typer.testing import CliRunner

    from journey_mining.cli import app

    runner = CliRunner()
    tiny.file("deals.csv", DEALS)
    tiny.file("calls.json", json.dumps(CALLS)[:-40])  # truncated: cannot be loaded
    tiny.pipeline(
        {
            "sources": [
                {"name": "deals", "preset": DEALS_PRESET, "path": "deals.csv"},
                {"name": "calls", "preset": CALLS_PRESET, "path": "calls.json"},
            ],
            "identity": {"link_on": ["email"]},
        }
    )
    shown = runner.invoke(app, ["check", str(tiny.pipeline_file), "--data-dir", str(tiny.exports)])
    assert shown.exit_code == 1, shown.output
    assert "unparseable timestamp in 'MQL Date': 'not a date'" in " ".join(shown.output.split())
    assert "cannot read" in shown.output and "deals.csv:3" in shown.output
    as_json = runner.invoke(
        app, ["check", str(tiny.pipeline_file), "--data-dir", str(tiny.exports), "--json"]
    )
    record = json.loads(as_json.stdout)
    assert [(s["source"], s["rows_read"], s["error"] is None) for s in record["sources"]] == [
        ("deals", 6, True),
        ("calls", 0, False),
    ]
    assert not tiny.warehouse.exists()
    tiny.pipeline_file.write_text(
        tiny.pipeline_file.read_text().replace("link_on", "link_onn"), encoding="utf-8"
    )
    bad = runner.invoke(app, ["check", str(tiny.pipeline_file)])
    assert bad.exit_code == 2 and "unknown key 'identity.link_onn'" in bad.output
