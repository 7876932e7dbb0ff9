"""Median waits of the findings about a step's wait, exposed and unexposed, over all journeys.

The kinds with a wait (``has_wait`` in ``temp.int_finding_defs``) write each journey's wait
into its row of ``temp.int_finding_rows``. Here DuckDB orders each population's waits and each
finding's exposed waits by an integer code and streams them in batches, population by
population; numpy sorts one group at a time, so one population's waits are in Python at a
time, never all of a kind's rows (tens of millions at 10^8 events, outside the run's
``memory_limit``). Every finding's unexposed waits are its population's with its exposed ones
taken out, in numpy: loops over findings, never over journeys.

Example:
    >>> # add_wait_medians(con)  # after counts.sql, for the kind just counted  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Iterator

import duckdb
import numpy as np
import pandas as pd

from journey_mining.analytics.statistics import FloatArray

BATCH_ROWS = 1_000_000
"""Rows per Arrow batch streamed from DuckDB (8 MB of waits)."""


def sorted_median(values: FloatArray) -> float:
    """The median of an already sorted, non-empty array (no copy, no partition).

    Example:
        >>> sorted_median(np.array([1.0, 2.0, 4.0, 9.0]))
        3.0
    """
    middle = len(values) // 2
    if len(values) % 2:
        return float(values[middle])
    return float((values[middle - 1] + values[middle]) / 2)


def unexposed_median(population: FloatArray, exposed: FloatArray) -> float | None:
    """The median of the sorted ``population`` waits once the sorted ``exposed`` ones (a
    sub-multiset) are taken out: the unexposed journeys' median, without listing them.

    Example:
        >>> unexposed_median(np.array([1.0, 2.0, 2.0, 5.0, 7.0]), np.array([2.0, 7.0]))
        2.0
    """
    first = np.searchsorted(population, exposed, side="left")
    repeat = np.arange(len(exposed)) - np.searchsorted(exposed, exposed, side="left")
    remaining = np.delete(population, first + repeat)
    return sorted_median(remaining) if len(remaining) else None


def sorted_groups(
    con: duckdb.DuckDBPyConnection, query: str, batch_rows: int = BATCH_ROWS
) -> Iterator[tuple[int, FloatArray]]:
    """Yield ``(code, waits sorted)`` per code, in code order, for ``query``'s rows (columns
    ``code``, an integer key, and ``wait_s``, never NULL).

    DuckDB orders the rows by code (within its memory limit; one integer key sorts several
    times faster than two) and they arrive as Arrow batches of two numeric columns; a code's
    waits are gathered across batches, sorted in numpy and handed on before the next code's,
    so no more than one code's waits and one batch are held here at a time. Nothing
    else may run on ``con`` until the generator is exhausted.
    """
    reader = con.sql(f"SELECT code, wait_s FROM ({query}) ORDER BY code").to_arrow_reader(
        batch_rows
    )
    if reader is None:
        return
    current = 0
    parts: list[FloatArray] = []
    for batch in reader:
        codes = batch.column(0).to_numpy()
        values = batch.column(1).to_numpy()
        if len(codes) == 0:
            continue
        cuts = np.flatnonzero(codes[1:] != codes[:-1]) + 1
        for start, end in zip(np.r_[0, cuts], np.r_[cuts, len(codes)], strict=True):
            code = int(codes[start])
            if code != current and parts:
                yield current, _sorted(parts)
                parts = []
            current = code
            parts.append(np.asarray(values[start:end], dtype=np.float64))
    if parts:
        yield current, _sorted(parts)


def _sorted(parts: list[FloatArray]) -> FloatArray:
    """One code's waits, gathered from its batches (a copy) and sorted in place."""
    values = np.concatenate(parts)
    values.sort()
    return values


_WAIT_KEYS = """
CREATE OR REPLACE TEMP TABLE int_finding_wait_keys AS
-- the findings with a wait, numbered in the order of their populations: a population's own
-- code (odd) comes right before its findings' codes (even), so one sorted stream gives each
-- population's waits and then each of its findings' exposed waits
SELECT
    finding_key,
    population_key,
    exposure,
    2 * finding_no AS finding_code,
    2 * min(finding_no) OVER (PARTITION BY population_key) - 1 AS population_code
FROM (
    SELECT *, CAST(row_number() OVER (ORDER BY population_key, finding_key) AS INTEGER) AS finding_no
    FROM temp.int_finding_defs
    WHERE has_wait
)
"""

_WAITS = """
WITH waits AS (
    SELECT population_key, exposures, wait_s FROM temp.int_finding_rows WHERE wait_s IS NOT NULL
)

SELECT keys.population_code AS code, waits.wait_s
FROM waits
INNER JOIN (SELECT DISTINCT population_key, population_code FROM temp.int_finding_wait_keys) AS keys
    USING (population_key)
UNION ALL
SELECT keys.finding_code AS code, exposed.wait_s
FROM (SELECT population_key, unnest(exposures) AS exposure, wait_s FROM waits) AS exposed
INNER JOIN temp.int_finding_wait_keys AS keys USING (population_key, exposure)
"""


def add_wait_medians(con: duckdb.DuckDBPyConnection, batch_rows: int = BATCH_ROWS) -> None:
    """Median wait of the step a finding concerns, exposed and unexposed, over all journeys.

    One sorted stream brings each population's waits, then each of its findings' exposed
    waits (``_WAIT_KEYS``); a population's waits are let go when the next one comes.
    """
    con.execute(_WAIT_KEYS)
    findings = {
        int(code): str(finding_key)
        for finding_key, code in con.execute(
            "SELECT finding_key, finding_code FROM temp.int_finding_wait_keys"
        ).fetchall()
    }
    rows = []
    population = np.empty(0)
    for code, waits in sorted_groups(con, _WAITS, batch_rows):
        if code % 2:
            population = waits
            continue
        rows.append(
            {
                "finding_key": findings[code],
                "exposed": sorted_median(waits),
                "unexposed": unexposed_median(population, waits),
            }
        )
    con.execute("DROP TABLE temp.int_finding_wait_keys")
    if not rows:
        return
    con.register(
        "_finding_waits", pd.DataFrame(rows, columns=["finding_key", "exposed", "unexposed"])
    )
    con.execute(
        "UPDATE temp.int_finding_counts AS counts SET median_wait_exposed_s = waits.exposed, "
        "median_wait_unexposed_s = waits.unexposed FROM _finding_waits AS waits "
        "WHERE waits.finding_key = counts.finding_key AND counts.segment IS NULL"
    )
    con.unregister("_finding_waits")
