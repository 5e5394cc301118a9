"""Lexicon and classifier scores per sampling stratum of the annotated corpus (data card).

A stratum drawn with the help of a method could make that method look good; this prints,
per stratum, cluster macro-F1 (over the clusters that occur in it), precision and recall of
"carries a value" for the lexicon and for a classifier, so a reader can see whether it does.
Rows a model was trained on are left out (default: corpus 1.0's train and dev rows, what
model 1.0.0 saw).

    python scripts/corpus_strata_scores.py [--model models/waardenscan-clusters-1.0.0]
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    from analyzer.nlp import build_pipeline
    from analyzer.scoring.classifier.corpus import load_corpus
    from analyzer.scoring.classifier.evaluate import lexicon_predictions
    from analyzer.scoring.classifier.model import load_model
    from analyzer.scoring.classifier.train import f1_scores, label_matrix, to_sentences
    from analyzer.scoring.lexicon import Matcher

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=ROOT / "corpus")
    parser.add_argument("--model", type=Path, default=ROOT / "models" / "waardenscan-clusters-1.0.0")
    parser.add_argument("--include-fit", action="store_true", help="keep the rows the model was fit on")
    args = parser.parse_args()
    clf = load_model(args.model)
    gold = load_corpus(args.corpus)
    if not args.include_fit:  # model 1.0.0 was fit on corpus 1.0's train and dev rows
        gold = [g for g in gold if ":2-" in g.sentence_id or g.split == "test"]
    nlp = build_pipeline("blank")
    sentences = to_sentences(gold, nlp)
    matcher = Matcher(clf.lexicon)
    hits = [matcher.match(s) for s in sentences]
    y = label_matrix(gold, clf.labels)
    proba = clf.predict_proba(sentences, hits)
    preds = {"lexicon": lexicon_predictions(sentences, matcher, clf.labels),
             "classifier": np.column_stack([(proba[:, j] >= clf.thresholds[c]).astype(int)
                                            for j, c in enumerate(clf.labels)])}
    groups = defaultdict(list)
    for i, g in enumerate(gold):
        groups[g.stratum].append(i)
    print(f"model {clf.version}; {len(gold)} sentences (rows it was fit on left out: {not args.include_fit})")
    print("| stratum | sentences | with a value | lexicon macro-F1 | lexicon P / R (any value) | "
          "classifier macro-F1 | classifier P / R (any value) |")
    print("|---|---|---|---|---|---|---|")
    for stratum, idx in sorted(groups.items(), key=lambda kv: -len(kv[1])):
        idx = np.array(idx)
        yy = y[idx]
        cols = yy.sum(axis=0) > 0
        cells = []
        for name in ("lexicon", "classifier"):
            pp = preds[name][idx]
            _, _, f = f1_scores(yy[:, cols], pp[:, cols]) if cols.any() else (None, None, np.array([0.0]))
            anyy, anyp = yy.any(axis=1), pp.any(axis=1)
            tp = int((anyy & anyp).sum())
            prec = tp / max(int(anyp.sum()), 1)
            rec = tp / max(int(anyy.sum()), 1)
            cells += [f"{f.mean():.3f}", f"{prec:.2f} / {rec:.2f}"]
        print(f"| {stratum} | {len(idx)} | {int(yy.any(axis=1).sum())} | " + " | ".join(cells) + " |")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    raise SystemExit(main())
