"""Each shipped export preset, on a small sample in that export's real shape.

Every sample (``tests/data/presets/<system>/``) is loaded through the normal pipeline with
``identity.link_on`` set to the preset's identifier kinds. Each pins: rows read = loaded +
quarantined, the quarantined rows are the broken ones (with their reasons), and hand-picked
timestamps land in UTC. The real public files for ServiceNow, BPI 2016 and Google Analytics
(``../shared/data``) are loaded too, when present.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

from journey_mining.config import load_pipeline, load_preset
from journey_mining.pipeline import RunResult, run_pipeline
from journey_mining.warehouse import connect

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "presets"
SHARED_DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"
needs_shared_data = pytest.mark.skipif(
    not SHARED_DATA.is_dir(),
    reason="../shared/data is absent: real public logs are not shipped with the project",
)
TS = "%Y-%m-%d %H:%M:%S.%g"


@dataclass(frozen=True)
class Sample:
    """A preset's sample export and what loading it must give."""

    preset: str
    path: str  # glob under tests/data/presets (or ../shared/data)
    counts: tuple[int, int, int]  # rows read, loaded, quarantined
    quarantined: list[tuple[int, str]]  # (data row, reason)
    timestamps: dict[int, str] = field(default_factory=dict)  # data row → ts in UTC
    # data row → staging's canonical fields (episode, row_team, resource, rating, attr_*)
    canonical: dict[int, dict[str, str | None]] = field(default_factory=dict)


