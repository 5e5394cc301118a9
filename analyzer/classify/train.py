"""Train the cluster classifier reproducibly from the committed corpus.

Candidates (all stock scikit-learn parts in one ``Pipeline``):

* ``logreg``: TF-IDF word 1-2-grams on lemmas + TF-IDF character 3-5-grams (catch
  Dutch compounds) + lexicon hit counts per cluster -> one-vs-rest logistic
  regression with balanced class weights;
* ``svm``: the same features -> one-vs-rest linear SVM calibrated with sigmoid
  (Platt) scaling so it yields probabilities.

Each is fit on the train split; per-cluster thresholds are tuned on the dev split to
maximise F1; the candidate with the best dev macro-F1 is kept. The test split is not
touched here (see :mod:`analyzer.classify.evaluate`).
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Any

import numpy as np

from .. import __version__
from ..lexicon import Lexicon, Matcher, load_lexicon
from ..segment import Sentence, Token
from .corpus import GoldSentence, corpus_hash, load_corpus
from .features import lexicon_columns, sentence_frame
from .model import ValueClassifier, save_model

log = logging.getLogger(__name__)

MODEL_NAME = "waardenscan-clusters"
MODEL_VERSION = "1.0.0"
THRESHOLD_GRID = np.round(np.arange(0.10, 0.91, 0.05), 2)


def to_sentences(gold: list[GoldSentence], nlp: Any) -> list[Sentence]:
    """Tokenise gold sentences with the same pipeline the tool uses."""
    out = []
    for i, (g, doc) in enumerate(zip(gold, nlp.pipe([g.text for g in gold], batch_size=256), strict=True)):
        tokens = [Token(t.text, t.lower_, t.lemma_.lower() or t.lower_, t.idx) for t in doc if not t.is_space]
        out.append(Sentence(g.doc_key, g.sentence_id, i, g.page, "", 0, 0, "prose", g.text, tokens))
    return out


def label_matrix(gold: list[GoldSentence], labels: list[str]) -> np.ndarray:
    return np.array([[1 if c in g.clusters else 0 for c in labels] for g in gold], dtype=int)


def build_candidate(kind: str, clusters: list[str], seed: int):  # type: ignore[no-untyped-def]
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.compose import ColumnTransformer
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.multiclass import OneVsRestClassifier
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import MaxAbsScaler
    from sklearn.svm import LinearSVC

    features = ColumnTransformer([
        ("lemmas", TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True), "lemmas"),
        ("chars", TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), min_df=2, sublinear_tf=True,
                                  max_features=60000), "text"),
        ("lexicon", MaxAbsScaler(), lexicon_columns(clusters)),
    ])
    if kind == "logreg":
        head = LogisticRegression(C=4.0, class_weight="balanced", max_iter=3000, random_state=seed)
    elif kind == "svm":
        head = CalibratedClassifierCV(LinearSVC(C=0.5, class_weight="balanced", random_state=seed),
                                      method="sigmoid", cv=3)
    else:
        raise ValueError(kind)
    return Pipeline([("features", features), ("clf", OneVsRestClassifier(head))])


def f1_scores(y_true: np.ndarray, y_pred: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per-label precision, recall and F1 (0 where undefined)."""
    tp = (y_true & y_pred).sum(0).astype(float)
    fp = ((1 - y_true) & y_pred).sum(0).astype(float)
    fn = (y_true & (1 - y_pred)).sum(0).astype(float)
    p = np.divide(tp, tp + fp, out=np.zeros_like(tp), where=(tp + fp) > 0)
    r = np.divide(tp, tp + fn, out=np.zeros_like(tp), where=(tp + fn) > 0)
    f = np.divide(2 * p * r, p + r, out=np.zeros_like(tp), where=(p + r) > 0)
    return p, r, f


def tune_thresholds(y_true: np.ndarray, proba: np.ndarray, labels: list[str]) -> dict[str, float]:
    out = {}
    for j, label in enumerate(labels):
        best, best_t = -1.0, 0.5
        for t in THRESHOLD_GRID:
            pred = (proba[:, j] >= t).astype(int)
            _, _, f = f1_scores(y_true[:, [j]], pred[:, None])
            if f[0] > best + 1e-12:
                best, best_t = f[0], float(t)
        out[label] = best_t
    return out


def apply_thresholds(proba: np.ndarray, labels: list[str], thresholds: dict[str, float]) -> np.ndarray:
    return np.column_stack([(proba[:, j] >= thresholds[label]).astype(int) for j, label in enumerate(labels)])


