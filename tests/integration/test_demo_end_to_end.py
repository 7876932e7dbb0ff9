"""The demo end to end: the planted friction surfaces, nothing is lost, re-runs change nothing."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

import journey_mining as jm
from journey_mining.warehouse import connect

SOURCE_OF_FILE = {
    "crm/contacts.csv": "crm_contacts",
    "crm/deal_stage_history.csv": "crm_deal_stages",
    "support/ticket_events.jsonl": "support_tickets",
    "product/segment_events.jsonl": "product_events",
}
CONTRACT = [f"mining.{t}" for t in jm.CONTRACT_TABLES if t not in ("runs", "run_sources")]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> jm.DemoResult:
    return jm.demo(tmp_path_factory.mktemp("demo"), customers=3000)


@pytest.fixture
def con(demo: jm.DemoResult):  # type: ignore[no-untyped-def]
    connection = connect(demo.warehouse, read_only=True)
    yield connection
    connection.close()


def _snapshot(con: duckdb.DuckDBPyConnection) -> dict[str, list[tuple[object, ...]]]:
    return {t: con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall() for t in CONTRACT}


def test_every_row_is_loaded_or_quarantined(demo: jm.DemoResult) -> None:
    for load in demo.sources:
        assert load.rows_read == load.rows_loaded + load.rows_quarantined
    read = {SOURCE_OF_FILE[f.path]: f.rows_read for s in demo.sources for f in s.files}
    assert read == {
        SOURCE_OF_FILE[path]: truth.rows for path, truth in demo.ground_truth.files.items()
    }


def test_quarantine_holds_exactly_the_broken_rows(
    demo: jm.DemoResult, con: duckdb.DuckDBPyConnection
) -> None:
    ours = set(con.execute("SELECT file, row_no FROM mining.quarantine").fetchall())
    planted = {
        (path, b.row) for path, truth in demo.ground_truth.files.items() for b in truth.broken
    }
    assert ours == planted


def test_resent_rows_are_counted_once(demo: jm.DemoResult, con: duckdb.DuckDBPyConnection) -> None:
    for path, truth in demo.ground_truth.files.items():
        (staged,) = con.execute(
            f"SELECT count(*) FROM staging.stg_{SOURCE_OF_FILE[path]}"
        ).fetchone()  # type: ignore[misc]
        assert staged == truth.rows - len(truth.broken) - truth.duplicates, path


def _planted(demo: jm.DemoResult, name: str):  # type: ignore[no-untyped-def]
    return next(p for p in demo.ground_truth.planted_friction if p.name == name)


@pytest.mark.parametrize("name", ["smb_skips_demo", "reopen_loop", "slow_sales_handoff"])
def test_planted_deviation_is_among_the_top_deviations(demo: jm.DemoResult, name: str) -> None:
    planted = _planted(demo, name)
    top = [(d.kind, d.activity) for d in jm.summary(demo.warehouse).top_deviations]
    assert (planted.deviation_kind, planted.activity) in top


def test_planted_onboarding_ticket_is_top_friction(demo: jm.DemoResult) -> None:
    planted = _planted(demo, "onboarding_ticket")
    findings = [
        f
        for f in jm.summary(demo.warehouse).top_friction
        if f.kind == "during_step" and f.where == f"{planted.activity} before onboarding_completed"
    ]
    assert findings, "ticket during onboarding is not among the top friction findings"
    finding = findings[0]
    assert finding.goal_rate_with < 0.5 * finding.goal_rate_without  # type: ignore[operator]
    assert finding.p_value is not None and finding.p_value < 1e-6
    assert finding.median_wait_s > 3 * finding.baseline_wait_s  # type: ignore[operator]
    assert abs(finding.n_cases - planted.affected_customers) <= 0.15 * planted.affected_customers


def test_planted_slow_handoff_is_found_between_sales_and_onboarding(demo: jm.DemoResult) -> None:
    planted = _planted(demo, "slow_sales_handoff")
    friction = jm.friction(demo.warehouse)
    slow = friction[
        (friction["kind"] == "slow_handoff") & friction["where"].str.startswith("deal_won →")
    ]
    finding = slow.sort_values("rank").iloc[0]
    assert "(sales → customer_success)" in finding["where"]
    assert finding["median_wait_s"] > 4 * finding["baseline_wait_s"]
    assert finding["goal_rate_with"] < finding["goal_rate_without"]
    assert abs(finding["n_cases"] - planted.affected_customers) <= 0.25 * planted.affected_customers


def test_planted_lost_deals_are_the_drop_after_contract(demo: jm.DemoResult) -> None:
    planted = _planted(demo, "lost_after_contract")
    funnel = jm.funnel(demo.warehouse).set_index("step")
    assert funnel.loc["contract_sent", "dropped"] == planted.affected_customers
    top = [(f.kind, f.where) for f in jm.summary(demo.warehouse).top_friction[:3]]
    assert ("drop_off", "stopped after contract_sent") in top


def test_second_run_changes_no_table(demo: jm.DemoResult, con: duckdb.DuckDBPyConnection) -> None:
    before = _snapshot(con)
    con.close()
    again = jm.run(
        jm.api.resource_dir("pipelines") / "demo.yaml",
        data_dir=demo.exports_dir,
        warehouse=demo.warehouse,
        outputs_dir=Path(demo.warehouse).parent,
    )
    assert again.rows_read == 0
    assert again.variants_from_cache == again.variants
    after_con = connect(demo.warehouse, read_only=True)
    try:
        assert _snapshot(after_con) == before
    finally:
        after_con.close()
