"""Pooling a finding's strata into one comparison.

Most kinds of finding have one 2×2 table. Repetition and repeat contact are compared within
*progress strata* (how many required steps a journey had done when the comparison starts, and
by its landmark), because an activity that comes with progress must not pass for a cause. For
them the exposed journeys are compared with unexposed journeys of equal progress:

* only strata holding both groups count (the comparable ones);
* the unexposed rate is **standardised** to the exposed journeys' progress:
  ``Σ_s n1_s · rate0_s / Σ_s n1_s``, so ``difference`` is the effect on the exposed and
  ``loss = Σ_s n1_s · (rate0_s − rate1_s)`` exactly;
* its 95% interval is Wald's with Agresti–Caffo adjusted rates in the variance
  (``Σ_s (n1_s / n1)² · (p̃1_s(1−p̃1_s)/(n1_s+2) + p̃0_s(1−p̃0_s)/(n0_s+2))``);
* its p-value is the Cochran–Mantel–Haenszel test with continuity correction.

A finding with one stratum keeps the exact methods of ``statistics`` (Newcombe, Fisher).

Example:
    >>> import pandas as pd
    >>> counts = pd.DataFrame({"finding_id": ["f", "f"], "stratum": ["0>0", "0>1"],
    ...     "n_population": [100, 100], "goal_population": [20, 60],
    ...     "n_exposed": [10, 50], "goal_exposed": [1, 25]})
    >>> pooled = pool_strata(counts)
    >>> pooled.loc[0, ["n1", "x1", "n0", "x0", "stratified"]].tolist()
    [60, 26, 140, 54, True]
    >>> d, low, high, p = compare(pooled)
    >>> round(float(d[0]), 4)
    -0.1433
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import chi2

from journey_mining.analytics.statistics import (
    Z_95,
    FloatArray,
    IntArray,
    difference_interval,
    fisher_p_values,
)

SPLITS = ("", "_h1", "_h2", "_t1", "_t2")
"""All journeys, then the halves of the hash and time replication splits."""

_PARTS = ("n1", "x1", "n0", "x0", "exp0", "var", "cmh_dev", "cmh_var")


def _column(frame: pd.DataFrame, name: str) -> FloatArray:
    if name not in frame:
        return np.zeros(len(frame))
    return frame[name].fillna(0).to_numpy(dtype=np.float64)


def _stratum_parts(frame: pd.DataFrame, suffix: str) -> dict[str, FloatArray]:
    """Each stratum's contribution to its finding's pooled comparison (a progress stratum
    counts only when it holds both groups; an unstratified finding's one table always counts)."""
    n1 = _column(frame, f"n_exposed{suffix}")
    x1 = _column(frame, f"goal_exposed{suffix}")
    n0 = _column(frame, f"n_population{suffix}") - n1
    x0 = _column(frame, f"goal_population{suffix}") - x1
    ok = ((n1 > 0) & (n0 > 0)) | frame["stratum"].isna().to_numpy()
    n1, x1, n0, x0 = (np.where(ok, a, 0.0) for a in (n1, x1, n0, x0))
    safe0 = np.maximum(n0, 1)
    total = n1 + n0
    goals = x1 + x0
    adj1 = (x1 + 1) / (n1 + 2)
    adj0 = (x0 + 1) / (n0 + 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        cmh_var = np.where(
            total > 1, n1 * n0 * goals * (total - goals) / (total**2 * (total - 1)), 0.0
        )
    return {
        "n1": n1,
        "x1": x1,
        "n0": n0,
        "x0": x0,
        "exp0": n1 * x0 / safe0,
        "var": np.where(
            ok, n1**2 * (adj1 * (1 - adj1) / (n1 + 2) + adj0 * (1 - adj0) / (n0 + 2)), 0.0
        ),
        "cmh_dev": np.where(ok, x1 - n1 * goals / np.maximum(total, 1), 0.0),
        "cmh_var": np.where(ok, cmh_var, 0.0),
    }


def pool_strata(counts: pd.DataFrame) -> pd.DataFrame:
    """One row per ``finding_id``: the sums of its comparable strata, for every split.

    The first row of each finding gives its descriptive columns; ``stratified`` says whether
    the finding is compared within progress strata (a non-null ``stratum``).
    """
    frame = counts.copy()
    if "stratum" not in frame:
        frame["stratum"] = None
    # a fixed order of the strata, so float sums come out the same on every run
    frame = frame.assign(_order=frame["stratum"].fillna("")).sort_values(
        ["finding_id", "_order"], kind="stable"
    )
    frame = frame.drop(columns="_order").reset_index(drop=True)
    parts: dict[str, FloatArray] = {}
    for suffix in SPLITS:
        for name, values in _stratum_parts(frame, suffix).items():
            parts[f"{name}{suffix}"] = values
    summed = pd.DataFrame(parts).assign(finding_id=frame["finding_id"].to_numpy())
    pooled = summed.groupby("finding_id", sort=False).sum()
    described = frame.drop_duplicates("finding_id").set_index("finding_id")
    described = described.drop(columns=[c for c in described.columns if c in pooled.columns])
    result = described.join(pooled).reset_index()
    stratified = frame.groupby("finding_id", sort=False)["stratum"].count() > 0
    result["stratified"] = stratified.reindex(result["finding_id"]).to_numpy(dtype=bool)
    for name in ("n1", "x1", "n0", "x0"):
        for suffix in SPLITS:
            result[f"{name}{suffix}"] = result[f"{name}{suffix}"].round().astype(np.int64)
    return result


def compare(
    pooled: pd.DataFrame, suffix: str = ""
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """Per finding: the difference (exposed − unexposed), its 95% interval and the p-value."""
    n1: IntArray = pooled[f"n1{suffix}"].to_numpy(dtype=np.int64)
    x1: IntArray = pooled[f"x1{suffix}"].to_numpy(dtype=np.int64)
    n0: IntArray = pooled[f"n0{suffix}"].to_numpy(dtype=np.int64)
    x0: IntArray = pooled[f"x0{suffix}"].to_numpy(dtype=np.int64)
    d, low, high = difference_interval(x1, n1, x0, n0)
    p = fisher_p_values(x1, n1, x0, n0)
    stratified = pooled["stratified"].to_numpy(dtype=bool)
    if np.any(stratified):
        exp0 = pooled[f"exp0{suffix}"].to_numpy(dtype=np.float64)
        var = pooled[f"var{suffix}"].to_numpy(dtype=np.float64)
        dev = pooled[f"cmh_dev{suffix}"].to_numpy(dtype=np.float64)
        cmh_var = pooled[f"cmh_var{suffix}"].to_numpy(dtype=np.float64)
        with np.errstate(divide="ignore", invalid="ignore"):
            std_d = (x1 - exp0) / n1
            half = Z_95 * np.sqrt(var) / n1
            statistic = np.maximum(np.abs(dev) - 0.5, 0.0) ** 2 / cmh_var
        std_p = np.where(
            cmh_var > 0, chi2.sf(statistic, 1), np.where((n1 > 0) & (n0 > 0), 1.0, np.nan)
        )
        usable = (n1 > 0) & (n0 > 0)
        d = np.where(stratified, np.where(usable, std_d, np.nan), d)
        low = np.where(stratified, np.where(usable, np.maximum(std_d - half, -1.0), np.nan), low)
        high = np.where(stratified, np.where(usable, np.minimum(std_d + half, 1.0), np.nan), high)
        p = np.where(stratified, std_p, p)
    return d, low, high, p


def unexposed_rate(pooled: pd.DataFrame) -> FloatArray:
    """The unexposed rate: crude, or standardised to the exposed progress when stratified."""
    n1 = pooled["n1"].to_numpy(dtype=np.float64)
    n0 = pooled["n0"].to_numpy(dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        crude = pooled["x0"].to_numpy(dtype=np.float64) / n0
        standardised = pooled["exp0"].to_numpy(dtype=np.float64) / n1
    rate = np.where(pooled["stratified"].to_numpy(dtype=bool), standardised, crude)
    return np.where((n1 > 0) & (n0 > 0), rate, np.where(n0 > 0, crude, np.nan))
