"""Seeded generator of the shipped demo dataset: "Northwind Analytics", a fictional B2B SaaS.

Three systems each export files that look like the real thing::

    crm/contacts.csv               HubSpot contacts export (naive America/New_York times)
    crm/deal_stage_history.csv     HubSpot deal stage history (naive America/New_York times)
    support/ticket_events.jsonl    Zendesk-like ticket events (ISO 8601, mixed UTC offsets)
    product/segment_events.jsonl   Segment track + identify calls (ISO UTC, milliseconds, Z)
    ground_truth.json              what was planted: `DemoGroundTruth` dumped as JSON

One CRM contact is one customer. The journey, with suggested canonical activity names::

    lead_created            contact Create Date
    webinar_attended        Segment "Webinar Attended" (~20%, between lead and the first deal stage)
    demo_scheduled          deal stage appointmentscheduled (~15% of contacts never get a deal)
    contract_sent           deal stage contractsent
    deal_won / deal_lost    deal stage closedwon (~70%) / closedlost (~30%, journey ends)
    workspace_created       Segment "Workspace Created" (every won customer, ~2 days after closedwon)
    onboarding_started      Segment "Onboarding Started" (often in the same millisecond as above)
    onboarding_completed    Segment "Onboarding Completed" (~85% of those who start)
    teammate_invited        Segment "Teammate Invited" (~80% of completers, either order with
    report_created          Segment "Report Created"    ~80% of completers)
    plan_upgraded           Segment "Plan Upgraded": the goal (~55% of completers without friction)
    ticket_opened           ticket event_type "created"
    ticket_status_changed   ticket event_type "status_changed"
    ticket_solved           ticket event_type "solved"
    ticket_reopened         ticket event_type "reopened"
    satisfaction_rated      ticket event_type "satisfaction_rated"

Customers are joined across systems by email only: each system holds its own copy of
``firstname.lastname@company-domain.com`` with different letter case and leading/trailing
spaces (the CRM copy is plain in ~70% of rows), so joins must trim and lower-case. About 5%
of product users never send an identify call, so their tracks cannot be linked to a contact.
About 30% of customers who start onboarding open a general support ticket at a uniformly
random time in the 90 days after Onboarding Started, independent of the friction below.

Planted friction (also listed in ``DemoGroundTruth.planted_friction`` with exact counts). Only
``onboarding_ticket`` and ``slow_sales_handoff`` change the goal rate (findings); the others
are ways journeys differ from the happy path (deviations) or where they stop (funnel). The
general tickets at random times, webinars and the acquisition source change nothing: no finding
may be made of them.

* ``onboarding_ticket``: ~25% of customers who start onboarding open a ticket between
  Onboarding Started and Onboarding Completed. They complete onboarding ~8 days later than
  the others and upgrade at ~20% instead of ~55%. Signal: a finding, ``ticket_opened`` while
  waiting for ``onboarding_completed``.
* ``slow_sales_handoff``: for Enterprise customers, closedwon -> Onboarding Started takes
  ~12 days (median) instead of ~2, and they upgrade at ~35%. Signal: a slow_handoff finding on
  ``onboarding_started``; conformance deviation ``timed_out`` against a 7-day allowance.
* ``reopen_loop``: ~35% of solved tickets are reopened and solved again. Signal: deviation
  ``repeated`` on ``ticket_solved``.
* ``smb_skips_demo``: ~60% of SMB deals have no appointmentscheduled row and start at
  contractsent. Signal: deviation ``skipped`` on ``demo_scheduled``.
* ``lost_after_contract``: the ~30% of deals that end closedlost after contractsent.
  Signal: the funnel's journeys stopped at ``contract_sent``.

Timestamp ties are planted, never jittered away: Workspace Created and Onboarding Started in
the same millisecond (~60%), a ticket's created and first status_changed in the same second
(~55%), Teammate Invited and Report Created in the same millisecond (~40% of pairs), and
contractsent and closedwon/closedlost in the same second (~15%). Together about 10% of the
events share their timestamp with the same customer's previous event in the same system.

Broken rows are *extra* rows (no customer's journey loses an event to them):

* contacts.csv: 3 rows with empty Record ID and empty Email.
* deal_stage_history.csv: 4 re-sent stage rows whose Stage Entered At is unparseable
  (``not a date``, ``2025-02-30 10:00:00``, empty, ``31/12/2025 10:00``), each right after
  the row it copies.
* ticket_events.jsonl: 2 events with ``"ticket_id": null``; the last line of the file is a
  further event cut off mid-object (no closing brace, no trailing newline). ~1% of the
  lines are re-sent verbatim (same ``id``) a little later in the file.
* segment_events.jsonl: 2 tracks without ``userId`` and 1 track with ``"timestamp":
  "yesterday"``. ~0.5% of the tracks are re-sent verbatim (same ``messageId``) later.

Everything is drawn from one ``numpy.random.Generator`` seeded with ``seed``, per journey
step over whole arrays (no per-customer Python loop), so the same ``seed`` and ``customers``
give byte-identical files and 200,000 customers take seconds.

Example:
    >>> import tempfile
    >>> truth = generate_demo(Path(tempfile.mkdtemp()), customers=50, seed=1)
    >>> truth.files["crm/contacts.csv"].rows
    53
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from journey_mining.errors import ConfigError

__all__ = [
    "BrokenRow",
    "DemoGroundTruth",
    "FileTruth",
    "PlantedFriction",
    "generate_demo",
]

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
ObjArray = npt.NDArray[np.object_]

PORTAL_TZ = "America/New_York"
CONTACTS_FILE = "crm/contacts.csv"
DEALS_FILE = "crm/deal_stage_history.csv"
TICKETS_FILE = "support/ticket_events.jsonl"
SEGMENT_FILE = "product/segment_events.jsonl"

CONTACTS_HEADER = (
    "Record ID,Email,First Name,Last Name,Company Name,Segment,Original Source,Create Date"
)
DEALS_HEADER = "Deal ID,Associated Contact ID,Deal Stage,Stage Entered At,Pipeline"

_MS_S = 1_000
_MS_MIN = 60_000
_MS_H = 3_600_000
_MS_D = 86_400_000
_START_MS = int(pd.Timestamp("2025-01-01", tz=PORTAL_TZ).value // 1_000_000)
_END_MS = int(pd.Timestamp("2025-10-01", tz=PORTAL_TZ).value // 1_000_000)

# --- vocabulary (plain ASCII letters only: lines are assembled without escaping) -------------


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


_FIRST_NAMES = _words(
    "James Mary Robert Patricia John Jennifer Michael Linda David Elizabeth William Barbara "
    "Richard Susan Joseph Jessica Thomas Sarah Charles Karen Christopher Lisa Daniel Nancy "
    "Matthew Betty Anthony Sandra Mark Margaret Donald Ashley Steven Kimberly Andrew Emily "
    "Paul Donna Joshua Michelle Kenneth Carol Kevin Amanda Brian Melissa George Deborah "
    "Timothy Stephanie Ronald Rebecca Jason Sharon Edward Laura Jeffrey Cynthia Ryan Amy "
    "Jacob Kathleen Gary Angela Nicholas Shirley Eric Brenda Jonathan Emma Stephen Anna "
    "Larry Pamela Justin Nicole Scott Samantha Brandon Katherine Benjamin Christine Samuel "
    "Helen Gregory Debra Alexander Rachel Patrick Carolyn Frank Janet Raymond Maria Jack "
    "Olivia Dennis Heather Jerry Diane Tyler Julie Aaron Joyce Jose Victoria Adam Ruth Nathan "
    "Virginia Henry Lauren Zachary Kelly Douglas Christina Peter Joan Kyle Evelyn Noah Judith "
    "Ethan Andrea Jeremy Hannah Walter Megan Christian Cheryl Keith Jacqueline Roger Martha "
    "Terry Madison Austin Teresa Sean Gloria Gerald Sara Carl Janice Harold Ann Dylan Kathryn "
    "Arthur Abigail Lawrence Sophia Jordan Frances Jesse Jean Bryan Alice Billy Judy Bruce "
    "Isabella Gabriel Julia Joe Grace Logan Amber Alan Denise Juan Danielle Albert Marilyn "
    "Willie Beverly Elijah Charlotte Wayne Natalie Randy Theresa Vincent Diana Mason Brittany "
    "Roy Doris Ralph Kayla Bobby Alexis Russell Lori Bradley Marie Philip Priya Arjun Mei Wei "
    "Yuki Hiro Fatima Omar Aisha Ahmed Ines Lucas Chloe Hugo Lea Mateo Sofia Lars Freya Nils "
    "Ingrid Pablo Lucia Diego Elena Kwame Amara Tariq Leila Rohan Ananya Kenji Sakura"
)

_LAST_NAMES = _words(
    "Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez "
    "Lopez Gonzalez Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson "
    "White Harris Sanchez Clark Ramirez Lewis Robinson Walker Young Allen King Wright Scott "
    "Torres Nguyen Hill Flores Green Adams Nelson Baker Hall Rivera Campbell Mitchell Carter "
    "Roberts Gomez Phillips Evans Turner Diaz Parker Cruz Edwards Collins Reyes Stewart Morris "
    "Morales Murphy Cook Rogers Gutierrez Ortiz Morgan Cooper Peterson Bailey Reed Kelly "
    "Howard Ramos Kim Cox Ward Richardson Watson Brooks Chavez Wood James Bennett Gray "
    "Mendoza Ruiz Hughes Price Alvarez Castillo Sanders Patel Myers Long Ross Foster Jimenez "
    "Powell Jenkins Perry Russell Sullivan Bell Coleman Butler Henderson Barnes Gonzales "
    "Fisher Vasquez Simmons Romero Jordan Patterson Alexander Hamilton Graham Reynolds Griffin "
    "Wallace Moreno West Cole Hayes Bryant Herrera Gibson Ellis Tran Medina Aguilar Stevens "
    "Murray Ford Castro Marshall Owens Harrison Fernandez Mcdonald Woods Washington Kennedy "
    "Wells Vargas Henry Chen Freeman Webb Tucker Guzman Burns Crawford Olson Simpson Porter "
    "Hunter Gordon Mendez Silva Shaw Snyder Mason Dixon Munoz Hunt Hicks Holmes Palmer Wagner "
    "Black Robertson Boyd Rose Stone Salazar Fox Warren Mills Meyer Rice Schmidt Garza Daniels "
    "Ferguson Nichols Stephens Soto Weaver Ryan Gardner Payne Grant Dunn Kelley Spencer "
    "Hawkins Arnold Pierce Vazquez Hansen Peters Santos Hart Bradley Knight Elliott Cunningham "
    "Duncan Armstrong Hudson Carroll Lane Riley Andrews Alvarado Ray Delgado Berry Perkins "
    "Hoffman Johnston Matthews Pena Richards Contreras Willis Carpenter Lawrence Sandoval "
    "Yamamoto Tanaka Suzuki Singh Sharma Gupta Khan Ali Novak Kowalski Larsen Berg Dubois "
    "Moreau Rossi Bianchi Muller Schneider Fischer Weber Okafor Mensah Haddad Nasser Ivanova"
)

_COMPANY_ADJ = _words(
    "Blue Red Green Silver Golden Bright Swift Clear True North South East West Iron Stone "
    "Cedar Maple Oak Pine River Lake Harbor Summit Peak Valley Prairie Coastal Urban Rapid "
    "Quantum Stellar Lunar Solar Polar Crimson Amber Azure Cobalt Emerald Ivory Jade Onyx Ruby "
    "Sapphire Scarlet Violet Copper Bronze Granite Marble Crystal Arctic Alpine Canyon Desert "
    "Forest Meadow Ocean Island Bay Ridge Hollow Falcon Eagle Hawk Raven Fox Wolf Bear Lion "
    "Tiger Orca Bold Brave Prime Noble Grand Vivid Lucid Agile Nimble Steady"
)
_COMPANY_NOUN = _words(
    "Harbor Bridge Tower Gate Field Path Point Forge Works Labs Mill Yard Wharf Signal Beacon "
    "Compass Anchor Arrow Atlas Axis Circle Crest Delta Echo Flux Grid Helix Horizon Key Kite "
    "Lantern Ledger Link Loop Matrix Meridian Nexus Orbit Pulse Quarry Relay Root Sail Shift "
    "Spark Sphere Spire Spring Stack Stream Thread Trail Vault Vector Vista Wave Wing Zenith "
    "Canvas Cloud Core Craft Dash Dock Drift Edge Frame Hive Hub Lens Mesa Nest Peak Pier "
    "Port Prism Ray Scope Seed Shore Slate Tide"
)
_COMPANY_KIND = _words(
    "Logistics Systems Software Health Foods Energy Robotics Media Retail Capital Partners "
    "Consulting Analytics Networks Biotech Apparel Studios Motors Insurance Travel Learning "
    "Security Devices Pharma Realty Brewing Freight Payments Telecom Solutions"
)

_SEGMENTS = ("SMB", "Mid-Market", "Enterprise")
_SEGMENT_P = (0.50, 0.35, 0.15)
_SMB, _MID, _ENT = 0, 1, 2
_SOURCES = (
    "ORGANIC_SEARCH",
    "PAID_SEARCH",
    "PAID_SOCIAL",
    "EMAIL_MARKETING",
    "REFERRALS",
    "DIRECT_TRAFFIC",
)
_SOURCE_P = (0.25, 0.20, 0.12, 0.13, 0.15, 0.15)

# --- journey parameters ------------------------------------------------------------------

P_DEAL = 0.85
P_WEBINAR = 0.20
P_SMB_SKIP_DEMO = 0.60
P_WON = 0.70
P_CLOSE_TIE = 0.15
P_WORKSPACE_TIE = 0.60
P_ONBOARDING_TICKET = 0.25
P_COMPLETE = 0.85
P_INVITE = 0.80
P_REPORT = 0.80
P_INVITE_REPORT_TIE = 0.40
P_UPGRADE = 0.55
P_UPGRADE_ENTERPRISE = 0.35
P_UPGRADE_TICKET = 0.20
P_UPGRADE_BOTH = 0.15
P_GENERAL_TICKET = 0.30
P_REOPEN = 0.35
P_TICKET_OPEN_TIE = 0.55
P_RATED = 0.45
P_UNIDENTIFIED = 0.05
P_TICKET_DUPLICATE = 0.01
P_TRACK_DUPLICATE = 0.005
ONBOARDING_TICKET_DELAY_D = 8.0
HANDOFF_MEDIAN_D = 2.0
HANDOFF_ENTERPRISE_MEDIAN_D = 12.0
HANDOFF_ALLOWED_D = 7.0

_TRACK_EVENTS = (
    "Webinar Attended",
    "Workspace Created",
    "Onboarding Started",
    "Onboarding Completed",
    "Teammate Invited",
    "Report Created",
    "Plan Upgraded",
)
_PROPERTIES: dict[str, tuple[str, ...]] = {
    "Webinar Attended": (
        '{"webinar":"Pipeline Analytics 101","duration_min":45}',
        '{"webinar":"Forecasting Live","duration_min":60}',
        '{"webinar":"Dashboards in 30 Minutes","duration_min":30}',
    ),
    "Workspace Created": ('{"plan":"team"}',),
    "Onboarding Started": ('{"flow":"guided"}', '{"flow":"self_serve"}'),
    "Onboarding Completed": ('{"steps_completed":5}',),
    "Teammate Invited": ('{"role":"editor"}', '{"role":"viewer"}', '{"role":"admin"}'),
    "Report Created": ('{"template":"funnel"}', '{"template":"cohort"}', '{"template":"revenue"}'),
    "Plan Upgraded": (
        '{"from_plan":"team","to_plan":"business"}',
        '{"from_plan":"team","to_plan":"enterprise"}',
    ),
}
_TICKET_OFFSETS = ("+01:00", "-05:00", "+00:00", "Z")
_TICKET_OFFSET_MS = (_MS_H, -5 * _MS_H, 0, 0)
_VIAS = ("email", "web", "chat")
_BAD_DEAL_TIMESTAMPS = ("not a date", "2025-02-30 10:00:00", "", "31/12/2025 10:00")


# --- ground truth models -------------------------------------------------------------------


class BrokenRow(BaseModel):
    """A data row (CSV, header excluded) or line (JSONL) that a connector must quarantine."""

    model_config = ConfigDict(extra="forbid")

    row: int = Field(ge=1, description="1-based data row / line number")
    reason: str


class FileTruth(BaseModel):
    """What one written file holds: counts, broken rows, re-sent duplicates, timestamp ties."""

    model_config = ConfigDict(extra="forbid")

    rows: int = Field(description="data rows/lines written, header excluded, broken included")
    events: int = Field(description="valid distinct rows: rows - broken - duplicates")
    broken: list[BrokenRow]
    duplicates: int = Field(description="rows that re-send an earlier row verbatim")
    duplicate_rows: list[int] = Field(description="1-based row numbers of the re-sent copies")
    ties: int = Field(
        description="valid events whose timestamp equals the same customer's previous "
        "event in the same system"
    )
    timestamp_format: str


class PlantedFriction(BaseModel):
    """One piece of friction planted in the data, and the signal the pipeline should report."""

    model_config = ConfigDict(extra="forbid")

    name: str
    description: str
    activity: str
    expected_signal: Literal["finding", "deviation", "funnel"] = Field(
        description="finding: it changes the goal rate (mining.friction); deviation: a way "
        "journeys differ from the happy path (mining.deviations); funnel: where journeys stop"
    )
    finding_kind: str | None = Field(default=None, description="the kind of finding it shows as")
    deviation_kind: (
        Literal["skipped", "inserted", "repeated", "out_of_order", "timed_out"] | None
    ) = None
    affected_customers: int
    details: dict[str, float] = Field(default_factory=dict)


class DemoGroundTruth(BaseModel):
    """Everything `generate_demo` planted, so tests can check the pipeline finds it."""

    model_config = ConfigDict(extra="forbid")

    customers: int
    seed: int
    portal_timezone: str = PORTAL_TZ
    files: dict[str, FileTruth]
    planted_friction: list[PlantedFriction]
    funnel: dict[str, int] = Field(description="customers reaching each activity")
    unidentified_product_users: int
    tied_event_share: float = Field(description="tied events / valid events, all systems")


# --- helpers -----------------------------------------------------------------------------


def _cat(*parts: ObjArray | str) -> ObjArray:
    """Concatenate string arrays (object dtype, equal length) and constants element-wise."""
    arrays = [p for p in parts if not isinstance(p, str)]
    if not arrays:
        return np.asarray(["".join(str(p) for p in parts)], dtype=object)
    n = len(arrays[0])
    columns = [itertools.repeat(p, n) if isinstance(p, str) else p.tolist() for p in parts]
    out = np.empty(n, dtype=object)
    out[:] = ["".join(row) for row in zip(*columns, strict=True)] if n else []
    return out


def _obj(values: npt.ArrayLike) -> ObjArray:
    return np.asarray(np.asarray(values).astype(str), dtype=object)


def _lognormal_ms(rng: np.random.Generator, median_ms: float, sigma: float, n: int) -> IntArray:
    gaps = median_ms * np.exp(sigma * rng.standard_normal(n))
    return np.maximum(gaps, _MS_MIN).astype(np.int64)


def _uniform_ms(rng: np.random.Generator, low_ms: float, high_ms: float, n: int) -> IntArray:
    return rng.uniform(low_ms, high_ms, n).astype(np.int64)


def _floor_s(ms: IntArray) -> IntArray:
    return (ms // _MS_S) * _MS_S


def _fmt_portal(ms: IntArray) -> ObjArray:
    """UTC epoch ms -> naive America/New_York 'YYYY-MM-DD HH:MM:SS'."""
    if len(ms) == 0:
        return np.empty(0, dtype=object)
    local = (
        pd.DatetimeIndex(ms.astype("datetime64[ms]"), tz="UTC")
        .tz_convert(PORTAL_TZ)
        .tz_localize(None)
        .to_numpy()
        .astype("datetime64[s]")
    )
    text = np.datetime_as_string(local, unit="s")
    return np.asarray(np.char.replace(text, "T", " "), dtype=object)


def _fmt_offset(ms: IntArray, offset_code: IntArray) -> ObjArray:
    """UTC epoch ms -> ISO 8601 seconds with the offset chosen per row (+01:00, -05:00, ...)."""
    shift = np.asarray(_TICKET_OFFSET_MS, dtype=np.int64)[offset_code]
    local = (ms + shift).astype("datetime64[ms]").astype("datetime64[s]")
    text = _obj(np.datetime_as_string(local, unit="s"))
    return _cat(text, np.asarray(_TICKET_OFFSETS, dtype=object)[offset_code])


def _fmt_utc_ms(ms: IntArray) -> ObjArray:
    """UTC epoch ms -> '2025-03-01T10:15:30.123Z'."""
    return _obj(np.datetime_as_string(ms.astype("datetime64[ms]"), unit="ms", timezone="UTC"))


def _count_ties(customer: IntArray, t_ms: IntArray, seq: IntArray) -> int:
    """Events whose time equals the previous event (in time order) of the same customer."""
    if len(customer) < 2:
        return 0
    order = np.lexsort((seq, t_ms, customer))
    c, t = customer[order], t_ms[order]
    return int(np.sum((c[1:] == c[:-1]) & (t[1:] == t[:-1])))


def _with_duplicates(
    rng: np.random.Generator, lines: ObjArray, eligible: IntArray, share: float
) -> tuple[ObjArray, list[int], IntArray]:
    """Re-send ~``share`` of the ``eligible`` lines verbatim 1-200 lines after the original.

    Returns the new lines, the 1-based row numbers of the copies, and the 1-based row
    number each original line ends up at.
    """
    n = len(lines)
    if n == 0 or len(eligible) == 0:
        return lines, [], np.arange(1, n + 1, dtype=np.int64)
    k = min(max(1, round(share * len(eligible))), len(eligible))
    sources = np.sort(rng.choice(eligible, size=k, replace=False))
    before = np.minimum(sources + 1 + rng.integers(0, 200, k), n)  # copy goes before this row
    keys = np.concatenate([2 * np.arange(n, dtype=np.int64), 2 * before - 1])
    tiebreak = np.concatenate([np.zeros(n, dtype=np.int64), np.arange(1, k + 1)])
    order = np.lexsort((tiebreak, keys))
    combined = np.concatenate([lines, lines[sources]])[order]
    final_row = np.empty(n + k, dtype=np.int64)
    final_row[order] = np.arange(1, n + k + 1)
    copy_rows = final_row[n:].tolist()
    return np.asarray(combined, dtype=object), sorted(copy_rows), final_row[:n]


def _write_lines(path: Path, lines: ObjArray, header: str | None, final_newline: bool) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    body = "\n".join(lines.tolist())
    text = (header + "\n" if header is not None else "") + body
    if final_newline and len(lines):
        text += "\n"
    path.write_bytes(text.encode("utf-8"))


# --- people --------------------------------------------------------------------------------


@dataclass(frozen=True)
class _People:
    first: ObjArray  # capitalised
    last: ObjArray
    company: ObjArray  # company name per customer
    segment: IntArray  # 0 SMB, 1 Mid-Market, 2 Enterprise
    source: IntArray
    email_crm: ObjArray
    email_support: ObjArray
    email_product: ObjArray


def _company_names(rng: np.random.Generator, k: int) -> tuple[ObjArray, ObjArray]:
    na, nn, nk = len(_COMPANY_ADJ), len(_COMPANY_NOUN), len(_COMPANY_KIND)
    space = na * nn * nk
    reps = -(-k // space)
    idx = np.concatenate([rng.permutation(space) for _ in range(reps)])[:k]
    adj = np.asarray(_COMPANY_ADJ, dtype=object)[idx // (nn * nk)]
    noun = np.asarray(_COMPANY_NOUN, dtype=object)[(idx // nk) % nn]
    kind = np.asarray(_COMPANY_KIND, dtype=object)[idx % nk]
    words_equal = adj == noun
    noun = np.where(words_equal, "Works", noun)
    name = _cat(adj, " ", noun, " ", kind)
    dup = pd.Series(name).groupby(name, sort=False).cumcount().to_numpy()
    suffix = np.where(dup > 0, _obj(dup + 1), "")
    name = _cat(name, np.where(dup > 0, " ", ""), suffix)
    domain = _cat(_obj(pd.Series(_cat(adj, "-", noun, "-", kind)).str.lower()), suffix, ".com")
    return name, domain


def _email_copies(
    rng: np.random.Generator, first: ObjArray, last: ObjArray, domain: ObjArray
) -> tuple[ObjArray, ObjArray, ObjArray]:
    """Three copies of each unique email: CRM, support, product, pairwise different strings."""
    n = len(first)
    f = pd.Series(first).str.lower().to_numpy(dtype=object)
    base_last = pd.Series(last).str.lower().to_numpy(dtype=object)
    key = _cat(f, ".", base_last, "@", domain)
    dup = pd.Series(key).groupby(key, sort=False).cumcount().to_numpy()
    lst = _cat(base_last, np.where(dup > 0, _obj(dup + 1), ""))
    f_cap = pd.Series(first).to_numpy(dtype=object)
    l_cap = _cat(pd.Series(lst).str.capitalize().to_numpy(dtype=object))
    plain = _cat(f, ".", lst, "@", domain)
    styles = [
        plain,  # jane.doe@acme.com
        _cat(f_cap, ".", l_cap, "@", domain),  # Jane.Doe@acme.com
        _obj(pd.Series(plain).str.upper()),  # JANE.DOE@ACME.COM
        _cat(f_cap, ".", lst, "@", domain),  # Jane.doe@acme.com
    ]
    stacked = np.stack(styles)
    pads = np.asarray(["", " ", "  "], dtype=object)

    def dress(style: IntArray, lead: IntArray, trail: IntArray) -> ObjArray:
        return _cat(pads[lead], stacked[style, np.arange(n)], pads[trail])

    crm_varied = rng.random(n) < 0.30
    crm_style = np.where(crm_varied, rng.integers(0, 4, n), 0)
    crm_lead = np.where(crm_varied, rng.integers(0, 3, n), 0)
    crm_trail = np.where(crm_varied, rng.integers(0, 3, n), 0)
    # a plain-style varied row must still differ from the plain address: force a pad
    force = crm_varied & (crm_style == 0) & (crm_lead == 0) & (crm_trail == 0)
    crm_trail = np.where(force, 1, crm_trail)
    support_style = (crm_style + rng.integers(1, 4, n)) % 4
    # product: one of the two styles used by neither CRM nor support
    free = np.ones((n, 4), dtype=bool)
    free[np.arange(n), crm_style] = False
    free[np.arange(n), support_style] = False
    pick = rng.integers(0, 2, n)
    ranked = np.cumsum(free, axis=1) - 1
    product_style = np.argmax(free & (ranked == pick[:, None]), axis=1)

    crm = dress(crm_style, crm_lead, crm_trail)
    support = dress(support_style, rng.integers(0, 3, n), rng.integers(0, 3, n))
    product = dress(product_style, rng.integers(0, 3, n), rng.integers(0, 3, n))
    return crm, support, product


def _people(rng: np.random.Generator, n: int) -> _People:
    sizes = rng.choice(np.arange(1, 5), size=n, p=[0.45, 0.30, 0.15, 0.10])
    n_accounts = int(np.searchsorted(np.cumsum(sizes), n) + 1)
    account = np.repeat(np.arange(n_accounts), sizes[:n_accounts])[:n]
    company, domain = _company_names(rng, n_accounts)
    account_segment = rng.choice(3, size=n_accounts, p=_SEGMENT_P)
    first = np.asarray(_FIRST_NAMES, dtype=object)[rng.integers(0, len(_FIRST_NAMES), n)]
    last = np.asarray(_LAST_NAMES, dtype=object)[rng.integers(0, len(_LAST_NAMES), n)]
    crm, support, product = _email_copies(rng, first, last, domain[account])
    return _People(
        first=first,
        last=last,
        company=company[account],
        segment=account_segment[account].astype(np.int64),
        source=rng.choice(len(_SOURCES), size=n, p=_SOURCE_P).astype(np.int64),
        email_crm=crm,
        email_support=support,
        email_product=product,
    )


# --- journeys ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Journeys:
    lead: IntArray
    has_deal: BoolArray
    has_demo: BoolArray
    demo: IntArray
    contract: IntArray
    won: BoolArray
    close: IntArray
    webinar: BoolArray
    webinar_t: IntArray
    started: BoolArray
    workspace: IntArray
    onboarding: IntArray
    onboarding_ticket: BoolArray
    onboarding_ticket_t: IntArray
    completed: BoolArray
    completed_t: IntArray
    invite: BoolArray
    invite_t: IntArray
    report: BoolArray
    report_t: IntArray
    upgraded: BoolArray
    upgrade_t: IntArray
    general_ticket: BoolArray
    general_ticket_t: IntArray


def _journeys(rng: np.random.Generator, people: _People) -> _Journeys:
    n = len(people.segment)
    seg = people.segment
    lead = _floor_s(_uniform_ms(rng, _START_MS, _END_MS, n))

    has_deal = rng.random(n) < P_DEAL
    skip_demo = has_deal & (seg == _SMB) & (rng.random(n) < P_SMB_SKIP_DEMO)
    has_demo = has_deal & ~skip_demo
    demo = _floor_s(lead + _lognormal_ms(rng, 4 * _MS_D, 0.6, n))
    contract_from_demo = demo + _lognormal_ms(rng, 6 * _MS_D, 0.5, n)
    contract_from_lead = lead + _lognormal_ms(rng, 8 * _MS_D, 0.5, n)
    contract = _floor_s(np.where(has_demo, contract_from_demo, contract_from_lead))
    won = has_deal & (rng.random(n) < P_WON)
    close_tie = rng.random(n) < P_CLOSE_TIE
    close = _floor_s(
        np.where(close_tie, contract, contract + _lognormal_ms(rng, 9 * _MS_D, 0.6, n))
    )

    webinar = rng.random(n) < P_WEBINAR
    first_deal_t = np.where(has_demo, demo, np.where(has_deal, contract, lead + 6 * _MS_D))
    webinar_t = lead + (rng.uniform(0.15, 0.85, n) * (first_deal_t - lead)).astype(np.int64)

    started = won.copy()
    enterprise = seg == _ENT
    handoff = np.where(
        enterprise,
        _lognormal_ms(rng, HANDOFF_ENTERPRISE_MEDIAN_D * _MS_D, 0.4, n),
        _lognormal_ms(rng, HANDOFF_MEDIAN_D * _MS_D, 0.35, n),
    )
    workspace = close + handoff + rng.integers(0, _MS_S, n)
    ws_tie = rng.random(n) < P_WORKSPACE_TIE
    onboarding = workspace + np.where(ws_tie, 0, _lognormal_ms(rng, 3 * _MS_MIN, 0.8, n))

    onboarding_ticket = started & (rng.random(n) < P_ONBOARDING_TICKET)
    onboarding_ticket_t = onboarding + _uniform_ms(rng, 0.3 * _MS_D, 2.0 * _MS_D, n)
    completed = started & (rng.random(n) < P_COMPLETE)
    duration = _lognormal_ms(rng, 2.5 * _MS_D, 0.5, n) + np.where(
        onboarding_ticket, int(ONBOARDING_TICKET_DELAY_D * _MS_D), 0
    )
    completed_t = onboarding + duration

    invite = completed & (rng.random(n) < P_INVITE)
    report = completed & (rng.random(n) < P_REPORT)
    invite_t = completed_t + _lognormal_ms(rng, 1.5 * _MS_D, 0.7, n)
    report_t = completed_t + _lognormal_ms(rng, 2.0 * _MS_D, 0.7, n)
    pair_tie = invite & report & (rng.random(n) < P_INVITE_REPORT_TIE)
    report_t = np.where(pair_tie, invite_t, report_t)

    p_upgrade = np.select(
        [enterprise & onboarding_ticket, onboarding_ticket, enterprise],
        [P_UPGRADE_BOTH, P_UPGRADE_TICKET, P_UPGRADE_ENTERPRISE],
        P_UPGRADE,
    )
    upgraded = completed & (rng.random(n) < p_upgrade)
    last_step = np.maximum.reduce(
        [completed_t, np.where(invite, invite_t, 0), np.where(report, report_t, 0)]
    )
    upgrade_t = last_step + _lognormal_ms(rng, 10 * _MS_D, 0.6, n)

    general_ticket = started & (rng.random(n) < P_GENERAL_TICKET)
    general_ticket_t = onboarding + _uniform_ms(rng, 0.5 * _MS_D, 90 * _MS_D, n)
    return _Journeys(
        lead=lead,
        has_deal=has_deal,
        has_demo=has_demo,
        demo=demo,
        contract=contract,
        won=won,
        close=close,
        webinar=webinar,
        webinar_t=webinar_t,
        started=started,
        workspace=workspace,
        onboarding=onboarding,
        onboarding_ticket=onboarding_ticket,
        onboarding_ticket_t=onboarding_ticket_t,
        completed=completed,
        completed_t=completed_t,
        invite=invite,
        invite_t=invite_t,
        report=report,
        report_t=report_t,
        upgraded=upgraded,
        upgrade_t=upgrade_t,
        general_ticket=general_ticket,
        general_ticket_t=general_ticket_t,
    )


# --- files ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Written:
    truth: FileTruth
    # valid distinct events, for tie counting across files of one system
    customer: IntArray
    t_ms: IntArray
    seq: IntArray


def _file_truth(
    lines: ObjArray,
    broken: list[BrokenRow],
    duplicate_rows: list[int],
    ties: int,
    timestamp_format: str,
) -> FileTruth:
    return FileTruth(
        rows=len(lines),
        events=len(lines) - len(broken) - len(duplicate_rows),
        broken=sorted(broken, key=lambda b: b.row),
        duplicates=len(duplicate_rows),
        duplicate_rows=duplicate_rows,
        ties=ties,
        timestamp_format=timestamp_format,
    )


def _contacts(
    rng: np.random.Generator, out_dir: Path, people: _People, j: _Journeys
) -> tuple[_Written, IntArray]:
    n = len(j.lead)
    n_broken = 3
    fake = rng.integers(0, n, n_broken)
    fake_t = _floor_s(_uniform_ms(rng, _START_MS, _END_MS, n_broken))
    cust = np.concatenate([np.arange(n), fake])
    t = np.concatenate([j.lead, fake_t])
    is_broken = np.arange(n + n_broken) >= n
    order = np.lexsort((np.arange(n + n_broken), t))
    rank = np.empty(n + n_broken, dtype=np.int64)
    rank[order] = np.arange(n + n_broken)

    # Record IDs increase with Create Date, with small gaps (deleted contacts).
    gaps = rng.integers(1, 4, n + n_broken)
    gaps[is_broken[order]] = 0
    ids_in_order = 51000 + np.cumsum(gaps)
    record_id = ids_in_order[rank][:n]

    c = cust[order]
    brk = is_broken[order]
    id_text = np.where(brk, "", _obj(ids_in_order))
    email = np.where(brk, "", people.email_crm[c])
    lines = _cat(
        id_text,
        ",",
        email,
        ",",
        people.first[c],
        ",",
        people.last[c],
        ",",
        people.company[c],
        ",",
        np.asarray(_SEGMENTS, dtype=object)[people.segment[c]],
        ",",
        np.asarray(_SOURCES, dtype=object)[people.source[c]],
        ",",
        _fmt_portal(t[order]),
    )
    _write_lines(out_dir / CONTACTS_FILE, lines, CONTACTS_HEADER, final_newline=True)
    broken = [
        BrokenRow(row=int(r) + 1, reason="missing contact id and email")
        for r in np.flatnonzero(brk)
    ]
    truth = _file_truth(lines, broken, [], 0, "%Y-%m-%d %H:%M:%S (naive America/New_York)")
    written = _Written(truth, np.arange(n), j.lead, np.zeros(n, dtype=np.int64))
    return written, record_id


def _deals(rng: np.random.Generator, out_dir: Path, j: _Journeys, record_id: IntArray) -> _Written:
    n = len(j.lead)
    dealers = np.flatnonzero(j.has_deal)
    first_t = np.where(j.has_demo, j.demo, j.contract)[dealers]
    deal_order = dealers[np.lexsort((dealers, first_t))]
    deal_id = np.zeros(n, dtype=np.int64)
    deal_id[deal_order] = 9_100_000_000 + np.cumsum(rng.integers(1, 40, len(deal_order)))

    stage_names = np.asarray(
        ["appointmentscheduled", "contractsent", "closedwon", "closedlost"], dtype=object
    )
    parts_c: list[IntArray] = []
    parts_stage: list[IntArray] = []
    parts_t: list[IntArray] = []
    for stage, mask, times in (
        (0, j.has_demo, j.demo),
        (1, j.has_deal, j.contract),
        (2, j.won, j.close),
        (3, j.has_deal & ~j.won, j.close),
    ):
        idx = np.flatnonzero(mask)
        parts_c.append(idx)
        parts_stage.append(np.full(len(idx), stage, dtype=np.int64))
        parts_t.append(times[idx])
    cust = np.concatenate(parts_c)
    stage_code = np.concatenate(parts_stage)
    t = np.concatenate(parts_t)
    m = len(cust)

    # 4 re-sent rows with unparseable timestamps, each placed right after the row it copies.
    n_broken = len(_BAD_DEAL_TIMESTAMPS)
    if m:
        src = rng.choice(m, size=n_broken, replace=m < n_broken)
        b_cust, b_stage, b_t = cust[src], stage_code[src], t[src]
        b_deal = deal_id[b_cust]
    else:  # no deal at all (tiny runs): broken rows of an otherwise unseen deal
        b_cust = rng.integers(0, n, n_broken)
        b_stage = np.ones(n_broken, dtype=np.int64)
        b_t = j.lead[b_cust]
        b_deal = np.full(n_broken, 9_099_999_999, dtype=np.int64)
    all_deal = np.concatenate([deal_id[cust], b_deal])
    all_cust = np.concatenate([cust, b_cust])
    all_stage = np.concatenate([stage_code, b_stage])
    all_t = np.concatenate([t, b_t])
    is_broken = np.arange(m + n_broken) >= m
    order = np.lexsort((np.arange(m + n_broken), is_broken, all_stage, all_deal))

    ts_text = _fmt_portal(all_t[order])
    brk = is_broken[order]
    bad = np.asarray(_BAD_DEAL_TIMESTAMPS, dtype=object)
    ts_text[brk] = bad[np.arange(m + n_broken)[order][brk] - m]
    c = all_cust[order]
    lines = _cat(
        _obj(all_deal[order]),
        ",",
        _obj(record_id[c]),
        ",",
        stage_names[all_stage[order]],
        ",",
        ts_text,
        ",default",
    )
    _write_lines(out_dir / DEALS_FILE, lines, DEALS_HEADER, final_newline=True)
    broken = [
        BrokenRow(row=int(r) + 1, reason="unparseable timestamp") for r in np.flatnonzero(brk)
    ]
    seq = stage_code + 1  # after lead_created (seq 0) on ties
    ties = _count_ties(
        np.concatenate([np.arange(n), cust]),
        np.concatenate([j.lead, t]),
        np.concatenate([np.zeros(n, dtype=np.int64), seq]),
    )
    truth = _file_truth(lines, broken, [], ties, "%Y-%m-%d %H:%M:%S (naive America/New_York)")
    return _Written(truth, cust, t, seq)


def _tickets(
    rng: np.random.Generator, out_dir: Path, people: _People, j: _Journeys
) -> tuple[_Written, BoolArray, dict[str, float]]:
    n = len(j.lead)
    onb = np.flatnonzero(j.onboarding_ticket)
    gen = np.flatnonzero(j.general_ticket)
    t_cust = np.concatenate([onb, gen])
    t_created = _floor_s(np.concatenate([j.onboarding_ticket_t[onb], j.general_ticket_t[gen]]))
    nt = len(t_cust)
    # ticket ids follow creation order, with gaps (other customers' tickets)
    t_order = np.lexsort((t_cust, t_created))
    ticket_id = np.zeros(nt, dtype=np.int64)
    ticket_id[t_order] = 20_000 + np.cumsum(rng.integers(1, 6, nt))
    via = rng.choice(3, size=nt, p=[0.5, 0.3, 0.2])
    k = rng.choice(4, size=nt, p=[0.10, 0.40, 0.30, 0.20])  # status changes before solving
    reopened = rng.random(nt) < P_REOPEN
    rated = rng.random(nt) < P_RATED
    open_tie = rng.random(nt) < P_TICKET_OPEN_TIE
    bad_rating = rng.random(nt) < np.where(reopened, 0.6, 0.2)

    m_per = 2 + k + 2 * reopened + rated
    ev_ticket = np.repeat(np.arange(nt), m_per)
    starts = np.cumsum(m_per) - m_per
    jj = np.arange(len(ev_ticket)) - starts[ev_ticket]
    kk = k[ev_ticket]
    reo = reopened[ev_ticket]
    # event codes: 0 created, 1 status_changed, 2 solved, 3 reopened, 4 satisfaction_rated
    code = np.select(
        [
            jj == 0,
            jj <= kk,
            jj == kk + 1,
            reo & (jj == kk + 2),
            reo & (jj == kk + 3),
        ],
        [0, 1, 2, 3, 2],
        4,
    )
    ne = len(code)
    gap = np.select(
        [
            code == 0,
            (code == 1) & (jj == 1) & open_tie[ev_ticket],
            (code == 1) & (jj == 1),
            code == 1,
            (code == 2) & (jj == kk + 1),
            code == 2,
            code == 3,
        ],
        [
            np.zeros(ne, dtype=np.int64),
            np.zeros(ne, dtype=np.int64),
            _lognormal_ms(rng, 40 * _MS_MIN, 0.9, ne),
            _lognormal_ms(rng, 6 * _MS_H, 0.8, ne),
            _lognormal_ms(rng, 18 * _MS_H, 0.8, ne),
            _lognormal_ms(rng, 1 * _MS_D, 0.6, ne),
            _lognormal_ms(rng, 2 * _MS_D, 0.6, ne),
        ],
        _lognormal_ms(rng, 6 * _MS_H, 0.8, ne),
    )
    cs = np.cumsum(gap)
    ev_t = _floor_s(t_created[ev_ticket] + cs - cs[starts[ev_ticket]])
    status_changed_status = np.where((jj - 1) % 2 == 0, 1, 2)  # open, pending, open, ...
    # statuses: 0 new, 1 open, 2 pending, 3 solved
    status = np.select(
        [code == 0, code == 1, code == 2, code == 3], [0, status_changed_status, 3, 1], 3
    )
    ev_cust = t_cust[ev_ticket]
    ev_tid = ticket_id[ev_ticket]

    # two events whose ticket id got lost: extra status changes of random customers
    n_null = 2
    null_cust = rng.integers(0, n, n_null)
    null_t = _floor_s(j.lead[null_cust] + _uniform_ms(rng, 20 * _MS_D, 80 * _MS_D, n_null))
    all_cust = np.concatenate([ev_cust, null_cust])
    all_t = np.concatenate([ev_t, null_t])
    all_tid = np.concatenate([ev_tid, np.zeros(n_null, dtype=np.int64)])
    all_code = np.concatenate([code, np.ones(n_null, dtype=np.int64)])
    all_status = np.concatenate([status, np.full(n_null, 2, dtype=np.int64)])
    all_via = np.concatenate([via[ev_ticket], rng.integers(0, 3, n_null)])
    all_sat = np.concatenate(
        [np.where(code == 4, np.where(bad_rating[ev_ticket], 2, 1), 0), np.zeros(n_null, np.int64)]
    )
    is_null = np.arange(ne + n_null) >= ne
    all_j = np.concatenate([jj, np.zeros(n_null, dtype=np.int64)])
    order = np.lexsort((all_j, all_tid, all_t))
    total = ne + n_null
    ids = 7_300_000 + np.cumsum(rng.integers(1, 4, total))
    offset_code = rng.integers(0, 4, total)

    event_types = np.asarray(
        ["created", "status_changed", "solved", "reopened", "satisfaction_rated"], dtype=object
    )
    statuses = np.asarray(["new", "open", "pending", "solved"], dtype=object)
    sats = np.asarray(["null", '"good"', '"bad"'], dtype=object)
    vias = np.asarray(_VIAS, dtype=object)

    def render(
        ids_: IntArray,
        tid: IntArray,
        null: BoolArray,
        t_: IntArray,
        off: IntArray,
        code_: IntArray,
        status_: IntArray,
        cust_: IntArray,
        via_: IntArray,
        sat_: IntArray,
    ) -> ObjArray:
        return _cat(
            '{"id":',
            _obj(ids_),
            ',"ticket_id":',
            np.where(null, "null", _obj(tid)),
            ',"created_at":"',
            _fmt_offset(t_, off),
            '","event_type":"',
            event_types[code_],
            '","status":"',
            statuses[status_],
            '","requester":{"email":"',
            people.email_support[cust_],
            '"},"via":"',
            vias[via_],
            '","satisfaction":',
            sats[sat_],
            "}",
        )

    lines = render(
        ids,
        all_tid[order],
        is_null[order],
        all_t[order],
        offset_code,
        all_code[order],
        all_status[order],
        all_cust[order],
        all_via[order],
        all_sat[order],
    )
    null_rows = np.flatnonzero(is_null[order])
    eligible = np.flatnonzero(~is_null[order])
    lines, dup_rows, final_row = _with_duplicates(rng, lines, eligible, P_TICKET_DUPLICATE)
    null_final = [int(final_row[r]) for r in null_rows]

    # the export was cut off: one more event, truncated mid-object, no trailing newline
    last_cust = np.asarray([rng.integers(0, n)], dtype=np.int64)
    last_t = np.asarray([max(int(all_t.max()), _END_MS) + 17 * _MS_MIN], dtype=np.int64)
    last_line = str(
        render(
            np.asarray([int(ids[-1]) + 2], dtype=np.int64),
            np.asarray([int(ticket_id.max(initial=20_000)) + 3], dtype=np.int64),
            np.zeros(1, dtype=bool),
            last_t,
            np.asarray([3], dtype=np.int64),
            np.zeros(1, dtype=np.int64),
            np.zeros(1, dtype=np.int64),
            last_cust,
            np.zeros(1, dtype=np.int64),
            np.zeros(1, dtype=np.int64),
        )[0]
    )
    truncated = last_line[: last_line.index('"requester"') + 21]
    lines = np.concatenate([lines, np.asarray([truncated], dtype=object)])
    _write_lines(out_dir / TICKETS_FILE, lines, None, final_newline=False)

    broken = [BrokenRow(row=r, reason="missing ticket id") for r in null_final]
    broken.append(BrokenRow(row=len(lines), reason="truncated JSON line"))
    seq = jj.astype(np.int64)
    ties = _count_ties(ev_cust, ev_t, ev_tid * 100 + seq)
    truth = _file_truth(lines, broken, dup_rows, ties, "ISO 8601 with offset, seconds")
    has_reopen = np.zeros(n, dtype=bool)
    has_reopen[t_cust[reopened]] = True
    reopen_details = {
        "tickets": float(nt),
        "reopened_tickets": float(np.sum(reopened)),
        "reopen_rate": round(float(np.mean(reopened)), 4) if nt else 0.0,
    }
    return _Written(truth, ev_cust, ev_t, ev_tid * 100 + seq), has_reopen, reopen_details


def _user_ids(rng: np.random.Generator, n: int) -> ObjArray:
    """Unique, seed-dependent ``usr_<12 hex>`` ids: an affine bijection of the index mod 2**48."""
    mult = int(rng.integers(1 << 20, 1 << 40)) * 2 + 1
    add = int(rng.integers(0, 1 << 47))
    mixed = (np.arange(n, dtype=np.uint64) * np.uint64(mult) + np.uint64(add)) & np.uint64(
        (1 << 48) - 1
    )
    return np.asarray([f"usr_{int(v):012x}" for v in mixed], dtype=object)


def _message_ids(rng: np.random.Generator, m: int) -> ObjArray:
    """UUID-v4-shaped message ids drawn from ``rng``."""
    hexed = rng.bytes(16 * m).hex()
    out = np.empty(m, dtype=object)
    out[:] = [
        f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{'89ab'[int(h[16], 16) & 3]}{h[17:20]}-{h[20:32]}"
        for h in (hexed[32 * i : 32 * i + 32] for i in range(m))
    ]
    return out


def _segment(
    rng: np.random.Generator, out_dir: Path, people: _People, j: _Journeys
) -> tuple[_Written, BoolArray]:
    n = len(j.lead)
    parts = (
        (j.webinar, j.webinar_t),
        (j.started, j.workspace),
        (j.started, j.onboarding),
        (j.completed, j.completed_t),
        (j.invite, j.invite_t),
        (j.report, j.report_t),
        (j.upgraded, j.upgrade_t),
    )
    cs, es, ts = [], [], []
    for event_code, (mask, times) in enumerate(parts):
        idx = np.flatnonzero(mask)
        cs.append(idx)
        es.append(np.full(len(idx), event_code, dtype=np.int64))
        ts.append(times[idx])
    cust = np.concatenate(cs)
    event = np.concatenate(es)
    t = np.concatenate(ts).astype(np.int64)
    nt = len(cust)

    user_ids = _user_ids(rng, n)
    is_user = np.zeros(n, dtype=bool)
    is_user[cust] = True
    identified = is_user & (rng.random(n) >= P_UNIDENTIFIED)
    first_t = np.full(n, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(first_t, cust, t)
    id_cust = np.flatnonzero(identified)
    id_t = first_t[id_cust] - rng.integers(1_000, 30_000, len(id_cust))

    # broken tracks: 2 without userId, 1 with "timestamp": "yesterday"
    n_bad = 3
    users = np.flatnonzero(is_user)
    bad_cust = users[rng.integers(0, len(users), n_bad)] if len(users) else np.zeros(n_bad, int)
    bad_t = j.lead[bad_cust] + _uniform_ms(rng, 30 * _MS_D, 60 * _MS_D, n_bad)
    bad_event = np.full(n_bad, 5, dtype=np.int64)  # Report Created

    # kinds: 0 track, 1 identify, 2 track without userId, 3 track with bad timestamp
    all_cust = np.concatenate([cust, id_cust, bad_cust])
    all_t = np.concatenate([t, id_t, bad_t])
    all_event = np.concatenate([event, np.full(len(id_cust), -1, dtype=np.int64), bad_event])
    kind = np.concatenate(
        [
            np.zeros(nt, dtype=np.int64),
            np.ones(len(id_cust), dtype=np.int64),
            np.asarray([2, 2, 3], dtype=np.int64),
        ]
    )
    total = len(all_cust)
    order = np.lexsort((np.arange(total), all_event, all_cust, all_t))
    c, e, k, tt = all_cust[order], all_event[order], kind[order], all_t[order]
    message_id = _message_ids(rng, total)
    ts_text = _fmt_utc_ms(tt)
    ts_text[k == 3] = "yesterday"

    names = np.asarray(_TRACK_EVENTS, dtype=object)
    props_choice = rng.integers(0, 6, total)
    props = np.asarray(["{}"] * total, dtype=object)
    for code, name in enumerate(_TRACK_EVENTS):
        sel = e == code
        options = np.asarray(_PROPERTIES[name], dtype=object)
        props[sel] = options[props_choice[sel] % len(options)]
    enterprise_upgrade = (e == 6) & (people.segment[c] == _ENT)
    props[enterprise_upgrade] = _PROPERTIES["Plan Upgraded"][1]
    props[(e == 6) & ~enterprise_upgrade] = _PROPERTIES["Plan Upgraded"][0]

    lines = np.empty(total, dtype=object)
    tr = np.flatnonzero(k != 1)
    uid_part = np.where(k[tr] == 2, "", _cat(',"userId":"', user_ids[c[tr]], '"'))
    lines[tr] = _cat(
        '{"type":"track","messageId":"',
        message_id[tr],
        '"',
        uid_part,
        ',"event":"',
        names[e[tr]],
        '","timestamp":"',
        ts_text[tr],
        '","properties":',
        props[tr],
        "}",
    )
    ident = np.flatnonzero(k == 1)
    lines[ident] = _cat(
        '{"type":"identify","messageId":"',
        message_id[ident],
        '","userId":"',
        user_ids[c[ident]],
        '","traits":{"email":"',
        people.email_product[c[ident]],
        '","company":"',
        people.company[c[ident]],
        '"},"timestamp":"',
        ts_text[ident],
        '"}',
    )
    eligible = np.flatnonzero(k == 0)
    lines, dup_rows, final_row = _with_duplicates(rng, lines, eligible, P_TRACK_DUPLICATE)
    _write_lines(out_dir / SEGMENT_FILE, lines, None, final_newline=True)

    reasons = {2: "missing userId", 3: "unparseable timestamp"}
    broken = [
        BrokenRow(row=int(final_row[pos]), reason=reasons[int(k[pos])])
        for pos in np.flatnonzero(k >= 2)
    ]
    ties = _count_ties(cust, t, event)
    truth = _file_truth(lines, broken, dup_rows, ties, "ISO 8601 UTC with milliseconds and Z")
    return _Written(truth, cust, t, event), is_user & ~identified


# --- ground truth ------------------------------------------------------------------------


def _rate(mask: BoolArray, among: BoolArray) -> float:
    total = int(np.sum(among))
    return round(float(np.sum(mask & among)) / total, 4) if total else 0.0


def _median_days(values: IntArray, among: BoolArray) -> float:
    if not np.any(among):
        return 0.0
    return round(float(np.median(values[among])) / _MS_D, 3)


def _planted(
    people: _People, j: _Journeys, has_reopen: BoolArray, reopen_details: dict[str, float]
) -> list[PlantedFriction]:
    ent = people.segment == _ENT
    smb_deals = j.has_deal & (people.segment == _SMB)
    ticket_done = j.completed & j.onboarding_ticket
    plain_done = j.completed & ~j.onboarding_ticket
    handoff = j.onboarding - j.close
    ent_started = j.started & ent
    timed_out = ent_started & (handoff > HANDOFF_ALLOWED_D * _MS_D)
    lost = j.has_deal & ~j.won
    return [
        PlantedFriction(
            name="onboarding_ticket",
            description=(
                "~25% of customers who start onboarding open a support ticket before they "
                "complete it; they complete ~8 days later and upgrade at ~20% instead of ~55%."
            ),
            activity="ticket_opened",
            expected_signal="finding",
            finding_kind="during_step",
            affected_customers=int(np.sum(j.onboarding_ticket)),
            details={
                "upgrade_rate_affected": _rate(j.upgraded, ticket_done),
                "upgrade_rate_others": _rate(j.upgraded, plain_done),
                "median_onboarding_days_affected": _median_days(
                    j.completed_t - j.onboarding, ticket_done
                ),
                "median_onboarding_days_others": _median_days(
                    j.completed_t - j.onboarding, plain_done
                ),
            },
        ),
        PlantedFriction(
            name="slow_sales_handoff",
            description=(
                "Enterprise customers wait ~12 days (median) from closedwon to Onboarding "
                "Started instead of ~2, beyond the 7 days the happy path allows, and upgrade "
                "at ~35%."
            ),
            activity="onboarding_started",
            expected_signal="finding",
            finding_kind="slow_handoff",
            deviation_kind="timed_out",
            affected_customers=int(np.sum(ent_started)),
            details={
                "median_handoff_days_enterprise": _median_days(handoff, ent_started),
                "median_handoff_days_others": _median_days(handoff, j.started & ~ent),
                "timed_out_customers": float(np.sum(timed_out)),
                "allowed_days": HANDOFF_ALLOWED_D,
                "upgrade_rate_enterprise": _rate(j.upgraded, j.completed & ent),
                "upgrade_rate_others": _rate(j.upgraded, j.completed & ~ent),
            },
        ),
        PlantedFriction(
            name="reopen_loop",
            description="~35% of solved tickets are reopened and solved a second time.",
            activity="ticket_solved",
            expected_signal="deviation",
            deviation_kind="repeated",
            affected_customers=int(np.sum(has_reopen)),
            details=reopen_details,
        ),
        PlantedFriction(
            name="smb_skips_demo",
            description=(
                "~60% of SMB deals have no appointmentscheduled stage and start at contractsent."
            ),
            activity="demo_scheduled",
            expected_signal="deviation",
            deviation_kind="skipped",
            affected_customers=int(np.sum(smb_deals & ~j.has_demo)),
            details={
                "smb_deals": float(np.sum(smb_deals)),
                "skip_rate": _rate(~j.has_demo, smb_deals),
            },
        ),
        PlantedFriction(
            name="lost_after_contract",
            description="~30% of deals end closedlost after contractsent: the journey stops.",
            activity="deal_won",
            expected_signal="funnel",
            affected_customers=int(np.sum(lost)),
            details={"deals": float(np.sum(j.has_deal)), "lost_rate": _rate(lost, j.has_deal)},
        ),
    ]


def _funnel(j: _Journeys, has_ticket: BoolArray) -> dict[str, int]:
    counts: dict[str, Any] = {
        "lead_created": len(j.lead),
        "webinar_attended": j.webinar,
        "demo_scheduled": j.has_demo,
        "contract_sent": j.has_deal,
        "deal_won": j.won,
        "deal_lost": j.has_deal & ~j.won,
        "workspace_created": j.started,
        "onboarding_started": j.started,
        "onboarding_completed": j.completed,
        "teammate_invited": j.invite,
        "report_created": j.report,
        "plan_upgraded": j.upgraded,
        "ticket_opened": has_ticket,
    }
    return {k: v if isinstance(v, int) else int(np.sum(v)) for k, v in counts.items()}


@dataclass(frozen=True)
class DemoLatent:
    """What the exports do not say directly: every customer's true journey, for tests.

    ``people`` and ``journeys`` hold one element per customer (times in UTC epoch ms);
    ``unidentified`` marks the product users who never sent an identify call.
    """

    people: _People
    journeys: _Journeys
    unidentified: BoolArray


def generate_demo(out_dir: Path, customers: int = 3000, seed: int = 7) -> DemoGroundTruth:
    """Write the Northwind Analytics demo exports under ``out_dir`` and return what was planted.

    Creates ``crm/contacts.csv``, ``crm/deal_stage_history.csv``,
    ``support/ticket_events.jsonl``, ``product/segment_events.jsonl`` and
    ``ground_truth.json`` (existing files are overwritten). The same ``customers`` and
    ``seed`` always give byte-identical files.

    Example:
        >>> import tempfile
        >>> truth = generate_demo(Path(tempfile.mkdtemp()), customers=100, seed=7)
        >>> truth.files["support/ticket_events.jsonl"].broken[-1].reason
        'truncated JSON line'
    """
    return generate_demo_with_latent(out_dir, customers, seed)[0]


def generate_demo_with_latent(
    out_dir: Path, customers: int = 3000, seed: int = 7
) -> tuple[DemoGroundTruth, DemoLatent]:
    """``generate_demo``, also returning every customer's true journey (``DemoLatent``)."""
    if isinstance(customers, bool) or not isinstance(customers, int | np.integer):
        raise ConfigError(
            f"demo: customers={customers!r} is not a whole number. Fix: pass e.g. customers=3000."
        )
    if customers < 1:
        raise ConfigError(
            f"demo: customers={customers} must be at least 1. Fix: pass e.g. customers=3000."
        )
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise ConfigError(
            f"demo: seed={seed!r} must be a whole number >= 0. Fix: pass e.g. seed=7."
        )
    customers, seed = int(customers), int(seed)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)

    people = _people(rng, customers)
    journeys = _journeys(rng, people)
    contacts, record_id = _contacts(rng, out_dir, people, journeys)
    deals = _deals(rng, out_dir, journeys, record_id)
    tickets, has_reopen, reopen_details = _tickets(rng, out_dir, people, journeys)
    segment, unidentified = _segment(rng, out_dir, people, journeys)

    has_ticket = journeys.onboarding_ticket | journeys.general_ticket
    ties = deals.truth.ties + tickets.truth.ties + segment.truth.ties
    events = len(contacts.customer) + len(deals.customer) + len(tickets.customer)
    events += len(segment.customer)
    truth = DemoGroundTruth(
        customers=customers,
        seed=seed,
        files={
            CONTACTS_FILE: contacts.truth,
            DEALS_FILE: deals.truth,
            TICKETS_FILE: tickets.truth,
            SEGMENT_FILE: segment.truth,
        },
        planted_friction=_planted(people, journeys, has_reopen, reopen_details),
        funnel=_funnel(journeys, has_ticket),
        unidentified_product_users=int(np.sum(unidentified)),
        tied_event_share=round(ties / events, 4) if events else 0.0,
    )
    (out_dir / "ground_truth.json").write_text(
        truth.model_dump_json(indent=2) + "\n", encoding="utf-8"
    )
    return truth, DemoLatent(people=people, journeys=journeys, unidentified=unidentified)
