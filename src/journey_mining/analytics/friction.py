"""Friction findings ranked by impact on reaching the goal.

``sql/analytics/friction_candidates.sql`` gathers, per candidate finding, the 2×2 counts
(journeys with / without it × reached the goal or not). Here each finding gets its goal
rates, an estimate of goals lost, ``impact = n_cases × (rate without − rate with)``, and a
two-sided Fisher exact p-value; the table is written ranked by impact. This loops over
findings (dozens), never over events.

Example:
    >>> goal_rates(n_cases=10, n_goal=2, n_population=110, n_population_goal=52)
    (0.2, 0.5, 3.0)
"""

from __future__ import annotations

import duckdb
import pandas as pd
from scipy.stats import fisher_exact

from journey_mining.warehouse import run_sql

FRICTION_COLUMNS = [
    "rank",
    "kind",
    "where",
    "activity",
    "deviation_kind",
    "n_cases",
    "goal_rate_with",
    "goal_rate_without",
    "impact",
    "p_value",
    "median_wait_s",
    "baseline_wait_s",
]


def goal_rates(
    n_cases: int, n_goal: int, n_population: int, n_population_goal: int
) -> tuple[float | None, float | None, float]:
    """Goal rate with the finding, without it, and the goals lost it accounts for."""
    rest = n_population - n_cases
    rate_with = n_goal / n_cases if n_cases else None
    rate_without = (n_population_goal - n_goal) / rest if rest > 0 else None
    if rate_with is None or rate_without is None:
        return rate_with, rate_without, 0.0
    return rate_with, rate_without, round(n_cases * (rate_without - rate_with), 6)


def _p_value(n_cases: int, n_goal: int, n_population: int, n_population_goal: int) -> float | None:
    rest = n_population - n_cases
    if n_cases <= 0 or rest <= 0:
        return None
    table = [
        [n_goal, n_cases - n_goal],
        [n_population_goal - n_goal, rest - (n_population_goal - n_goal)],
    ]
    if min(min(row) for row in table) < 0:
        return None
    return float(fisher_exact(table).pvalue)


def build_friction(con: duckdb.DuckDBPyConnection) -> int:
    """Write ``mining.friction`` from the candidates; return the number of findings."""
    run_sql(con, "analytics/friction_candidates.sql")
    candidates = con.execute(
        'SELECT kind, "where", activity, deviation_kind, n_cases, n_goal, n_population, '
        "n_population_goal, median_wait_s, baseline_wait_s FROM temp.int_friction_candidates"
    ).df()
    records = []
    for row in candidates.to_dict("records"):
        counts = (
            int(row["n_cases"]),
            int(row["n_goal"]),
            int(row["n_population"]),
            int(row["n_population_goal"]),
        )
        rate_with, rate_without, impact = goal_rates(*counts)
        records.append(
            {
                "kind": row["kind"],
                "where": row["where"],
                "activity": row["activity"],
                "deviation_kind": row["deviation_kind"],
                "n_cases": counts[0],
                "goal_rate_with": rate_with,
                "goal_rate_without": rate_without,
                "impact": impact,
                "p_value": None if row["kind"] == "drop_off" else _p_value(*counts),
                "median_wait_s": row["median_wait_s"],
                "baseline_wait_s": row["baseline_wait_s"],
            }
        )
    frame = pd.DataFrame.from_records(records, columns=FRICTION_COLUMNS[1:])
    frame = frame.sort_values(
        ["impact", "n_cases", "kind", "where"], ascending=[False, False, True, True]
    )
    frame.insert(0, "rank", range(1, len(frame) + 1))
    con.register("_friction_frame", frame)
    con.execute(
        "CREATE OR REPLACE TABLE mining.friction AS SELECT rank::BIGINT AS rank, kind::VARCHAR AS kind, "
        '"where"::VARCHAR AS "where", activity::VARCHAR AS activity, '
        "deviation_kind::VARCHAR AS deviation_kind, n_cases::BIGINT AS n_cases, "
        "goal_rate_with::DOUBLE AS goal_rate_with, goal_rate_without::DOUBLE AS goal_rate_without, "
        "impact::DOUBLE AS impact, p_value::DOUBLE AS p_value, median_wait_s::DOUBLE AS median_wait_s, "
        "baseline_wait_s::DOUBLE AS baseline_wait_s FROM _friction_frame ORDER BY rank"
    )
    con.unregister("_friction_frame")
    return len(frame)
