"""Adjusted shares: classify-and-count corrected for what a method misses and mistakes.

A method that finds a cluster in a fraction ``tpr`` of the sentences that carry it, and
wrongly in a fraction ``fpr`` of the others, labels on average a share
``q = tpr * p + fpr * (1 - p)`` of a text whose true share is ``p``. Two estimators
invert that, with ``tpr`` and ``fpr`` measured out-of-fold on the annotated corpus
(:mod:`analyzer.scoring.rates`, the model's ``quantification.json``, which also holds
``B`` bootstrap replicates of the rates over the annotated documents):

* ``acc``, adjusted classify-and-count (Forman 2008): ``clip((q - fpr) / (tpr - fpr), 0, 1)``.
  Unbiased when the rates hold, but on a short text the noise of ``q`` is multiplied by
  ``1 / (tpr - fpr)``. Interval: for each rate replicate, ``q`` is drawn from its Jeffreys
  posterior ``Beta(k + 1/2, n - k + 1/2)`` and the adjustment recomputed.
* ``bayes``, the same measurement model as a likelihood: ``k ~ Binomial(n, tpr p + fpr (1 - p))``,
  averaged over the rate replicates (their uncertainty), with a Beta prior for ``p`` per
  name fitted to the annotated documents' shares (empirical Bayes). The estimate is the
  posterior mean, the interval the central 95% posterior interval, on a grid of ``p``
  (400 cells, finer near 0).
  A short text is pulled toward the typical share of an annotated document; a long one
  is governed by its own counts.

Which one a run uses is :data:`DEFAULT` (chosen by the validation in
``scripts/quantification.py``, see ``docs/outputs.md``) and is recorded in run.json.

A comparison (``diff = share_b - share_a``) pairs the rate replicates of the two sides (the
same method has the same error rates on both) and draws the two texts independently; its
p-value is the two-sided normal p of the difference over the simulated standard error.
Draws are seeded by the row's identity, never by its position, and the two sides of a
comparison are seeded as an unordered pair: swapping A and B negates the difference and
mirrors its interval exactly, and a text compared with itself gives 0 with p = 1.

An estimate is *not identifiable* when ``tpr - fpr`` is below
:data:`~analyzer.scoring.rates.MIN_SEPARATION` or the rates rest on fewer than
:data:`~analyzer.scoring.rates.MIN_POSITIVES` annotated positives: its columns are empty.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..scoring.rates import ErrorRates, Rate

ESTIMATORS = ("acc", "bayes")
DEFAULT = "acc"
EDGES = np.linspace(0.0, 1.0, 401) ** 2
"""Cells of the posterior grid for p: fine near 0, where shares live (the first is 6e-6 wide)."""
GRID = (EDGES[1:] + EDGES[:-1]) / 2
RATE_DRAWS = 50
"""Rate replicates the ``bayes`` likelihood averages over (the first ones of the file)."""
SAMPLES_PER_DRAW = 40
"""Posterior samples per rate replicate for a comparison's difference."""


def point(q: np.ndarray | float, tpr: np.ndarray | float, fpr: np.ndarray | float) -> np.ndarray:
    """Adjusted classify-and-count, clipped to [0, 1]; NaN where ``tpr <= fpr``."""
    q, tpr, fpr = (np.asarray(x, dtype=float) for x in (q, tpr, fpr))
    sep = tpr - fpr
    with np.errstate(divide="ignore", invalid="ignore"):
        p = np.where(sep > 0, (q - fpr) / np.where(sep > 0, sep, 1.0), np.nan)
    return np.clip(p, 0.0, 1.0)


def _rng(*key: Any) -> np.random.Generator:
    digest = hashlib.sha256(repr(key).encode("utf-8")).digest()
    return np.random.default_rng(int.from_bytes(digest[:8], "little"))


@dataclass(frozen=True)
class Adjusted:
    share: float
    low: float
    high: float

    @classmethod
    def missing(cls) -> Adjusted:
        return cls(math.nan, math.nan, math.nan)


def _usable(rate: Rate | None, *ns: int) -> bool:
    return rate is not None and rate.identifiable and all(n > 0 for n in ns)


_PRIORS: dict[tuple[float, float], np.ndarray] = {}


def _log_prior(prior: tuple[float, float] | None) -> np.ndarray:
    """The log prior mass of each grid cell (Beta CDF differences: exact at a singular end)."""
    ab = prior or (0.5, 0.5)
    if ab not in _PRIORS:
        from scipy.special import betainc

        mass = np.diff(betainc(ab[0], ab[1], EDGES))
        _PRIORS[ab] = np.log(np.maximum(mass, 1e-300))
    return _PRIORS[ab]


