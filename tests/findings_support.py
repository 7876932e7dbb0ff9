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
_BLOCK = re.compile(r"```sql ((?:finding=\w+ ?)+)(strata=yes)?\n(.*?)```", re.S)
_PARAMETER = re.compile(r"\$(\w+)")


def documented_sql() -> dict[str, str]:
    """kind → the SQL docs/findings.md gives for reproducing a finding of that kind."""
    blocks: dict[str, str] = {}
    for header, _strata, sql in _BLOCK.findall(DOCS.read_text(encoding="utf-8")):
        for kind in re.findall(r"finding=(\w+)", header):
            blocks[kind] = sql
    return blocks


def _execute(
    con: duckdb.DuckDBPyConnection, sql: str, finding: dict[str, Any]
) -> list[tuple[Any, ...]]:
    """Run one documented query with the finding's columns as its ``$parameters``."""
    values = {}
    for name in sorted(set(_PARAMETER.findall(sql))):
        value = finding[name]
        if isinstance(value, np.ndarray):
            value = value.tolist()
        elif isinstance(value, float) and np.isnan(value):
            value = None
        elif isinstance(value, np.integer):
            value = int(value)
        values[name] = value
    return con.execute(sql, values).fetchall()


def reproduce(
    con: duckdb.DuckDBPyConnection, sql: str, finding: dict[str, Any]
) -> dict[str, float]:
    """A finding's counts and unexposed rate from its documented SQL (strata pooled as documented)."""
    rows = _execute(con, sql, finding)
    stratified = len(rows[0]) == 5
    n1 = x1 = n0 = x0 = 0
    expected = 0.0
    for row in rows:
        n_population, n_exposed, goal_exposed, goal_unexposed = (int(v) for v in row[-4:])
        n_unexposed = n_population - n_exposed
        if stratified and (n_exposed == 0 or n_unexposed == 0):
            continue
        n1, x1, n0, x0 = n1 + n_exposed, x1 + goal_exposed, n0 + n_unexposed, x0 + goal_unexposed
        expected += n_exposed * goal_unexposed / n_unexposed if n_unexposed else 0.0
    if stratified:
        rate = expected / n1 if n1 else float("nan")
    else:
        rate = x0 / n0 if n0 else float("nan")
    return {
        "n_exposed": n1,
        "goal_exposed": x1,
        "n_unexposed": n0,
        "goal_unexposed": x0,
        "rate_unexposed": rate,
    }


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
        "SELECT population_key || chr(30) || coalesce(stratum, '') AS population_key, journey_no, "
        "exposures, population_key AS base_key, coalesce(stratum, '') AS stratum "
        "FROM temp.int_finding_rows"
    ).df()
    defs = con.execute(
        "SELECT finding_key, population_key, exposure FROM temp.int_finding_defs"
    ).df()
    strata = con.execute("SELECT attribute, value, journey_no FROM temp.int_finding_strata").df()
    n = len(journeys)
    population_index = {k: i for i, k in enumerate(sorted(rows["population_key"].unique()))}
    by_exposure = {(p, e): k for k, p, e in defs.itertuples(index=False)}
    finding_index: dict[str, int] = {}
    population_of_finding: dict[str, str] = {}
    exposed_finding: list[int] = []
    exposed_journey: list[int] = []
    for population, journey, exposures, base, stratum in rows.itertuples(index=False):
        for exposure in exposures:
            key = by_exposure[(base, exposure)] + "\x1e" + stratum
            if key not in finding_index:
                finding_index[key] = len(finding_index)
                population_of_finding[key] = population
            exposed_finding.append(finding_index[key])
            exposed_journey.append(int(journey) - 1)
    for key, base in zip(defs["finding_key"], defs["population_key"], strict=True):
        for population in rows.loc[rows["base_key"] == base, "population_key"].unique():
            stratum = population.rsplit("\x1e", 1)[1]
            full = key + "\x1e" + stratum
            if full not in finding_index:
                finding_index[full] = len(finding_index)
                population_of_finding[full] = population
    masks: dict[tuple[str, str], np.ndarray] = {}
    for (attribute, value), group in strata.groupby(["attribute", "value"]):
        mask = np.zeros(n, dtype=bool)
        mask[group["journey_no"].to_numpy() - 1] = True
        masks[(str(attribute), str(value))] = mask
    return Memberships(
        counts=counts,
        goal=journeys["goal"].to_numpy(dtype=bool),
        population_of_finding=population_of_finding,
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
    out = m.counts[
        ["finding_id", "finding_key", "kind", "activity", "segment", "segment_value", "stratum"]
    ].copy()
    columns = {"n_population": [], "goal_population": [], "n_exposed": [], "goal_exposed": []}
    cache: dict[tuple[object, object], tuple[np.ndarray, ...]] = {}
    for key, segment, value, progress in zip(
        out["finding_key"], out["segment"], out["segment_value"], out["stratum"], strict=True
    ):
        key = key + "\x1e" + (progress if isinstance(progress, str) else "")
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
