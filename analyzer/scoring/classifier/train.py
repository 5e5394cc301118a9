"""Train the cluster classifier reproducibly from the committed corpus.

Candidates (all stock scikit-learn parts in one ``Pipeline``):

* ``logreg``: TF-IDF word 1-2-grams on lemmas + TF-IDF character 3-5-grams (catch
  Dutch compounds) + lexicon hit counts per cluster -> one-vs-rest logistic
  regression with balanced class weights;
* ``logreg_c1``: the same with stronger regularisation (C=1 instead of 4);
* ``sgd_huber``: the same features -> one-vs-rest linear classifier with the modified
  Huber loss (SVM-like margin, probabilities without an inner calibration split).

Candidates are compared by 5-fold cross-validation on train+dev, grouped by document;
per-cluster thresholds are tuned on the out-of-fold probabilities to maximise F1; the
best candidate is refit on train+dev. The test split is not touched here (see
:mod:`analyzer.scoring.classifier.evaluate`).
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Any

import numpy as np

from ... import __version__
from ...segment import Sentence, Token
from ..lexicon import Lexicon, Matcher, load_lexicon
from .corpus import GoldSentence, corpus_hash, load_corpus
from .features import hit_clusters, lexicon_columns, sentence_frame
from .model import ValueClassifier, save_model

log = logging.getLogger(__name__)

MODEL_NAME = "waardenscan-clusters"
MODEL_VERSION = "2.0.0"
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
    from sklearn.compose import ColumnTransformer
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression, SGDClassifier
    from sklearn.multiclass import OneVsRestClassifier
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import MaxAbsScaler

    features = ColumnTransformer([
        # feature caps keep the persisted model under 5 MB
        ("lemmas", TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True, max_features=15000), "lemmas"),
        ("chars", TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), min_df=3, sublinear_tf=True,
                                  max_features=20000), "text"),
        ("lexicon", MaxAbsScaler(), lexicon_columns(clusters)),
    ])
    if kind == "logreg":
        head = LogisticRegression(C=4.0, class_weight="balanced", max_iter=3000, random_state=seed)
    elif kind == "logreg_c1":
        head = LogisticRegression(C=1.0, class_weight="balanced", max_iter=3000, random_state=seed)
    elif kind == "sgd_huber":
        # a linear SVM-like loss that still yields probabilities, without an inner calibration CV
        # that rare clusters (a handful of positives per fold) cannot feed
        head = SGDClassifier(loss="modified_huber", alpha=1e-4, class_weight="balanced", max_iter=50,
                             tol=None, random_state=seed)
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
          candidates: tuple[str, ...] = ("logreg", "logreg_c1", "sgd_huber"), pipeline_name: str = "",
          n_folds: int = 5, raw: Path | None = None) -> ValueClassifier:
    """Select a candidate and its thresholds by cross-validation on train+dev, then refit.

    Folds are grouped by document (GroupKFold), so a sentence is always scored by a model
    that saw no sentence of its document. Per-cluster thresholds are tuned on the
    out-of-fold probabilities; the candidate with the best out-of-fold macro-F1 is refit
    on all train+dev sentences. The test split is not read.
    """
    import scipy
    import sklearn
    import skops
    import spacy
    from sklearn.model_selection import GroupKFold

    lexicon = lexicon or load_lexicon()
    clusters = list(lexicon.clusters)
    missing: list[str] = []
    gold = load_corpus(corpus, raw=raw, missing=missing)
    for line in missing:  # reference-only rows (party programmes, internal dossiers) need the shared corpus
        log.warning("training without the rows of %s", line)
    fit_g = [g for g in gold if g.split in ("train", "dev")]
    if len({g.doc_key for g in fit_g}) < n_folds:
        raise ValueError(f"the corpus needs train/dev sentences from at least {n_folds} documents")
    matcher = Matcher(lexicon)
    cluster_of = {v: c for v, (_, c) in lexicon.values.items()}
    sents = to_sentences(fit_g, nlp)
    x = sentence_frame(sents, hit_clusters([matcher.match(s) for s in sents], cluster_of), clusters)
    y = label_matrix(fit_g, clusters)
    groups = np.array([g.doc_key for g in fit_g])
    folds = list(GroupKFold(n_splits=n_folds).split(x, y, groups))
    results = {}
    for kind in candidates:
        oof = np.zeros(y.shape, dtype=float)
        for train_idx, test_idx in folds:
            est = build_candidate(kind, clusters, seed).fit(x.iloc[train_idx], y[train_idx])
            oof[test_idx] = np.asarray(est.predict_proba(x.iloc[test_idx]))
        thresholds = tune_thresholds(y, oof, clusters)
        _, _, f = f1_scores(y, apply_thresholds(oof, clusters, thresholds))
        results[kind] = {"thresholds": thresholds, "f1": dict(zip(clusters, f.round(4).tolist(), strict=True)),
                         "macro_f1": round(float(f.mean()), 4)}
        log.info("%s: out-of-fold macro-F1 %.3f", kind, f.mean())
    best = max(results, key=lambda k: results[k]["macro_f1"])
    estimator = build_candidate(best, clusters, seed).fit(x, y)
    meta = {
        "name": MODEL_NAME, "version": MODEL_VERSION, "package_version": __version__, "estimator": best,
        "seed": seed, "corpus_sha256": corpus_hash(corpus), "lexicon_sha256": lexicon.sha256,
        "lexicon": lexicon.label(), "pipeline": pipeline_name, "selection": f"{n_folds}-fold GroupKFold by document on train+dev",
        "counts": {split: {"sentences": int(sum(g.split == split for g in gold)),
                           **{c: int(sum(g.split == split and c in g.clusters for g in gold)) for c in clusters}}
                   for split in ("train", "dev", "test")},
        "cv": results,
        "missing_sources": missing,
        "versions": {"scikit-learn": sklearn.__version__, "skops": skops.__version__, "numpy": np.__version__,
                     "scipy": scipy.__version__, "spacy": spacy.__version__, "python": sys.version.split()[0]},
    }
    return ValueClassifier(estimator=estimator, labels=clusters, thresholds=results[best]["thresholds"],
                           clusters=lexicon.clusters, lexicon=lexicon, meta=meta)


def model_card(clf: ValueClassifier) -> str:
    m = clf.meta
    lines = [f"# Model card: {m['name']} {m['version']}", "",
             "Multi-label classifier of the 9 value clusters of the Waardenkaart sociaal domein for sentences "
             "of Dutch policy documents. Trained by `waardenscan model train` from the annotated corpus in `corpus/` "
             "(see `corpus/README.md`).", "",
             f"- estimator: `{m['estimator']}` (chosen by out-of-fold macro-F1 among {', '.join(m['cv'])}; "
             f"{m['selection']}; refit on train+dev)",
             f"- seed: {m['seed']}", f"- corpus sha256: `{m['corpus_sha256']}`",
             f"- lexicon: {m['lexicon']} (`{m['lexicon_sha256'][:12]}`)", f"- pipeline: {m['pipeline']}",
             f"- versions: {', '.join(f'{k} {v}' for k, v in m['versions'].items())}", "",
             "## Label order and thresholds (tuned on out-of-fold probabilities)", "",
             "| cluster | threshold | train | dev | test |", "|---|---|---|---|---|"]
    for label in clf.labels:
        lines.append(f"| {label} | {clf.thresholds[label]:.2f} | {m['counts']['train'][label]} | "
                     f"{m['counts']['dev'][label]} | {m['counts']['test'][label]} |")
    lines += ["", "## Cross-validated scores on train+dev (macro-F1 over the 9 clusters)", ""]
    for kind, d in m["cv"].items():
        lines.append(f"- {kind}: {d['macro_f1']:.3f} (" + ", ".join(f"{c} {f:.2f}" for c, f in d["f1"].items()) + ")")
    lines += ["", "Test-split scores: see `evaluation.md` (`waardenscan model evaluate`).", "",
              "## Files", "",
              "- `estimator.skops`: the fitted scikit-learn pipeline (skops, loaded with a list of trusted types).",
              "- `inference.npz`: the same pipeline's fitted numbers (vocabularies, idf weights, scaler, "
              "coefficients) as numpy arrays; scoring uses it without importing scikit-learn and gives the "
              "same probabilities (to 1e-12). Written when the pipeline has the shape `model train` builds.",
              "- `meta.json`: labels, thresholds, versions and the sha256 of both files (checked on load).", "",
              "## Intended use and limits", "",
              "Profiles of whole documents, always read next to the lexicon evidence. Sentence-level predictions "
              "are noisy (see evaluation.md). The corpus (`corpus/README.md`) holds government documents and, "
              "by reference, party programmes, labelled by language-model annotators following "
              "`corpus/CODEBOOK.md`; rare clusters (Puurheid, Empathie) are learnt from a few hundred examples. "
              "Not for judging individual people or cases.",
              "", "Missing sources at training time: " + (", ".join(m.get("missing_sources") or []) or "none") + "."]
    return "\n".join(lines) + "\n"


def train_cli(*, corpus: Path, out: Path | None, seed: int, pipeline: str, compare_alternatives: bool = True) -> int:
    from ...nlp import build_pipeline, pipeline_name

    nlp = build_pipeline(pipeline)
    clf = train(corpus, nlp=nlp, seed=seed,
                candidates=("logreg", "logreg_c1", "sgd_huber") if compare_alternatives else ("logreg",),
                pipeline_name=pipeline_name(nlp))
    out = out or Path("models") / f"{MODEL_NAME}-{MODEL_VERSION}"
    save_model(clf, out)
    (out / "MODEL_CARD.md").write_text(model_card(clf), encoding="utf-8")
    for kind, d in clf.meta["cv"].items():
        print(f"{kind:10} out-of-fold macro-F1 {d['macro_f1']:.3f}")
    print(f"kept {clf.meta['estimator']} -> {out}")
    return 0
