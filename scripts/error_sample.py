"""Sample the classifier's errors on the test split for error analysis (issue "Classifier 2.0").

Per cluster, up to ``--per`` false negatives (the annotators gave the cluster, the
classifier did not) and as many false positives, drawn with a fixed seed. Writes a TSV
with the sentence id, document, the cluster, ``fn``/``fp``, the gold and predicted
clusters and the text, for the error annotators to classify (to a workspace outside the
repository: the text of party programmes may not be stored there). ``--ids-only`` writes
the same rows without text, for the repository.

    python scripts/error_sample.py --out /work/annot/errors/sample.tsv [--per 20]
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from analyzer.nlp import build_pipeline  # noqa: E402
from analyzer.scoring.classifier.corpus import load_corpus  # noqa: E402
from analyzer.scoring.classifier.model import load_model  # noqa: E402
from analyzer.scoring.classifier.train import label_matrix, to_sentences  # noqa: E402
from analyzer.scoring.lexicon import Matcher  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", type=Path, default=None)
    ap.add_argument("--corpus", type=Path, default=ROOT / "corpus")
    ap.add_argument("--per", type=int, default=20)
    ap.add_argument("--seed", type=int, default=20261204)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--ids-only", action="store_true")
    args = ap.parse_args()

    model = load_model(args.model)
    labels = model.labels
    gold = [g for g in load_corpus(args.corpus) if g.split == "test"]
    sentences = to_sentences(gold, build_pipeline("blank"))
    hits = [Matcher(model.lexicon).match(s) for s in sentences]
    proba = model.predict_proba(sentences, hits)
    pred = np.column_stack([(proba[:, j] >= model.thresholds[c]) for j, c in enumerate(labels)]).astype(int)
    y = label_matrix(gold, labels)
    rng = np.random.default_rng(args.seed)
    rows = []
    for j, c in enumerate(labels):
        for kind, mask in (("fn", (y[:, j] == 1) & (pred[:, j] == 0)), ("fp", (y[:, j] == 0) & (pred[:, j] == 1))):
            idx = np.flatnonzero(mask)
            for i in sorted(rng.choice(idx, size=min(args.per, len(idx)), replace=False).tolist()):
                g = gold[i]
                rows.append({"sentence_id": g.sentence_id, "doc_key": g.doc_key, "cluster": c, "error": kind,
                             "gold": "|".join(g.clusters), "predicted": "|".join(labels[k] for k in np.flatnonzero(pred[i])),
                             "probability": f"{proba[i, j]:.3f}", "section": g.section,
                             **({} if args.ids_only else {"text": g.text})})
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with open(args.out, "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]), delimiter="\t", lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    print(f"{len(rows)} errors -> {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
