"""Small exact statistics, so a score run needs no ``scipy.stats`` import.

Importing ``scipy.stats`` takes 0.4-0.9 s on the machines we measure on: more than a
cached re-run of a batch does in total. ``tests/test_stats.py`` checks these functions
against scipy.
"""

from __future__ import annotations

import math

import numpy as np

Z = 1.959963984540054
_TINY = 1e-17  # stop a tail sum once a term adds less than this, relative to the sum


def _log_comb(n: int, k: int) -> float:
    return math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1)


def hypergeom_sf(k: int, total: int, successes: int, draws: int) -> float:
    """P(X > k) for X ~ Hypergeometric(total, successes, draws), as ``scipy.stats.hypergeom.sf``.

    Args:
        k: the count to exceed (P(X >= k + 1)).
        total: population size (here: the sentences of a document or batch).
        successes: marked items in the population (sentences with cluster A).
        draws: items drawn (sentences with cluster B).

    The probabilities of neighbouring counts follow from each other by a ratio, so the
    tail is summed outward from its start until the terms vanish. The smaller side of the
    distribution is summed (the upper tail above the mode, else the lower one, whose
    complement is returned), which keeps both small and large p-values accurate.
    """
    if not 0 <= successes <= total or not 0 <= draws <= total:
        raise ValueError("need 0 <= successes, draws <= total")
    low, high = max(0, draws - (total - successes)), min(successes, draws)
    if k < low:
        return 1.0
    if k >= high:
        return 0.0
    mode = (draws + 1) * (successes + 1) // (total + 2)
    rest = total - successes
    log_base = _log_comb(total, draws)
    # pmf(x + 1) / pmf(x) = (successes - x) * (draws - x) / ((x + 1) * (rest - draws + x + 1)),
    # written out in the loops below (this runs for every co-occurring pair of every document)
    if k + 1 > mode:  # upper tail, from k + 1 upward: terms only fall
        x = k + 1
        term = math.exp(_log_comb(successes, x) + _log_comb(rest, draws - x) - log_base)
        acc = term
        while x < high:
            term *= (successes - x) * (draws - x) / ((x + 1) * (rest - draws + x + 1))
            x += 1
            acc += term
            if term < acc * _TINY:
                break
        return min(1.0, acc)
    # lower tail P(X <= k), from k downward: terms only fall; return its complement
    x = k
    term = math.exp(_log_comb(successes, x) + _log_comb(rest, draws - x) - log_base)
    acc = term
    while x > low:
        x -= 1
        term *= ((x + 1) * (rest - draws + x + 1)) / ((successes - x) * (draws - x))
        acc += term
        if term < acc * _TINY:
            break
    return max(0.0, 1.0 - acc)


def wilson(k: int | np.ndarray, n: int | np.ndarray, z: float = Z) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval for k successes out of n (vectorised; n=0 gives 0..1)."""
    k = np.asarray(k, dtype=float)
    n = np.asarray(n, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = np.where(n > 0, k / n, 0.0)
        denom = 1 + z * z / n
        centre = (p + z * z / (2 * n)) / denom
        half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
        low = np.where(n > 0, np.clip(centre - half, 0, 1), 0.0)
        high = np.where(n > 0, np.clip(centre + half, 0, 1), 1.0)
    return low, high
