"""Seeded, vectorised generator of multi-system customer journey logs for the benchmarks.

One Parquet file per size, one row per event, rows in *ingestion order* (not sorted by case
or time)::

    case_id  TEXT                      journey (customer) id, e.g. J000012345
    activity TEXT                      one of ~40 activities (CRM, support, product)
    ts       TIMESTAMP WITH TIME ZONE  UTC, whole seconds (so ties happen, as in real exports)
    system   TEXT                      crm | support | product

The journey (what ``bench/happy_path.yaml`` describes, plus everything real logs add)::

    crm      lead_created → (webinar_attended ×1-2) → demo_scheduled (skipped by ~25%)
             → contract_sent → deal_won | deal_lost (journey ends; ~15% never get a deal)
    product  workspace_created + onboarding_started (same second ~55%; swapped ~10%)
             → onboarding_completed (~85%) → teammate_invited / report_created (either
             order, ties, report loops) → plan_upgraded (the goal, ~50%)
    support  ~12% open a ticket a few hours after a milestone (lead, contract, onboarding,
             the journey's end): ticket_opened → ticket_solved (→ ticket_reopened →
             ticket_solved) → ticket_rated, interleaving with the other systems
    noise    ~0.3% of journeys do one of 30 rare activities (sso_configured, escalated…)

so a log has loops, skips, reorderings, drop-offs and about 9% of events tied with the
same journey's previous event; ~6.65 events per journey; 1,292 variants at 10^5 events,
4,400 at 10^6, 12,747 at 10^7 (a long tail, as in real logs). Everything is
drawn from ``numpy.random.Generator`` over whole arrays (no per-event Python loop);
journeys are made in chunks of ``CHUNK_CASES`` (each with its own seeded generator, each
written as its own row groups) so 10^8 events fit in a few GB. Within a chunk, rows are in
ingestion order: each system delivers its events after its own lag (CRM nightly batches,
support within the hour, product within minutes), so rows are not in time order and tied
events arrive in either order — the log needs the documented (ts, row) tie-break.

``--replicate K`` writes the same journeys K times under new case ids (``…-r2``): the same
variant set with K times the journeys, for the "conformance grows with variants, not
events" check. ``--format demo`` writes the demo company's exports instead
(``journey_mining.demo.generate_demo``) with about the requested number of events.

Usage::

    .venv/bin/python bench/generate.py --events 1e5,1e6,1e7          # bench/data/1e6/events.parquet …
    .venv/bin/python bench/generate.py --events 1e6 --replicate 2    # bench/data/1e6_x2/events.parquet
    .venv/bin/python bench/generate.py --events 1e6 --format demo    # bench/data/demo_1e6/exports/
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

BENCH_DIR = Path(__file__).resolve().parent
DATA_DIR = BENCH_DIR / "data"
CHUNK_CASES = 1_000_000
EVENTS_PER_CASE = 6.65  # measured mean of this generator (calibrates cases per target size)
DEMO_EVENTS_PER_CUSTOMER = 8.43  # measured on generate_demo (valid events per customer)
SEED = 20261122

S = 1
MIN = 60
H = 3600
D = 86_400
START = int(np.datetime64("2025-01-01T00:00:00", "s").astype(np.int64))
YEAR = 365 * D

SYSTEMS = ("crm", "support", "product")
CRM, SUPPORT, PRODUCT = 0, 1, 2
MAIN_ACTIVITIES = (
    ("lead_created", CRM),
    ("webinar_attended", CRM),
    ("demo_scheduled", CRM),
    ("contract_sent", CRM),
    ("deal_won", CRM),
    ("deal_lost", CRM),
    ("workspace_created", PRODUCT),
    ("onboarding_started", PRODUCT),
    ("onboarding_completed", PRODUCT),
    ("teammate_invited", PRODUCT),
    ("report_created", PRODUCT),
    ("plan_upgraded", PRODUCT),
    ("ticket_opened", SUPPORT),
    ("ticket_solved", SUPPORT),
    ("ticket_reopened", SUPPORT),
    ("ticket_rated", SUPPORT),
)
RARE_ACTIVITIES = (
    ("sso_configured", PRODUCT),
    ("api_key_created", PRODUCT),
    ("export_downloaded", PRODUCT),
    ("integration_connected", PRODUCT),
    ("dashboard_shared", PRODUCT),
    ("billing_updated", PRODUCT),
    ("seat_removed", PRODUCT),
    ("plan_downgraded", PRODUCT),
    ("trial_extended", PRODUCT),
    ("data_imported", PRODUCT),
    ("alert_configured", PRODUCT),
    ("mobile_app_installed", PRODUCT),
    ("invoice_disputed", CRM),
    ("quote_revised", CRM),
    ("discount_requested", CRM),
    ("legal_review", CRM),
    ("security_questionnaire", CRM),
    ("champion_left", CRM),
    ("renewal_call", CRM),
    ("case_study_signed", CRM),
    ("nps_answered", CRM),
    ("bug_reported", SUPPORT),
    ("feature_requested", SUPPORT),
    ("escalated", SUPPORT),
    ("refund_requested", SUPPORT),
    ("outage_notified", SUPPORT),
    ("callback_requested", SUPPORT),
    ("csat_low", SUPPORT),
    ("ticket_merged", SUPPORT),
    ("kb_article_viewed", SUPPORT),
)
ACTIVITIES = MAIN_ACTIVITIES + RARE_ACTIVITIES
A = {name: code for code, (name, _) in enumerate(ACTIVITIES)}
ACTIVITY_SYSTEM = np.array([system for _, system in ACTIVITIES], dtype=np.int8)
N_RARE = len(RARE_ACTIVITIES)
RARE0 = len(MAIN_ACTIVITIES)
MAX_TICKETS = 1
MAX_REOPENS = 1
MAX_REPORTS = 2


@dataclass
class Events:
    """Long-format event arrays of one chunk (not yet in ingestion order)."""

    case: np.ndarray  # int64 case number
    activity: np.ndarray  # int16 activity code
    ts: np.ndarray  # int64 epoch seconds

    def __len__(self) -> int:
        return len(self.case)


class _Collector:
    """Collects (case, activity, ts) arrays for events that happen (a boolean mask per slot)."""

    def __init__(self, cases: np.ndarray) -> None:
        self.cases = cases
        self.parts: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []

    def add(self, activity: int | np.ndarray, ts: np.ndarray, mask: np.ndarray) -> None:
        idx = np.flatnonzero(mask)
        acts = (
            np.full(len(idx), activity, dtype=np.int16)
            if np.isscalar(activity)
            else np.asarray(activity)[idx].astype(np.int16)
        )
        self.parts.append((self.cases[idx], acts, ts[idx]))

    def events(self) -> Events:
        return Events(
            case=np.concatenate([p[0] for p in self.parts]),
            activity=np.concatenate([p[1] for p in self.parts]),
            ts=np.concatenate([p[2] for p in self.parts]),
        )


def _lognormal(rng: np.random.Generator, median_s: float, sigma: float, n: int) -> np.ndarray:
    return np.maximum(median_s * np.exp(sigma * rng.standard_normal(n)), MIN).astype(np.int64)


def generate_chunk(first_case: int, n: int, seed: int, chunk_no: int) -> Events:
    """Journeys ``first_case .. first_case + n - 1``, drawn with their own seeded generator."""
    rng = np.random.default_rng([seed, chunk_no])
    cases = np.arange(first_case, first_case + n, dtype=np.int64)
    out = _Collector(cases)
    every = np.ones(n, dtype=bool)

    def p(prob: float, where: np.ndarray = every) -> np.ndarray:
        return where & (rng.random(n) < prob)

    # --- CRM: lead, webinars, deal -------------------------------------------------------
    t_lead = START + rng.integers(0, YEAR, n)
    out.add(A["lead_created"], t_lead, every)
    t = t_lead.copy()
    webinar = p(0.25)
    t_web1 = t + _lognormal(rng, 3 * D, 1.0, n)
    out.add(A["webinar_attended"], t_web1, webinar)
    web2 = p(0.10, webinar)
    t_web2 = t_web1 + _lognormal(rng, 7 * D, 0.8, n)
    out.add(A["webinar_attended"], t_web2, web2)
    t = np.where(web2, t_web2, np.where(webinar, t_web1, t))

    deal = p(0.85)
    demo = p(0.75, deal)
    t_demo = t + _lognormal(rng, 5 * D, 0.9, n)
    out.add(A["demo_scheduled"], t_demo, demo)
    t = np.where(demo, t_demo, t)
    t_contract = t + _lognormal(rng, 10 * D, 0.8, n)
    out.add(A["contract_sent"], t_contract, deal)
    won = p(0.70, deal)
    close_tie = p(0.15)
    t_close = np.where(close_tie, t_contract, t_contract + _lognormal(rng, 9 * D, 0.9, n))
    out.add(A["deal_won"], t_close, won)
    out.add(A["deal_lost"], t_close, deal & ~won)
    end = np.where(deal, t_close, t)

    # --- product: onboarding ---------------------------------------------------------------
    enterprise = p(0.15)
    handoff = np.where(enterprise, _lognormal(rng, 12 * D, 0.5, n), _lognormal(rng, 2 * D, 0.6, n))
    t_ws = t_close + handoff
    workspace = p(0.92, won)  # ~8% skip workspace_created (an optional step)
    out.add(A["workspace_created"], t_ws, workspace)
    started = p(0.95, won)  # ~5% of won deals never start onboarding (drop-off)
    swap = p(0.10)
    tie_ws = p(0.70)
    t_onb = np.where(
        swap, t_ws - rng.integers(MIN, H, n), np.where(tie_ws, t_ws, t_ws + rng.integers(1, H, n))
    )
    out.add(A["onboarding_started"], t_onb, started)
    completed = p(0.85, started)
    t_done = np.maximum(t_onb, t_ws) + _lognormal(rng, 4 * D, 0.8, n)
    out.add(A["onboarding_completed"], t_done, completed)
    end = np.where(started, np.maximum(t_onb, t_ws), np.where(workspace, t_ws, end))
    end = np.where(completed, t_done, end)

    invite = p(0.80, completed)
    report = p(0.80, completed)
    t_inv = t_done + _lognormal(rng, 2 * D, 1.0, n)
    t_rep = np.where(p(0.40), t_inv, t_done + _lognormal(rng, 2 * D, 1.0, n))
    out.add(A["teammate_invited"], t_inv, invite)
    out.add(A["report_created"], t_rep, report)
    t_more = t_rep.copy()
    more = report.copy()
    for _ in range(MAX_REPORTS - 1):  # report loops: another report with p = 0.3
        more = p(0.30, more)
        t_more = t_more + _lognormal(rng, 1 * D, 1.0, n)
        out.add(A["report_created"], t_more, more)
    t_last_use = np.maximum(np.where(invite, t_inv, t_done), np.where(report, t_rep, t_done))
    upgraded = p(0.50, completed & (invite | report))
    t_up = t_last_use + _lognormal(rng, 20 * D, 0.7, n)
    out.add(A["plan_upgraded"], t_up, upgraded)
    end = np.where(invite | report, np.maximum(end, t_last_use), end)
    end = np.where(upgraded, t_up, end)

    # --- support: tickets, opened a few hours after one of the journey's milestones -------
    n_tickets = np.minimum(rng.poisson(0.13, n), MAX_TICKETS)
    anchors = np.stack(
        [
            t_lead,
            np.where(deal, t_contract, t_lead),
            np.where(started, t_onb, end),
            end,
        ]
    )
    for k in range(MAX_TICKETS):
        has = n_tickets > k
        anchor = anchors[rng.choice(len(anchors), n, p=(0.1, 0.15, 0.6, 0.15)), cases - first_case]
        t_open = anchor + _lognormal(rng, 3 * H, 0.5, n)
        out.add(A["ticket_opened"], t_open, has)
        t_solve = t_open + _lognormal(rng, 2 * H, 0.5, n)
        out.add(A["ticket_solved"], t_solve, has)
        open_more = has.copy()
        t_cur = t_solve
        for _ in range(MAX_REOPENS):  # reopen loops
            open_more = p(0.25, open_more)
            t_re = t_cur + _lognormal(rng, 1 * H, 0.5, n)
            out.add(A["ticket_reopened"], t_re, open_more)
            t_cur2 = np.where(p(0.5), t_re, t_re + _lognormal(rng, 1 * H, 0.5, n))
            out.add(A["ticket_solved"], t_cur2, open_more)
            t_cur = np.where(open_more, t_cur2, t_cur)
        rated = p(0.25, has)
        t_rate = np.where(p(0.7), t_cur, t_cur + _lognormal(rng, 1 * H, 0.5, n))
        out.add(A["ticket_rated"], t_rate, rated)
    span = np.maximum(end - t_lead, H) + 14 * D

    # --- noise: a rare activity in ~3% of journeys, anywhere in the journey -----------------
    rare = p(0.003)
    rare_code = RARE0 + np.minimum(rng.zipf(2.0, n) - 1, N_RARE - 1)
    t_rare = t_lead + (rng.random(n) * span).astype(np.int64)
    out.add(rare_code, t_rare, rare)
    return out.events()


def ingestion_order(events: Events, rng: np.random.Generator) -> np.ndarray:
    """Row order as the systems deliver: CRM in nightly batches, support hourly, product in minutes."""
    system = ACTIVITY_SYSTEM[events.activity]
    lag = np.where(
        system == CRM,
        (events.ts // D + 1) * D - events.ts + rng.integers(0, 2 * H, len(events)),
        np.where(
            system == SUPPORT,
            rng.integers(0, H, len(events)),
            rng.integers(0, 10 * MIN, len(events)),
        ),
    )
    return np.argsort(events.ts + lag, kind="stable")


def to_table(events: Events, order: np.ndarray, suffix: str = "") -> pa.Table:
    """The Arrow table of a chunk in ``order`` (case ids and names built by Arrow, not Python)."""
    case = pa.array(events.case[order])
    case_id = pc.binary_join_element_wise(
        "J", pc.utf8_lpad(pc.cast(case, pa.string()), 9, "0"), suffix, ""
    )
    names = pa.array([name for name, _ in ACTIVITIES], pa.string())
    acts = events.activity[order]
    systems = pa.array(list(SYSTEMS), pa.string())
    # Plain string columns (Parquet still dictionary-encodes their pages): readers see
    # text, as in a warehouse export, not a pandas Categorical.
    return pa.table(
        {
            "case_id": case_id,
            "activity": pc.take(names, pa.array(acts.astype(np.int32))),
            "ts": pa.array(events.ts[order] * 1_000_000, pa.timestamp("us", tz="UTC")),
            "system": pc.take(systems, pa.array(ACTIVITY_SYSTEM[acts].astype(np.int32))),
        }
    )


def tie_share(events: Events) -> float:
    """Events whose timestamp equals the previous event's (by time) in the same journey."""
    order = np.lexsort((events.ts, events.case))
    c, t = events.case[order], events.ts[order]
    return float(np.sum((c[1:] == c[:-1]) & (t[1:] == t[:-1])) / max(len(events), 1))


