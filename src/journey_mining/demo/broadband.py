"""Seeded generator of a second demo company, unlike the first: "Brightline Broadband", a home
internet provider whose customers sign up on the web or app (or through a partner), verify
their identity, get a contract, pay, have an installation scheduled and are installed (the goal).

Three systems export in shapes the Northwind demo does not use::

    web/events.csv          product analytics: epoch seconds, track and identify rows
                            (user_id; email only on identify rows), the signup's channel
    backoffice/orders.jsonl order status changes, ISO 8601 with varying UTC offsets
    contact/calls.csv       contact-centre log: local day-first times (dd/mm/yyyy HH:MM,
                            Europe/London), the channel of each contact
    ground_truth.json       what was planted: ``BroadbandTruth``

Planted **effects** on reaching ``installed`` (each must be a finding in the default view):

* ``second_call``: a second contact within days of a first one (35% of callers) lowers the
  installation rate (×0.45). The first contact alone changes nothing: a dose effect that starts
  at the second repetition.
* ``address_not_found``: 25% of customers hit an address lookup failure while waiting for their
  contract (after verifying, or after signing up when they skip verification), which then comes
  4 days later and makes installation less likely (×0.55).
* ``slow_installation_handoff``: for 20% of paid orders billing hands over to field operations
  in ~9 days instead of ~2 (the path allows 5): installation rate ×0.55.
* ``partner_channel``: customers who sign up through a partner install less often (×0.65).

Planted **nulls** (each correlates with progress or time, none changes the outcome; none may be a
finding in the default view):

* ``skip_verification``: 30% skip ``id_verified`` (verified offline): the skip can only be seen
  once they got past it.
* ``pay_before_contract``: 25% of payers pay before the contract is issued (out of order).
* ``newsletter``: newsletters opened at random moments for 60 days after signup.
* ``faq_after_steps``: a help page viewed within the hour after each step reached (30%), so
  journeys that get further view it more often.
* ``signup_month``: the month of signup.

Censoring, as real data has it: 5% of web users never identify (their back-office half is
partial, their web half stops after verification); the export is cut at the end of December,
when the last signups are still in progress. ``order_cancelled`` (60% of orders that were
scheduled and not installed) is the goal's negation.

Example:
    >>> import tempfile
    >>> truth, _ = generate_broadband(Path(tempfile.mkdtemp()), customers=300, seed=3)
    >>> sorted(e.name for e in truth.effects)
    ['address_not_found', 'partner_channel', 'second_call', 'slow_installation_handoff']
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pandas as pd
from pydantic import BaseModel, ConfigDict

from journey_mining.errors import ConfigError

BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int64]

LOCAL_TZ = "Europe/London"
WEB_FILE = "web/events.csv"
ORDERS_FILE = "backoffice/orders.jsonl"
CALLS_FILE = "contact/calls.csv"
_MIN = 60_000
_H = 3_600_000
_D = 86_400_000
_START = int(pd.Timestamp("2025-01-01", tz="UTC").value // 1_000_000)
_LAST_SIGNUP = int(pd.Timestamp("2025-12-28", tz="UTC").value // 1_000_000)
_EXPORTED_AT = int(pd.Timestamp("2025-12-31", tz="UTC").value // 1_000_000)
_CHANNELS = ("web", "app", "partner")
_CONTACT_CHANNELS = ("phone", "chat", "email")
_OFFSETS_MIN = (0, 60, -300, 120)


class PlantedSignal(BaseModel):
    """One planted effect or null, and how it shows in ``mining.friction``."""

    model_config = ConfigDict(extra="forbid")

    name: str
    kind: str
    label: str
    affected_customers: int


class BroadbandTruth(BaseModel):
    """What ``generate_broadband`` planted."""

    model_config = ConfigDict(extra="forbid")

    customers: int
    seed: int
    rows: dict[str, int]
    effects: list[PlantedSignal]
    nulls: list[PlantedSignal]
    unidentified_web_users: int


@dataclass(frozen=True)
class BroadbandLatent:
    """Every customer's true journey (UTC epoch ms; ``-1`` where it did not happen)."""

    signup: IntArray
    channel: IntArray
    identified: BoolArray
    verified: BoolArray
    address_problem: BoolArray
    contract: IntArray
    payment: IntArray
    scheduled: IntArray
    slow_handoff: BoolArray
    installed: IntArray
    calls: list[IntArray]


