"""``init`` then ``run``: shipped presets recognised, and an unseen company's exports exact.

The unseen company's exports are hand-made in shapes unlike the demo: product events in JSON
lines with epoch seconds and a late identify call, a back-office CSV (``;``, latin-1) in local
day-first Amsterdam time on both DST transition days, a call log with offsets, a CRM export.
The only edit after ``init`` is filling ``stage:``/``team:``; the journeys, their events and
their UTC timestamps must equal the ground truth written here by hand.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from journey_mining.cli import app
from journey_mining.config import load_pipeline
from journey_mining.init import init_exports
from journey_mining.init.recognise import shipped_presets

runner = CliRunner()
SAMPLES = Path(__file__).resolve().parents[1] / "data" / "presets"
EXPECTED = {
    "amplitude/187523_2025-01-31_14#0.json": "amplitude_events",
    "bpi2016/BPI2016_Complaints.csv": "bpi2016_complaints",
    "event_log/running_example.csv": "event_log_csv",
    "generic/events.csv": "generic_events",
    "google_analytics/all_sessions.csv": "google_analytics_hits",
    "hubspot/contacts.csv": "hubspot_contacts",
    "hubspot/engagements.jsonl": "hubspot_engagements",
    "intercom/conversation_parts.jsonl": "intercom_conversation_parts",
    "mixpanel/export_2025-01-31.json": "mixpanel_events",
    "salesforce/LeadHistory.csv": "salesforce_lead_history",
    "salesforce/OpportunityFieldHistory.csv": "salesforce_opportunity_field_history",
    "servicenow/incident_event_log.csv": "servicenow_incident_log",
    "xes/bpic_lifecycle.xes": "xes_lifecycle_event_log",
    "xes/simple_log.xes": "xes_event_log",
    "zendesk/ticket_audit_events.jsonl": "zendesk_ticket_audits",
}
DEMO_EXPECTED = {
    "crm/contacts.csv": "hubspot_contacts",
    "crm/deal_stage_history.csv": "hubspot_deal_stage_history",
    "product/segment_events.jsonl": "segment_events",
    "support/ticket_events.jsonl": "zendesk_ticket_events",
}


def test_every_shipped_preset_has_a_sample_init_must_recognise() -> None:
    covered = set(EXPECTED.values()) | set(DEMO_EXPECTED.values())
    assert covered == {p.name for p in shipped_presets()}


def test_every_shipped_preset_sample_is_recognised_as_its_preset(tmp_path: Path) -> None:
    result = init_exports(SAMPLES, tmp_path / "samples.yaml")
    found = {file: s.preset for s in result.sources for file in s.files}
    assert found == EXPECTED
    assert result.skipped == [] and result.needs_loader == []
    assert result.written == [str(tmp_path / "samples.yaml")]  # no preset had to be written
    assert load_pipeline(tmp_path / "samples.yaml").sources[0].preset == "amplitude_events"


def test_demo_exports_are_recognised_and_give_the_demo_journeys(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    demo = runner.invoke(
        app, ["demo", "--out", str(tmp_path / "demo"), "--customers", "150", "--json"]
    )
    assert demo.exit_code == 0, demo.output
    expected = json.loads(demo.stdout)
    result = init_exports(tmp_path / "demo" / "exports", tmp_path / "p" / "demo_init.yaml")
    assert {f: s.preset for s in result.sources for f in s.files} == DEMO_EXPECTED
    assert [s.path for s in result.skipped] == ["ground_truth*.json"]
    assert result.link_on == ["crm_contact_id", "email", "product_user_id"]
    monkeypatch.chdir(tmp_path / "p")  # paths in the pipeline are relative to its file
    run = runner.invoke(app, ["run", "demo_init.yaml", "--json"])
    assert run.exit_code == 0, run.output
    record = json.loads(run.stdout)
    assert record["journeys"] == expected["journeys"]
    assert record["rows_read"] == expected["rows_read"]
    assert record["rows_quarantined"] == expected["rows_quarantined"]
    con = duckdb.connect(str(tmp_path / "p" / "demo_init.duckdb"), read_only=True)
    ours = con.execute(
        "SELECT kind, value, customer_id FROM mining.identity_map ORDER BY ALL"
    ).fetchall()
    con.close()
    con = duckdb.connect(expected["warehouse"], read_only=True)
    theirs = con.execute(
        "SELECT kind, value, customer_id FROM mining.identity_map ORDER BY ALL"
    ).fetchall()
    con.close()
    assert ours == theirs  # the same customers, with the same ids


def epoch(text: str) -> int:
    return int(datetime.fromisoformat(text).timestamp())


PRODUCT = [
    {
        "event_id": "p1",
        "user": "u1",
        "event": "signed_up",
        "ts": epoch("2025-03-29T10:30:00+00:00"),
    },
    {
        "event_id": "p2",
        "user": "u1",
        "event": "report_created",
        "ts": epoch("2025-03-30T10:00:00+00:00"),
    },
    {
        "event_id": "p3",
        "user": "u1",
        "event": "identify",
        "email": "ann@acme.com",
        "ts": epoch("2025-03-31T10:00:00+00:00"),
    },
    {
        "event_id": "p4",
        "user": "u2",
        "event": "signed_up",
        "ts": epoch("2025-10-25T10:00:00+00:00"),
    },
    {
        "event_id": "p5",
        "user": "u2",
        "event": "identify",
        "email": "CY@beta.io",
        "ts": epoch("2025-10-26T10:00:00+00:00"),
    },
]
BACK_OFFICE = (
    "Order No;Klant e-mail;Placed;Status;Product\n"
    "1001;ann@acme.com;30/03/2025 01:30;placed;Crème brûlée\n"  # CET: 00:30Z
    "1001;ann@acme.com;30/03/2025 03:30;paid;Crème brûlée\n"  # CEST: 01:30Z
    "1002;cy@beta.io;26/10/2025 01:30;placed;Gâteau\n"  # CEST: 23:30Z the day before
    "1002;cy@beta.io;26/10/2025 03:30;paid;Gâteau\n"  # CET: 02:30Z
    "1003;bo@acme.com;13/04/2025 10:00;placed;Tarte\n"  # CEST: 08:00Z
)
CALLS = (
    "call_id,contact_id,started_at,outcome,agent,csat\n"
    "K1,C-1,2025-03-30T09:15:00+02:00,answered,Mark,5\n"
    "K2,C-2,2025-03-30T09:20:00+02:00,missed,Mark,\n"
    "K3,C-3,2025-10-26T09:00:00+01:00,answered,Sue,4\n"
)
CRM = (
    "contact_id,email,created_at\n"
    "C-1,ann@acme.com,2025-03-29T10:00:00Z\n"
    "C-2,bo@acme.com,2025-03-29T11:00:00Z\n"
    "C-3,cy@beta.io,2025-10-25T09:00:00Z\n"
)
TRUTH = {
    "ann@acme.com": [
        ("crm_contacts", "2025-03-29 10:00:00"),
        ("signed_up", "2025-03-29 10:30:00"),
        ("placed", "2025-03-30 00:30:00"),
        ("paid", "2025-03-30 01:30:00"),
        ("answered", "2025-03-30 07:15:00"),
        ("report_created", "2025-03-30 10:00:00"),
        ("identify", "2025-03-31 10:00:00"),
    ],
    "bo@acme.com": [
        ("crm_contacts", "2025-03-29 11:00:00"),
        ("missed", "2025-03-30 07:20:00"),
        ("placed", "2025-04-13 08:00:00"),
    ],
    "cy@beta.io": [
        ("crm_contacts", "2025-10-25 09:00:00"),
        ("signed_up", "2025-10-25 10:00:00"),
        ("placed", "2025-10-25 23:30:00"),
        ("paid", "2025-10-26 02:30:00"),
        ("answered", "2025-10-26 08:00:00"),
        ("identify", "2025-10-26 10:00:00"),
    ],
}


def unseen_company(root: Path) -> Path:
    exports = root / "exports"
    for folder in ("product", "backoffice", "calls", "crm"):
        (exports / folder).mkdir(parents=True)
    lines = "".join(json.dumps(e) + "\n" for e in PRODUCT)
    (exports / "product" / "events_2025-03.jsonl").write_text(lines, encoding="utf-8")
    (exports / "backoffice" / "orders.csv").write_bytes(BACK_OFFICE.encode("latin-1"))
    (exports / "calls" / "call_log.csv").write_text(CALLS, encoding="utf-8")
    (exports / "crm" / "contacts.csv").write_text(CRM, encoding="utf-8")
    return exports


def test_unseen_company_init_then_run_gives_the_ground_truth(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    exports = unseen_company(tmp_path)
    monkeypatch.chdir(tmp_path)
    made = runner.invoke(
        app, ["init", str(exports), "-o", "pipelines/acme.yaml", "--timezone", "Europe/Amsterdam"]
    )
    assert made.exit_code == 0, made.output
    pipeline = tmp_path / "pipelines" / "acme.yaml"
    text = pipeline.read_text(encoding="utf-8")
    assert "link_on: [email, contact_id, user_id]" in text
    # the one hand edit allowed: fill stage and team
    pipeline.write_text(
        text.replace("stage: , team: }", "stage: own, team: ops}"), encoding="utf-8"
    )
    monkeypatch.chdir(pipeline.parent)
    run = runner.invoke(app, ["run", "acme.yaml", "--json", "--strict"])
    assert run.exit_code == 0, run.output
    record = json.loads(run.stdout)
    assert (record["rows_read"], record["rows_quarantined"], record["journeys"]) == (16, 0, 3)
    con = duckdb.connect(str(pipeline.parent / "acme.duckdb"), read_only=True)
    got = {}
    for (email,) in con.execute(
        "SELECT value FROM mining.identity_map WHERE kind = 'email'"
    ).fetchall():
        got[email] = con.execute(
            "SELECT activity, strftime(ts, '%Y-%m-%d %H:%M:%S') FROM mining.journey_events "
            "WHERE customer_id = (SELECT customer_id FROM mining.identity_map WHERE kind = 'email' "
            "AND value = ?) ORDER BY ordinal",
            [email],
        ).fetchall()
    stages = con.execute("SELECT DISTINCT stage, team FROM mining.journey_events").fetchall()
    con.close()
    assert got == TRUTH
    assert stages == [("own", "ops")]
    assert datetime(2025, 3, 30, 0, 30, tzinfo=UTC).isoformat() < "2025-03-30T01:30"  # sanity
