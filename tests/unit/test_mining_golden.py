"""Exact rows on a tiny hand-written log: ties, loops, skips, reorderings, a one-event journey."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.conftest import TinyProject

LOG = """
case:concept:name,concept:name,time:timestamp
c1,a,2024-01-01T10:00:00Z
c1,b,2024-01-01T11:00:00Z
c1,c,2024-01-01T12:00:00Z
c2,a,2024-01-01T10:00:00Z
c2,c,2024-01-01T10:30:00Z
c3,a,2024-01-01T10:00:00Z
c3,b,2024-01-01T10:10:00Z
c3,b,2024-01-01T10:20:00Z
c3,c,2024-01-01T10:30:00Z
c4,b,2024-01-01T10:00:00Z
c4,a,2024-01-01T10:05:00Z
c4,c,2024-01-01T10:10:00Z
c5,a,2024-01-01T10:00:00Z
c6,a,2024-01-01T10:00:00Z
c6,b,2024-01-01T10:00:00Z
c6,c,2024-01-01T13:00:00Z
"""
HAPPY_PATH = {"name": "abc", "goal": "c", "steps": ["a", "b", {"c": {"within": "90m"}}]}


@pytest.fixture
def mined(event_log: Callable[..., TinyProject]) -> TinyProject:
    project = event_log(LOG, HAPPY_PATH)
    project.run()
    return project


def _case(project: TinyProject, case: str) -> str:
    (customer,) = project.rows(
        f"SELECT customer_id FROM mining.identity_map WHERE kind = 'case_id' AND value = '{case}'"
    )[0]
    return str(customer)


def test_variants_count_each_distinct_sequence(mined: TinyProject) -> None:
    rows = mined.rows("SELECT activities, n_cases FROM mining.variants ORDER BY rank")
    assert sorted((tuple(a), n) for a, n in rows) == sorted(
        [
            (("a", "b", "c"), 2),
            (("a", "c"), 1),
            (("a", "b", "b", "c"), 1),
            (("b", "a", "c"), 1),
            (("a",), 1),
        ]
    )
    assert rows[0] == (["a", "b", "c"], 2)


def test_timestamp_tie_is_broken_by_source_row_order(mined: TinyProject) -> None:
    case = _case(mined, "c6")
    assert mined.rows(
        f"SELECT activity, ordinal FROM mining.journey_events WHERE case_id = '{case}' ORDER BY ordinal"
    ) == [("a", 1), ("b", 2), ("c", 3)]


def test_reversed_rows_of_a_tie_reverse_the_order(event_log: Callable[..., TinyProject]) -> None:
    project = event_log(
        """
        case:concept:name,concept:name,time:timestamp
        x,b,2024-01-01T10:00:00Z
        x,a,2024-01-01T10:00:00Z
        """
    )
    project.run()
    assert project.rows("SELECT activities FROM mining.variants") == [(["b", "a"],)]


def test_dfg_edges_have_exact_counts_and_waits(mined: TinyProject) -> None:
    rows = mined.rows(
        "SELECT source, target, n_transitions, n_cases, median_wait_s, p90_wait_s "
        "FROM mining.dfg_edges ORDER BY source, target"
    )
    assert rows == [
        ("a", "b", 3, 3, 600.0, pytest.approx(3000.0)),
        ("a", "c", 2, 2, 1050.0, pytest.approx(1650.0)),
        ("b", "a", 1, 1, 300.0, 300.0),
        ("b", "b", 1, 1, 600.0, 600.0),
        ("b", "c", 3, 3, 3600.0, pytest.approx(9360.0)),
    ]


def test_start_and_end_activities(mined: TinyProject) -> None:
    assert mined.rows("SELECT kind, activity, n_cases FROM mining.endpoints") == [
        ("start", "a", 5),
        ("start", "b", 1),
        ("end", "c", 5),
        ("end", "a", 1),
    ]


def test_journey_of_one_event_has_zero_duration(mined: TinyProject) -> None:
    case = _case(mined, "c5")
    assert mined.rows(
        f"SELECT n_events, duration_s, reached_goal, furthest_step FROM mining.journeys "
        f"WHERE case_id = '{case}'"
    ) == [(1, 0.0, False, 1)]


def test_funnel_counts_reach_in_path_order(mined: TinyProject) -> None:
    rows = mined.rows(
        "SELECT step_no, step, reached, reached_directly, reached_after_skip, started_here, "
        "done_at_all, skipped, went_on, converted_here, in_progress, stopped, "
        "median_s_from_previous, median_s_to_next, n_late FROM mining.funnel ORDER BY step_no"
    )
    # c4 does b before a, so it never reaches b after a; c2 and c4 go on to c without b
    # (skipped); c5 stops after a (its 3 h without b exceed b's window, the 95th percentile of
    # b's waits: 55 min). Waits run from the latest earlier step reached.
    assert rows == [
        (1, "a", 6, 0, 0, 6, 6, 0, 5, 0, 0, 1, None, 600.0, 0),
        (2, "b", 3, 3, 0, 0, 4, 2, 3, 0, 0, 0, 600.0, 3600.0, 0),
        (3, "c", 5, 3, 2, 0, 5, 0, 0, 5, 0, 0, 1800.0, None, 1),
    ]


def test_journey_steps_hold_each_reach_with_its_time_and_previous_step(mined: TinyProject) -> None:
    case = _case(mined, "c4")
    assert mined.rows(
        f"SELECT step_no, reached_ordinal, previous_step_no, wait_s, next_step_no, activity "
        f"FROM mining.journey_steps WHERE case_id = '{case}' ORDER BY step_no"
    ) == [(1, 2, None, None, 3, "a"), (3, 3, 1, 300.0, None, "c")]


def test_journey_status_and_censoring(mined: TinyProject) -> None:
    rows = mined.rows(
        "SELECT m.value, j.status, j.partial, j.in_findings FROM mining.journeys j "
        "JOIN mining.identity_map m ON m.customer_id = j.case_id ORDER BY m.value"
    )
    # follow-up: the 95th percentile of the converted journeys' start-to-goal times (2 h 48 min)
    # before the end of the data (13:00): every journey, started at 10:00, was observed long enough
    assert rows == [
        ("c1", "converted", False, True),
        ("c2", "converted", False, True),
        ("c3", "converted", False, True),
        ("c4", "converted", False, True),
        ("c5", "stopped", False, True),
        ("c6", "converted", False, True),
    ]


def test_skipped_step_is_named(mined: TinyProject) -> None:
    variant = mined.rows("SELECT variant_id FROM mining.variants WHERE activities = ['a', 'c']")[0][
        0
    ]
    assert mined.rows(
        f"SELECT kind, activity, position, n_cases FROM mining.deviations WHERE variant_id = '{variant}'"
    ) == [("skipped", "b", 2, 1)]


def test_repeated_step_is_named(mined: TinyProject) -> None:
    variant = mined.rows(
        "SELECT variant_id FROM mining.variants WHERE activities = ['a', 'b', 'b', 'c']"
    )[0][0]
    assert mined.rows(
        f"SELECT kind, activity, position FROM mining.deviations WHERE variant_id = '{variant}'"
    ) == [("repeated", "b", 3)]


def test_swapped_steps_are_one_out_of_order_deviation(mined: TinyProject) -> None:
    variant = mined.rows(
        "SELECT variant_id FROM mining.variants WHERE activities = ['b', 'a', 'c']"
    )[0][0]
    rows = mined.rows(
        f"SELECT kind, count(*) FROM mining.deviations WHERE variant_id = '{variant}' GROUP BY kind"
    )
    assert rows == [("out_of_order", 1)]


def test_stopping_early_is_a_drop_not_a_skip(mined: TinyProject) -> None:
    variant = mined.rows("SELECT variant_id FROM mining.variants WHERE activities = ['a']")[0][0]
    assert mined.rows(f"SELECT * FROM mining.deviations WHERE variant_id = '{variant}'") == []


def test_waiting_longer_than_the_window_is_timed_out(mined: TinyProject) -> None:
    case = _case(mined, "c6")
    assert mined.rows(
        f"SELECT d.kind, d.activity, d.position, d.n_cases FROM mining.deviations d "
        f"JOIN mining.journeys j USING (variant_id) WHERE j.case_id = '{case}' AND d.kind = 'timed_out'"
    ) == [("timed_out", "c", 3, 1)]
    assert mined.rows(f"SELECT conforms FROM mining.journeys WHERE case_id = '{case}'") == [
        (False,)
    ]


def test_only_fitting_in_time_journeys_conform(mined: TinyProject) -> None:
    conforming = mined.rows(
        "SELECT m.value FROM mining.journeys j JOIN mining.identity_map m ON m.customer_id = j.case_id "
        "WHERE j.conforms ORDER BY m.value"
    )
    assert conforming == [("c1",)]


def test_variant_fitness_is_one_only_for_the_happy_path(mined: TinyProject) -> None:
    rows = mined.rows("SELECT activities, fitness, fits_path FROM mining.variants ORDER BY rank")
    fits = {tuple(a): (f, c) for a, f, c in rows}
    assert fits[("a", "b", "c")] == (1.0, True)
    assert all(f < 1.0 and not c for a, (f, c) in fits.items() if a != ("a", "b", "c"))


def test_handoffs_need_teams(mined: TinyProject) -> None:
    assert mined.rows("SELECT count(*) FROM mining.handoffs") == [(0,)]
