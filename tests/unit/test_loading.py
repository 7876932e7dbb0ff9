"""Loading export files: quarantine with reasons, transactions, incremental re-runs."""

from __future__ import annotations

import pytest

from journey_mining.errors import MissingColumn, SourceError
from tests.conftest import TinyProject

CONTACTS = """
Record ID,Email,First Name,Last Name,Company Name,Segment,Original Source,Create Date
101, Ann@Acme.com ,Ann,Lee,Acme,SMB,ORGANIC_SEARCH,2025-01-02 09:00:00
102,bob@beta.io,Bob,Ray,Beta,SMB,DIRECT_TRAFFIC,not a date
,,Nobody,Here,Gamma,SMB,DIRECT_TRAFFIC,2025-01-02 09:00:00
103,cy@gamma.org,Cy,Fox,Gamma,SMB,REFERRALS,2025-03-30 01:30:00
"""
TICKETS = (
    '{"id": 1, "ticket_id": 7, "created_at": "2025-01-05T10:00:00+01:00", "event_type": "created", '
    '"status": "new", "requester": {"email": "ANN@acme.com"}, "via": "email"}\n'
    '{"id": 2, "ticket_id": 7, "created_at": "2025-01-05T10:00:00Z", "event_type": "solved", '
    '"status": "solved", "requester": {"email": "ann@acme.com "}, "via": "email"}\n'
    '{"id": 2, "ticket_id": 7, "created_at": "2025-01-05T10:00:00Z", "event_type": "solved", '
    '"status": "solved", "requester": {"email": "ann@acme.com "}, "via": "email"}\n'
    '{"id": 3, "ticket_id": null, "created_at": "2025-01-06T10:00:00Z", "event_type": "created", '
    '"requester": {"email": "bob@beta.io"}, "via": "web"}\n'
    '{"id": 4, "ticket_id": 8, "created_at": "2025-01-0'
)


@pytest.fixture
def project(tiny: TinyProject) -> TinyProject:
    tiny.file("crm/contacts.csv", CONTACTS)
    tiny.file("support/tickets.jsonl", TICKETS)
    tiny.pipeline(
        {
            "sources": [
                {
                    "name": "crm",
                    "preset": "hubspot_contacts",
                    "path": "crm/*.csv",
                    "team": "marketing",
                },
                {
                    "name": "desk",
                    "preset": "zendesk_ticket_events",
                    "path": "support/*.jsonl",
                    "team": "support",
                },
            ],
            "identity": {"link_on": ["email", "crm_contact_id"]},
        }
    )
    return tiny


def test_rows_read_equal_rows_loaded_plus_quarantined(project: TinyProject) -> None:
    result = project.run()
    counts = {s.source: (s.rows_read, s.rows_loaded, s.rows_quarantined) for s in result.sources}
    assert counts == {"crm": (4, 2, 2), "desk": (5, 3, 2)}
    assert project.rows(
        "SELECT source, rows_read, rows_loaded, rows_quarantined FROM mining.run_sources ORDER BY source"
    ) == [("crm", 4, 2, 2), ("desk", 5, 3, 2)]


def test_broken_rows_land_in_quarantine_with_their_reason(project: TinyProject) -> None:
    project.run()
    rows = project.rows(
        "SELECT source, file, row_no, reason FROM mining.quarantine ORDER BY source, row_no"
    )
    assert rows == [
        (
            "crm",
            "crm/contacts.csv",
            2,
            "unparseable timestamp in 'Create Date': 'not a date' (expected format %Y-%m-%d %H:%M:%S)",
        ),
        ("crm", "crm/contacts.csv", 3, "missing identifier (none of Record ID, Email)"),
        ("desk", "support/tickets.jsonl", 4, "missing required value 'ticket_id'"),
        ("desk", "support/tickets.jsonl", 5, "invalid JSON line (truncated or malformed)"),
    ]
    raw = project.rows("SELECT raw_row FROM mining.quarantine WHERE row_no = 5")[0][0]
    assert raw.startswith('{"id": 4, "ticket_id": 8')


def test_resent_row_is_deduplicated_by_event_id(project: TinyProject) -> None:
    project.run()
    assert project.rows("SELECT count(*) FROM raw.desk") == [(3,)]
    assert project.rows("SELECT count(*) FROM staging.stg_desk") == [(2,)]


