"""Zero-row SQL tests: they pass on a real run and name the broken invariant when one breaks."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import duckdb
import pytest

import journey_mining.pipeline as pipeline_module
from journey_mining.errors import SqlTestFailed
from journey_mining.resources import resource_dir
from journey_mining.transform import transform_models
from journey_mining.warehouse import connect, run_sql_tests
from tests.conftest import TinyProject

LOG = """
case:concept:name,concept:name,time:timestamp
c1,a,2024-01-01T10:00:00Z
c1,b,2024-01-01T11:00:00Z
c2,a,2024-01-01T10:00:00Z
"""


def test_every_sql_test_passes_on_a_run(event_log: Callable[..., TinyProject]) -> None:
    project = event_log(LOG, {"name": "ab", "goal": "b", "steps": ["a", "b"]})
    project.run()
    con = connect(project.warehouse)
    try:
        names = run_sql_tests(con)
    finally:
        con.close()
    assert "funnel_partitions_reached" in names
    assert "friction_explained_loss_within_failures" in names


def test_a_failing_sql_test_names_itself_and_its_rows(tmp_path: Path) -> None:
    tests = tmp_path / "tests"
    tests.mkdir()
    (tests / "no_negative_values.sql").write_text(
        "-- test: values are not negative\nSELECT * FROM (VALUES (1), (-2)) AS t(value) WHERE value < 0\n"
    )
    con = connect(":memory:")
    with pytest.raises(
        SqlTestFailed,
        match=r"no_negative_values failed \(test: values are not negative\).*'value': -2",
    ):
        run_sql_tests(con, directory=tests)


def _break_dfg_edges(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the next run's mining.dfg_edges count one transition too many on one edge."""
    models = transform_models()

    def broken(con: duckdb.DuckDBPyConnection, context: object) -> None:
        original.run(con, context)
        con.execute(
            "UPDATE mining.dfg_edges SET n_transitions = n_transitions + 1 "
            "WHERE source = 'a' AND target = 'b'"
        )

    original = next(m for m in models if m.name == "mining.dfg_edges")
    patched = [replace(m, run=broken) if m is original else m for m in models]
    monkeypatch.setattr(pipeline_module, "transform_models", lambda: patched)


def test_a_broken_invariant_rolls_the_run_back(
    event_log: Callable[..., TinyProject], monkeypatch: pytest.MonkeyPatch
) -> None:
    project = event_log(LOG, {"name": "ab", "goal": "b", "steps": ["a", "b"]})
    first = project.run()
    _break_dfg_edges(monkeypatch)
    with pytest.raises(SqlTestFailed, match=r"dfg_edges_count_transitions failed") as failure:
        project.run()
    assert "'edge_count': 2, 'in_journeys': 1" in str(failure.value)
    assert "rolled back" in str(failure.value)
    # the first run's tables are what a reader sees; the failed run is recorded as failed
    assert project.rows("SELECT source, target, n_transitions FROM mining.dfg_edges") == [
        ("a", "b", 1)
    ]
    assert project.rows("SELECT count(*) FROM mining.journeys") == [(2,)]
    runs = project.rows("SELECT run_id, status FROM mining.runs ORDER BY started_at")
    assert [status for _, status in runs] == ["succeeded", "failed"]
    assert runs[0][0] == first.run_id
    con = project.connect()
    try:
        failed = con.execute(
            "SELECT stage, status FROM mining.run_stages WHERE run_id = ? ORDER BY seq DESC LIMIT 1",
            [runs[1][0]],
        ).fetchall()
    finally:
        con.close()
    assert failed == [("sql tests", "failed")]


def test_every_new_invariant_has_its_test() -> None:
    names = {path.stem for path in (resource_dir("sql") / "tests").glob("*.sql")}
    assert {
        "contract_keys_unique",
        "journey_ordinals_dense",
        "variant_journeys_add_up",
        "journey_events_are_staged_events",
        "rows_read_loaded_or_quarantined",
        "dfg_edges_count_transitions",
    } <= names


@pytest.mark.parametrize(
    ("statement", "test"),
    [
        (
            "UPDATE mining.journey_events SET ordinal = 3 WHERE ordinal = 2",
            "journey_ordinals_dense",
        ),
        (
            "UPDATE mining.journeys SET variant_id = 'elsewhere' "
            "WHERE case_id = (SELECT min(case_id) FROM mining.journeys)",
            "variant_journeys_add_up",
        ),
        ("DELETE FROM mining.journey_events WHERE ordinal = 2", "journey_events_are_staged_events"),
        (
            "UPDATE meta.loaded_files SET rows_read = rows_read + 1",
            "rows_read_loaded_or_quarantined",
        ),
        (
            "INSERT INTO mining.journeys SELECT * FROM mining.journeys LIMIT 1",
            "contract_keys_unique",
        ),
    ],
)
def test_each_sql_test_catches_its_broken_invariant(
    event_log: Callable[..., TinyProject], statement: str, test: str
) -> None:
    project = event_log(LOG, {"name": "ab", "goal": "b", "steps": ["a", "b"]})
    project.run()
    con = connect(project.warehouse)
    try:
        run_sql_tests(con)  # all pass on the run as written
        con.execute(statement)
        with pytest.raises(SqlTestFailed, match=rf"SQL test {test} failed"):
            run_sql_tests(con)
    finally:
        con.close()
