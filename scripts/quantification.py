"""Validate the adjusted shares (issue "Honest shares") and write <model>/quantification.md.

Three checks, for each method (lexicon, classifier, both) and estimator (raw classify-and-
count, ``acc``, ``bayes``; and probabilistic classify-and-count, ``pcc``, the mean calibrated
probability, for the two methods that have probabilities):

1. **Selection, out-of-fold on train+dev.** For each of the model's five document folds,
   the error rates and priors are estimated from the other four folds' out-of-fold
   predictions (``oof.npz``) and applied to the documents of the held-out fold: mean
   absolute error of each estimator against the annotated share per document and
   cluster, and how often the 95% interval covers it. The estimator the tool uses by
   default is chosen on these figures, never on the test split.
2. **Test documents.** The same on the test split (documents never used for training),
   with the rates the model ships (``quantification.json``).
3. **Simulation.** Test sentences resampled into pairs of synthetic documents with known
   mixtures (an "Empathie-heavy" and a "Nut-heavy" one); the raw and adjusted
   differences against the true shift, and the coverage of the adjusted interval.

Only sentences of the probability-sampled strata (random, census) count: they represent
their documents. A document counts when it has at least ``--min-sentences`` of them.

    python scripts/quantification.py [--model models/waardenscan-clusters-2.1.0] [--write]
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from analyzer.aggregate.adjust import ESTIMATORS, adjust_diff, adjust_share  # noqa: E402
from analyzer.aggregate.stats import wilson  # noqa: E402
from analyzer.nlp import build_pipeline  # noqa: E402
from analyzer.scoring.classifier.corpus import load_corpus  # noqa: E402
from analyzer.scoring.classifier.model import load_model  # noqa: E402
from analyzer.scoring.classifier.train import OOF_FILE, label_matrix, to_sentences  # noqa: E402
from analyzer.scoring.lexicon import Matcher  # noqa: E402
from analyzer.scoring.rates import FILE, RATE_STRATA, document_priors, estimate_rates, load_rates  # noqa: E402

METHODS = ("lexicon", "classifier", "both")


def cells(gold: np.ndarray, pred: np.ndarray, docs: np.ndarray, labels: list[str], rates, method: str,
          estimator: str, min_sentences: int) -> list[dict]:
    """Per document and cluster: annotated share, raw share, adjusted share and intervals."""
    priors = rates.meta.get("priors") or {}
    out = []
    for d in np.unique(docs):
        m = docs == d
        n = int(m.sum())
        if n < min_sentences:
            continue
        for j, c in enumerate(labels):
            k = int(pred[m, j].sum())
            true = float(gold[m, j].mean())
            row = {"doc": d, "cluster": c, "n": n, "true": true, "raw": k / n}
            lo, hi = wilson(np.array([k]), np.array([n]))
            row["raw_low"], row["raw_high"] = float(lo[0]), float(hi[0])
            if estimator != "raw":
                ab = priors.get(f"cluster|{c}")
                a = adjust_share(k, n, rates.get(method, "cluster", c), prior=tuple(ab) if ab else None,
                                 estimator=estimator, key=(method, "cluster", c))
                row.update(adj=a.share, low=a.low, high=a.high)
            out.append(row)
    return out


def summarise(rows: list[dict], estimator: str) -> dict[str, float]:
    if estimator == "raw":
        err = [abs(r["raw"] - r["true"]) for r in rows]
        cov = [r["raw_low"] <= r["true"] <= r["raw_high"] for r in rows]
        width = [r["raw_high"] - r["raw_low"] for r in rows]
    else:
        rows = [r for r in rows if not np.isnan(r["adj"])]
        err = [abs(r["adj"] - r["true"]) for r in rows]
        cov = [r["low"] - 1e-9 <= r["true"] <= r["high"] + 1e-9 for r in rows]
        width = [r["high"] - r["low"] for r in rows]
    return {"cells": len(err), "mae": float(np.mean(err)) if err else float("nan"),
            "coverage": float(np.mean(cov)) if cov else float("nan"),
            "width": float(np.mean(width)) if width else float("nan")}


def predictions(model, gold, nlp):
    """Cluster predictions of the three methods on gold sentences (the shipped model)."""
    labels = model.labels
    sentences = to_sentences(gold, nlp)
    matcher = Matcher(model.lexicon)
    hits = [matcher.match(s) for s in sentences]
    cluster_of = {v: c for v, (_, c) in model.lexicon.values.items()}
    proba = model.predict_proba(sentences, hits)
    clf = np.column_stack([(proba[:, j] >= model.thresholds[c]).astype(int) for j, c in enumerate(labels)])
    lex = np.array([[int(any(cluster_of[h.term.value] == c and not h.negated for h in hs)) for c in labels]
                    for hs in hits])
    pairs = [[(cluster_of[h.term.value], h.negated) for h in hs] for hs in hits]
    stacked = model.stack_proba(proba, pairs)
    both = np.column_stack([(stacked[:, j] >= model.stacker.thresholds[j]).astype(int) for j in range(len(labels))])
    return {"lexicon": lex, "classifier": clf, "both": both}, {"classifier": proba, "both": stacked}


def pcc_mae(gold: np.ndarray, proba: np.ndarray, docs: np.ndarray, min_sentences: int) -> tuple[int, float]:
    """Probabilistic classify-and-count (the mean calibrated probability per document and
    cluster): cells and mean absolute error against the annotated share."""
    err = []
    for d in np.unique(docs):
        m = docs == d
        if m.sum() >= min_sentences:
            err += list(np.abs(proba[m].mean(axis=0) - gold[m].mean(axis=0)))
    return len(err), float(np.mean(err)) if err else float("nan")


def simulate(gold: np.ndarray, preds: dict[str, np.ndarray], labels: list[str], rates, *, heavy: str, light: str,
             n: int, share_high: float, share_low: float, repeats: int, seed: int, estimator: str) -> dict:
    """Pairs of synthetic documents: A heavy in ``heavy`` and light in ``light``, B the reverse."""
    rng = np.random.default_rng(seed)
    jh, jl = labels.index(heavy), labels.index(light)
    pools = {
        "h": np.flatnonzero((gold[:, jh] == 1) & (gold[:, jl] == 0)),
        "l": np.flatnonzero((gold[:, jl] == 1) & (gold[:, jh] == 0)),
        "o": np.flatnonzero((gold[:, jh] == 0) & (gold[:, jl] == 0)),
    }
    priors = rates.meta.get("priors") or {}
    out: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    for r in range(repeats):
        docs = []
        for hi, lo in ((share_high, share_low), (share_low, share_high)):
            nh, nl = int(round(hi * n)), int(round(lo * n))
            idx = np.concatenate([rng.choice(pools["h"], nh), rng.choice(pools["l"], nl),
                                  rng.choice(pools["o"], n - nh - nl)])
            docs.append(idx)
        for method, pred in preds.items():
            for c, j in ((heavy, jh), (light, jl)):
                ka, kb = int(pred[docs[0], j].sum()), int(pred[docs[1], j].sum())
                true = float(gold[docs[1], j].mean() - gold[docs[0], j].mean())
                ab = priors.get(f"cluster|{c}")
                d = adjust_diff(ka, n, kb, n, rates.get(method, "cluster", c), prior=tuple(ab) if ab else None,
                                estimator=estimator, key=(method, "cluster", c, r))
                out[method][c].append((true, (kb - ka) / n, d.diff, d.low <= true <= d.high))
    summary = {}
    for method, by_cluster in out.items():
        for c, rows in by_cluster.items():
            a = np.array(rows, dtype=float)
            summary[(method, c)] = {"true": a[:, 0].mean(), "raw": a[:, 1].mean(), "adjusted": np.nanmean(a[:, 2]),
                                    "coverage": np.nanmean(a[:, 3])}
    return summary


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", type=Path, default=None)
    ap.add_argument("--corpus", type=Path, default=ROOT / "corpus")
    ap.add_argument("--min-sentences", type=int, default=20)
    ap.add_argument("--repeats", type=int, default=200)
    ap.add_argument("--write", action="store_true", help="write quantification.md into the model folder")
    args = ap.parse_args()

    model = load_model(args.model)
    folder = Path(model.path)
    labels = model.labels
    rates = load_rates(folder / FILE)
    gold_all = load_corpus(args.corpus)
    nlp = build_pipeline("blank")
    lines = [f"# Adjusted shares of {model.version}: validation", "",
             f"Command: `python scripts/quantification.py --model {folder.relative_to(ROOT) if folder.is_relative_to(ROOT) else folder}"
             f"{' --write' if args.write else ''}`", "",
             f"Sentences of the probability-sampled strata ({', '.join(RATE_STRATA)}) only; documents with at least "
             f"{args.min_sentences} of them. *MAE*: mean absolute error against the annotated share per document and "
             "cluster, in percentage points; *coverage*: how often the 95% interval holds the annotated share; "
             "*raw* is today's share with its Wilson interval.", ""]

    # 1. selection, out-of-fold on train+dev
    oof = np.load(folder / OOF_FILE)
    by_id = {g.sentence_id: g for g in gold_all}
    fit = [by_id[s] for s in oof["sentence_id"].tolist()]
    sample = np.array([g.stratum in RATE_STRATA for g in fit])
    y = label_matrix(fit, labels)
    docs = np.array([g.doc_key for g in fit])
    folds = oof["fold"]
    sentences = to_sentences(fit, nlp)
    matcher = Matcher(model.lexicon)
    cluster_of = {v: c for v, (_, c) in model.lexicon.values.items()}
    hits = [matcher.match(s) for s in sentences]
    lex = np.array([[int(any(cluster_of[h.term.value] == c and not h.negated for h in hs)) for c in labels]
                    for hs in hits])
    clf = np.column_stack([(oof["classifier"][:, j] >= model.thresholds[c]).astype(int) for j, c in enumerate(labels)])
    both = np.column_stack([(oof["both"][:, j] >= model.stacker.thresholds[j]).astype(int) for j in range(len(labels))])
    oof_preds = {"lexicon": lex, "classifier": clf, "both": both}
    keys = [("cluster", c) for c in labels]
    results: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    for k in np.unique(folds):
        train_m, test_m = sample & (folds != k), sample & (folds == k)
        fold_rates = estimate_rates(y[train_m], {m: p[train_m] for m, p in oof_preds.items()}, keys, docs[train_m],
                                    replicates=100, seed=int(k))
        fold_rates.meta["priors"] = document_priors(y[train_m], keys, docs[train_m])
        for method in METHODS:
            for est in ("raw", *ESTIMATORS):
                results[method][est] += cells(y[test_m], oof_preds[method][test_m], docs[test_m], labels,
                                              fold_rates, method, est, args.min_sentences)
    lines += ["## 1. Out-of-fold on train+dev (choosing the estimator)", "",
              "| method | estimator | cells | MAE (pp) | coverage | mean width (pp) |", "|---|---|---|---|---|---|"]
    choice: dict[str, float] = defaultdict(float)
    coverage: dict[str, float] = defaultdict(float)
    for method in METHODS:
        for est in ("raw", *ESTIMATORS):
            s = summarise(results[method][est], est)
            choice[est] += s["mae"]
            coverage[est] += s["coverage"]
            lines.append(f"| {method} | {est} | {s['cells']} | {100 * s['mae']:.2f} | {s['coverage']:.3f} | "
                         f"{100 * s['width']:.1f} |")
    for method in ("classifier", "both"):
        n_cells, mae = pcc_mae(y[sample], oof[method][sample], docs[sample], args.min_sentences)
        lines.append(f"| {method} | pcc | {n_cells} | {100 * mae:.2f} | – | – |")
    best = min(ESTIMATORS, key=lambda e: abs(coverage[e] / len(METHODS) - 0.95))
    lines += ["", "*pcc*: probabilistic classify-and-count, the mean calibrated probability (no interval; not "
              "available for the lexicon, which has no probabilities).", "",
              "Rule: the default is the estimator whose 95% intervals cover the annotated share most nearly 95% "
              "of the time out-of-fold (an interval that misses half the time is not honest, whatever its error). "
              f"Chosen: **{best}** (mean coverage " + ", ".join(f"{e} {coverage[e] / len(METHODS):.3f}" for e in ESTIMATORS)
              + "; mean MAE " + ", ".join(f"{e} {100 * choice[e] / len(METHODS):.2f} pp" for e in ("raw", *ESTIMATORS))
              + ").", ""]

    # 2. test documents
    test = [g for g in gold_all if g.split == "test" and g.stratum in RATE_STRATA]
    yt = label_matrix(test, labels)
    dt = np.array([g.doc_key for g in test])
    preds, probas = predictions(model, test, nlp)
    lines += ["## 2. Test documents (rates as shipped)", "",
              "| method | estimator | cells | MAE (pp) | coverage | mean width (pp) | MAE / raw MAE |",
              "|---|---|---|---|---|---|---|"]
    for method in METHODS:
        raw = None
        for est in ("raw", *ESTIMATORS):
            s = summarise(cells(yt, preds[method], dt, labels, rates, method, est, args.min_sentences), est)
            raw = s["mae"] if est == "raw" else raw
            lines.append(f"| {method} | {est} | {s['cells']} | {100 * s['mae']:.2f} | {s['coverage']:.3f} | "
                         f"{100 * s['width']:.1f} | {s['mae'] / raw:.2f} |")
        if method in probas:
            n_cells, mae = pcc_mae(yt, probas[method], dt, args.min_sentences)
            lines.append(f"| {method} | pcc | {n_cells} | {100 * mae:.2f} | – | – | {mae / raw:.2f} |")
    n_docs = len({d for d in dt if (dt == d).sum() >= args.min_sentences})
    lines += ["", f"{n_docs} test documents have at least {args.min_sentences} probability-sampled sentences.", ""]

    # 3. simulation
    test_all = [g for g in gold_all if g.split == "test"]
    ya = label_matrix(test_all, labels)
    pa, _ = predictions(model, test_all, nlp)
    lines += ["## 3. Simulation: a shift from Empathie to Nut", "",
              f"{args.repeats} pairs of synthetic documents of 600 test sentences each: A has 12% Empathie and 3% Nut, "
              "B the reverse (the other sentences drawn from test sentences with neither). True shift: Empathie "
              "−9 pp, Nut +9 pp.", "",
              "| method | estimator | cluster | true shift | raw shift | adjusted shift | coverage of adjusted 95% interval |",
              "|---|---|---|---|---|---|---|"]
    for est in ESTIMATORS:
        sim = simulate(ya, pa, labels, rates, heavy="Empathie", light="Nut", n=600, share_high=0.12,
                       share_low=0.03, repeats=args.repeats, seed=20261204, estimator=est)
        for (method, c), s in sim.items():
            lines.append(f"| {method} | {est} | {c} | {100 * s['true']:+.1f} | {100 * s['raw']:+.1f} | "
                         f"{100 * s['adjusted']:+.1f} | {s['coverage']:.3f} |")
    text = "\n".join(lines) + "\n"
    print(text)
    if args.write:
        (folder / "quantification.md").write_text(text, encoding="utf-8")
        print(f"written {folder / 'quantification.md'}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