SAMPLE_CASES = [
    Sample(
        "hubspot_engagements",
        "hubspot/engagements.jsonl",
        (6, 4, 2),
        [
            (4, "missing identifier (none of associations.contactIds[0])"),
            (6, "invalid JSON line (truncated or malformed)"),
        ],
        {1: "2025-01-31 14:05:00.000", 3: "2025-02-03 09:00:00.000"},  # epoch ms
        {
            1: {"episode": None, "resource": "70"},  # a call about no deal
            2: {"episode": "9001", "resource": "70"},  # associations.dealIds[0]
        },
    ),
    Sample(
        "hubspot_contacts",
        "hubspot/contacts.csv",
        (5, 3, 2),
        [
            (4, "missing identifier (none of Record ID, Email)"),
            (
                5,
                "unparseable timestamp in 'Create Date': '03/02/2025 08:00' "
                "(expected format %Y-%m-%d %H:%M:%S)",
            ),
        ],
        # naive times in the portal's zone (America/New_York): EST in winter, EDT in summer
        {1: "2025-01-31 14:05:00.000", 3: "2025-07-02 15:30:00.000"},
        {
            1: {
                "episode": None,
                "resource": "Sam Carter",
                "attr_lifecycle_stage": "customer",
                "attr_original_source": "Organic Search",
                "attr_company_size": "51-200",
                "attr_industry": "Software",
            },
            3: {
                "resource": None,
                "attr_lifecycle_stage": "lead",
                "attr_original_source": "Direct Traffic",
                "attr_company_size": None,  # an empty cell is no value
                "attr_industry": None,
            },
        },
    ),
    Sample(
        "salesforce_lead_history",
        "salesforce/LeadHistory.csv",
        (9, 6, 3),
        [
            (7, "missing identifier (none of LeadId)"),
            (
                8,
                "unparseable timestamp in 'CreatedDate': '04/02/2025 09:15' (expected format iso)",
            ),
            (9, "missing activity value"),
        ],
        {2: "2025-01-31 14:20:30.000", 5: "2025-02-03 16:45:10.000"},  # …000+0000
        {
            2: {"episode": "00Q5g00000XyZ1AEAV", "resource": "0055g00000AbCdEAAV"},
            6: {"episode": "00Q5g00000XyZ2AEAV", "row_team": None, "rating": None},
        },
    ),
    Sample(
        "salesforce_opportunity_field_history",
        "salesforce/OpportunityFieldHistory.csv",
        (6, 5, 1),
        [(6, "missing timestamp 'CreatedDate'")],
        {4: "2025-02-03 16:45:10.000", 5: "2025-02-04 08:30:00.000"},
        {
            4: {"episode": "0065g00000Op1AAAAZ", "resource": "0055g00000QrStUAAV"},
            5: {"episode": "0065g00000Op2AAAAZ", "resource": "0055g00000AbCdEAAV"},
        },
    ),
    Sample(
        "zendesk_ticket_audits",
        "zendesk/ticket_audit_events.jsonl",
        (9, 7, 2),
        [
            (8, "missing timestamp 'created_at'"),
            (9, "invalid JSON line (truncated or malformed)"),
        ],
        {1: "2025-01-31 14:05:00.000", 4: "2025-01-31 14:20:30.000"},
        {
            4: {"episode": "4711", "resource": "361001", "rating": None},
            # the customer's SatisfactionRating audit: its score is the rating
            6: {"episode": "4711", "resource": "900001", "rating": "good"},
            7: {"episode": "4712", "resource": "900002"},
        },
    ),
    Sample(
        "servicenow_incident_log",
        "servicenow/incident_event_log.csv",
        (10, 7, 3),
        [
            (7, "missing timestamp 'sys_updated_at'"),  # written as ?
            (8, "missing activity value"),  # incident_state ?
            (
                9,
                "unparseable timestamp in 'sys_updated_at': '31-02-2016 09:52' "
                "(expected format %d-%m-%Y %H:%M)",
            ),
        ],
        # day-first: 29 February (leap day) and 5 March, not 3 May
        {1: "2016-02-29 01:23:00.000", 4: "2016-03-05 12:00:00.000"},
        {
            1: {"episode": "INC9000045", "row_team": "Group 56", "resource": None},  # ?
            6: {"episode": "INC9000047", "row_team": "Group 70", "resource": "Resolver 89"},
        },
    ),
    Sample(
        "intercom_conversation_parts",
        "intercom/conversation_parts.jsonl",
        (7, 5, 2),
        [
            (6, "missing timestamp 'created_at'"),
            (7, "invalid JSON line (truncated or malformed)"),
        ],
        {1: "2025-01-31 14:05:00.000", 5: "2025-02-03 16:45:10.000"},  # epoch s
        {
            1: {"episode": "501", "resource": "5f9a1c"},  # the user
            2: {"episode": "501", "resource": "814860"},  # the teammate
            5: {"episode": "502", "resource": "6b2e07"},
        },
    ),
    Sample(
        "amplitude_events",
        "amplitude/*.json",
        (6, 4, 2),
        [
            (5, "missing required value '$insert_id'"),
            (6, "invalid JSON line (truncated or malformed)"),
        ],
        {1: "2025-01-31 14:05:00.123", 3: "2025-02-03 09:00:00.500"},  # naive = UTC
        {
            1: {"episode": "1738332299864", "attr_country": "Netherlands", "attr_platform": "Web"},
            3: {"episode": "1738573199000"},
        },
    ),
    Sample(
        "mixpanel_events",
        "mixpanel/export_*.json",
        (6, 4, 2),
        [
            (5, "missing timestamp 'properties.time'"),
            (6, "invalid JSON line (truncated or malformed)"),
        ],
        {2: "2025-01-31 14:20:30.000"},
        {2: {"episode": None, "attr_country": "NL"}, 3: {"attr_country": None}},
    ),
    Sample(
        "google_analytics_hits",
        "google_analytics/all_sessions.csv",
        (6, 4, 2),
        [
            (5, "missing timestamp offset 'time'"),
            (6, "missing identifier (none of fullVisitorId)"),
        ],
        # visit start 1473757371 (2016-09-13 09:02:51 UTC) + 122,213 ms into the visit
        {1: "2017-02-10 16:41:48.000", 4: "2016-09-13 09:04:53.213"},
        {
            1: {"episode": "1486744908", "attr_country": "Switzerland"},
            4: {"episode": "1473757371", "attr_country": "Serbia"},
        },
    ),
    Sample(
        "bpi2016_complaints",
        "bpi2016/BPI2016_Complaints.csv",
        (5, 3, 2),
        [
            (4, "missing identifier (none of CustomerID)"),
            (
                5,
                "unparseable timestamp in 'ContactDate': '2016-02-30' (expected format %Y-%m-%d)",
            ),
        ],
        {1: "2016-01-12 23:00:00.000"},  # date only: midnight in Amsterdam (CET)
        {
            2: {"episode": "902", "attr_age_category": "50-65", "attr_gender": "M"},
            3: {"episode": "903", "attr_age_category": "30-39"},
        },
    ),
]
SAMPLE_CASES += [
    Sample(
        "generic_events",
        "generic/events.csv",
        (7, 4, 3),
        [
            (5, "missing identifier (none of email, user_id)"),
            (6, "missing activity value"),
            (
                7,
                "unparseable timestamp in 'timestamp': '04/02/2025 12:00' (expected format iso)",
            ),
        ],
        # Z, an offset, naive (UTC) and milliseconds
        {
            1: "2025-01-31 14:05:00.000",
            2: "2025-01-31 14:05:00.000",
            3: "2025-02-03 09:00:00.000",
            4: "2025-02-03 10:00:00.500",
        },
        # the export names none of them: the staging view still has the columns, all NULL
        {1: {"episode": None, "row_team": None, "resource": None, "rating": None}},
    ),
    Sample(
        "event_log_csv",
        "event_log/running_example.csv",
        (7, 5, 2),
        [
            (6, "missing identifier (none of case:concept:name)"),
            (7, "missing timestamp 'time:timestamp'"),
        ],
        {1: "2010-12-30 13:32:00.000", 4: "2010-12-30 10:02:00.000"},
        {1: {"resource": "Pete", "episode": None}, 2: {"resource": "Mike"}},
    ),
    Sample(
        "xes_lifecycle_event_log",
        "xes/bpic_lifecycle.xes",
        (6, 5, 1),
        [(6, "missing timestamp 'time:timestamp'")],
        {1: "2011-09-30 22:38:44.546", 3: "2011-09-30 22:41:07.000"},
        # org:resource where the event has one; no event has org:group
        {1: {"resource": "112", "row_team": None}, 2: {"resource": "10862"}, 4: {"resource": None}},
    ),
    Sample(
        "xes_event_log",
        "xes/simple_log.xes",
        (4, 3, 1),
        [(4, "missing timestamp 'time:timestamp'")],
        {1: "2025-01-31 13:05:00.000", 3: "2025-02-02 10:00:00.000"},
        {1: {"resource": None, "row_team": None}},  # no org:* attributes in this log
    ),
]
BY_PRESET = {case.preset: case for case in SAMPLE_CASES}