def test_emails_differing_in_case_and_space_are_one_customer(project: TinyProject) -> None:
    project.run()
    rows = project.rows(
        "SELECT activity, source, ts FROM mining.journey_events WHERE customer_id = "
        "(SELECT customer_id FROM mining.identity_map WHERE value = 'ann@acme.com') ORDER BY ordinal"
    )
    assert [(a, s) for a, s, _ in rows] == [
        ("lead_created", "crm"),
        ("created", "desk"),
        ("solved", "desk"),
    ]


def test_naive_timestamps_take_the_declared_zone_and_offsets_are_honoured(
    project: TinyProject,
) -> None:
    project.run()
    rows = project.rows(
        "SELECT strftime(ts, '%Y-%m-%d %H:%M:%S') FROM mining.journey_events WHERE customer_id = "
        "(SELECT customer_id FROM mining.identity_map WHERE value = 'ann@acme.com') ORDER BY ordinal"
    )
    # 09:00 in New York (EST) is 14:00 UTC; 10:00+01:00 is 09:00 UTC.
    assert rows == [("2025-01-02 14:00:00",), ("2025-01-05 09:00:00",), ("2025-01-05 10:00:00",)]
    dst = project.rows(
        "SELECT strftime(ts, '%H:%M') FROM mining.journey_events j JOIN mining.identity_map m "
        "ON m.customer_id = j.customer_id WHERE m.value = '103'"
    )
    assert dst == [("05:30",)]  # 01:30 EDT (UTC-4) on 2025-03-30


def test_second_run_on_same_files_changes_nothing(project: TinyProject) -> None:
    project.run()
    tables = [
        "mining.journey_events",
        "mining.variants",
        "mining.quarantine",
        "raw.crm",
        "raw.desk",
    ]
    before = {t: project.rows(f"SELECT * FROM {t} ORDER BY ALL") for t in tables}
    second = project.run()
    assert [f.status for s in second.sources for f in s.files] == ["skipped", "skipped"]
    assert second.rows_read == 0
    assert {t: project.rows(f"SELECT * FROM {t} ORDER BY ALL") for t in tables} == before


def test_new_export_file_loads_only_its_rows(project: TinyProject) -> None:
    project.run()
    project.file(
        "crm/contacts_2.csv",
        """
        Record ID,Email,First Name,Last Name,Company Name,Segment,Original Source,Create Date
        104,dee@delta.com,Dee,Ng,Delta,SMB,ORGANIC_SEARCH,2025-02-02 09:00:00
        """,
    )
    result = project.run()
    crm = next(s for s in result.sources if s.source == "crm")
    assert [(f.path, f.status, f.rows_read) for f in crm.files] == [
        ("crm/contacts.csv", "skipped", 0),
        ("crm/contacts_2.csv", "loaded", 1),
    ]
    assert project.rows("SELECT count(*) FROM raw.crm") == [(3,)]


def test_changed_file_is_reloaded_without_duplicates(project: TinyProject) -> None:
    project.run()
    project.file("crm/contacts.csv", CONTACTS.replace("not a date", "2025-01-03 09:00:00"))
    result = project.run()
    crm = next(s for s in result.sources if s.source == "crm")
    assert [(f.status, f.rows_loaded, f.rows_quarantined) for f in crm.files] == [
        ("reloaded", 3, 1)
    ]
    assert project.rows("SELECT count(*) FROM raw.crm") == [(3,)]
    assert project.rows("SELECT count(*) FROM mining.quarantine WHERE source = 'crm'") == [(1,)]


def test_missing_required_column_names_column_and_file_and_writes_nothing(
    project: TinyProject,
) -> None:
    project.file("crm/contacts.csv", "Record ID,Email\n101,ann@acme.com\n")
    with pytest.raises(
        MissingColumn, match=r"contacts.csv: required column 'Create Date' is missing"
    ):
        project.run()
    assert project.rows("SELECT count(*) FROM meta.loaded_files") == [(0,)]
    assert project.rows("SELECT status FROM mining.runs") == [("failed",)]


def test_empty_source_file_loads_no_rows_without_error(project: TinyProject) -> None:
    project.file("support/tickets.jsonl", "")
    result = project.run()
    desk = next(s for s in result.sources if s.source == "desk")
    assert (desk.rows_read, desk.rows_loaded, desk.rows_quarantined) == (0, 0, 0)
    assert project.rows("SELECT count(*) FROM mining.journey_events") == [(2,)]


def test_source_without_matching_file_is_a_clear_error(project: TinyProject) -> None:
    (project.exports / "support" / "tickets.jsonl").unlink()
    with pytest.raises(SourceError, match=r"source 'desk': no file matches .*support/\*\.jsonl"):
        project.run()