def _posteriors(k: int, n: int, rate: Rate, prior: tuple[float, float] | None) -> tuple[np.ndarray, np.ndarray]:
    """Per rate replicate, the normalised posterior of p on :data:`GRID`, and each
    replicate's log marginal likelihood."""
    t = rate.tpr_draws[:RATE_DRAWS, None]
    f = rate.fpr_draws[:RATE_DRAWS, None]
    q = np.clip(t * GRID[None, :] + f * (1 - GRID[None, :]), 1e-12, 1 - 1e-12)
    log_post = k * np.log(q) + (n - k) * np.log1p(-q) + _log_prior(prior)[None, :]
    top = log_post.max(axis=1, keepdims=True)
    w = np.exp(log_post - top)
    mass = w.sum(axis=1, keepdims=True)
    return w / mass, (np.log(mass) + top)[:, 0]


def _mix(posts: np.ndarray, log_marginal: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    weights = np.exp(log_marginal - log_marginal.max())
    weights /= weights.sum()
    return (weights[:, None] * posts).sum(axis=0), weights


def _central(density: np.ndarray) -> tuple[float, float, float]:
    """Posterior mean and central 95% interval of a density over the grid's cells."""
    cdf = np.concatenate([[0.0], np.cumsum(density)])
    mean = float((density * GRID).sum())
    low, high = (float(np.interp(q, cdf, EDGES)) for q in (0.025, 0.975))
    return mean, min(low, mean), max(high, mean)


def adjust_share(k: int, n: int, rate: Rate | None, *, prior: tuple[float, float] | None = None,
                 estimator: str = DEFAULT, key: tuple[Any, ...] = ()) -> Adjusted:
    """The adjusted share of ``k`` labelled sentences out of ``n`` with its 95% interval."""
    if not _usable(rate, n):
        return Adjusted.missing()
    assert rate is not None
    if estimator == "bayes":
        posts, log_marginal = _posteriors(k, n, rate, prior)
        return Adjusted(*_central(_mix(posts, log_marginal)[0]))
    if estimator != "acc":
        raise ValueError(f"unknown estimator {estimator!r}; use one of {', '.join(ESTIMATORS)}")
    rng = _rng("share", *key, k, n)
    obs = rng.beta(k + 0.5, n - k + 0.5, size=len(rate.tpr_draws))
    draws = point(obs, rate.tpr_draws, rate.fpr_draws)
    draws = np.where(np.isnan(draws), point(obs, rate.tpr, rate.fpr), draws)
    share = float(point(k / n, rate.tpr, rate.fpr))
    low, high = np.percentile(draws, [2.5, 97.5])
    return Adjusted(share, min(float(low), share), max(float(high), share))


def adjust_profile_rows(rows: Sequence[tuple[Any, ...]], rates: ErrorRates | None, columns: dict[str, int], *,
                        estimator: str = DEFAULT) -> list[Adjusted]:
    """The adjusted share of each profiles row (missing where the method has no usable rates)."""
    priors = (rates.meta.get("priors") or {}) if rates else {}
    out = []
    cache: dict[tuple[Any, ...], Adjusted] = {}
    for r in rows:
        method, level, name = r[columns["method"]], r[columns["level"]], r[columns["name"]]
        k, n = int(r[columns["n_sentences"]]), int(r[columns["n_sentences_total"]])
        ident = (method, level, name, k, n)
        if ident not in cache:
            rate = rates.get(method, level, name) if rates else None
            cache[ident] = adjust_share(k, n, rate, prior=_prior(priors, level, name), estimator=estimator,
                                        key=(method, level, name))
        out.append(cache[ident])
    return out


def _prior(priors: dict[str, Any], level: str, name: str) -> tuple[float, float] | None:
    ab = priors.get(f"{level}|{name}")
    return (float(ab[0]), float(ab[1])) if ab else None


@dataclass(frozen=True)
class AdjustedDiff:
    diff: float
    low: float
    high: float
    p_value: float

    @classmethod
    def missing(cls) -> AdjustedDiff:
        return cls(math.nan, math.nan, math.nan, math.nan)


def _sample(rng: np.random.Generator, posts: np.ndarray) -> np.ndarray:
    """SAMPLES_PER_DRAW draws of p from each replicate's grid posterior (rows of ``posts``),
    uniform within the drawn cell."""
    cdf = np.concatenate([np.zeros((posts.shape[0], 1)), np.cumsum(posts, axis=1)], axis=1)
    u = rng.random((posts.shape[0], SAMPLES_PER_DRAW))
    return np.stack([np.interp(row, c, EDGES) for c, row in zip(cdf, u, strict=True)])


def adjust_diff(k_a: int, n_a: int, k_b: int, n_b: int, rate: Rate | None, *,
                prior: tuple[float, float] | None = None, estimator: str = DEFAULT,
                key: tuple[Any, ...] = ()) -> AdjustedDiff:
    """Adjusted ``share_b - share_a`` with a 95% interval and a two-sided p-value."""
    if not _usable(rate, n_a, n_b):
        return AdjustedDiff.missing()
    assert rate is not None
    side_a, side_b = (k_a, n_a), (k_b, n_b)
    if side_a == side_b:
        return AdjustedDiff(0.0, 0.0, 0.0, 1.0)
    first, second = sorted([side_a, side_b])
    rng = _rng("diff", estimator, *key, first, second)
    if estimator == "bayes":
        post_1, lm_1 = _posteriors(*first, rate, prior)
        post_2, lm_2 = _posteriors(*second, rate, prior)
        # the rate replicates are shared: weight each by how well it explains both sides
        weights = np.exp((lm_1 + lm_2) - (lm_1 + lm_2).max())
        weights /= weights.sum()
        draws_1, draws_2 = _sample(rng, post_1), _sample(rng, post_2)
        w = np.repeat(weights[:, None], SAMPLES_PER_DRAW, axis=1).ravel()
        d_21 = (draws_2 - draws_1).ravel()
        share_1 = _central(_mix(post_1, lm_1)[0])[0]
        share_2 = _central(_mix(post_2, lm_2)[0])[0]
    elif estimator == "acc":
        size = len(rate.tpr_draws)
        obs_1 = rng.beta(first[0] + 0.5, first[1] - first[0] + 0.5, size=size)
        obs_2 = rng.beta(second[0] + 0.5, second[1] - second[0] + 0.5, size=size)
        d_21 = point(obs_2, rate.tpr_draws, rate.fpr_draws) - point(obs_1, rate.tpr_draws, rate.fpr_draws)
        ok = ~np.isnan(d_21)
        d_21, w = d_21[ok], np.full(int(ok.sum()), 1.0 / max(int(ok.sum()), 1))
        share_1 = float(point(first[0] / first[1], rate.tpr, rate.fpr))
        share_2 = float(point(second[0] / second[1], rate.tpr, rate.fpr))
    else:
        raise ValueError(f"unknown estimator {estimator!r}; use one of {', '.join(ESTIMATORS)}")
    if not len(d_21):
        return AdjustedDiff.missing()
    sign = 1.0 if side_b == second else -1.0  # diff is B - A
    diff = sign * (share_2 - share_1)
    d = sign * d_21
    low, high = _weighted_quantiles(d, w, (0.025, 0.975))
    mean = float(np.sum(w * d) / np.sum(w))
    se = float(np.sqrt(np.sum(w * (d - mean) ** 2) / np.sum(w)))
    if se <= 0:
        p = 1.0 if diff == 0 else 0.0
    else:
        from scipy.stats import norm

        p = float(2 * norm.sf(abs(diff) / se))
    return AdjustedDiff(diff, min(low, diff), max(high, diff), min(1.0, p))


def _weighted_quantiles(x: np.ndarray, w: np.ndarray, qs: tuple[float, ...]) -> tuple[float, ...]:
    """Quantiles of weighted samples, mirrored exactly when ``x`` is negated.

    A quantile below one half is the smallest value whose cumulative weight reaches ``q``;
    one above is minus that of ``-x`` at ``1 - q``. Weighted quantiles interpolated from one
    end are not symmetric when the weights are concentrated (a few rate replicates explain
    the data far better than the rest), which made swapping A and B move the interval."""
    x, w = np.asarray(x, dtype=float).ravel(), np.asarray(w, dtype=float).ravel()
    keep = w > w.max() * 1e-12
    x, w = x[keep], w[keep]

    def lower(values: np.ndarray, q: float) -> float:
        order = np.argsort(values, kind="stable")
        c = np.cumsum(w[order]) / w.sum()
        return float(values[order][min(int(np.searchsorted(c, q - 1e-12)), len(c) - 1)])

    return tuple(lower(x, q) if q <= 0.5 else -lower(-x, 1.0 - q) for q in qs)
