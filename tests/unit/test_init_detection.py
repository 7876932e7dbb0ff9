"""``init``'s detection rules, one behaviour per test, on tiny exports written here."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from journey_mining.checking import check_pipeline
from journey_mining.cli import app
from journey_mining.config import ConnectorPreset, load_pipeline
from journey_mining.errors import OutputExists
from journey_mining.init import init_exports
from journey_mining.init.models import InitResult, SourceGuess

runner = CliRunner()


def exports(root: Path, files: dict[str, str | bytes]) -> Path:
    for name, content in files.items():
        path = root / "exports" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return root / "exports"


def only(result: InitResult) -> SourceGuess:
    (source,) = result.sources
    return source


def preset_text(result: InitResult) -> str:
    source = only(result)
    assert source.preset_file is not None
    return Path(source.preset_file).read_text(encoding="utf-8")


CALLS = "call_id,email,at,outcome\n"


def test_day_first_is_read_from_a_day_above_12(tmp_path: Path) -> None:
    folder = exports(
        tmp_path,
        {
            "calls.csv": CALLS + "k1,a@x.io,25/01/2025 10:00,answered\n"
            "k2,b@x.io,03/02/2025 11:00,missed\n"
        },
    )
    ts = only(init_exports(folder, tmp_path / "p.yaml")).timestamp
    assert ts is not None
    assert (ts.format, ts.day_first, ts.ambiguous) == ("%d/%m/%Y %H:%M", True, False)


def test_month_first_is_read_from_a_second_field_above_12(tmp_path: Path) -> None:
    folder = exports(
        tmp_path,
        {
            "calls.csv": CALLS + "k1,a@x.io,1/25/2025 2:05 PM,answered\n"
            "k2,b@x.io,2/3/2025 9:00 AM,missed\n"
        },
    )
    ts = only(init_exports(folder, tmp_path / "p.yaml")).timestamp
    assert ts is not None and (ts.format, ts.day_first) == ("%m/%d/%Y %I:%M %p", False)


def test_ambiguous_days_are_flagged_and_follow_the_option(tmp_path: Path) -> None:
    rows = CALLS + "k1,a@x.io,01/02/2025 10:00,answered\nk2,b@x.io,03/04/2025 11:00,missed\n"
    folder = exports(tmp_path, {"calls.csv": rows})
    result = init_exports(folder, tmp_path / "p.yaml")
    ts = only(result).timestamp
    assert ts is not None and (ts.format, ts.ambiguous) == ("%d/%m/%Y %H:%M", True)
    assert result.warnings == [
        "calls: every day in 'at' is ≤ 12, so the values cannot tell day-first from month-first; "
        "written day-first (%d/%m/%Y %H:%M). Check it (or pass --day-first / --month-first)."
    ]
    assert "# day-first %d/%m/%Y %H:%M (ambiguous: every day ≤ 12); check:" in preset_text(result)
    month = init_exports(folder, tmp_path / "m.yaml", force=True, day_first=False)
    assert only(month).timestamp.format == "%m/%d/%Y %H:%M"  # type: ignore[union-attr]


def test_ambiguous_days_follow_an_export_that_decides(tmp_path: Path) -> None:
    folder = exports(
        tmp_path,
        {
            "a/calls.csv": CALLS + "k1,a@x.io,01/25/2025 10:00,answered\n",
            "b/visits.csv": "visit_id,email,at,outcome\nv1,a@x.io,01/02/2025 10:00,seen\n",
        },
    )
    result = init_exports(folder, tmp_path / "p.yaml")
    formats = {s.name: s.timestamp.format for s in result.sources}  # type: ignore[union-attr]
    assert formats == {"a_calls": "%m/%d/%Y %H:%M", "b_visits": "%m/%d/%Y %H:%M"}


def test_epoch_milliseconds_in_json_lines_and_offsets_are_detected(tmp_path: Path) -> None:
    lines = [
        {"id": f"e{n}", "user_id": f"u{n % 2}", "event": "seen", "created": 1738332300000 + n}
        for n in range(3)
    ]
    folder = exports(
        tmp_path,
        {
            "app/events.jsonl": "".join(json.dumps(x) + "\n" for x in lines),
            "crm/log.csv": "ref,email,when,status\nr1,a@x.io,2025-01-31T14:05:00+01:00,new\n"
            "r2,b@x.io,2025-01-31T14:06:00Z,won\n",
        },
    )
    result = init_exports(folder, tmp_path / "p.yaml")
    by_name = {s.name: s for s in result.sources}
    app_ts, crm_ts = by_name["app_events"].timestamp, by_name["crm_log"].timestamp
    assert app_ts is not None and (app_ts.format, app_ts.unit, app_ts.naive) == (
        "epoch_ms",
        "ms",
        False,
    )
    assert crm_ts is not None and (crm_ts.format, crm_ts.offsets) == ("iso", ["+01:00", "Z"])
    assert by_name["app_events"].event_id == ["id"] and by_name["app_events"].sequence is None


def test_tsv_gzip_latin1_is_read_with_its_options(tmp_path: Path) -> None:
    text = "ticket\temail\topened\tstatus\nt1\tjosé@x.io\t2025-01-31 10:00:00\tnieuw\n"
    folder = exports(tmp_path, {"desk/tickets.tsv.gz": gzip.compress(text.encode("latin-1"))})
    result = init_exports(folder, tmp_path / "p.yaml", timezone="Europe/Amsterdam")
    source = only(result)
    assert (source.glob, source.delimiter, source.encoding, source.compressed) == (
        "desk/tickets*.tsv.gz",
        "\t",
        "latin-1",
        True,
    )
    preset = ConnectorPreset.model_validate(yaml.safe_load(preset_text(result)))
    assert (preset.csv.delimiter, preset.csv.encoding, preset.timestamp.timezone) == (
        "\t",
        "latin-1",
        "Europe/Amsterdam",
    )
    assert preset.identifiers == {"email": "email"}


def test_json_array_and_records_under_a_path_are_written_as_json_documents(tmp_path: Path) -> None:
    contacts = [
        {"id": n, "phone": f"+31 20 555 01{n:02}", "at": "2025-01-31T10:00:00Z", "type": "call"}
        for n in range(3)
    ]
    folder = exports(
        tmp_path,
        {
            "cc/contacts.json": json.dumps(contacts, indent=2),
            "api/page.json": json.dumps(
                {
                    "meta": {"page": 1},
                    "data": {
                        "items": [
                            {"uid": "u1", "kind": "login", "ts": "2025-01-31T10:00:00Z"},
                            {"uid": "u2", "kind": "logout", "ts": "2025-01-31T11:00:00Z"},
                        ]
                    },
                }
            ),
        },
    )
    result = init_exports(folder, tmp_path / "p.yaml")
    by_name = {s.name: s for s in result.sources}
    assert (by_name["cc_contacts"].format, by_name["cc_contacts"].records_path) == ("json", "")
    assert (by_name["api_page"].format, by_name["api_page"].records_path) == ("json", "data.items")
    page = Path(by_name["api_page"].preset_file or "").read_text(encoding="utf-8")
    assert "format: json  # a JSON document: its records are read one by one" in page
    assert "records: data.items  # the array holding the records" in page
    assert result.needs_loader == []
    checked = {s.source: s for s in check_pipeline(tmp_path / "p.yaml").sources}
    assert [(f.path, f.rows_read, f.rows_loaded) for f in checked["api_page"].files] == [
        ("api/page.json", 2, 2)
    ]
    assert [(e.row, e.activity, e.identifiers) for e in checked["api_page"].sample] == [
        (1, "login", {"user_id": "u1"}),
        (2, "logout", {"user_id": "u2"}),
    ]
    assert [(f.rows_read, f.rows_loaded) for f in checked["cc_contacts"].files] == [(3, 3)]
    assert {e.identifiers["phone"] for e in checked["cc_contacts"].sample} == {
        "+31205550100",
        "+31205550101",
        "+31205550102",
    }


def test_phone_numbers_are_a_kind_with_a_region_from_their_country_code(tmp_path: Path) -> None:
    folder = exports(
        tmp_path,
        {
            "calls.csv": "call_id,caller_phone,at,outcome\nk1,+31 20 555 0101,2025-01-31T10:00:00Z,answered\n"
            "k2,020 555 0102,2025-01-31T11:00:00Z,missed\n",
            "crm.csv": "contact_id,phone,created,stage\nc1,+31205550101,2025-01-30T10:00:00Z,lead\n"
            "c2,+31 20 555 0103,2025-01-30T11:00:00Z,lead\n",
        },
    )
    result = init_exports(folder, tmp_path / "p.yaml")
    assert "phone" in result.link_on and result.phone_region == "NL"
    text = (tmp_path / "p.yaml").read_text(encoding="utf-8")
    assert "  normalise_phone: [phone]  # to E.164" in text
    assert "  phone_region: NL  # +31 (NL) in 3 of the numbers written with a country code" in text
    assert result.needs_loader == []
    checked = {s.source: s for s in check_pipeline(tmp_path / "p.yaml").sources}
    assert [e.identifiers["phone"] for e in checked["calls"].sample] == [
        "+31205550101",
        "+31205550102",
    ]
    assert [e.identifiers["phone"] for e in checked["crm"].sample] == [
        "+31205550101",
        "+31205550103",
    ]


def test_wide_milestone_export_is_written_as_milestone_columns(tmp_path: Path) -> None:
    rows = (
        "Record ID,Email,Created Date,MQL Date,SQL Date,Won Date\n"
        "1,a@x.io,2025-01-02,2025-01-05,2025-01-09,2025-02-01\n"
        "2,b@x.io,2025-01-03,2025-01-06,,\n"
        "3,c@x.io,2025-01-04,,,\n"
    )
    result = init_exports(exports(tmp_path, {"crm/funnel.csv": rows}), tmp_path / "p.yaml")
    source = only(result)
    assert [m.column for m in source.milestones] == [
        "Created Date",
        "MQL Date",
        "SQL Date",
        "Won Date",
    ]
    assert source.activities == ["created", "mql", "sql", "won"]
    text = preset_text(result)
    assert "milestones:  # one event per filled cell" in text
    assert (
        "  MQL Date: mql  #" in text
        and "  column:" not in text.split("timestamp:")[1].split("milestones")[0]
    )
    assert result.needs_loader == []
    (checked,) = check_pipeline(tmp_path / "p.yaml", sample_rows=20).sources
    assert (checked.rows_read, checked.rows_loaded, checked.rows_quarantined) == (7, 7, 0)
    assert sorted((e.row, e.activity, e.ts) for e in checked.sample) == [
        (1, "created", "2025-01-02T00:00:00.000000Z"),
        (1, "mql", "2025-01-05T00:00:00.000000Z"),
        (1, "sql", "2025-01-09T00:00:00.000000Z"),
        (1, "won", "2025-02-01T00:00:00.000000Z"),
        (2, "created", "2025-01-03T00:00:00.000000Z"),
        (2, "mql", "2025-01-06T00:00:00.000000Z"),
        (3, "created", "2025-01-04T00:00:00.000000Z"),
    ]


def test_roles_owner_rating_and_event_id_are_detected_with_evidence(tmp_path: Path) -> None:
    rows = (
        "ticket_id,requester_email,created_at,status,assignee,csat\n"
        "t1,a@x.io,2025-01-31T10:00:00Z,new,Mark,\nt1,a@x.io,2025-01-31T11:00:00Z,solved,Mark,5\n"
        "t2,b@x.io,2025-01-31T12:00:00Z,new,Sue,\n"
    )
    source = only(init_exports(exports(tmp_path, {"desk.csv": rows}), tmp_path / "p.yaml"))
    assert source.event_id == ["ticket_id", "status", "created_at"]
    assert [(i.kind, i.column) for i in source.identifiers] == [
        ("ticket_id", "ticket_id"),
        ("email", "requester_email"),
    ]
    assert source.activity is not None and source.activity.column == "status"
    assert source.resource is not None and source.resource.column == "assignee"
    assert source.rating is not None and source.rating.evidence == "a score from 5 to 5 in 1 rows"
    text = Path(source.preset_file or "").read_text(encoding="utf-8")
    assert "\nresource: {column: assignee}  # " in text and "\nrating: {column: csat}  # " in text


def test_init_never_overwrites_without_force(tmp_path: Path) -> None:
    folder = exports(tmp_path, {"calls.csv": CALLS + "k1,a@x.io,2025-01-31T10:00:00Z,answered\n"})
    target = tmp_path / "pipelines" / "calls.yaml"
    first = runner.invoke(app, ["init", str(folder), "-o", str(target)])
    assert first.exit_code == 0, first.output
    before = target.read_text(encoding="utf-8")
    again = runner.invoke(app, ["init", str(folder), "-o", str(target)])
    assert again.exit_code == 2
    assert "init would overwrite" in again.output and "Fix: pass --force" in again.output
    with pytest.raises(OutputExists):
        init_exports(folder, target)
    assert target.read_text(encoding="utf-8") == before
    assert runner.invoke(app, ["init", str(folder), "-o", str(target), "--force"]).exit_code == 0


def test_files_that_are_not_event_exports_are_reported(tmp_path: Path) -> None:
    folder = exports(
        tmp_path,
        {
            "calls.csv": CALLS + "k1,a@x.io,2025-01-31T10:00:00Z,answered\n",
            "README.md": "notes",
            "lookup.csv": "code,label\n1,one\n2,two\n",
            "empty.csv": "",
        },
    )
    skipped = {s.path: s.reason for s in init_exports(folder, tmp_path / "p.yaml").skipped}
    assert skipped == {
        "README.md": "not an export format",
        "empty.csv": "empty file",
        "lookup*.csv": "no column reads as a time: not an event export",
    }


def test_a_kind_whose_values_span_several_emails_is_kept_as_an_attribute(tmp_path: Path) -> None:
    crm = "email,membership_no,created,stage\n" + "".join(
        f"p{n}@x.io,M{n // 2},2025-01-{n + 1:02}T10:00:00Z,lead\n" for n in range(8)
    )
    app_rows = "email,event,at\n" + "".join(
        f"p{n}@x.io,login,2025-02-{n + 1:02}T10:00:00Z\n" for n in range(8)
    )
    result = init_exports(
        exports(tmp_path, {"crm.csv": crm, "app.csv": app_rows}), tmp_path / "p.yaml"
    )
    assert result.attribute_kinds == ["membership_no"] and result.link_on == ["email"]
    assert result.attribute_evidence["membership_no"] == (
        "crm.membership_no: 4 of 4 values name two or more e-mails (e.g. M0: p0@x.io, p1@x.io): "
        "kept on the customer, not a link"
    )
    text = (tmp_path / "p.yaml").read_text(encoding="utf-8")
    assert "  attributes: [membership_no]  # kept on the customer" in text
    pipeline = load_pipeline(tmp_path / "p.yaml")
    assert pipeline.identity.attributes == ("membership_no",)


def test_local_times_get_the_dst_policy_and_the_sampled_gap_and_overlap_are_named(
    tmp_path: Path,
) -> None:
    rows = (
        "event_id,email,at,event\n"
        "e1,a@x.io,2025-03-30 01:30:00,visit\n"
        "e2,a@x.io,2025-03-30 02:30:00,visit\n"  # the spring-forward gap in Amsterdam
        "e3,b@x.io,2025-10-26 02:30:00,visit\n"  # the fall-back overlap
        "e4,b@x.io,2025-10-26 03:30:00,visit\n"
    )
    folder = exports(tmp_path, {"web/visits.csv": rows})
    result = init_exports(folder, tmp_path / "p.yaml", timezone="Europe/Amsterdam")
    ts = only(result).timestamp
    assert ts is not None
    assert (ts.dst_gap, ts.dst_overlap) == (["2025-03-30 02:30:00"], ["2025-10-26 02:30:00"])
    text = preset_text(result)
    assert "dst: quarantine  # sampled" in text
    assert "'2025-03-30 02:30:00'" in text and "'2025-10-26 02:30:00'" in text
    preset = ConnectorPreset.model_validate(yaml.safe_load(text))
    assert (preset.timestamp.timezone, preset.timestamp.dst) == ("Europe/Amsterdam", "quarantine")
    (checked,) = check_pipeline(tmp_path / "p.yaml").sources
    assert (checked.rows_read, checked.rows_loaded, checked.rows_quarantined) == (4, 2, 2)
    assert sorted(q.row for q in checked.quarantined) == [2, 3]


def test_utc_times_get_no_dst_key(tmp_path: Path) -> None:
    folder = exports(
        tmp_path,
        {"web/visits.csv": "event_id,email,at,event\ne1,a@x.io,2025-03-30 02:30:00,visit\n"},
    )
    result = init_exports(folder, tmp_path / "p.yaml")
    assert "dst:" not in preset_text(result)