@dataclass
class Loaded:
    """One pipeline run over one preset's files, and its warehouse."""

    sample: Sample
    result: RunResult
    warehouse: Path

    def rows(self, sql: str, parameters: list[Any] | None = None) -> list[tuple[Any, ...]]:
        con = connect(self.warehouse, read_only=True)
        try:
            return con.execute(sql, parameters or []).fetchall()
        finally:
            con.close()

    def journey(self, kind: str, value: str) -> list[str]:
        """The activities, in order, of the customer holding identifier ``kind: value``."""
        rows = self.rows(
            "SELECT list(activity ORDER BY ordinal) FROM mining.journey_events WHERE customer_id "
            "= (SELECT customer_id FROM mining.identity_map WHERE kind = ? AND value = ?)",
            [kind, value],
        )
        return list(rows[0][0] or [])


def _load(sample: Sample, data_dir: Path, root: Path) -> Loaded:
    kinds = list(load_preset(sample.preset).identifiers)
    pipeline = {
        "name": f"sample_{sample.preset}",
        "warehouse": str(root / "w.duckdb"),
        "sources": [{"name": "export", "preset": sample.preset, "path": sample.path}],
        "identity": {"link_on": kinds},
    }
    (root / "pipeline.yaml").write_text(yaml.safe_dump(pipeline), encoding="utf-8")
    result = run_pipeline(load_pipeline(root / "pipeline.yaml"), data_dir=data_dir)
    return Loaded(sample, result, root / "w.duckdb")


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Loaded]:
    """Load a preset's sample once per module, on first use."""
    cache: dict[str, Loaded] = {}

    def get(preset: str) -> Loaded:
        if preset not in cache:
            cache[preset] = _load(BY_PRESET[preset], SAMPLES, tmp_path_factory.mktemp(preset))
        return cache[preset]

    return get


def _file_of(run: Loaded) -> str:
    (source,) = run.result.sources
    (file,) = source.files
    return file.path


