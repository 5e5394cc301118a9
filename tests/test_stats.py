"""The plain-Python hypergeometric tail equals scipy's over small, large and extreme cases."""

from __future__ import annotations

import random

import pytest
from scipy.stats import hypergeom

from analyzer.aggregate.stats import hypergeom_sf


def _cases():
    rng = random.Random(7)
    cases = [(0, 10, 3, 4), (2, 10, 3, 4), (3, 10, 3, 4), (-1, 10, 3, 4), (0, 1, 1, 1), (0, 5, 0, 3),
             (4, 5, 5, 5), (1, 100, 50, 50), (49, 100, 50, 50), (24, 100, 50, 50), (25, 100, 50, 50)]
    for _ in range(300):  # document-sized
        total = rng.randint(1, 3000)
        a, b = rng.randint(0, total), rng.randint(0, total)
        cases.append((rng.randint(-1, min(a, b) + 1), total, a, b))
    for _ in range(60):  # batch-sized (all documents of a large run)
        total = rng.randint(100_000, 2_000_000)
        a, b = rng.randint(0, total // 5), rng.randint(0, total // 5)
        expected = a * b // total
        cases.append((max(0, expected + rng.randint(-400, 400)), total, a, b))
    return cases


@pytest.mark.parametrize("k,total,a,b", _cases())
def test_hypergeom_sf_matches_scipy(k, total, a, b):
    assert hypergeom_sf(k, total, a, b) == pytest.approx(float(hypergeom.sf(k, total, a, b)), rel=1e-7, abs=1e-14)


def test_hypergeom_sf_rejects_impossible_counts():
    with pytest.raises(ValueError):
        hypergeom_sf(0, 5, 6, 1)
