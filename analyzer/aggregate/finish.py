"""Summed per-document counts -> the finished batch tables.

:class:`Totals` adds up what :func:`analyzer.aggregate.counts.document_counts` gave each
document (in input order) and :meth:`Totals.finish` turns the sums into profiles.csv,
cooccurrence.csv, coverage.csv, unused_terms.csv and agreement.csv. The statistics:

* share: scored sentences with the name / scored sentences; Wilson score interval;
* share_adjusted: the share corrected for the method's measured error rates, with its
  interval (:mod:`analyzer.aggregate.adjust`);
* per_1000_words: hits per 1,000 words of scored sentences;
* co-occurrence: expected = n_a · n_b / N, lift = n_both / expected, p = P(X ≥ n_both) for
  X hypergeometric (N sentences, n_a with A, n_b drawn with B): one-sided, "more often
  together than chance";
* agreement: raw agreement and Cohen's kappa of lexicon vs classifier per cluster (kappa is
  empty where it is undefined: both methods constant).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from .. import schemas
from ..schemas import ALL_DOCS
from .counts import AGREE_COUNTS, COOC_COUNTS, PROFILE_COUNTS
from .stats import hypergeom_sf, wilson


class Totals:
    """The counts of every document of a run, in input order."""

    def __init__(self) -> None:
        self.profiles: list[tuple[Any, ...]] = []
        self.cooccurrence: list[tuple[Any, ...]] = []
        self.coverage: list[tuple[Any, ...]] = []
        self.agreement: list[tuple[Any, ...]] = []
        self.fired: set[str] = set()

    def add(self, counts: dict[str, Any]) -> None:
        if not counts:
            return
        self.profiles.extend(map(tuple, counts["profiles"]))
        self.cooccurrence.extend(map(tuple, counts["cooccurrence"]))
        self.coverage.extend(map(tuple, counts["coverage"]))
        self.agreement.extend(map(tuple, counts["agreement"]))
        self.fired.update(counts["fired"])

    def finish(self, lexicon: Any, methods: Sequence[str], *, rates: Any = None,
               estimator: str | None = None) -> dict[str, Any]:
        """The batch tables as DataFrames with the columns of :mod:`analyzer.schemas`
        (``rates``: the :class:`~analyzer.scoring.rates.ErrorRates` that adjusted shares use)."""
        import pandas as pd

        def frame(rows: list[tuple[Any, ...]], table: schemas.Table) -> pd.DataFrame:
            return pd.DataFrame(rows, columns=table.names) if rows else table.empty()

        unused = [(t.value, t.term, t.match) for t in lexicon.terms if t.term not in self.fired]
        return {
            "profiles": frame(finish_profiles(self.profiles, rates=rates, estimator=estimator), schemas.PROFILES),
            "cooccurrence": frame(finish_cooccurrence(self.cooccurrence, methods), schemas.COOCCURRENCE),
            "coverage": frame(self.coverage, schemas.COVERAGE),
            "unused_terms": frame(unused, schemas.UNUSED_TERMS),
            "agreement": frame(finish_agreement(self.agreement), schemas.AGREEMENT),
        }


def batch_counts(doc_rows: Sequence[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """The ALL rows: counts summed over documents (a sentence belongs to one document)."""
    sums: dict[tuple[Any, ...], list[int]] = {}
    for _doc_id, level, name, method, k, n, hits, words, group, cluster in doc_rows:
        entry = sums.setdefault((level, name, method, group, cluster), [0, 0, 0, 0])
        entry[0] += k
        entry[1] += n
        entry[2] += hits
        entry[3] += words
    return [(ALL_DOCS, level, name, method, k, n, hits, words, group, cluster)
            for (level, name, method, group, cluster), (k, n, hits, words) in sums.items()]


def finish_profiles(doc_rows: Sequence[tuple[Any, ...]], *, rates: Any = None,
                    estimator: str | None = None) -> list[tuple[Any, ...]]:
    """profiles.csv rows (documents, then ALL): shares, rates, Wilson intervals and the
    adjusted shares (:mod:`analyzer.aggregate.adjust`; empty without usable error rates)."""
    from .adjust import DEFAULT, adjust_profile_rows

    rows = list(doc_rows) + batch_counts(doc_rows)
    if not rows:
        return []
    col = {c: i for i, c in enumerate(PROFILE_COUNTS)}
    k = np.array([r[col["n_sentences"]] for r in rows], dtype=float)
    n = np.array([r[col["n_sentences_total"]] for r in rows], dtype=float)
    hits = np.array([r[col["n_hits"]] for r in rows], dtype=float)
    words = np.array([r[col["n_words"]] for r in rows], dtype=float)
    low, high = wilson(k, n)
    share = np.where(n > 0, k / np.maximum(n, 1), 0.0)
    rate = np.where(words > 0, 1000 * hits / np.maximum(words, 1), 0.0)
    adjusted = adjust_profile_rows(rows, rates, col, estimator=estimator or DEFAULT)
    out = []
    for i, r in enumerate(rows):
        a = adjusted[i]
        out.append((r[0], r[1], r[2], r[3], int(r[4]), float(share[i]), float(rate[i]), float(low[i]),
                    float(high[i]), r[8], r[9], int(r[6]), int(r[7]), int(r[5]), a.share, a.low, a.high))
    return out


def finish_cooccurrence(counts: Sequence[tuple[Any, ...]], methods: Sequence[str], *, min_both: int = 1
                        ) -> list[tuple[Any, ...]]:
    """Per-document and ALL rows of the cluster pairs that co-occur at least ``min_both``
    times, with expected counts, lift and hypergeometric p-values; method order, then
    document order (ALL last)."""
    if not counts:
        return []
    totals: dict[tuple[str, str, str], list[int]] = {}
    sizes: dict[str, int] = {}
    for doc_id, method, a, b, n_sent, n_a, n_b, n_both in counts:
        entry = totals.setdefault((method, a, b), [0, 0, 0])
        entry[0] += n_a
        entry[1] += n_b
        entry[2] += n_both
        sizes.setdefault(doc_id, n_sent)
    big_n = sum(sizes.values())
    rows = list(counts) + [(ALL_DOCS, m, a, b, big_n, n_a, n_b, n_both)
                           for (m, a, b), (n_a, n_b, n_both) in totals.items()]
    method_order = {m: i for i, m in enumerate(methods)}
    doc_order = {d: i for i, d in enumerate([*sizes, ALL_DOCS])}
    kept = [r for r in rows if r[COOC_COUNTS.index("n_both")] >= min_both]
    kept.sort(key=lambda r: (method_order.get(r[1], len(method_order)), doc_order[r[0]]))
    out = []
    for doc_id, method, a, b, n_sent, n_a, n_b, n_both in kept:
        expected = n_a * n_b / n_sent
        p = hypergeom_sf(int(n_both) - 1, int(n_sent), int(n_a), int(n_b))
        out.append((doc_id, a, b, method, n_sent, n_a, n_b, n_both, expected,
                    n_both / expected if expected else math.nan, p))
    return out


def kappa(both: int, first_only: int, second_only: int, neither: int) -> tuple[float, float]:
    """Raw agreement and Cohen's kappa of two binary raters from their 2x2 counts; kappa is
    NaN where it is undefined (both raters constant: chance agreement 1)."""
    n = both + first_only + second_only + neither
    if n == 0:
        return math.nan, math.nan
    po = (both + neither) / n
    pe = ((both + first_only) * (both + second_only) + (second_only + neither) * (first_only + neither)) / (n * n)
    return po, ((po - pe) / (1 - pe) if pe < 1 else math.nan)


def finish_agreement(counts: Sequence[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """agreement.csv: per cluster over the batch."""
    sums: dict[str, list[Any]] = {}
    col = {c: i for i, c in enumerate(AGREE_COUNTS)}
    for r in counts:
        entry = sums.setdefault(r[col["cluster"]], [0, 0, 0, 0, "", ""])
        entry[0] += r[col["n_sentences"]]
        entry[1] += r[col["both"]]
        entry[2] += r[col["lexicon_only"]]
        entry[3] += r[col["classifier_only"]]
        entry[4] = entry[4] or r[col["example_lexicon_only"]]
        entry[5] = entry[5] or r[col["example_classifier_only"]]
    out = []
    for cluster, (n, both, lex_only, clf_only, ex_lex, ex_clf) in sums.items():
        neither = n - both - lex_only - clf_only
        po, k = kappa(both, lex_only, clf_only, neither)
        out.append((cluster, n, both, lex_only, clf_only, neither, po, k, ex_lex, ex_clf))
    return out
