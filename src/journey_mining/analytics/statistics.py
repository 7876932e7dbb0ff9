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

from collections.abc import Callable

import numpy as np
import numpy.typing as npt
from scipy.special import gammaln
from scipy.stats import hypergeom

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

Z_95 = 1.959963984540054


def wilson_interval(
    successes: IntArray, trials: IntArray, z: float = Z_95
) -> tuple[FloatArray, FloatArray]:
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


def _log_pmf(x: IntArray, total: IntArray, successes: IntArray, draws: IntArray) -> FloatArray:
    """Hypergeometric log-probability of ``x`` successes in ``draws`` (vectorised)."""

    def log_choose(n: npt.NDArray[np.float64], k: npt.NDArray[np.float64]) -> FloatArray:
        return gammaln(n + 1) - gammaln(k + 1) - gammaln(n - k + 1)  # type: ignore[no-any-return]

    t, s, d, k = (a.astype(np.float64) for a in (total, successes, draws, x))
    return log_choose(s, k) + log_choose(t - s, d - k) - log_choose(t, d)


def _binary_search(
    low: IntArray, high: IntArray, below: Callable[[IntArray], npt.NDArray[np.bool_]], rising: bool
) -> IntArray:
    """Per table, where a monotone predicate changes over the integers ``[low, high]``.

    ``rising`` (the pmf rises over the range, so ``below`` is true, then false): the last x
    with ``below(x)``, or ``low - 1``. Otherwise (``below`` false, then true): the first x with
    ``below(x)``, or ``high + 1``.
    """
    if rising:
        lo, hi = low - 1, high.copy()
    else:
        lo, hi = low.copy(), high + 1
    while True:
        active = lo < hi
        if not np.any(active):
            return lo
        mid = (lo + hi + 1) // 2 if rising else (lo + hi) // 2
        with np.errstate(invalid="ignore", divide="ignore"):
            ok = below(np.clip(mid, low, high)) & active
        if rising:
            lo = np.where(ok, mid, lo)
            hi = np.where(active & ~ok, mid - 1, hi)
        else:
            hi = np.where(ok, mid, hi)
            lo = np.where(active & ~ok, mid + 1, lo)


def fisher_p_values(x1: IntArray, n1: IntArray, x0: IntArray, n0: IntArray) -> FloatArray:
    """Two-sided Fisher exact p-values, one per 2×2 table (NaN where a group is empty).

    The p-value sums the probabilities (hypergeometric, margins fixed) of every table at most
    as probable as the observed one, with R's ``fisher.test`` relative tolerance of 1e-7. The
    other tail's boundary is found by binary search, so the cost does not grow with the counts.

    Example:
        >>> import numpy as np
        >>> p = fisher_p_values(np.array([3]), np.array([10]), np.array([9]), np.array([12]))
        >>> round(float(p[0]), 4)
        0.1135
    """
    x1, n1, x0, n0 = (np.asarray(a, dtype=np.int64) for a in (x1, n1, x0, n0))
    result = np.full(len(x1), np.nan)
    valid = (n1 > 0) & (n0 > 0)
    if not np.any(valid):
        return result
    x, draws = x1[valid], n1[valid]
    total = n1[valid] + n0[valid]
    successes = x1[valid] + x0[valid]
    low = np.maximum(0, draws - (total - successes))
    high = np.minimum(draws, successes)
    mode = ((draws + 1) * (successes + 1)) // (total + 2)
    threshold = _log_pmf(x, total, successes, draws) + np.log1p(1e-7)
    p = np.ones(len(x))
    for left_of_mode in (True, False):
        idx = np.flatnonzero(x < mode if left_of_mode else x > mode)
        if not len(idx):
            continue
        args = (total[idx], successes[idx], draws[idx])
        limit = threshold[idx]

        def below(
            k: IntArray, args: tuple[IntArray, ...] = args, limit: FloatArray = limit
        ) -> npt.NDArray[np.bool_]:
            return _log_pmf(k, *args) <= limit

        if left_of_mode:
            # observed left of the mode: the other tail starts at the first x right of it
            cut = _binary_search(mode[idx], high[idx], below, rising=False)
            tail = np.where(cut <= high[idx], hypergeom.sf(cut - 1, *args), 0.0)
            p[idx] = hypergeom.cdf(x[idx], *args) + tail
        else:
            cut = _binary_search(low[idx], mode[idx], below, rising=True)
            tail = np.where(cut >= low[idx], hypergeom.cdf(cut, *args), 0.0)
            p[idx] = hypergeom.sf(x[idx] - 1, *args) + tail
    result[valid] = np.minimum(p, 1.0)
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


def conservative_loss(loss: FloatArray, loss_low: FloatArray, loss_high: FloatArray) -> FloatArray:
    """The end of the loss interval nearest zero (0 when the interval contains zero)."""
    return np.where(loss_low > 0, loss_low, np.where(loss_high < 0, loss_high, 0.0))
