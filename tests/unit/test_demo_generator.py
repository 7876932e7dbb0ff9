"""The demo generator writes realistic, deterministic exports with the friction it claims."""

from __future__ import annotations

import csv
import json
import re
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from journey_mining.demo import DemoGroundTruth, generate_demo
from journey_mining.errors import ConfigError

CONTACTS = "crm/contacts.csv"
DEALS = "crm/deal_stage_history.csv"
TICKETS = "support/ticket_events.jsonl"
SEGMENT = "product/segment_events.jsonl"
ALL_FILES = (CONTACTS, DEALS, TICKETS, SEGMENT, "ground_truth.json")
CRM_FORMAT = "%Y-%m-%d %H:%M:%S"
SEGMENT_TS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
TICKET_TS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d)$")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, DemoGroundTruth]:
    out = tmp_path_factory.mktemp("demo")
    return out, generate_demo(out, customers=1000, seed=7)


def _csv_rows(path: Path) -> tuple[list[str], list[list[str]]]:
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    return rows[0], rows[1:]


def _lines(path: Path) -> list[str]:
    """The file's lines; a final newline does not start another line."""
    return path.read_text(encoding="utf-8").splitlines()


def _broken_rows(truth: DemoGroundTruth, name: str) -> dict[int, str]:
    return {b.row: b.reason for b in truth.files[name].broken}


def _valid_json(path: Path, truth: DemoGroundTruth, name: str) -> list[dict[str, Any]]:
    """Parsed lines, minus broken lines and re-sent copies."""
    skip = set(_broken_rows(truth, name)) | set(truth.files[name].duplicate_rows)
    return [json.loads(line) for i, line in enumerate(_lines(path), 1) if i not in skip]


def _is_strict_crm_time(text: str) -> bool:
    try:
        datetime.strptime(text, CRM_FORMAT)
    except ValueError:
        return False
    return True


# --- determinism and shape ------------------------------------------------------------------


def test_same_seed_gives_identical_bytes_and_other_seed_differs(tmp_path: Path) -> None:
    generate_demo(tmp_path / "a", customers=200, seed=3)
    generate_demo(tmp_path / "b", customers=200, seed=3)
    generate_demo(tmp_path / "c", customers=200, seed=4)
    for name in ALL_FILES:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name
    for name in (CONTACTS, DEALS, TICKETS, SEGMENT):
        assert (tmp_path / "a" / name).read_bytes() != (tmp_path / "c" / name).read_bytes(), name


def test_headers_are_exact(demo: tuple[Path, DemoGroundTruth]) -> None:
    out, _ = demo
    assert _lines(out / CONTACTS)[0] == (
        "Record ID,Email,First Name,Last Name,Company Name,Segment,Original Source,Create Date"
    )
    assert _lines(out / DEALS)[0] == (
        "Deal ID,Associated Contact ID,Deal Stage,Stage Entered At,Pipeline"
    )


def test_row_counts_match_ground_truth(demo: tuple[Path, DemoGroundTruth]) -> None:
    out, truth = demo
    for name in (CONTACTS, DEALS):
        _, rows = _csv_rows(out / name)
        assert len(rows) == truth.files[name].rows
    assert (out / SEGMENT).read_text().endswith("\n")
    assert len(_lines(out / SEGMENT)) == truth.files[SEGMENT].rows
    assert not (out / TICKETS).read_text().endswith("\n")  # cut off mid-line
    assert len(_lines(out / TICKETS)) == truth.files[TICKETS].rows
    for name, ft in truth.files.items():
        assert ft.events == ft.rows - len(ft.broken) - ft.duplicates, name
    assert truth.files[CONTACTS].events == 1000


def test_ground_truth_json_round_trips(demo: tuple[Path, DemoGroundTruth]) -> None:
    out, truth = demo
    loaded = DemoGroundTruth.model_validate_json((out / "ground_truth.json").read_text())
    assert loaded == truth
    assert {f.name for f in truth.planted_friction} == {
        "onboarding_ticket",
        "slow_sales_handoff",
        "reopen_loop",
        "smb_skips_demo",
        "lost_after_contract",
    }


def test_bad_arguments_raise_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="customers=0"):
        generate_demo(tmp_path, customers=0)
    with pytest.raises(ConfigError, match="seed=-1"):
        generate_demo(tmp_path, customers=10, seed=-1)


def test_a_single_customer_still_gets_every_file_and_broken_row(tmp_path: Path) -> None:
    truth = generate_demo(tmp_path, customers=1, seed=0)
    assert len(truth.files[CONTACTS].broken) == 3
    assert len(truth.files[DEALS].broken) == 4
    assert len(truth.files[TICKETS].broken) == 3
    assert len(truth.files[SEGMENT].broken) == 3