def _lognormal(rng: np.random.Generator, median_ms: float, sigma: float, n: int) -> IntArray:
    return np.maximum(median_ms * np.exp(sigma * rng.standard_normal(n)), _MIN).astype(np.int64)


def _uniform(rng: np.random.Generator, low: float, high: float, n: int) -> IntArray:
    return rng.uniform(low, high, n).astype(np.int64)


def _journeys(rng: np.random.Generator, n: int) -> tuple[BroadbandLatent, dict[str, IntArray]]:
    signup = (_uniform(rng, _START, _LAST_SIGNUP, n) // 1000) * 1000
    channel = rng.choice(3, size=n, p=[0.5, 0.3, 0.2]).astype(np.int64)
    identified = rng.random(n) >= 0.05
    verified = rng.random(n) < 0.70
    id_at = np.where(verified, signup + _lognormal(rng, _D, 0.6, n), -1)
    before_contract = np.where(verified, id_at, signup)
    address_problem = rng.random(n) < 0.25
    address_at = np.where(
        address_problem, before_contract + _uniform(rng, 0.2 * _D, 1.5 * _D, n), -1
    )
    contract_ok = rng.random(n) < 0.85
    contract_at = (
        before_contract + _lognormal(rng, 3 * _D, 0.5, n) + np.where(address_problem, 4 * _D, 0)
    )
    contract = np.where(contract_ok, contract_at, -1)
    paid = contract_ok & (rng.random(n) < 0.85)
    pay_first = paid & (rng.random(n) < 0.25)
    early = before_contract + ((contract_at - before_contract) * rng.uniform(0.3, 0.7, n)).astype(
        np.int64
    )
    payment = np.where(
        paid, np.where(pay_first, early, contract_at + _lognormal(rng, 2 * _D, 0.5, n)), -1
    )
    slow = rng.random(n) < 0.20
    handoff = np.where(slow, _lognormal(rng, 9 * _D, 0.3, n), _lognormal(rng, 2 * _D, 0.4, n))
    scheduled_ok = paid & (rng.random(n) < 0.95)
    scheduled = np.where(scheduled_ok, np.maximum(payment, contract_at) + handoff, -1)

    caller = rng.random(n) < 0.40
    call1 = np.where(caller, signup + _uniform(rng, 0, 20 * _D, n), -1)
    second = caller & (rng.random(n) < 0.35)
    call2 = np.where(second, call1 + _uniform(rng, 0.5 * _D, 5 * _D, n), -1)
    third = second & (rng.random(n) < 0.30)
    call3 = np.where(third, call2 + _uniform(rng, 0.5 * _D, 5 * _D, n), -1)

    p_install = (
        0.85
        * np.where(slow, 0.55, 1.0)
        * np.where(address_problem, 0.55, 1.0)
        * np.where(channel == 2, 0.65, 1.0)
        * np.where(second, 0.45, 1.0)
    )
    installed_ok = scheduled_ok & (rng.random(n) < p_install)
    installed = np.where(installed_ok, scheduled + _lognormal(rng, 4 * _D, 0.4, n), -1)
    cancelled = np.where(
        scheduled_ok & ~installed_ok & (rng.random(n) < 0.6),
        scheduled + _lognormal(rng, 6 * _D, 0.5, n),
        -1,
    )
    latent = BroadbandLatent(
        signup=signup,
        channel=channel,
        identified=identified,
        verified=verified,
        address_problem=address_problem,
        contract=contract,
        payment=payment,
        scheduled=scheduled,
        slow_handoff=slow & scheduled_ok,
        installed=installed,
        calls=[call1, call2, call3],
    )
    return latent, {
        "id_verified": id_at,
        "address_not_found": address_at,
        "order_cancelled": cancelled,
    }


def _web(
    rng: np.random.Generator, out: Path, j: BroadbandLatent, extra: dict[str, IntArray]
) -> tuple[int, IntArray, IntArray]:
    n = len(j.signup)
    customers, events, times = [], [], []

    def add(name: str, at: IntArray) -> None:
        who = np.flatnonzero(at >= 0)
        customers.append(who)
        events.append(np.full(len(who), name, dtype=object))
        times.append(at[who])

    add("signup", j.signup)
    add("id_verified", extra["id_verified"])
    add("address_not_found", extra["address_not_found"])
    steps = [j.signup, extra["id_verified"], j.contract, j.payment, j.scheduled]
    faq_count = np.zeros(n, dtype=np.int64)
    for at in steps:  # a help page within the hour after a step, 30% of the time
        viewed = (at >= 0) & (rng.random(n) < 0.30)
        add("faq_viewed", np.where(viewed, at + _uniform(rng, _MIN, _H, n), -1))
        faq_count += viewed
    opened = rng.poisson(60 / 7, n)  # newsletters at random moments of the first 60 days
    who = np.repeat(np.arange(n), opened)
    customers.append(who)
    events.append(np.full(len(who), "newsletter_opened", dtype=object))
    times.append(j.signup[who] + _uniform(rng, 0, 60 * _D, len(who)))
    identify = np.flatnonzero(j.identified)
    customers.append(identify)
    events.append(np.full(len(identify), "identify", dtype=object))
    times.append(j.signup[identify] + 1000)

    c = np.concatenate(customers)
    e = np.concatenate(events)
    t = np.concatenate(times)
    keep = t < _EXPORTED_AT
    c, e, t = c[keep], e[keep], t[keep]
    order = np.lexsort((c, t))
    c, e, t = c[order], e[order], t[order]
    frame = pd.DataFrame(
        {
            "event_id": [f"ev{i:07d}" for i in range(len(c))],
            "kind": np.where(e == "identify", "identify", "track"),
            "user_id": [f"u{x:06d}" for x in c],
            "event": np.where(e == "identify", "", e),
            "epoch": t // 1000,
            "channel": np.where(
                e == "signup", np.asarray(_CHANNELS, dtype=object)[j.channel[c]], ""
            ),
            "email": np.where(e == "identify", [f"customer{x:06d}@example.net" for x in c], ""),
        }
    )
    (out / WEB_FILE).parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(out / WEB_FILE, index=False)
    return len(frame), faq_count, opened


def _orders(
    rng: np.random.Generator, out: Path, j: BroadbandLatent, extra: dict[str, IntArray]
) -> int:
    rows = []
    for status, at in (
        ("contract_issued", j.contract),
        ("payment_received", j.payment),
        ("installation_scheduled", j.scheduled),
        ("installed", j.installed),
        ("order_cancelled", extra["order_cancelled"]),
    ):
        who = np.flatnonzero((at >= 0) & (at < _EXPORTED_AT))
        offsets = np.asarray(_OFFSETS_MIN)[rng.integers(0, len(_OFFSETS_MIN), len(who))]
        local = pd.to_datetime((at[who] // 1000) * 1000 + offsets * _MIN, unit="ms")
        stamps = [
            ts.strftime("%Y-%m-%dT%H:%M:%S")
            + (f"{'+' if off >= 0 else '-'}{abs(off) // 60:02d}:{abs(off) % 60:02d}")
            for ts, off in zip(local, offsets, strict=True)
        ]
        rows.append(
            pd.DataFrame({"customer": who, "status": status, "changed_at": stamps, "at": at[who]})
        )
    frame = pd.concat(rows).sort_values(["at", "customer"], kind="stable")
    frame["order_id"] = [f"ORD-{x:06d}" for x in frame["customer"]]
    frame["customer_email"] = [f"Customer{x:06d}@Example.net " for x in frame["customer"]]
    (out / ORDERS_FILE).parent.mkdir(parents=True, exist_ok=True)
    frame[["order_id", "customer_email", "status", "changed_at"]].to_json(
        out / ORDERS_FILE, orient="records", lines=True
    )
    return len(frame)


def _local(ms: IntArray) -> pd.DatetimeIndex:
    """UTC epoch ms as naive Europe/London wall-clock times."""
    return (
        pd.DatetimeIndex(pd.to_datetime(ms, unit="ms", utc=True))
        .tz_convert(LOCAL_TZ)
        .tz_localize(None)
    )


def _calls(rng: np.random.Generator, out: Path, j: BroadbandLatent) -> int:
    parts = []
    for number, at in enumerate(j.calls):
        who = np.flatnonzero((at >= 0) & (at < _EXPORTED_AT))
        minute = (at[who] // _MIN) * _MIN
        naive = _local(minute)
        # a local time in the hour the clocks go back names two instants: move such calls on
        # by an hour, so the log never holds an ambiguous time
        ambiguous = pd.DatetimeIndex(naive).tz_localize(LOCAL_TZ, ambiguous="NaT").isna()
        minute = np.where(ambiguous, minute + _H, minute)
        naive = _local(minute)
        channel = np.asarray(_CONTACT_CHANNELS, dtype=object)[rng.integers(0, 3, len(who))]
        parts.append(
            pd.DataFrame(
                {
                    "customer": who,
                    "n": number,
                    "started": naive.strftime("%d/%m/%Y %H:%M"),
                    "channel": channel,
                    "at": minute,
                }
            )
        )
    frame = pd.concat(parts).sort_values(["at", "customer", "n"], kind="stable")
    frame["call_id"] = [f"CALL{i:07d}" for i in range(len(frame))]
    frame["customer_email"] = [f"customer{x:06d}@example.net" for x in frame["customer"]]
    (out / CALLS_FILE).parent.mkdir(parents=True, exist_ok=True)
    frame[["call_id", "customer_email", "channel", "started"]].rename(
        columns={"started": "started_local"}
    ).to_csv(out / CALLS_FILE, index=False)
    return len(frame)


def generate_broadband(
    out_dir: Path, customers: int = 6000, seed: int = 11
) -> tuple[BroadbandTruth, BroadbandLatent]:
    """Write Brightline Broadband's exports under ``out_dir``; return the truth and latent journeys.

    The same ``customers`` and ``seed`` always give the same files.
    """
    if isinstance(customers, bool) or not isinstance(customers, int) or customers < 1:
        raise ConfigError(f"broadband demo: customers={customers!r} must be a whole number >= 1.")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    latent, extra = _journeys(rng, customers)
    web_rows, faq_count, _ = _web(rng, out, latent, extra)
    rows = {
        WEB_FILE: web_rows,
        ORDERS_FILE: _orders(rng, out, latent, extra),
        CALLS_FILE: _calls(rng, out, latent),
    }
    second = latent.calls[1] >= 0
    effects = [
        PlantedSignal(
            name="second_call",
            kind="repetition",
            label="call_received twice or more (against once)",
            affected_customers=int(second.sum()),
        ),
        PlantedSignal(
            name="address_not_found",
            kind="during_step",
            label="address_not_found while waiting for contract_issued",
            affected_customers=int(latent.address_problem.sum()),
        ),
        PlantedSignal(
            name="slow_installation_handoff",
            kind="slow_handoff",
            label="payment_received → installation_scheduled (billing → field_ops) slower than its window",
            affected_customers=int(latent.slow_handoff.sum()),
        ),
        PlantedSignal(
            name="partner_channel",
            kind="segment",
            label="first_channel = partner",
            affected_customers=int((latent.channel == 2).sum()),
        ),
    ]
    nulls = [
        PlantedSignal(
            name="skip_verification",
            kind="skipped_step",
            label="skipped id_verified",
            affected_customers=int((~latent.verified).sum()),
        ),
        PlantedSignal(
            name="pay_before_contract",
            kind="out_of_order",
            label="payment_received out of order",
            affected_customers=int(
                ((latent.payment >= 0) & (latent.payment < latent.contract)).sum()
            ),
        ),
        PlantedSignal(
            name="newsletter", kind="any", label="newsletter_opened", affected_customers=customers
        ),
        PlantedSignal(
            name="faq_after_steps",
            kind="any",
            label="faq_viewed",
            affected_customers=int((faq_count > 0).sum()),
        ),
        PlantedSignal(
            name="signup_month", kind="segment", label="start_month", affected_customers=customers
        ),
    ]
    truth = BroadbandTruth(
        customers=customers,
        seed=seed,
        rows=rows,
        effects=effects,
        nulls=nulls,
        unidentified_web_users=int((~latent.identified).sum()),
    )
    (out / "ground_truth.json").write_text(truth.model_dump_json(indent=2) + "\n", encoding="utf-8")
    return truth, latent
