"""Median waits of the findings about a step's wait, exposed and unexposed, over all journeys.

The kinds with a wait (``has_wait`` in ``temp.int_finding_defs``) write each journey's wait
into its row of ``temp.int_finding_rows``; here each population's waits are read once, sorted,
and every finding's exposed waits are taken out of them in numpy: loops over findings, never
over journeys.

Example:
    >>> # add_wait_medians(con)  # after counts.sql, for the kind just counted  # doctest: +SKIP
"""

from __future__ import annotations

import itertools

import duckdb
import numpy as np
import pandas as pd

from journey_mining.analytics.statistics import FloatArray


def _unexposed_median(population: FloatArray, exposed: FloatArray) -> float | None:
    """The median of the sorted ``population`` waits once the sorted ``exposed`` ones (a
    sub-multiset) are taken out: the unexposed journeys' median, without listing them."""
    first = np.searchsorted(population, exposed, side="left")
    repeat = np.arange(len(exposed)) - np.searchsorted(exposed, exposed, side="left")
    remaining = np.delete(population, first + repeat)
    return float(np.median(remaining)) if len(remaining) else None


def _sorted_groups(con: duckdb.DuckDBPyConnection, query: str) -> list[tuple[int, FloatArray]]:
    """Run ``query`` (columns ``code``, an integer key, and ``wait_s``) and return each code's
    waits, sorted.

    The rows come through Arrow as two numeric columns (the keys are integer codes, so
    millions of rows cost neither Python objects nor strings); the split and the sort are
    numpy's: the rows grouped by a stable sort of the codes (a radix sort when they fit 16
    bits), then each group's waits sorted in place (several times faster than one two-key
    ``lexsort``; the same sorted groups).
    """
    table = con.sql(query).to_arrow_table()
    if table is None or table.num_rows == 0:
        return []
    codes = table.column("code").to_numpy().astype(np.int64)
    values = table.column("wait_s").to_numpy().astype(np.float64)
    fits = codes.max() <= np.iinfo(np.int16).max
    order = np.argsort(codes.astype(np.int16) if fits else codes, kind="stable")
    codes, values = codes[order], values[order]
    starts = np.flatnonzero(np.concatenate([[True], codes[1:] != codes[:-1]]))
    bounds = np.append(starts, len(codes))
    groups = []
    for a, b in itertools.pairwise(bounds):
        values[a:b].sort()
        groups.append((int(codes[a]), values[a:b]))
    return groups


_WAIT_KEYS = (  # the findings with a wait and their populations, numbered: waits are read by number
    "CREATE OR REPLACE TEMP TABLE int_finding_wait_keys AS SELECT finding_key, population_key, "
    "exposure, dense_rank() OVER (ORDER BY population_key) AS population_code, row_number() "
    "OVER (ORDER BY finding_key) AS finding_code FROM temp.int_finding_defs WHERE has_wait"
)


def add_wait_medians(con: duckdb.DuckDBPyConnection) -> None:
    """Median wait of the step a finding concerns, exposed and unexposed, over all journeys.

    Each population's waits are read once, sorted; every finding's exposed waits are taken out
    of them in numpy (loops over findings, never over journeys).
    """
    con.execute(_WAIT_KEYS)
    waits = "SELECT population_key, exposures, wait_s FROM temp.int_finding_rows WHERE wait_s IS NOT NULL"
    populations = dict(
        _sorted_groups(
            con,
            f"SELECT keys.population_code AS code, waits.wait_s FROM ({waits}) AS waits "
            "INNER JOIN (SELECT DISTINCT population_key, population_code FROM temp.int_finding_wait_keys) "
            "AS keys USING (population_key)",
        )
    )
    exposed_groups = _sorted_groups(
        con,
        "SELECT keys.finding_code AS code, waits.wait_s FROM ("
        f"SELECT population_key, unnest(exposures) AS exposure, wait_s FROM ({waits})) AS waits "
        "INNER JOIN temp.int_finding_wait_keys AS keys USING (population_key, exposure)",
    )
    keys = {
        int(code): (str(finding_key), int(population_code))
        for finding_key, population_code, code in con.execute(
            "SELECT finding_key, population_code, finding_code FROM temp.int_finding_wait_keys"
        ).fetchall()
    }
    con.execute("DROP TABLE temp.int_finding_wait_keys")
    rows = []
    for code, exposed in exposed_groups:
        finding_key, population_code = keys[code]
        rows.append(
            {
                "finding_key": finding_key,
                "exposed": float(np.median(exposed)),
                "unexposed": _unexposed_median(populations[population_code], exposed),
            }
        )
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