CASE_IDS = [case.preset for case in SAMPLE_CASES]


@pytest.mark.parametrize("preset", CASE_IDS)
def test_sample_rows_read_equal_loaded_plus_quarantined(
    loaded: Callable[[str], Loaded], preset: str
) -> None:
    run = loaded(preset)
    (source,) = run.result.sources
    assert (source.rows_read, source.rows_loaded, source.rows_quarantined) == run.sample.counts
    assert source.rows_read == source.rows_loaded + source.rows_quarantined


@pytest.mark.parametrize("preset", CASE_IDS)
def test_sample_broken_rows_are_quarantined_with_their_reason(
    loaded: Callable[[str], Loaded], preset: str
) -> None:
    run = loaded(preset)
    rows = run.rows("SELECT file, row_no, reason FROM mining.quarantine ORDER BY row_no")
    file = _file_of(run)
    assert rows == [(file, row, reason) for row, reason in run.sample.quarantined]


@pytest.mark.parametrize("preset", CASE_IDS)
def test_sample_timestamps_land_in_utc(loaded: Callable[[str], Loaded], preset: str) -> None:
    run = loaded(preset)
    file = _file_of(run)
    for row, expected in run.sample.timestamps.items():
        got = run.rows(
            f"SELECT strftime(ts, '{TS}') FROM mining.journey_events WHERE source_ref = ?",
            [f"{file}:{row}"],
        )
        assert got == [(expected,)], f"{preset} row {row}"


@pytest.mark.parametrize("preset", CASE_IDS)
def test_sample_canonical_fields_reach_staging(
    loaded: Callable[[str], Loaded], preset: str
) -> None:
    run = loaded(preset)
    assert run.sample.canonical, f"{preset}: no canonical field pinned"
    for row, expected in run.sample.canonical.items():
        columns = ", ".join(expected)
        got = run.rows(f"SELECT {columns} FROM staging.stg_export WHERE row_no = ?", [row])
        assert got == [tuple(expected.values())], f"{preset} row {row}"


def test_staging_views_have_the_fixed_columns_then_identifiers_then_attributes(
    loaded: Callable[[str], Loaded],
) -> None:
    run = loaded("hubspot_contacts")
    columns = run.rows(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = 'staging' "
        "AND table_name = 'stg_export' ORDER BY ordinal_position"
    )
    assert [c for (c,) in columns] == [
        "source",
        "system",
        "file",
        "row_no",
        "event_id",
        "ts",
        "source_seq",
        "source_activity",
        "source_channel",
        "account_name",
        "is_event",
        "episode",
        "row_team",
        "resource",
        "rating",
        "id_crm_contact_id",
        "id_email",
        "attr_lifecycle_stage",
        "attr_original_source",
        "attr_company_size",
        "attr_industry",
    ]


# --- what each preset maps, beyond the shared checks ---------------------------------------


def test_hubspot_engagement_belongs_to_its_first_contact_and_resent_page_is_kept_once(
    loaded: Callable[[str], Loaded],
) -> None:
    run = loaded("hubspot_engagements")
    assert run.journey("crm_contact_id", "501") == ["CALL", "EMAIL"]
    assert run.journey("crm_contact_id", "502") == ["MEETING"]
    assert run.rows("SELECT count(*) FROM mining.journey_events") == [(3,)]


def test_salesforce_lead_status_changes_are_the_events(loaded: Callable[[str], Loaded]) -> None:
    run = loaded("salesforce_lead_history")
    assert run.journey("salesforce_lead_id", "00Q5g00000XyZ1AEAV") == [
        "Status:Working - Contacted",
        "Status:Closed - Converted",
    ]
    # the created and Owner rows land (and link the lead) without being events
    assert run.rows('SELECT "Field", count(*) FROM raw.export GROUP BY ALL ORDER BY ALL') == [
        ("Owner", 2),
        ("Status", 3),
        ("created", 1),
    ]


def test_salesforce_opportunity_stage_changes_are_the_events(
    loaded: Callable[[str], Loaded],
) -> None:
    run = loaded("salesforce_opportunity_field_history")
    assert run.journey("salesforce_opportunity_id", "0065g00000Op1AAAAZ") == [
        "StageName:Proposal/Price Quote",
        "StageName:Closed Won",
    ]
    assert run.journey("salesforce_opportunity_id", "0065g00000Op2AAAAZ") == [
        "StageName:Closed Lost"
    ]


