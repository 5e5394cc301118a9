"""Honest evaluation on the test split: classifier, lexicon and both, side by side.

Per cluster precision, recall and F1 and the macro-F1, each with a 95% bootstrap
interval (sentences resampled with replacement, fixed seed), and the inter-annotator
F1 on the double-annotated sentences as the ceiling a method can be expected to reach.
The test split was used neither for training nor for tuning thresholds or the lexicon.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import numpy as np

from ..lexicon import Matcher
from .corpus import load_corpus
from .model import ValueClassifier, load_model
from .train import f1_scores, label_matrix, to_sentences

SEED = 20261123


def lexicon_predictions(sentences, matcher: Matcher, labels: list[str]) -> np.ndarray:  # type: ignore[no-untyped-def]
    cluster_of = {v: c for v, (_, c) in matcher.lexicon.values.items()}
    rows = []
    for s in sentences:
        found = {cluster_of[h.term.value] for h in matcher.match(s) if not h.negated}
        rows.append([1 if c in found else 0 for c in labels])
    return np.array(rows, dtype=int)


def bootstrap(y: np.ndarray, pred: np.ndarray, *, n: int = 1000, seed: int = SEED) -> dict[str, Any]:
    """Point estimates and 95% percentile intervals of per-label F1 and macro-F1."""
    rng = np.random.default_rng(seed)
    p, r, f = f1_scores(y, pred)
    f_boot, macro_boot = [], []
    for _ in range(n):
        idx = rng.integers(0, len(y), len(y))
        _, _, fb = f1_scores(y[idx], pred[idx])
        f_boot.append(fb)
        macro_boot.append(fb.mean())
    f_boot = np.array(f_boot)
    return {"precision": p, "recall": r, "f1": f, "f1_low": np.percentile(f_boot, 2.5, axis=0),
            "f1_high": np.percentile(f_boot, 97.5, axis=0), "macro": float(f.mean()),
            "macro_low": float(np.percentile(macro_boot, 2.5)), "macro_high": float(np.percentile(macro_boot, 97.5))}


def annotator_ceiling(corpus: Path, labels: list[str]) -> dict[str, Any] | None:
    """F1 of annotator A against annotator B on the double-annotated sentences."""
    path = Path(corpus) / "annotation" / "double.tsv"
    if not path.exists():
        return None
    with open(path, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    a = np.array([[1 if c in r["clusters_a"].split("|") else 0 for c in labels] for r in rows], dtype=int)
    b = np.array([[1 if c in r["clusters_b"].split("|") else 0 for c in labels] for r in rows], dtype=int)
    out = bootstrap(b, a)
    out["n"] = len(rows)
    return out


def evaluate(model: ValueClassifier, corpus: Path, *, nlp: Any, split: str = "test", n_boot: int = 1000) -> dict[str, Any]:
    gold = [g for g in load_corpus(corpus) if g.split == split]
    labels = model.labels
    sentences = to_sentences(gold, nlp)
    matcher = Matcher(model.lexicon)
    hits = [matcher.match(s) for s in sentences]
    y = label_matrix(gold, labels)
    proba = model.predict_proba(sentences, hits)
    clf_pred = np.column_stack([(proba[:, j] >= model.thresholds[c]).astype(int) for j, c in enumerate(labels)])
    lex_pred = lexicon_predictions(sentences, matcher, labels)
    both = np.maximum(clf_pred, lex_pred)
    return {"split": split, "n": len(gold), "labels": labels, "support": y.sum(0),
            "documents": sorted({g.doc_key for g in gold}),
            "methods": {"classifier": bootstrap(y, clf_pred, n=n_boot), "lexicon": bootstrap(y, lex_pred, n=n_boot),
                        "both": bootstrap(y, both, n=n_boot)},
            "ceiling": annotator_ceiling(corpus, labels)}


def report_markdown(result: dict[str, Any], model: ValueClassifier, command: str) -> str:
    labels = result["labels"]
    m = result["methods"]
    lines = [f"# Evaluation of {model.version} on the {result['split']} split", "",
             f"Command: `{command}`", "",
             f"{result['n']} sentences from {len(result['documents'])} documents never used for training, "
             "threshold tuning or lexicon building: " + ", ".join(result["documents"]) + ".",
             "F1 with 95% bootstrap intervals (1,000 resamples of sentences).", "",
             "| cluster | support | classifier P / R / F1 | lexicon P / R / F1 | both P / R / F1 | annotators F1 |",
             "|---|---|---|---|---|---|"]
    ceiling = result.get("ceiling")
    for j, c in enumerate(labels):
        cells = []
        for name in ("classifier", "lexicon", "both"):
            r = m[name]
            cells.append(f"{r['precision'][j]:.2f} / {r['recall'][j]:.2f} / **{r['f1'][j]:.2f}** "
                         f"[{r['f1_low'][j]:.2f}–{r['f1_high'][j]:.2f}]")
        ceil = f"{ceiling['f1'][j]:.2f}" if ceiling else "–"
        lines.append(f"| {c} | {int(result['support'][j])} | " + " | ".join(cells) + f" | {ceil} |")
    macro = [f"**{m[n]['macro']:.3f}** [{m[n]['macro_low']:.3f}–{m[n]['macro_high']:.3f}]" for n in ("classifier", "lexicon", "both")]
    ceil_macro = f"{ceiling['macro']:.3f} (n={ceiling['n']})" if ceiling else "–"
    lines.append("| **macro-F1** | | " + " | ".join(macro) + f" | {ceil_macro} |")
    lines += ["", "*both* counts a cluster when either the classifier or the lexicon finds it. "
              "*annotators F1* compares the two independent annotators on the double-annotated sentences "
              "(all splits): the ceiling of what a method can reach against these labels."]
    return "\n".join(lines) + "\n"


def evaluate_cli(*, model: Path | None, corpus: Path, pipeline: str, write: bool, bootstrap: int) -> int:
    import sys

    from ...nlp import build_pipeline

    clf = load_model(model)
    nlp = build_pipeline(pipeline)
    result = evaluate(clf, corpus, nlp=nlp, n_boot=bootstrap)
    command = "waardenscan " + " ".join(sys.argv[1:]) if sys.argv and "waardenscan" in sys.argv[0] else \
        "waardenscan model evaluate"
    text = report_markdown(result, clf, command)
    print(text)
    if write:
        out = Path(clf.path) / "evaluation.md"
        out.write_text(text, encoding="utf-8")
        print(f"written {out}", file=sys.stderr)
    return 0
