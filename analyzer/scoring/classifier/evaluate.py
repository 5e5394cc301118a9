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
from .train import f1_scores, label_matrix, reliability, to_sentences

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
    """F1 of one annotator against the other on the double-annotated sentences (corpus 1.0's
    ``double.tsv`` and 2.0's ``double2.tsv``)."""
    pairs = []
    for name, first, second in (("double.tsv", "clusters_a", "clusters_b"), ("double2.tsv", "clusters_1", "clusters_2")):
        path = Path(corpus) / "annotation" / name
        if path.exists():
            with open(path, encoding="utf-8", newline="") as fh:
                pairs += [(r[first], r[second]) for r in csv.DictReader(fh, delimiter="\t")]
    if not pairs:
        return None
    a = np.array([[1 if c in x.split("|") else 0 for c in labels] for x, _ in pairs], dtype=int)
    b = np.array([[1 if c in y.split("|") else 0 for c in labels] for _, y in pairs], dtype=int)
    out = bootstrap(b, a)
    out["n"] = len(pairs)
    return out


def breakdown(gold: list[Any], y: np.ndarray, preds: dict[str, np.ndarray], docs: dict[str, dict[str, str]],
              *, n_boot: int = 200) -> dict[str, list[dict[str, Any]]]:
    """Macro-F1 of each method by municipal vs national, document type and sampling stratum."""
    keys = {
        "municipal": [("municipal" if docs.get(g.doc_key, {}).get("municipal") == "yes" else "national") for g in gold],
        "doc_type": [docs.get(g.doc_key, {}).get("doc_type", "?") for g in gold],
        "stratum": [g.stratum or "?" for g in gold],
    }
    out: dict[str, list[dict[str, Any]]] = {}
    for name, values in keys.items():
        rows = []
        for value in sorted(set(values)):
            idx = np.array([v == value for v in values])
            row: dict[str, Any] = {"group": value, "n": int(idx.sum()), "positives": int(y[idx].any(axis=1).sum())}
            cols = y[idx].sum(axis=0) > 0  # clusters that occur in the group
            if not cols.any():
                continue
            for method, pred in preds.items():
                r = bootstrap(y[idx][:, cols], pred[idx][:, cols], n=n_boot)
                row[method] = (r["macro"], r["macro_low"], r["macro_high"])
            rows.append(row)
        out[name] = rows
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
    cluster_of = {v: c for v, (_, c) in model.lexicon.values.items()}
    both_proba = None
    if model.stacker is not None:
        pairs = [[(cluster_of[h.term.value], h.negated) for h in hs] for hs in hits]
        both_proba = model.stack_proba(proba, pairs)
        both = np.column_stack([(both_proba[:, j] >= model.stacker.thresholds[j]).astype(int)
                                for j in range(len(labels))])
    else:
        both = np.maximum(clf_pred, lex_pred)
    with open(Path(corpus) / "documents.tsv", encoding="utf-8", newline="") as fh:
        docs = {d["doc_key"]: d for d in csv.DictReader(fh, delimiter="\t")}
    preds = {"classifier": clf_pred, "lexicon": lex_pred, "both": both}
    return {"split": split, "n": len(gold), "labels": labels, "support": y.sum(0),
            "documents": sorted({g.doc_key for g in gold}),
            "methods": {name: bootstrap(y, pred, n=n_boot) for name, pred in preds.items()},
            "ceiling": annotator_ceiling(corpus, labels),
            "stacked": both_proba is not None,
            "fallback": [c for c, fb in zip(labels, model.stacker.fallback, strict=True) if fb] if model.stacker else [],
            "calibration": {"classifier": reliability(y, proba, labels),
                            **({"both": reliability(y, both_proba, labels)} if both_proba is not None else {})}
            if model.calibration is not None else {},
            "breakdown": breakdown(gold, y, preds, docs, n_boot=max(100, n_boot // 5))}


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
    if result.get("stacked"):
        fb = result.get("fallback") or []
        both_text = ("*both* is the learned combination of the classifier's calibrated probability and the "
                     "lexicon's evidence (a logistic regression per cluster, fitted out-of-fold on train+dev). "
                     + (f"It falls back to the classifier for {', '.join(fb)}, where the combination was not better "
                        "out-of-fold. " if fb else ""))
    else:
        both_text = "*both* counts a cluster when either the classifier or the lexicon finds it. "
    lines += ["", both_text + "*annotators F1* compares the two independent annotators on the double-annotated "
              "sentences (all splits): the ceiling of what a method can reach against these labels."]
    for name, table in (result.get("calibration") or {}).items():
        lines += ["", f"## Calibration of the {name} probabilities on the test split", "",
                  f"![reliability diagram](reliability-{name}.svg)", "",
                  "Expected calibration error (ECE, 10 equal-width bins) per cluster, and the reliability table: "
                  "per bin of predicted probability, the mean prediction against the observed share of sentences "
                  "carrying the cluster.", "",
                  "| cluster | ECE | bins (mean predicted → observed, n) |", "|---|---|---|"]
        for c in labels:
            bins = "; ".join(f"{p:.2f}→{o:.2f} ({n})" for _, n, p, o in table[c]["bins"])
            lines.append(f"| {c} | {table[c]['ece']:.3f} | {bins} |")
    titles = {"municipal": "Municipal and national documents", "doc_type": "By document type",
              "stratum": "By sampling stratum"}
    for name, rows in result.get("breakdown", {}).items():
        lines += ["", f"## {titles.get(name, name)} (macro-F1 [95% bootstrap])", "",
                  "| group | sentences | with a value | classifier | lexicon | both |", "|---|---|---|---|---|---|"]
        for row in rows:
            cells = [f"{row[m][0]:.3f} [{row[m][1]:.2f}–{row[m][2]:.2f}]" for m in ("classifier", "lexicon", "both")]
            lines.append(f"| {row['group']} | {row['n']} | {row['positives']} | " + " | ".join(cells) + " |")
    lines += ["", "Macro-F1 within a group averages over the clusters that occur in the group; small groups have "
              "wide intervals, so compare methods within a row."]
    return "\n".join(lines) + "\n"


def reliability_svg(table: dict[str, Any], labels: list[str], title: str) -> str:
    """A reliability diagram (mean predicted probability against observed share, per bin
    and cluster) as a small self-contained SVG: one panel per cluster, the diagonal is
    perfect calibration, dot area grows with the number of sentences in the bin."""
    from html import escape

    size, pad, cols = 150, 24, 3
    rows = (len(labels) + cols - 1) // cols
    width, height = cols * (size + pad) + pad, rows * (size + pad + 14) + pad + 20
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="sans-serif" '
           f'font-size="11"><title>{escape(title)}</title>',
           f'<text x="{pad}" y="16" font-size="13">{escape(title)}</text>']
    for i, label in enumerate(labels):
        x0 = pad + (i % cols) * (size + pad)
        y0 = 34 + (i // cols) * (size + pad + 14)
        d = table[label]
        out.append(f'<text x="{x0}" y="{y0 - 4}">{escape(label)} (ECE {d["ece"]:.3f})</text>')
        out.append(f'<rect x="{x0}" y="{y0}" width="{size}" height="{size}" fill="none" stroke="#999"/>')
        out.append(f'<line x1="{x0}" y1="{y0 + size}" x2="{x0 + size}" y2="{y0}" stroke="#bbb" stroke-dasharray="3,3"/>')
        total = sum(n for _, n, _, _ in d["bins"]) or 1
        for _, n, mean_p, observed in d["bins"]:
            r = 1.5 + 10 * (n / total) ** 0.5
            out.append(f'<circle cx="{x0 + mean_p * size:.1f}" cy="{y0 + (1 - observed) * size:.1f}" r="{r:.1f}" '
                       f'fill="#3366aa" fill-opacity="0.6"><title>{n} sentences: predicted {mean_p:.2f}, '
                       f'observed {observed:.2f}</title></circle>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


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
        for name, table in (result.get("calibration") or {}).items():
            svg = Path(clf.path) / f"reliability-{name}.svg"
            svg.write_text(reliability_svg(table, result["labels"], f"{clf.version}: reliability of the {name} "
                                           "probabilities on the test split"), encoding="utf-8")
            print(f"written {svg}", file=sys.stderr)
    return 0