# --- broken rows, duplicates, timestamps ------------------------------------------------------


def test_contact_broken_rows_lack_id_and_email(demo: tuple[Path, DemoGroundTruth]) -> None:
    out, truth = demo
    header, rows = _csv_rows(out / CONTACTS)
    broken = _broken_rows(truth, CONTACTS)
    assert len(broken) == 3
    assert set(broken.values()) == {"missing contact id and email"}
    for i, row in enumerate(rows, 1):
        record = dict(zip(header, row, strict=True))
        missing = record["Record ID"] == "" and record["Email"] == ""
        assert missing == (i in broken), i
        assert _is_strict_crm_time(record["Create Date"])
        if not missing:
            assert record["Record ID"].isdigit()
            assert record["Segment"] in {"SMB", "Mid-Market", "Enterprise"}


def test_deal_broken_rows_have_unparseable_timestamps(demo: tuple[Path, DemoGroundTruth]) -> None:
    out, truth = demo
    header, rows = _csv_rows(out / DEALS)
    broken = _broken_rows(truth, DEALS)
    assert len(broken) == 4
    assert set(broken.values()) == {"unparseable timestamp"}
    stages = {"appointmentscheduled", "contractsent", "closedwon", "closedlost"}
    for i, row in enumerate(rows, 1):
        record = dict(zip(header, row, strict=True))
        assert _is_strict_crm_time(record["Stage Entered At"]) == (i not in broken), i
        assert record["Deal Stage"] in stages
        assert record["Pipeline"] == "default"


def test_ticket_broken_lines_and_resent_copies(demo: tuple[Path, DemoGroundTruth]) -> None:
    out, truth = demo
    lines = _lines(out / TICKETS)
    broken = _broken_rows(truth, TICKETS)
    assert sorted(broken.values()) == [
        "missing ticket id",
        "missing ticket id",
        "truncated JSON line",
    ]
    assert broken[len(lines)] == "truncated JSON line"
    with pytest.raises(json.JSONDecodeError):
        json.loads(lines[-1])
    assert not lines[-1].rstrip().endswith("}")
    seen: set[str] = set()
    copies = []
    for i, line in enumerate(lines[:-1], 1):
        event = json.loads(line)
        assert (event["ticket_id"] is None) == (broken.get(i) == "missing ticket id"), i
        if line in seen:
            copies.append(i)
        seen.add(line)
    ft = truth.files[TICKETS]
    assert copies == ft.duplicate_rows
    assert ft.duplicates == len(copies) > 0
    # ids increase over the file once re-sent copies are set aside
    ids = [json.loads(lines[i - 1])["id"] for i in range(1, len(lines)) if i not in set(copies)]
    assert ids == sorted(ids) and len(set(ids)) == len(ids)


def test_ticket_timestamps_and_fields(demo: tuple[Path, DemoGroundTruth]) -> None:
    out, truth = demo
    events = _valid_json(out / TICKETS, truth, TICKETS)
    suffixes = set()
    for ev in events:
        assert list(ev) == [
            "id",
            "ticket_id",
            "created_at",
            "event_type",
            "status",
            "requester",
            "via",
            "satisfaction",
        ]
        assert TICKET_TS.match(ev["created_at"]), ev["created_at"]
        assert datetime.fromisoformat(ev["created_at"]).tzinfo is not None
        suffixes.add(ev["created_at"][19:])
        assert ev["via"] in {"email", "web", "chat"}
        assert ev["status"] in {"new", "open", "pending", "solved"}
        rated = ev["event_type"] == "satisfaction_rated"
        assert (ev["satisfaction"] in {"good", "bad"}) == rated
    assert suffixes == {"+01:00", "-05:00", "+00:00", "Z"}