def dataset_dir(events: int, replicate: int = 1) -> Path:
    """``bench/data/1e6/`` (or ``1e6_x2/`` for a replicated log): the pipeline's data dir."""
    return DATA_DIR / (size_label(events) + ("" if replicate == 1 else f"_x{replicate}"))


def parquet_path(events: int, replicate: int = 1) -> Path:
    return dataset_dir(events, replicate) / "events.parquet"


def size_label(events: int) -> str:
    exponent = int(np.floor(np.log10(events)))
    mantissa = events / 10**exponent
    return f"1e{exponent}" if mantissa == 1 else f"{mantissa:g}e{exponent}"


def write_parquet(
    target_events: int, path: Path, seed: int = SEED, replicate: int = 1
) -> dict[str, object]:
    """Write a journey log of about ``target_events`` events (× ``replicate``); return its facts."""
    n_cases = max(1, round(target_events / EVENTS_PER_CASE))
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".parquet.tmp")
    started = time.perf_counter()
    rows = 0
    ties = 0.0
    writer: pq.ParquetWriter | None = None
    for chunk_no, first in enumerate(range(0, n_cases, CHUNK_CASES)):
        n = min(CHUNK_CASES, n_cases - first)
        events = generate_chunk(first, n, seed, chunk_no)
        order = ingestion_order(events, np.random.default_rng([seed, chunk_no, 1]))
        ties += tie_share(events) * len(events)
        for copy in range(replicate):
            table = to_table(events, order, "" if copy == 0 else f"-r{copy + 1}")
            if writer is None:
                writer = pq.ParquetWriter(tmp, table.schema, compression="zstd")
            writer.write_table(table, row_group_size=1_000_000)
            rows += len(table)
    assert writer is not None
    writer.close()
    tmp.replace(path)
    facts = {
        "path": str(path),
        "events": rows,
        "journeys": n_cases * replicate,
        "replicate": replicate,
        "seed": seed,
        "tied_event_share": round(ties * replicate / rows, 4),
        "bytes": path.stat().st_size,
        "seconds": round(time.perf_counter() - started, 2),
    }
    path.with_suffix(".json").write_text(json.dumps(facts, indent=2) + "\n")
    return facts