def test_zendesk_audit_status_changes_are_events_with_their_channel(
    loaded: Callable[[str], Loaded],
) -> None:
    run = loaded("zendesk_ticket_audits")
    assert run.journey("zendesk_ticket_id", "4711") == [
        "status:new",
        "status:open",
        "status:solved",
    ]
    channels = run.rows(
        "SELECT list(channel ORDER BY ordinal) FROM mining.journey_events WHERE customer_id = "
        "(SELECT customer_id FROM mining.identity_map WHERE value = '4711')"
    )
    assert channels == [(["email", "web", "web"],)]


def test_servicenow_caller_incidents_form_one_journey_ordered_by_mod_count(
    loaded: Callable[[str], Loaded],
) -> None:
    run = loaded("servicenow_incident_log")
    # INC9000047's Active (mod 1) is written before its New (mod 0), in the same minute
    assert run.journey("servicenow_caller", "Caller 9403") == [
        "New",
        "New",
        "Active",
        "Resolved",
        "Resolved",
        "Closed",
    ]
    assert run.journey("servicenow_incident", "INC9000057") == ["New"]


def test_intercom_teammate_email_does_not_join_conversations(
    loaded: Callable[[str], Loaded],
) -> None:
    run = loaded("intercom_conversation_parts")
    # parts 7002 and 7003 share a second: the part id orders them
    assert run.journey("intercom_conversation_id", "501") == [
        "user:comment",
        "admin:assignment",
        "admin:comment",
        "admin:close",
    ]
    assert run.journey("intercom_conversation_id", "502") == ["lead:comment"]
    assert run.rows("SELECT count(*) FROM mining.journeys") == [(2,)]


def test_amplitude_anonymous_device_events_join_the_user_and_resent_event_is_kept_once(
    loaded: Callable[[str], Loaded],
) -> None:
    run = loaded("amplitude_events")
    assert run.journey("product_user_id", "u-42") == [
        "[Amplitude] Page Viewed",
        "Signed Up",
        "Plan Upgraded",
    ]
    assert run.rows("SELECT count(*) FROM mining.journey_events") == [(3,)]


def test_mixpanel_anonymous_device_events_join_the_user_and_resent_event_is_kept_once(
    loaded: Callable[[str], Loaded],
) -> None:
    run = loaded("mixpanel_events")
    assert run.journey("product_user_id", "u-42") == [
        "$mp_web_page_view",
        "Sign Up",
        "Plan Upgraded",
    ]
    assert run.rows("SELECT count(*) FROM mining.journey_events") == [(3,)]


def test_google_analytics_visitor_ids_stay_exact_text(loaded: Callable[[str], Loaded]) -> None:
    run = loaded("google_analytics_hits")
    # leading zero kept; 9242525754496359228 is above the largest 64-bit integer
    assert run.journey("ga_visitor_id", "0352818419931900701") == ["PAGE:0", "PAGE:2", "EVENT:3"]
    assert run.journey("ga_visitor_id", "9242525754496359228") == ["PAGE:0"]


def test_generic_events_link_an_email_and_a_user_id_named_on_one_row(
    loaded: Callable[[str], Loaded],
) -> None:
    run = loaded("generic_events")
    # Ann@Acme.com (lower-cased) and u-42 on row 2 make rows 1-3 one customer
    assert run.journey("product_user_id", "u-42") == ["Signed Up", "Logged In", "Report Created"]
    assert run.journey("email", "bo@acme.com") == ["Signed Up"]


def test_xes_lifecycle_transitions_are_part_of_the_activity(
    loaded: Callable[[str], Loaded],
) -> None:
    run = loaded("xes_lifecycle_event_log")
    assert run.journey("case_id", "A1") == [
        "A_SUBMITTED+complete",
        "W_Afhandelen leads+start",
        "W_Afhandelen leads+complete",
    ]


