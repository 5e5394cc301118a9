"""How often each method is right: error rates measured on the annotated corpus.

For a method and a name (a group, cluster or value) the *true-positive rate* is the share
of the annotated sentences carrying the name that the method labels with it, the
*false-positive rate* the share of the others that it labels anyway. They are measured
out-of-fold (a classifier's prediction for a sentence comes from a model that saw no
sentence of its document) on the sentences of the probability-sampled strata
(:data:`RATE_STRATA`: chosen at random within their documents, or whole documents), so
they describe ordinary text and not the sentences the sampler picked because a method
fired. ``B`` bootstrap replicates, resampling whole documents, carry the uncertainty of
the rates (errors cluster within documents) into the adjusted shares
(:mod:`analyzer.aggregate.adjust`).

The rates are written next to the model as ``quantification.json`` by ``model train`` (and
``scripts/quantification.py``), and loaded with :func:`load_rates`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

FORMAT = "waardenscan-quantification/1"
FILE = "quantification.json"
MIN_SEPARATION = 0.10
"""Below this ``tpr - fpr`` an adjusted share is not identifiable (left empty)."""
MIN_POSITIVES = 10
"""Rates measured on fewer annotated positives than this are not used."""
RATE_STRATA = ("random", "census")
REPLICATES = 200


@dataclass(frozen=True)
class Rate:
    """The error rates of one method for one name, with bootstrap replicates."""

    tpr: float
    fpr: float
    n_pos: int
    n_neg: int
    tpr_draws: np.ndarray
    fpr_draws: np.ndarray

    @property
    def identifiable(self) -> bool:
        return self.n_pos >= MIN_POSITIVES and self.tpr - self.fpr >= MIN_SEPARATION


class ErrorRates:
    """Out-of-fold error rates per (method, level, name)."""

    def __init__(self, rates: dict[tuple[str, str, str], Rate], meta: dict[str, Any]) -> None:
        self.rates = rates
        self.meta = meta

    def get(self, method: str, level: str, name: str) -> Rate | None:
        return self.rates.get((method, level, name))

    @property
    def methods(self) -> list[str]:
        return sorted({m for m, _, _ in self.rates})

    def without(self, methods: Sequence[str]) -> ErrorRates:
        """These rates minus those of ``methods`` (e.g. the lexicon's when another lexicon runs)."""
        return ErrorRates({k: v for k, v in self.rates.items() if k[0] not in methods}, self.meta)

    def describe(self) -> dict[str, Any]:
        """What run.json records about the adjustment."""
        return {"methods": self.methods,
                **{k: self.meta[k] for k in ("model", "lexicon_sha256", "corpus_sha256", "replicates",
                                             "strata", "splits", "sha256") if k in self.meta}}

    def to_json(self) -> dict[str, Any]:
        rows = []
        for (method, level, name), r in self.rates.items():
            rows.append({"method": method, "level": level, "name": name, "tpr": round(r.tpr, 6),
                         "fpr": round(r.fpr, 6), "n_pos": r.n_pos, "n_neg": r.n_neg,
                         "tpr_draws": [round(float(x), 5) for x in r.tpr_draws],
                         "fpr_draws": [round(float(x), 5) for x in r.fpr_draws]})
        return {"format": FORMAT, **{k: v for k, v in self.meta.items() if k != "sha256"}, "rates": rows}

    @classmethod
    def from_json(cls, data: dict[str, Any], *, sha256: str = "") -> ErrorRates:
        if data.get("format") != FORMAT:
            raise ValueError(f"not a quantification file of format {FORMAT}: {data.get('format')!r}")
        rates = {}
        for row in data["rates"]:
            tpr_d = np.asarray(row["tpr_draws"], dtype=float)
            fpr_d = np.asarray(row["fpr_draws"], dtype=float)
            if tpr_d.shape != fpr_d.shape or tpr_d.ndim != 1 or not len(tpr_d):
                raise ValueError(f"bad replicates for {row['method']}/{row['name']}")
            rates[(row["method"], row["level"], row["name"])] = Rate(
                float(row["tpr"]), float(row["fpr"]), int(row["n_pos"]), int(row["n_neg"]), tpr_d, fpr_d)
        meta = {k: v for k, v in data.items() if k not in ("rates", "format")}
        meta["sha256"] = sha256
        return cls(rates, meta)

    def save(self, path: str | Path) -> None:
        Path(path).write_text(json.dumps(self.to_json(), ensure_ascii=False, indent=0) + "\n", encoding="utf-8")


def load_rates(path: str | Path) -> ErrorRates:
    raw = Path(path).read_bytes()
    return ErrorRates.from_json(json.loads(raw), sha256=hashlib.sha256(raw).hexdigest())


def _rates(gold: np.ndarray, pred: np.ndarray, counts: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """TPR and FPR per column from 0/1 matrices (optionally each row counted ``counts`` times)."""
    w = np.ones(len(gold)) if counts is None else counts
    pos = (gold * w[:, None]).sum(0)
    neg = ((1 - gold) * w[:, None]).sum(0)
    tp = (gold * pred * w[:, None]).sum(0)
    fp = ((1 - gold) * pred * w[:, None]).sum(0)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(pos > 0, tp / np.maximum(pos, 1e-12), np.nan), np.where(neg > 0, fp / np.maximum(neg, 1e-12), np.nan)


def estimate_rates(gold: np.ndarray, predicted: dict[str, np.ndarray], keys: Sequence[tuple[str, str]],
                   documents: Sequence[str], *, replicates: int = REPLICATES, seed: int = 20261204,
                   meta: dict[str, Any] | None = None) -> ErrorRates:
    """Error rates per method and name, with document-bootstrap replicates.

    ``gold``: sentences x names (0/1), columns in the order of ``keys`` ((level, name)
    pairs); ``predicted``: method -> a matrix of the same shape (out-of-fold labels);
    ``documents``: the document of each sentence (the bootstrap resamples documents)."""
    gold = np.asarray(gold, dtype=float)
    docs = np.asarray(documents)
    uniq, doc_index = np.unique(docs, return_inverse=True)
    rng = np.random.default_rng(seed)
    # every replicate draws len(uniq) documents with replacement: a sentence counts as
    # often as its document was drawn
    picks = rng.integers(0, len(uniq), size=(replicates, len(uniq)))
    times = np.stack([np.bincount(p, minlength=len(uniq))[doc_index] for p in picks]).astype(float)
    out: dict[tuple[str, str, str], Rate] = {}
    for method, pred in predicted.items():
        pred = np.asarray(pred, dtype=float)
        if pred.shape != gold.shape:
            raise ValueError(f"{method}: predictions {pred.shape} vs gold {gold.shape}")
        tpr, fpr = _rates(gold, pred)
        draws = [_rates(gold, pred, t) for t in times]
        tpr_d = np.stack([d[0] for d in draws])
        fpr_d = np.stack([d[1] for d in draws])
        n_pos = gold.sum(0).astype(int)
        n_neg = (1 - gold).sum(0).astype(int)
        for j, (level, name) in enumerate(keys):
            if not np.isfinite(tpr[j]) or not np.isfinite(fpr[j]):
                continue
            td = np.where(np.isfinite(tpr_d[:, j]), tpr_d[:, j], tpr[j])
            fd = np.where(np.isfinite(fpr_d[:, j]), fpr_d[:, j], fpr[j])
            out[(method, level, name)] = Rate(float(tpr[j]), float(fpr[j]), int(n_pos[j]), int(n_neg[j]), td, fd)
    info = {"replicates": replicates, "seed": seed, "sentences": int(len(gold)), "documents": int(len(uniq)),
            **(meta or {})}
    return ErrorRates(out, info)


def document_priors(gold: np.ndarray, keys: Sequence[tuple[str, str]], documents: Sequence[str], *,
                    min_sentences: int = 20) -> dict[str, list[float]]:
    """A Beta prior per (level, name) for a document's true share, by the method of moments
    over the annotated documents with at least ``min_sentences`` sampled sentences (empirical
    Bayes for the ``bayes`` adjustment). Keys are ``"level|name"``."""
    gold = np.asarray(gold, dtype=float)
    docs = np.asarray(documents)
    shares = np.array([gold[docs == d].mean(axis=0) for d in np.unique(docs) if (docs == d).sum() >= min_sentences])
    out = {}
    if not len(shares):
        return out
    for j, (level, name) in enumerate(keys):
        mu, var = float(shares[:, j].mean()), float(shares[:, j].var())
        mu = min(max(mu, 1e-3), 1 - 1e-3)
        concentration = max(mu * (1 - mu) / max(var, 1e-6) - 1.0, 1.0)
        out[f"{level}|{name}"] = [round(max(mu * concentration, 0.2), 4), round(max((1 - mu) * concentration, 0.2), 4)]
    return out