def test_segment_broken_lines_duplicates_and_timestamps(
    demo: tuple[Path, DemoGroundTruth],
) -> None:
    out, truth = demo
    lines = _lines(out / SEGMENT)
    broken = _broken_rows(truth, SEGMENT)
    assert sorted(broken.values()) == ["missing userId", "missing userId", "unparseable timestamp"]
    seen: set[str] = set()
    copies = []
    names = {
        "Webinar Attended",
        "Workspace Created",
        "Onboarding Started",
        "Onboarding Completed",
        "Teammate Invited",
        "Report Created",
        "Plan Upgraded",
    }
    for i, line in enumerate(lines, 1):
        msg = json.loads(line)
        if line in seen:
            copies.append(i)
            assert msg["type"] == "track"
        seen.add(line)
        reason = broken.get(i)
        assert ("userId" not in msg) == (reason == "missing userId"), i
        assert (msg["timestamp"] == "yesterday") == (reason == "unparseable timestamp"), i
        if reason is None:
            assert SEGMENT_TS.match(msg["timestamp"]), msg["timestamp"]
            assert re.fullmatch(r"usr_[0-9a-f]{12}", msg["userId"])
        if msg["type"] == "track":
            assert msg["event"] in names
            assert isinstance(msg["properties"], dict)
        else:
            assert msg["type"] == "identify"
            assert set(msg["traits"]) == {"email", "company"}
    ft = truth.files[SEGMENT]
    assert copies == ft.duplicate_rows
    assert ft.duplicates == len(copies) > 0
    message_ids = [json.loads(lines[i - 1])["messageId"] for i in range(1, len(lines) + 1)]
    assert len(set(message_ids)) == len(message_ids) - len(copies)


# --- identity and planted friction, measured from the written files ---------------------------


def _norm(email: pd.Series) -> pd.Series:
    return email.str.strip().str.lower()


def _journey_frames(out: Path, truth: DemoGroundTruth) -> dict[str, pd.DataFrame]:
    contacts = pd.read_csv(out / CONTACTS, dtype=str, keep_default_na=False)
    contacts = contacts[contacts["Record ID"] != ""].copy()
    contacts["email"] = _norm(contacts["Email"])
    deals = pd.read_csv(out / DEALS, dtype=str, keep_default_na=False)
    deals = deals[deals["Stage Entered At"].map(_is_strict_crm_time)].copy()
    deals["t"] = (
        pd.to_datetime(deals["Stage Entered At"], format=CRM_FORMAT)
        .dt.tz_localize("America/New_York", ambiguous="NaT")
        .dt.tz_convert("UTC")
    )
    deals = deals.merge(
        contacts[["Record ID", "email", "Segment"]],
        left_on="Associated Contact ID",
        right_on="Record ID",
    )
    messages = pd.DataFrame(_valid_json(out / SEGMENT, truth, SEGMENT))
    identify = messages[messages["type"] == "identify"]
    user_email = dict(
        zip(identify["userId"], _norm(identify["traits"].map(lambda t: t["email"])), strict=True)
    )
    tracks = messages[messages["type"] == "track"].copy()
    tracks["email"] = tracks["userId"].map(user_email)
    tracks["t"] = pd.to_datetime(tracks["timestamp"], utc=True, format="ISO8601")
    tickets = pd.DataFrame(_valid_json(out / TICKETS, truth, TICKETS))
    tickets["email"] = _norm(tickets["requester"].map(lambda r: r["email"]))
    tickets["t"] = pd.to_datetime(tickets["created_at"], utc=True, format="ISO8601")
    return {"contacts": contacts, "deals": deals, "tracks": tracks, "tickets": tickets}


def _first(tracks: pd.DataFrame, event: str) -> pd.Series:
    return tracks[tracks["event"] == event].groupby("email")["t"].min()


def test_each_system_spells_the_same_email_differently(demo: tuple[Path, DemoGroundTruth]) -> None:
    out, truth = demo
    frames = _journey_frames(out, truth)
    contacts = frames["contacts"]
    assert contacts["email"].is_unique
    assert 0.2 < (contacts["Email"] != contacts["email"]).mean() < 0.4
    crm: dict[str, str] = dict(zip(contacts["email"], contacts["Email"], strict=True))
    messages = pd.DataFrame(_valid_json(out / SEGMENT, truth, SEGMENT))
    raw_product = messages.loc[messages["type"] == "identify", "traits"].map(lambda t: t["email"])
    product: dict[str, str] = dict(zip(_norm(raw_product), raw_product, strict=True))
    tickets = frames["tickets"]
    raw_support = tickets["requester"].map(lambda r: r["email"])
    support: dict[str, str] = dict(zip(tickets["email"], raw_support, strict=True))
    assert len(set(raw_support)) == len(support)  # one spelling per system
    for email, raw in product.items():
        assert raw != crm[email]
        assert raw != support.get(email)
    for email, raw in support.items():
        assert raw != crm[email]
    # ~5% of product users never identify: their tracks cannot be linked
    unlinked = frames["tracks"].loc[frames["tracks"]["email"].isna(), "userId"].nunique()
    assert unlinked == truth.unidentified_product_users > 0