def test_bpi2016_latin1_text_is_decoded(loaded: Callable[[str], Loaded]) -> None:
    run = loaded("bpi2016_complaints")
    assert run.journey("uwv_customer_id", "1900001") == [
        "(Revision) Decision not/too late taken",
        "angry call termination",
    ]
    assert run.rows('SELECT "ComplaintTopic" FROM raw.export WHERE "ComplaintID" = \'931\'') == [
        ("boos over beëindiging gesprek",)
    ]


# --- the real public exports ---------------------------------------------------------------

REAL_CASES = [
    Sample(
        "servicenow_incident_log",
        "servicenow_incident_event_log.csv.gz",
        (5998, 5998, 0),
        [],
        {1: "2016-02-29 01:23:00.000", 4: "2016-03-05 12:00:00.000"},
    ),
    Sample(
        "bpi2016_complaints",
        "BPI2016_Complaints.csv",
        (289, 289, 0),
        [],
        {1: "2016-01-11 23:00:00.000", 4: "2015-12-10 23:00:00.000"},
    ),
    Sample(
        "google_analytics_hits",
        "ga_merch_store_all_sessions.csv.gz",
        (15134, 15134, 0),
        [],
        {1: "2016-09-13 09:04:53.213"},
    ),
]


@pytest.fixture(scope="module")
def loaded_real(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Loaded]:
    cache: dict[str, Loaded] = {}

    def get(preset: str) -> Loaded:
        if preset not in cache:
            sample = next(case for case in REAL_CASES if case.preset == preset)
            root = tmp_path_factory.mktemp(f"real_{preset}")
            cache[preset] = _load(sample, SHARED_DATA, root)
        return cache[preset]

    return get


REAL_IDS = [case.preset for case in REAL_CASES]


@needs_shared_data
@pytest.mark.shared_data
@pytest.mark.parametrize("preset", REAL_IDS)
def test_real_export_every_row_is_loaded(loaded_real: Callable[[str], Loaded], preset: str) -> None:
    run = loaded_real(preset)
    (source,) = run.result.sources
    assert (source.rows_read, source.rows_loaded, source.rows_quarantined) == run.sample.counts
    assert run.rows("SELECT count(*) FROM mining.quarantine") == [(0,)]


@needs_shared_data
@pytest.mark.shared_data
@pytest.mark.parametrize("preset", REAL_IDS)
def test_real_export_timestamps_land_in_utc(
    loaded_real: Callable[[str], Loaded], preset: str
) -> None:
    run = loaded_real(preset)
    file = _file_of(run)
    for row, expected in run.sample.timestamps.items():
        got = run.rows(
            f"SELECT strftime(ts, '{TS}') FROM mining.journey_events WHERE source_ref = ?",
            [f"{file}:{row}"],
        )
        assert got == [(expected,)], f"{preset} row {row}"


@needs_shared_data
@pytest.mark.shared_data
def test_real_servicenow_has_every_incident_and_one_journey_per_caller(
    loaded_real: Callable[[str], Loaded],
) -> None:
    run = loaded_real("servicenow_incident_log")
    assert run.rows(
        "SELECT count(DISTINCT value) FROM mining.identity_map WHERE kind = 'servicenow_incident'"
    ) == [(890,)]
    assert run.rows("SELECT count(DISTINCT activity) FROM mining.journey_events") == [(8,)]
    # incident and caller are both linked: one journey per caller (639 callers)
    assert run.rows("SELECT count(*) FROM mining.journeys") == [(639,)]


@needs_shared_data
@pytest.mark.shared_data
def test_real_bpi2016_customers_are_journeys(loaded_real: Callable[[str], Loaded]) -> None:
    run = loaded_real("bpi2016_complaints")
    assert run.rows("SELECT count(*) FROM mining.journeys") == [(226,)]
    assert run.rows("SELECT count(DISTINCT activity) FROM mining.journey_events") == [(70,)]


@needs_shared_data
@pytest.mark.shared_data
def test_real_google_analytics_visitor_ids_are_exact(loaded_real: Callable[[str], Loaded]) -> None:
    run = loaded_real("google_analytics_hits")
    assert run.rows("SELECT count(*) FROM mining.journeys") == [(14_223,)]
    assert run.rows(
        "SELECT value FROM mining.identity_map WHERE value IN "
        "('0352818419931900701', '9242525754496359228') ORDER BY value"
    ) == [("0352818419931900701",), ("9242525754496359228",)]
