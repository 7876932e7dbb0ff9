"""Zero-row SQL tests: they pass on a real run and name the broken invariant when one breaks."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from journey_mining.errors import SqlTestFailed
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