def test_onboarding_ticket_customers_upgrade_far_less(demo: tuple[Path, DemoGroundTruth]) -> None:
    out, truth = demo
    frames = _journey_frames(out, truth)
    tracks, tickets = frames["tracks"], frames["tickets"]
    started = _first(tracks, "Onboarding Started")
    done = _first(tracks, "Onboarding Completed")
    upgraded = set(_first(tracks, "Plan Upgraded").index)
    opened = tickets[tickets["event_type"] == "created"][["email", "t"]]
    window = opened.join(started.rename("start"), on="email").join(done.rename("done"), on="email")
    in_window = window[(window["t"] > window["start"]) & (window["t"] < window["done"])]
    affected = set(in_window["email"])
    completers = set(done.index)
    with_ticket = completers & affected
    others = completers - affected
    rate_ticket = len(with_ticket & upgraded) / len(with_ticket)
    rate_others = len(others & upgraded) / len(others)
    assert len(with_ticket) > 50
    assert rate_ticket < 0.3 < 0.45 < rate_others
    days = ((done - started).dt.total_seconds() / 86_400).dropna()
    assert days[list(with_ticket)].median() - days[list(others)].median() > 5


def test_enterprise_handoff_is_slow(demo: tuple[Path, DemoGroundTruth]) -> None:
    out, truth = demo
    frames = _journey_frames(out, truth)
    deals = frames["deals"]
    won = deals[deals["Deal Stage"] == "closedwon"].set_index("email")
    started = _first(frames["tracks"], "Onboarding Started")
    handoff = ((started - won["t"]).dt.total_seconds() / 86_400).dropna()
    enterprise = won["Segment"] == "Enterprise"
    ent_days = handoff[handoff.index.isin(won.index[enterprise])]
    other_days = handoff[handoff.index.isin(won.index[~enterprise])]
    assert ent_days.median() > 9 and (ent_days > 7).mean() > 0.75
    assert 1 < other_days.median() < 3.5 and (other_days > 7).mean() < 0.02


def test_deal_stage_friction(demo: tuple[Path, DemoGroundTruth]) -> None:
    out, truth = demo
    frames = _journey_frames(out, truth)
    deals = frames["deals"]
    stages = deals.groupby("Deal ID")["Deal Stage"].agg(set)
    segment = deals.groupby("Deal ID")["Segment"].first()
    no_demo = stages.map(lambda s: "appointmentscheduled" not in s)
    assert 0.45 < no_demo[segment == "SMB"].mean() < 0.75
    assert no_demo[segment != "SMB"].sum() == 0
    lost = stages.map(lambda s: "closedlost" in s)
    assert 0.22 < lost.mean() < 0.38
    assert stages.map(lambda s: "contractsent" in s).all()
    friction = {f.name: f for f in truth.planted_friction}
    assert friction["lost_after_contract"].affected_customers == lost.sum()
    assert friction["smb_skips_demo"].affected_customers == no_demo.sum()
    assert 0.12 < len(set(frames["contacts"]["email"]) - set(deals["email"])) / 1000 < 0.18


def test_reopen_loop(demo: tuple[Path, DemoGroundTruth]) -> None:
    out, truth = demo
    tickets = _journey_frames(out, truth)["tickets"]
    per_ticket = tickets.groupby("ticket_id")["event_type"].agg(list)
    reopened = per_ticket.map(lambda evs: "reopened" in evs)
    assert 0.25 < reopened.mean() < 0.45
    assert (per_ticket[reopened].map(lambda evs: evs.count("solved")) == 2).all()
    assert (per_ticket[~reopened].map(lambda evs: evs.count("solved")) == 1).all()
    assert per_ticket.map(lambda evs: evs[0] == "created").all()


def test_timestamp_ties_are_planted(demo: tuple[Path, DemoGroundTruth]) -> None:
    out, truth = demo
    frames = _journey_frames(out, truth)
    tracks = frames["tracks"]
    workspace = tracks[tracks["event"] == "Workspace Created"].set_index("userId")["timestamp"]
    onboarding = tracks[tracks["event"] == "Onboarding Started"].set_index("userId")["timestamp"]
    same_ms = (workspace == onboarding[workspace.index]).mean()
    assert 0.45 < same_ms < 0.75
    tickets = frames["tickets"]
    firsts = tickets.sort_values("id").groupby("ticket_id").head(2)
    pair = firsts.groupby("ticket_id")["t"].agg(["first", "last", "size"])
    pair = pair[pair["size"] == 2]
    assert 0.3 < (pair["first"] == pair["last"]).mean() < 0.7
    assert 0.07 < truth.tied_event_share < 0.13