def train(corpus: Path, *, nlp: Any, lexicon: Lexicon | None = None, seed: int = 20261123,
          candidates: tuple[str, ...] = ("logreg", "svm"), pipeline_name: str = "") -> ValueClassifier:
    """Fit the candidates on train, tune thresholds on dev, return the best."""
    import scipy
    import sklearn
    import skops
    import spacy

    lexicon = lexicon or load_lexicon()
    clusters = list(lexicon.clusters)
    gold = load_corpus(corpus)
    train_g = [g for g in gold if g.split == "train"]
    dev_g = [g for g in gold if g.split == "dev"]
    if not train_g or not dev_g:
        raise ValueError("the corpus needs train and dev sentences")
    matcher = Matcher(lexicon)
    cluster_of = {v: c for v, (_, c) in lexicon.values.items()}

    def frame(gs):  # type: ignore[no-untyped-def]
        sents = to_sentences(gs, nlp)
        return sentence_frame(sents, [matcher.match(s) for s in sents], clusters, cluster_of)

    x_train, x_dev = frame(train_g), frame(dev_g)
    y_train, y_dev = label_matrix(train_g, clusters), label_matrix(dev_g, clusters)
    results = {}
    for kind in candidates:
        est = build_candidate(kind, clusters, seed).fit(x_train, y_train)
        proba = np.asarray(est.predict_proba(x_dev))
        thresholds = tune_thresholds(y_dev, proba, clusters)
        _, _, f = f1_scores(y_dev, apply_thresholds(proba, clusters, thresholds))
        results[kind] = {"estimator": est, "thresholds": thresholds, "dev_f1": dict(zip(clusters, f.round(4).tolist(), strict=True)),
                         "dev_macro_f1": round(float(f.mean()), 4)}
        log.info("%s: dev macro-F1 %.3f", kind, f.mean())
    best = max(results, key=lambda k: results[k]["dev_macro_f1"])
    chosen = results[best]
    meta = {
        "name": MODEL_NAME, "version": MODEL_VERSION, "package_version": __version__, "estimator": best,
        "seed": seed, "corpus_sha256": corpus_hash(corpus), "lexicon_sha256": lexicon.sha256,
        "lexicon": lexicon.label(), "pipeline": pipeline_name,
        "counts": {split: {"sentences": int(sum(g.split == split for g in gold)),
                           **{c: int(sum(g.split == split and c in g.clusters for g in gold)) for c in clusters}}
                   for split in ("train", "dev", "test")},
        "dev": {k: {"macro_f1": v["dev_macro_f1"], "f1": v["dev_f1"], "thresholds": v["thresholds"]} for k, v in results.items()},
        "versions": {"scikit-learn": sklearn.__version__, "skops": skops.__version__, "numpy": np.__version__,
                     "scipy": scipy.__version__, "spacy": spacy.__version__, "python": sys.version.split()[0]},
    }
    return ValueClassifier(estimator=chosen["estimator"], labels=clusters, thresholds=chosen["thresholds"],
                           clusters=lexicon.clusters, lexicon=lexicon, meta=meta)


def model_card(clf: ValueClassifier) -> str:
    m = clf.meta
    lines = [f"# Model card: {m['name']} {m['version']}", "",
             "Multi-label classifier of the 9 value clusters of the Waardenkaart sociaal domein for sentences "
             "of Dutch policy documents. Trained by `waardenscan model train` from the annotated corpus in `corpus/` "
             "(see `corpus/README.md`).", "",
             f"- estimator: `{m['estimator']}` (chosen on dev macro-F1 among {', '.join(m['dev'])})",
             f"- seed: {m['seed']}", f"- corpus sha256: `{m['corpus_sha256']}`",
             f"- lexicon: {m['lexicon']} (`{m['lexicon_sha256'][:12]}`)", f"- pipeline: {m['pipeline']}",
             f"- versions: {', '.join(f'{k} {v}' for k, v in m['versions'].items())}", "",
             "## Label order and thresholds (tuned on dev)", "", "| cluster | threshold | train | dev | test |", "|---|---|---|---|---|"]
    for label in clf.labels:
        lines.append(f"| {label} | {clf.thresholds[label]:.2f} | {m['counts']['train'][label]} | "
                     f"{m['counts']['dev'][label]} | {m['counts']['test'][label]} |")
    lines += ["", "## Dev scores (macro-F1 over the 9 clusters)", ""]
    for kind, d in m["dev"].items():
        lines.append(f"- {kind}: {d['macro_f1']:.3f}")
    lines += ["", "Test-split scores: see `evaluation.md` (`waardenscan model evaluate`).", "",
              "## Intended use and limits", "",
              "Profiles of whole documents, always read next to the lexicon evidence. Sentence-level predictions "
              "are noisy (see evaluation.md); the corpus is small (a few thousand sentences from government "
              "documents, labelled by language-model annotators following `corpus/CODEBOOK.md`), so rare clusters "
              "are learnt from few examples. Not for judging individual people or cases."]
    return "\n".join(lines) + "\n"


def train_cli(*, corpus: Path, out: Path | None, seed: int, pipeline: str, compare_alternatives: bool = True) -> int:
    from ..nlp import build_pipeline, pipeline_name

    nlp = build_pipeline(pipeline)
    clf = train(corpus, nlp=nlp, seed=seed, candidates=("logreg", "svm") if compare_alternatives else ("logreg",),
                pipeline_name=pipeline_name(nlp))
    out = out or Path("models") / f"{MODEL_NAME}-{MODEL_VERSION}"
    save_model(clf, out)
    (out / "MODEL_CARD.md").write_text(model_card(clf), encoding="utf-8")
    for kind, d in clf.meta["dev"].items():
        print(f"{kind:8} dev macro-F1 {d['macro_f1']:.3f}")
    print(f"kept {clf.meta['estimator']} -> {out}")
    return 0
