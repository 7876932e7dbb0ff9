"""The statistics of a finding: rates, their difference with a 95% interval, tests, loss.

Everything here works on whole columns of counts (numpy arrays), one element per finding, so
the pipeline and the permutation test (outcome shuffled across journeys) share one definition.

For each finding, ``n1`` journeys are exposed and ``x1`` of them reached the goal; ``n0`` are
unexposed and ``x0`` of them reached it. Then:

* ``rate_exposed = x1 / n1``, ``rate_unexposed = x0 / n0``;
* ``difference = rate_exposed - rate_unexposed`` with Newcombe's hybrid score interval
  (method 10: Wilson intervals of both rates combined), which keeps its 95% coverage for
  small groups and rates near 0 or 1, where a Wald interval does not;
* ``p_value``: Fisher's exact test, two-sided, on the 2×2 table;
* ``q_value``: Benjamini–Hochberg over every tested finding of the run;
* ``loss = n1 × (rate_unexposed - rate_exposed)`` (goals the exposed journeys would have
  reached at the unexposed rate), with the interval ``n1 × -(difference interval)``.

Example:
    >>> import numpy as np
    >>> low, high = wilson_interval(np.array([20]), np.array([100]))
    >>> round(float(low[0]), 4), round(float(high[0]), 4)
    (0.1334, 0.2888)
    >>> [round(float(q), 3) for q in benjamini_hochberg(np.array([0.01, 0.04, 0.03]))]
    [0.03, 0.04, 0.04]
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from scipy.stats import fisher_exact

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

Z_95 = 1.959963984540054


def wilson_interval(successes: IntArray, trials: IntArray, z: float = Z_95) -> tuple[FloatArray, FloatArray]:
    """Wilson score interval of ``successes / trials`` (NaN where ``trials`` is 0)."""
    x = successes.astype(np.float64)
    n = trials.astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = x / n
        denominator = 1 + z * z / n
        centre = (p + z * z / (2 * n)) / denominator
        half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    return centre - half, centre + half


def difference_interval(
    x1: IntArray, n1: IntArray, x0: IntArray, n0: IntArray, z: float = Z_95
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """``rate1 - rate0`` and Newcombe's hybrid score interval (method 10) around it.

    Example:
        >>> import numpy as np
        >>> d, low, high = difference_interval(np.array([56]), np.array([70]),
        ...                                    np.array([48]), np.array([80]))
        >>> round(float(d[0]), 4), round(float(low[0]), 4), round(float(high[0]), 4)
        (0.2, 0.0524, 0.3339)
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        p1 = x1 / n1.astype(np.float64)
        p0 = x0 / n0.astype(np.float64)
    low1, high1 = wilson_interval(x1, n1, z)
    low0, high0 = wilson_interval(x0, n0, z)
    d = p1 - p0
    low = d - np.sqrt((p1 - low1) ** 2 + (high0 - p0) ** 2)
    high = d + np.sqrt((high1 - p1) ** 2 + (p0 - low0) ** 2)
    return d, low, high


def fisher_p_values(x1: IntArray, n1: IntArray, x0: IntArray, n0: IntArray) -> FloatArray:
    """Two-sided Fisher exact p-values, one per table (NaN where a group is empty).

    Identical tables are tested once (a run has many repeated small tables).
    """
    result = np.full(len(x1), np.nan)
    cache: dict[tuple[int, int, int, int], float] = {}
    for i, key in enumerate(zip(x1.tolist(), n1.tolist(), x0.tolist(), n0.tolist(), strict=True)):
        a, exposed, c, unexposed = (int(v) for v in key)
        if exposed <= 0 or unexposed <= 0:
            continue
        if key not in cache:
            table = [[a, exposed - a], [c, unexposed - c]]
            cache[key] = float(fisher_exact(table).pvalue)
        result[i] = cache[key]
    return result


def benjamini_hochberg(p_values: FloatArray) -> FloatArray:
    """Benjamini–Hochberg adjusted p-values (q-values); NaN stays NaN and is not counted."""
    q = np.full(len(p_values), np.nan)
    tested = np.flatnonzero(~np.isnan(p_values))
    m = len(tested)
    if m == 0:
        return q
    order = tested[np.argsort(p_values[tested], kind="stable")]
    ranked = p_values[order] * m / np.arange(1, m + 1)
    q[order] = np.minimum(1.0, np.minimum.accumulate(ranked[::-1])[::-1])
    return q


def holds_in_half(
    x1: IntArray, n1: IntArray, x0: IntArray, n0: IntArray, sign: FloatArray, alpha: float = 0.05
) -> npt.NDArray[np.bool_]:
    """Whether each finding holds in one half of a split: same sign as overall, p < ``alpha``."""
    p = fisher_p_values(x1, n1, x0, n0)
    with np.errstate(divide="ignore", invalid="ignore"):
        d = x1 / n1.astype(np.float64) - x0 / n0.astype(np.float64)
    return (~np.isnan(p)) & (p < alpha) & (np.sign(d) == sign) & (sign != 0)


def conservative_loss(loss: FloatArray, loss_low: FloatArray, loss_high: FloatArray) -> FloatArray:
    """The end of the loss interval nearest zero (0 when the interval contains zero)."""
    return np.where(loss_low > 0, loss_low, np.where(loss_high < 0, loss_high, 0.0))
