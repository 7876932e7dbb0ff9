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


@pytest.mark.parametrize("name", ["onboarding_ticket", "slow_sales_handoff"])
def test_planted_effects_lead_the_summarys_findings(demo: jm.DemoResult, name: str) -> None:
    planted = _planted(demo, name)
    assert planted.expected_signal == "finding"
    top = jm.summary(demo.warehouse).findings[:2]
    assert planted.finding_kind in {f.kind for f in top}
    assert all(f.replicated and f.direction == "loss" for f in top)


def test_planted_lost_deals_are_the_stop_after_contract(demo: jm.DemoResult) -> None:
    planted = _planted(demo, "lost_after_contract")
    funnel = jm.funnel(demo.warehouse).set_index("step")
    assert funnel.loc["contract_sent", "stopped"] == planted.affected_customers
    assert all(f.kind != "drop_off" for f in jm.summary(demo.warehouse).findings)


def test_funnel_partitions_every_journey_that_reached_a_step(demo: jm.DemoResult) -> None:
    funnel = jm.funnel(demo.warehouse)
    reached = funnel["reached_directly"] + funnel["reached_after_skip"] + funnel["started_here"]
    assert (funnel["reached"] == reached).all()
    ends = funnel["went_on"] + funnel["converted_here"] + funnel["in_progress"] + funnel["stopped"]
    assert (funnel["reached"] == ends).all()


def test_unlinked_product_users_are_partial_not_skippers(demo: jm.DemoResult) -> None:
    journeys = jm.journeys(demo.warehouse)
    assert journeys["partial"].sum() == pytest.approx(
        demo.ground_truth.unidentified_product_users, abs=15
    )
    rates = jm.table(demo.warehouse, "deviation_rates").set_index(["kind", "activity"])
    truth = demo.ground_truth
    smb_skips = next(p for p in truth.planted_friction if p.name == "smb_skips_demo")
    assert rates.loc[("skipped", "demo_scheduled"), "n_journeys"] == smb_skips.affected_customers
    assert ("skipped", "lead_created") not in rates.index


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
