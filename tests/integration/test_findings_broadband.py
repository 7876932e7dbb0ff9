"""A second generated company, unlike the demo in shape (journey_mining.demo.broadband): every
planted effect is a finding in the default view, every planted null is absent from it, the dose
effect that starts at the second call is found, numbers are reproduced by the documented SQL,
and the censored journeys are shown, not dropped."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import journey_mining as jm
from journey_mining.demo.broadband import BroadbandLatent, BroadbandTruth, generate_broadband
from journey_mining.warehouse import connect
from tests.findings_support import documented_sql, reproduce


@dataclass
class Company:
    warehouse: Path
    truth: BroadbandTruth
    latent: BroadbandLatent


@pytest.fixture(scope="module")
def company(tmp_path_factory: pytest.TempPathFactory) -> Company:
    root = tmp_path_factory.mktemp("broadband")
    truth, latent = generate_broadband(root / "exports", customers=6000, seed=11)
    jm.run(
        jm.resource_dir("pipelines") / "broadband.yaml",
        data_dir=root / "exports",
        warehouse=root / "journeys.duckdb",
        outputs_dir=root,
    )
    return Company(root / "journeys.duckdb", truth, latent)


@pytest.fixture(scope="module")
def friction(company: Company) -> pd.DataFrame:
    frame = jm.table(company.warehouse, "friction")
    return frame[frame["segment"].isna()]


def test_every_row_of_the_three_exports_loads(company: Company) -> None:
    con = connect(company.warehouse, read_only=True)
    try:
        rows = dict(
            con.execute(
                "SELECT source, sum(rows_loaded) FROM mining.run_sources GROUP BY source"
            ).fetchall()
        )
        quarantined = con.execute("SELECT count(*) FROM mining.quarantine").fetchone()[0]  # type: ignore[index]
    finally:
        con.close()
    assert quarantined == 0
    assert rows == {
        "web_events": company.truth.rows["web/events.csv"],
        "orders": company.truth.rows["backoffice/orders.jsonl"],
        "calls": company.truth.rows["contact/calls.csv"],
    }


@pytest.mark.parametrize(
    "name", ["second_call", "address_not_found", "slow_installation_handoff", "partner_channel"]
)
def test_planted_effect_is_a_replicated_loss_in_the_default_view(
    company: Company, friction: pd.DataFrame, name: str
) -> None:
    planted = next(e for e in company.truth.effects if e.name == name)
    rows = friction[(friction["kind"] == planted.kind) & (friction["label"] == planted.label)]
    assert len(rows) == 1, planted.label
    finding = rows.iloc[0]
    assert finding["in_default_view"], finding.to_dict()
    assert finding["direction"] == "loss" and finding["replicated_hash"]
    assert finding["difference_high"] < 0


def test_the_dose_effect_starts_at_the_second_call(
    company: Company, friction: pd.DataFrame
) -> None:
    second = friction[
        (friction["kind"] == "repetition")
        & (friction["activity"] == "call_received")
        & (friction["dose"] == 2)
    ].iloc[0]
    assert second["in_default_view"]
    assert second["rate_exposed"] < 0.75 * second["rate_unexposed"]
    # the truth among first callers: a second call within the window roughly halves installation
    calls = company.latent.calls
    callers = calls[0] >= 0
    installed = company.latent.installed >= 0
    twice = calls[1] >= 0
    assert installed[callers & twice].mean() < 0.6 * installed[callers & ~twice].mean()


@pytest.mark.parametrize(
    "name",
    ["skip_verification", "pay_before_contract", "newsletter", "faq_after_steps", "signup_month"],
)
def test_planted_null_is_not_in_the_default_view(company: Company, name: str) -> None:
    planted = next(n for n in company.truth.nulls if n.name == name)
    frame = jm.table(company.warehouse, "friction")
    default = frame[frame["in_default_view"]]
    if planted.kind == "any":
        hits = default[
            (default["activity"] == planted.label) | default["label"].str.contains(planted.label)
        ]
    elif planted.kind == "segment":
        hits = default[(default["kind"] == "segment") & (default["attribute"] == planted.label)]
    else:
        hits = default[(default["kind"] == planted.kind) & (default["label"] == planted.label)]
    assert hits.empty, hits["label"].tolist()
    everything = frame[frame["segment"].isna()]
    tested = everything[
        (everything["kind"] == planted.kind) & (everything["label"] == planted.label)
    ]
    if planted.kind not in ("any", "segment"):
        assert len(tested) == 1 and tested.iloc[0]["tested"], "the null was not even tested"


def test_the_goals_negation_is_never_a_finding(friction: pd.DataFrame) -> None:
    assert friction[friction["activity"] == "order_cancelled"].empty


def test_censored_journeys_are_counted_and_left_out_of_the_findings(company: Company) -> None:
    journeys = jm.journeys(company.warehouse)
    partial = journeys[journeys["partial"]]
    assert len(partial) >= 0.8 * company.truth.unidentified_web_users
    assert not partial["in_findings"].any()
    window = jm.table(company.warehouse, "analysis_window").iloc[0]
    late = journeys[journeys["started_at"] > window["started_by"]]
    assert len(late) > 100 and not late["in_findings"].any()
    assert (journeys["status"] == "in_progress").sum() > 50
    assert not journeys.loc[journeys["status"] == "in_progress", "in_findings"].any()
    funnel = jm.funnel(company.warehouse)
    assert (
        funnel["started_here"].iloc[1:].sum()
        == len(partial) - (partial["furthest_step"] == 1).sum()
    )


def test_every_finding_is_reproduced_by_its_documented_sql(
    company: Company, friction: pd.DataFrame
) -> None:
    sql = documented_sql()
    con = connect(company.warehouse, read_only=True)
    try:
        for finding in friction.to_dict("records"):
            again = reproduce(con, sql[finding["kind"]], finding)
            for column in ("n_exposed", "goal_exposed", "n_unexposed", "goal_unexposed"):
                assert again[column] == finding[column], (finding["label"], column)
    finally:
        con.close()


def test_explained_loss_never_exceeds_the_journeys_that_did_not_convert(
    company: Company, friction: pd.DataFrame
) -> None:
    journeys = jm.journeys(company.warehouse)
    assert (
        np.nansum(friction["explained_loss"])
        <= (~journeys.loc[journeys["in_findings"], "reached_goal"]).sum()
    )
