"""The findings' median waits, exposed and unexposed, on small known rows (golden values).

``add_wait_medians`` streams each population's waits and its findings' exposed waits in
batches; a batch of 2 rows makes every population and finding span several batches.
"""

from __future__ import annotations

import duckdb
import numpy as np
import pytest

from journey_mining.analytics.waits import add_wait_medians, sorted_median, unexposed_median

ROWS = [
    # population_key, exposures, wait_s
    ("wait:2", ["ticket", "webinar"], 10.0),
    ("wait:2", ["ticket"], 30.0),
    ("wait:2", [], 1.0),
    ("wait:2", [], 2.0),
    ("wait:2", ["webinar"], 4.0),
    ("wait:2", [], None),  # no straight reach: in the population, without a wait
    ("wait:3", ["ticket"], 7.0),
    ("wait:3", [], 3.0),
    ("wait:3", [], 5.0),
    ("s1", ["slow"], 100.0),
    ("s1", ["slow"], 80.0),
    ("s1", [], 2.0),
]

# finding_key, population_key, exposure, has_wait
DEFS = [
    ("wait:2|ticket", "wait:2", "ticket", True),
    ("wait:2|webinar", "wait:2", "webinar", True),
    ("wait:3|ticket", "wait:3", "ticket", True),
    ("wait:3|never", "wait:3", "never", True),  # no exposed journey: no medians
    ("s1|slow", "s1", "slow", True),
    ("rep:2:x|repeated", "rep:2:x", "repeated", False),
]

EXPECTED = {
    # waits of wait:2: 1 2 4 10 30; ticket 10 30 -> unexposed 1 2 4
    "wait:2|ticket": (20.0, 2.0),
    # webinar 4 10 -> unexposed 1 2 30
    "wait:2|webinar": (7.0, 2.0),
    # wait:3: 3 5 7; ticket 7 -> unexposed 3 5
    "wait:3|ticket": (7.0, 4.0),
    "wait:3|never": (None, None),
    # s1: 2 80 100; slow 80 100 -> unexposed 2
    "s1|slow": (90.0, 2.0),
    "rep:2:x|repeated": (None, None),
}


@pytest.fixture
def con() -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect()
    connection.execute(
        "CREATE TEMP TABLE int_finding_rows (population_key VARCHAR, exposures VARCHAR[], "
        "wait_s DOUBLE)"
    )
    connection.executemany("INSERT INTO temp.int_finding_rows VALUES (?, ?, ?)", ROWS)
    connection.execute(
        "CREATE TEMP TABLE int_finding_defs (finding_key VARCHAR, population_key VARCHAR, "
        "exposure VARCHAR, has_wait BOOLEAN)"
    )
    connection.executemany("INSERT INTO temp.int_finding_defs VALUES (?, ?, ?, ?)", DEFS)
    connection.execute(
        "CREATE TEMP TABLE int_finding_counts AS SELECT finding_key, segment, "
        "NULL::DOUBLE AS median_wait_exposed_s, NULL::DOUBLE AS median_wait_unexposed_s "
        "FROM temp.int_finding_defs, (VALUES (NULL::VARCHAR), ('plan')) AS segments(segment)"
    )
    return connection


@pytest.mark.parametrize("batch_rows", [2, 1_000_000])
def test_medians_of_exposed_and_unexposed_waits(
    con: duckdb.DuckDBPyConnection, batch_rows: int
) -> None:
    add_wait_medians(con, batch_rows=batch_rows)
    got = {
        key: (exposed, unexposed)
        for key, exposed, unexposed in con.execute(
            "SELECT finding_key, median_wait_exposed_s, median_wait_unexposed_s "
            "FROM temp.int_finding_counts WHERE segment IS NULL"
        ).fetchall()
    }
    assert got == EXPECTED
    # within a segment stratum the medians are not worked out (they are over all journeys)
    assert con.execute(
        "SELECT count(*) FROM temp.int_finding_counts WHERE segment IS NOT NULL "
        "AND (median_wait_exposed_s IS NOT NULL OR median_wait_unexposed_s IS NOT NULL)"
    ).fetchone() == (0,)
    assert con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'int_finding_wait_keys'"
    ).fetchone() == (0,)


def test_every_finding_exposed_leaves_no_unexposed_median(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("UPDATE temp.int_finding_rows SET exposures = ['slow'] WHERE population_key = 's1'")
    add_wait_medians(con, batch_rows=2)
    assert con.execute(
        "SELECT median_wait_exposed_s, median_wait_unexposed_s FROM temp.int_finding_counts "
        "WHERE finding_key = 's1|slow' AND segment IS NULL"
    ).fetchone() == (80.0, None)


def test_no_finding_with_a_wait_changes_nothing(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("UPDATE temp.int_finding_defs SET has_wait = false")
    add_wait_medians(con)
    assert con.execute(
        "SELECT count(*) FROM temp.int_finding_counts WHERE median_wait_exposed_s IS NOT NULL"
    ).fetchone() == (0,)


def test_sorted_and_unexposed_medians_equal_numpys() -> None:
    rng = np.random.default_rng(3)
    population = np.sort(rng.integers(0, 50, 501).astype(np.float64))
    exposed = np.sort(rng.choice(population, 120, replace=False))
    remaining = list(population)
    for value in exposed:
        remaining.remove(value)
    assert sorted_median(population) == np.median(population)
    assert sorted_median(population[:-1]) == np.median(population[:-1])
    assert unexposed_median(population, exposed) == np.median(remaining)
    assert unexposed_median(exposed, exposed) is None
