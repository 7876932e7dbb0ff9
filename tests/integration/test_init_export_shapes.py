"""``init`` then ``run`` on exports in the shapes real systems produce, against a ground truth.

Harbour Energy (invented here, unlike the demo): a CRM report with one date column per
milestone (local Amsterdam time, empty = not reached) and a membership number two people
share; a contact-centre export that is one JSON array document, keyed by phone numbers in
national format; a subscriptions API page (records under ``data.items``) with e-mails, phone
numbers in E.164 and epoch microseconds. The only edit after ``init`` is filling
``stage:``/``team:``; the journeys, events and UTC timestamps must equal the truth written
here, the one bad record (a call without a number) is the only row quarantined, and
``check`` names exactly the rows ``run`` quarantines.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from journey_mining.checking import check_pipeline, quarantined_rows
from journey_mining.cli import app

runner = CliRunner()

DEALS = (
    "Deal Number,Contact Email,Membership No,Created Date,Quote Date,Signed Date\n"
    "DL-1,ann@harbour.nl,M-100,2025-01-10 09:00,2025-01-20 14:30,2025-06-02 10:00\n"
    "DL-2,bo@harbour.nl,M-100,2025-02-01 11:00,,\n"
    "DL-3,cy@harbour.nl,M-200,2025-03-03 08:15,2025-07-01 16:45,\n"
    "DL-4,dee@harbour.nl,M-200,2025-04-04 12:00,2025-04-05 12:00,2025-04-06 12:00\n"
)
CALLS = [
    {"call_id": "CC-1", "phone": "06 12345678", "startedAt": "2025-01-15T10:00:00+01:00",
     "outcome": "answered"},
    {"call_id": "CC-2", "phone": "06-23456789", "startedAt": "2025-02-02T09:30:00+01:00",
     "outcome": "missed"},
    {"call_id": "CC-3", "phone": "0634567890", "startedAt": "2025-07-02T09:00:00+02:00",
     "outcome": "answered"},
    {"call_id": "CC-4", "phone": "", "startedAt": "2025-07-03T09:00:00+02:00",
     "outcome": "missed"},
]  # fmt: skip


def micros(text: str) -> int:
    moment = datetime.fromisoformat(text)
    return int(moment.timestamp()) * 1_000_000 + moment.microsecond


SUBSCRIPTIONS = [
    ("S-1", "ann@harbour.nl", "+31612345678", "activated", "2025-01-12T10:00:00.123456+00:00"),
    ("S-2", "bo@harbour.nl", "+31623456789", "activated", "2025-02-03T08:00:00+00:00"),
    ("S-3", "cy@harbour.nl", "+31634567890", "activated", "2025-03-05T07:30:00+00:00"),
    ("S-1", "ann@harbour.nl", "+31612345678", "cancelled", "2025-08-01T12:00:00+00:00"),
]
TRUTH = {
    "ann@harbour.nl": [
        ("created", "2025-01-10 08:00:00.000000"),
        ("activated", "2025-01-12 10:00:00.123456"),
        ("answered", "2025-01-15 09:00:00.000000"),
        ("quote", "2025-01-20 13:30:00.000000"),
        ("signed", "2025-06-02 08:00:00.000000"),
        ("cancelled", "2025-08-01 12:00:00.000000"),
    ],
    "bo@harbour.nl": [
        ("created", "2025-02-01 10:00:00.000000"),
        ("missed", "2025-02-02 08:30:00.000000"),
        ("activated", "2025-02-03 08:00:00.000000"),
    ],
    "cy@harbour.nl": [
        ("created", "2025-03-03 07:15:00.000000"),
        ("activated", "2025-03-05 07:30:00.000000"),
        ("quote", "2025-07-01 14:45:00.000000"),
        ("answered", "2025-07-02 07:00:00.000000"),
    ],
    "dee@harbour.nl": [
        ("created", "2025-04-04 10:00:00.000000"),
        ("quote", "2025-04-05 10:00:00.000000"),
        ("signed", "2025-04-06 10:00:00.000000"),
    ],
}


def harbour(root: Path) -> Path:
    exports = root / "exports"
    for folder in ("crm", "contact_centre", "api"):
        (exports / folder).mkdir(parents=True)
    (exports / "crm" / "deal_funnel.csv").write_text(DEALS, encoding="utf-8")
    (exports / "contact_centre" / "contacts_export.json").write_text(
        json.dumps(CALLS, indent=2), encoding="utf-8"
    )
    items = [
        {"subscription": s, "email": e, "mobile": m, "event": a, "ts": micros(t)}
        for s, e, m, a, t in SUBSCRIPTIONS
    ]
    page = {"meta": {"page": 1, "pages": 1}, "data": {"items": items}}
    (exports / "api" / "subscriptions.json").write_text(json.dumps(page), encoding="utf-8")
    return exports


def test_milestones_json_documents_and_phones_init_then_run_give_the_ground_truth(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    exports = harbour(tmp_path)
    monkeypatch.chdir(tmp_path)
    made = runner.invoke(
        app,
        ["init", str(exports), "-o", "pipelines/harbour.yaml", "--timezone", "Europe/Amsterdam"],
    )
    assert made.exit_code == 0, made.output
    pipeline = tmp_path / "pipelines" / "harbour.yaml"
    text = pipeline.read_text(encoding="utf-8")
    assert "needs the loader" not in text
    assert "  link_on: [email, phone]  #" in text
    assert "  phone_region: NL  #" in text and "  attributes: [membership_no]  #" in text
    presets = pipeline.parent / "connectors"
    assert "records: data.items  #" in (presets / "api_subscriptions.yaml").read_text()
    assert "format: epoch_us  #" in (presets / "api_subscriptions.yaml").read_text()
    assert "  Quote Date: quote  #" in (presets / "crm_deal_funnel.yaml").read_text()
    pipeline.write_text(text.replace("stage: , team: }", "stage: own, team: ops}"), "utf-8")

    monkeypatch.chdir(pipeline.parent)
    checked = runner.invoke(app, ["check", "harbour.yaml", "--json"])
    assert checked.exit_code == 0, checked.output
    dry = {s["source"]: s for s in json.loads(checked.stdout)["sources"]}
    assert not (pipeline.parent / "harbour.duckdb").exists()
    run = runner.invoke(app, ["run", "harbour.yaml", "--json", "--strict"])
    assert run.exit_code == 0, run.output
    record = json.loads(run.stdout)
    counts = {s["source"]: (s["rows_read"], s["rows_quarantined"]) for s in record["sources"]}
    # a milestone source's rows are its 9 filled cells; the call without a number is bad
    assert counts == {
        "crm_deal_funnel": (9, 0),
        "contact_centre_contacts_export": (4, 1),
        "api_subscriptions": (4, 0),
    }
    assert {k: (v["rows_read"], v["rows_quarantined"]) for k, v in dry.items()} == counts
    assert record["journeys"] == 4 and record["warnings"] == []

    con = duckdb.connect(str(pipeline.parent / "harbour.duckdb"), read_only=True)
    try:
        got = {
            email: con.execute(
                "SELECT activity, strftime(ts, '%Y-%m-%d %H:%M:%S.%f') FROM mining.journey_events "
                "WHERE customer_id = (SELECT customer_id FROM mining.identity_map "
                "WHERE kind = 'email' AND value = ?) ORDER BY ordinal",
                [email],
            ).fetchall()
            for (email,) in con.execute(
                "SELECT value FROM mining.identity_map WHERE kind = 'email'"
            ).fetchall()
        }
        households = con.execute(
            "SELECT i.value, a.value FROM mining.customer_attributes a JOIN mining.identity_map i "
            "ON i.customer_id = a.customer_id AND i.kind = 'email' "
            "WHERE a.attribute = 'membership_no' ORDER BY 1"
        ).fetchall()
        quarantine = {s: quarantined_rows(con, s) for s in counts}
    finally:
        con.close()
    assert got == TRUTH
    assert households == [
        ("ann@harbour.nl", "M-100"),
        ("bo@harbour.nl", "M-100"),
        ("cy@harbour.nl", "M-200"),
        ("dee@harbour.nl", "M-200"),
    ]
    ((bad,),) = [rows for rows in quarantine.values() if rows]
    assert (bad.file, bad.row, bad.reason) == (
        "contact_centre/contacts_export.json",
        4,
        "missing identifier (none of phone)",
    )
    again = check_pipeline(pipeline, quarantine_rows=100)
    assert {s.source: s.quarantined for s in again.sources} == quarantine
