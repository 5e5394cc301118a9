"""Calibration of the classifier's probabilities and the learned ``both``.

* :class:`Platt`: per cluster, ``p' = sigmoid(a * logit(p) + b)`` fitted on out-of-fold
  probabilities (Platt scaling). The balanced class weights of the classifier make its raw
  probabilities far too high for rare clusters; after scaling, a probability of 0.3 means
  that about 3 in 10 such sentences carry the cluster (the model card's reliability table
  shows how close that holds).
* :class:`Stacker`: per cluster, a logistic regression over the calibrated classifier
  probability (as a logit) and the lexicon's evidence for that cluster (non-negated and
  negated hits, hits of other clusters), fitted on out-of-fold probabilities, with its own
  out-of-fold threshold. A cluster for which the stacker is not better than the classifier
  out-of-fold *falls back* to the classifier (named in the model card).

Both are a few numbers per cluster, kept in ``meta.json`` and applied with numpy.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

EPS = 1e-6
EVIDENCE = ("lex_hits", "lex_negated", "lex_other")
FEATURES = ("logit", *EVIDENCE, "logit_x_lex")


def logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(np.asarray(p, dtype=float), EPS, 1 - EPS)
    return np.log(p / (1 - p))


def sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.asarray(z, dtype=float)))


@dataclass(frozen=True)
class Platt:
    """Per-label Platt scaling: ``a`` and ``b`` per label, in label order."""

    a: tuple[float, ...]
    b: tuple[float, ...]

    def apply(self, proba: np.ndarray) -> np.ndarray:
        proba = np.asarray(proba, dtype=float)
        return sigmoid(logit(proba) * np.asarray(self.a)[None, :] + np.asarray(self.b)[None, :])

    def to_json(self) -> dict[str, list[float]]:
        return {"a": [round(x, 8) for x in self.a], "b": [round(x, 8) for x in self.b]}

    @classmethod
    def from_json(cls, data: dict[str, Any], n_labels: int) -> Platt:
        a, b = tuple(float(x) for x in data["a"]), tuple(float(x) for x in data["b"])
        if len(a) != n_labels or len(b) != n_labels:
            raise ValueError("calibration does not match the labels")
        if any(x <= 0 for x in a):
            raise ValueError("calibration must be increasing (a > 0)")
        return cls(a, b)


def fit_platt(proba: np.ndarray, y: np.ndarray) -> Platt:
    """Fit Platt scaling per label on out-of-fold probabilities (unregularised logistic fit)."""
    from sklearn.linear_model import LogisticRegression

    a, b = [], []
    for j in range(y.shape[1]):
        z = logit(proba[:, j])[:, None]
        if y[:, j].min() == y[:, j].max():
            a.append(1.0)
            b.append(0.0)
            continue
        m = LogisticRegression(C=1e4, max_iter=1000).fit(z, y[:, j])
        a.append(max(float(m.coef_[0, 0]), 1e-3))  # keep it increasing: the ranking stays the model's
        b.append(float(m.intercept_[0]))
    # rounded as meta.json stores them, so that a loaded model gives the same numbers
    return Platt(tuple(round(x, 8) for x in a), tuple(round(x, 8) for x in b))


def lexicon_evidence(lexical: Sequence[Sequence[tuple[str, bool]]], labels: Sequence[str]) -> np.ndarray:
    """Per sentence and label: (non-negated hits, negated hits, non-negated hits of other labels).

    ``lexical``: per sentence, the (cluster, negated) pair of each lexicon hit."""
    index = {c: j for j, c in enumerate(labels)}
    out = np.zeros((len(lexical), len(labels), len(EVIDENCE)), dtype=float)
    for i, hits in enumerate(lexical):
        for cluster, negated in hits:
            j = index.get(cluster)
            if j is not None:
                out[i, j, 1 if negated else 0] += 1
        total = out[i, :, 0].sum()
        out[i, :, 2] = total - out[i, :, 0]
    return out


def _design(calibrated: np.ndarray, evidence: np.ndarray, j: int) -> np.ndarray:
    z = logit(calibrated[:, j])
    ev = np.log1p(evidence[:, j, :])
    return np.column_stack([z, ev, z * (ev[:, 0] > 0)])


@dataclass(frozen=True)
class Stacker:
    """The learned ``both``: a logistic regression per label (or a fallback to the classifier)."""

    coef: tuple[tuple[float, ...], ...]
    intercept: tuple[float, ...]
    thresholds: tuple[float, ...]
    fallback: tuple[bool, ...]

    def predict_proba(self, calibrated: np.ndarray, evidence: np.ndarray) -> np.ndarray:
        calibrated = np.asarray(calibrated, dtype=float)
        out = np.empty_like(calibrated)
        for j in range(calibrated.shape[1]):
            if self.fallback[j]:
                out[:, j] = calibrated[:, j]
            else:
                out[:, j] = sigmoid(_design(calibrated, evidence, j) @ np.asarray(self.coef[j]) + self.intercept[j])
        return out

    def to_json(self) -> dict[str, Any]:
        return {"features": list(FEATURES), "coef": [[round(x, 8) for x in c] for c in self.coef],
                "intercept": [round(x, 8) for x in self.intercept], "thresholds": list(self.thresholds),
                "fallback": list(self.fallback)}

    @classmethod
    def from_json(cls, data: dict[str, Any], n_labels: int) -> Stacker:
        if list(data.get("features", [])) != list(FEATURES):
            raise ValueError(f"stacker features {data.get('features')} but this waardenscan uses {list(FEATURES)}")
        coef = tuple(tuple(float(x) for x in c) for c in data["coef"])
        if len(coef) != n_labels or any(len(c) != len(FEATURES) for c in coef):
            raise ValueError("stacker does not match the labels")
        return cls(coef, tuple(float(x) for x in data["intercept"]), tuple(float(x) for x in data["thresholds"]),
                   tuple(bool(x) for x in data["fallback"]))


def fit_stacker(calibrated: np.ndarray, evidence: np.ndarray, y: np.ndarray,
                folds: Sequence[tuple[np.ndarray, np.ndarray]], *, classifier_thresholds: Sequence[float],
                tune: Any, f1: Any, seed: int = 0) -> tuple[Stacker, np.ndarray, dict[str, Any]]:
    """Fit the stacker on out-of-fold calibrated probabilities; its own out-of-fold
    probabilities come from the same document folds. A label falls back to the classifier
    when the stacker's out-of-fold F1 is not higher than the classifier's.

    ``tune(y, proba) -> thresholds`` and ``f1(y, pred) -> per-label F1`` are the training
    module's threshold search and score, so that both sides are judged alike."""
    from sklearn.linear_model import LogisticRegression

    n_labels = y.shape[1]
    oof = np.zeros_like(calibrated, dtype=float)
    coefs, intercepts = [], []
    for j in range(n_labels):
        x = _design(calibrated, evidence, j)
        for train_idx, test_idx in folds:
            if y[train_idx, j].min() == y[train_idx, j].max():
                oof[test_idx, j] = calibrated[test_idx, j]
                continue
            m = LogisticRegression(C=1.0, max_iter=2000, random_state=seed).fit(x[train_idx], y[train_idx, j])
            oof[test_idx, j] = m.predict_proba(x[test_idx])[:, 1]
        if y[:, j].min() == y[:, j].max():
            coefs.append(tuple([0.0] * len(FEATURES)))
            intercepts.append(0.0)
            continue
        m = LogisticRegression(C=1.0, max_iter=2000, random_state=seed).fit(x, y[:, j])
        coefs.append(tuple(float(c) for c in m.coef_[0]))
        intercepts.append(float(m.intercept_[0]))
    stack_thresholds = tune(y, oof)
    stack_pred = np.column_stack([(oof[:, j] >= stack_thresholds[j]).astype(int) for j in range(n_labels)])
    clf_pred = np.column_stack([(calibrated[:, j] >= classifier_thresholds[j]).astype(int) for j in range(n_labels)])
    f_stack, f_clf = f1(y, stack_pred), f1(y, clf_pred)
    fallback = tuple(bool(f_stack[j] <= f_clf[j]) for j in range(n_labels))
    thresholds = tuple(float(classifier_thresholds[j]) if fallback[j] else float(stack_thresholds[j])
                       for j in range(n_labels))
    final_oof = np.column_stack([calibrated[:, j] if fallback[j] else oof[:, j] for j in range(n_labels)])
    report = {"f1_stack": [round(float(x), 4) for x in f_stack], "f1_classifier": [round(float(x), 4) for x in f_clf]}
    coefs = [tuple(round(c, 8) for c in row) for row in coefs]
    intercepts = [round(c, 8) for c in intercepts]
    return Stacker(tuple(coefs), tuple(intercepts), thresholds, fallback), final_oof, report
