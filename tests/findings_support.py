"""Helpers for the findings tests: the documented SQL of docs/findings.md, and counting a
finding's 2×2 tables again in numpy from the findings' membership rows (for permutation tests).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from journey_mining.analytics.findings import compute_counts

DOCS = Path(__file__).resolve().parents[1] / "docs" / "findings.md"
_BLOCK = re.compile(r"```sql ((?:finding=\w+ ?)+)\n(.*?)```", re.S)
_PARAMETER = re.compile(r"\$(\w+)")


def documented_sql() -> dict[str, str]:
    """kind → the SQL docs/findings.md gives for reproducing a finding of that kind."""
    blocks: dict[str, str] = {}
    for header, sql in _BLOCK.findall(DOCS.read_text(encoding="utf-8")):
        for kind in re.findall(r"finding=(\w+)", header):
            blocks[kind] = sql
    return blocks


def run_documented(
    con: duckdb.DuckDBPyConnection, sql: str, finding: dict[str, Any]
) -> tuple[int, ...]:
    """Run one documented query with the finding's columns as its ``$parameters``."""
    names = sorted(set(_PARAMETER.findall(sql)))
    values = {}
    for name in names:
        value = finding[name]
        if isinstance(value, np.ndarray):
            value = value.tolist()
        elif isinstance(value, float) and np.isnan(value):
            value = None
        elif isinstance(value, np.integer):
            value = int(value)
        values[name] = value
    row = con.execute(sql, values).fetchone()
    assert row is not None
    return tuple(int(v) for v in row)


@dataclass
class Memberships:
    """The findings' membership rows as arrays, to count them again under another outcome."""

    counts: pd.DataFrame
    goal: np.ndarray  # per journey_no - 1
    population_of_finding: dict[str, str]
    rows_population: np.ndarray
    rows_journey: np.ndarray
    exposed_finding: np.ndarray
    exposed_journey: np.ndarray
    finding_index: dict[str, int]
    population_index: dict[str, int]
    strata: dict[tuple[str, str], np.ndarray]


def memberships(con: duckdb.DuckDBPyConnection) -> Memberships:
    """Build the findings' temp tables on ``con`` (a writable warehouse) and read them back."""
    counts = compute_counts(con)
    journeys = con.execute(
        "SELECT journey_no, goal FROM temp.int_finding_journeys ORDER BY journey_no"
    ).df()
    rows = con.execute(
        "SELECT population_key, journey_no, exposures FROM temp.int_finding_rows"
    ).df()
    defs = con.execute(
        "SELECT finding_key, population_key, exposure FROM temp.int_finding_defs"
    ).df()
    strata = con.execute("SELECT attribute, value, journey_no FROM temp.int_finding_strata").df()
    n = len(journeys)
    population_index = {k: i for i, k in enumerate(sorted(rows["population_key"].unique()))}
    finding_index = {k: i for i, k in enumerate(defs["finding_key"])}
    by_exposure = {(p, e): k for k, p, e in defs.itertuples(index=False)}
    exposed_finding: list[int] = []
    exposed_journey: list[int] = []
    for population, journey, exposures in rows.itertuples(index=False):
        for exposure in exposures:
            exposed_finding.append(finding_index[by_exposure[(population, exposure)]])
            exposed_journey.append(int(journey) - 1)
    masks: dict[tuple[str, str], np.ndarray] = {}
    for (attribute, value), group in strata.groupby(["attribute", "value"]):
        mask = np.zeros(n, dtype=bool)
        mask[group["journey_no"].to_numpy() - 1] = True
        masks[(str(attribute), str(value))] = mask
    return Memberships(
        counts=counts,
        goal=journeys["goal"].to_numpy(dtype=bool),
        population_of_finding=dict(zip(defs["finding_key"], defs["population_key"], strict=True)),
        rows_population=rows["population_key"].map(population_index).to_numpy(),
        rows_journey=rows["journey_no"].to_numpy() - 1,
        exposed_finding=np.asarray(exposed_finding, dtype=np.int64),
        exposed_journey=np.asarray(exposed_journey, dtype=np.int64),
        finding_index=finding_index,
        population_index=population_index,
        strata=masks,
    )


def recount(m: Memberships, goal: np.ndarray) -> pd.DataFrame:
    """The counts frame of ``m.counts`` with the 2×2 tables recounted under outcome ``goal``."""
    out = m.counts[["finding_key", "kind", "activity", "segment", "segment_value"]].copy()
    columns = {"n_population": [], "goal_population": [], "n_exposed": [], "goal_exposed": []}
    cache: dict[tuple[object, object], tuple[np.ndarray, ...]] = {}
    for key, segment, value in zip(
        out["finding_key"], out["segment"], out["segment_value"], strict=True
    ):
        stratum = (segment, value) if isinstance(segment, str) else (None, None)
        if stratum not in cache:
            mask = m.strata[stratum] if stratum[0] is not None else np.ones(len(goal), dtype=bool)  # type: ignore[index]
            rows = mask[m.rows_journey]
            exposed = mask[m.exposed_journey]
            cache[stratum] = (
                np.bincount(m.rows_population[rows], minlength=len(m.population_index)),
                np.bincount(
                    m.rows_population[rows],
                    weights=goal[m.rows_journey[rows]],
                    minlength=len(m.population_index),
                ),
                np.bincount(m.exposed_finding[exposed], minlength=len(m.finding_index)),
                np.bincount(
                    m.exposed_finding[exposed],
                    weights=goal[m.exposed_journey[exposed]],
                    minlength=len(m.finding_index),
                ),
            )
        n_pop, goal_pop, n_exp, goal_exp = cache[stratum]
        p = m.population_index[m.population_of_finding[key]]
        f = m.finding_index[key]
        columns["n_population"].append(int(n_pop[p]))
        columns["goal_population"].append(int(goal_pop[p]))
        columns["n_exposed"].append(int(n_exp[f]))
        columns["goal_exposed"].append(int(goal_exp[f]))
    for name, values in columns.items():
        out[name] = values
    return out