def ensure_parquet(target_events: int, replicate: int = 1, seed: int = SEED) -> dict[str, object]:
    """The log for a size, generated when missing (facts read back from its side file)."""
    path = parquet_path(target_events, replicate)
    side = path.with_suffix(".json")
    if path.is_file() and side.is_file():
        facts = json.loads(side.read_text())
        if facts.get("seed") == seed:
            return dict(facts)
    return write_parquet(target_events, path, seed=seed, replicate=replicate)


def write_demo(target_events: int, seed: int = 7) -> dict[str, object]:
    """The demo company's exports with about ``target_events`` events."""
    from journey_mining.demo import generate_demo

    customers = max(10, round(target_events / DEMO_EVENTS_PER_CUSTOMER))
    out = DATA_DIR / f"demo_{size_label(target_events)}" / "exports"
    started = time.perf_counter()
    truth = generate_demo(out, customers=customers, seed=seed)
    events = sum(f.events for f in truth.files.values())
    return {
        "path": str(out),
        "customers": customers,
        "events": events,
        "seconds": round(time.perf_counter() - started, 2),
    }


def parse_sizes(text: str) -> list[int]:
    return [int(float(s)) for s in text.split(",") if s.strip()]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", default="1e5,1e6,1e7", help="sizes, e.g. 1e5,1e6,1e7,1e8")
    parser.add_argument("--format", choices=("parquet", "demo"), default="parquet")
    parser.add_argument("--replicate", type=int, default=1, help="write the journeys K times")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--force", action="store_true", help="regenerate existing files")
    args = parser.parse_args(argv)
    for size in parse_sizes(args.events):
        if args.format == "demo":
            facts = write_demo(size, seed=args.seed if args.seed != SEED else 7)
        elif args.force:
            facts = write_parquet(
                size, parquet_path(size, args.replicate), args.seed, args.replicate
            )
        else:
            facts = ensure_parquet(size, args.replicate, args.seed)
        print(json.dumps(facts))
    return 0


if __name__ == "__main__":
    sys.exit(main())
