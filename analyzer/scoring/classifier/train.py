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

import hashlib
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
MODEL_VERSION = "2.1.0"
OOF_FILE = "oof.npz"
"""Out-of-fold probabilities of train+dev (calibrated classifier, both) for checks of the rates."""
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


def cross_validate(kind: str, clusters: list[str], seed: int, x: Any, y: np.ndarray,
                   folds: list[tuple[np.ndarray, np.ndarray]], *, keep: np.ndarray | None = None) -> np.ndarray:
    """Out-of-fold probabilities of a candidate (``keep``: train only on these rows of each fold)."""
    oof = np.zeros(y.shape, dtype=float)
    for train_idx, test_idx in folds:
        if keep is not None:
            train_idx = train_idx[keep[train_idx]]
        est = build_candidate(kind, clusters, seed).fit(x.iloc[train_idx], y[train_idx])
        oof[test_idx] = np.asarray(est.predict_proba(x.iloc[test_idx]))
    return oof


def oof_macro_f1(y: np.ndarray, proba: np.ndarray, clusters: list[str]) -> tuple[float, np.ndarray, dict[str, float]]:
    thresholds = tune_thresholds(y, proba, clusters)
    _, _, f = f1_scores(y, apply_thresholds(proba, clusters, thresholds))
    return float(f.mean()), f, thresholds


def learning_curve(kind: str, clusters: list[str], seed: int, x: Any, y: np.ndarray, groups: np.ndarray,
                   folds: list[tuple[np.ndarray, np.ndarray]], fractions: tuple[float, ...] = (0.25, 0.5)
                   ) -> list[dict[str, float]]:
    """Out-of-fold macro-F1 when each fold trains on only a fraction of its documents."""
    rng = np.random.default_rng(seed)
    docs = np.unique(groups)
    out = []
    for frac in fractions:
        chosen = set(rng.choice(docs, size=max(1, int(round(frac * len(docs)))), replace=False).tolist())
        keep = np.array([g in chosen for g in groups])
        macro, _, _ = oof_macro_f1(y, cross_validate(kind, clusters, seed, x, y, folds, keep=keep), clusters)
        out.append({"fraction": frac, "documents": len(chosen), "macro_f1": round(macro, 4)})
        log.info("learning curve %.0f%% of documents: macro-F1 %.3f", 100 * frac, macro)
    return out


def level_keys(lexicon: Lexicon) -> list[tuple[str, str]]:
    """(level, name) of every group, cluster and value, in scheme order."""
    return ([("group", g) for g in lexicon.groups] + [("cluster", c) for c in lexicon.clusters]
            + [("value", v) for v in lexicon.values])


def names_matrix(per_sentence: list[set[str]], keys: list[tuple[str, str]], lexicon: Lexicon,
                 *, values: list[set[str]] | None = None) -> np.ndarray:
    """0/1 per sentence and (level, name) from the clusters (and values) of each sentence."""
    group_of = dict(lexicon.clusters)
    out = np.zeros((len(per_sentence), len(keys)), dtype=int)
    for i, clusters in enumerate(per_sentence):
        groups = {group_of[c] for c in clusters if c in group_of}
        mine = values[i] if values is not None else set()
        for j, (level, name) in enumerate(keys):
            out[i, j] = name in (groups if level == "group" else clusters if level == "cluster" else mine)
    return out


def train(corpus: Path, *, nlp: Any, lexicon: Lexicon | None = None, seed: int = 20261123,
          candidates: tuple[str, ...] = ("logreg", "logreg_c1", "sgd_huber"), pipeline_name: str = "",
          n_folds: int = 5, raw: Path | None = None, curve: bool = True) -> ValueClassifier:
    """Select a candidate and its thresholds by cross-validation on train+dev, then refit.

    Folds are grouped by document (GroupKFold), so a sentence is always scored by a model
    that saw no sentence of its document. On the best candidate's out-of-fold
    probabilities: Platt scaling per cluster, thresholds (maximising F1), the learned
    ``both`` (:mod:`~analyzer.scoring.classifier.stack`) and the error rates of the three
    methods that adjusted shares use (:mod:`analyzer.scoring.rates`, kept in
    ``clf.rates``). The candidate is refit on all train+dev sentences. The test split is
    not read.
    """
    import scipy
    import sklearn
    import skops
    import spacy
    from sklearn.model_selection import GroupKFold

    from ..rates import RATE_STRATA, ErrorRates, document_priors, estimate_rates
    from .stack import fit_platt, fit_stacker, lexicon_evidence

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
    hits = [matcher.match(s) for s in sents]
    x = sentence_frame(sents, hit_clusters(hits, cluster_of), clusters)
    y = label_matrix(fit_g, clusters)
    groups = np.array([g.doc_key for g in fit_g])
    folds = list(GroupKFold(n_splits=n_folds).split(x, y, groups))
    results: dict[str, dict[str, Any]] = {}
    oofs = {}
    for kind in candidates:
        oofs[kind] = cross_validate(kind, clusters, seed, x, y, folds)
        macro, f, thresholds = oof_macro_f1(y, oofs[kind], clusters)
        results[kind] = {"thresholds": thresholds, "f1": dict(zip(clusters, f.round(4).tolist(), strict=True)),
                         "macro_f1": round(macro, 4)}
        log.info("%s: out-of-fold macro-F1 %.3f", kind, macro)
    best = max(results, key=lambda k: results[k]["macro_f1"])
    calibration = fit_platt(oofs[best], y)
    calibrated = calibration.apply(oofs[best])
    thresholds = tune_thresholds(y, calibrated, clusters)
    pairs = [[(cluster_of[h.term.value], h.negated) for h in hs] for hs in hits]
    evidence = lexicon_evidence(pairs, clusters)
    stacker, stacked, stack_report = fit_stacker(
        calibrated, evidence, y, folds, classifier_thresholds=[thresholds[c] for c in clusters],
        tune=lambda yy, pp: [tune_thresholds(yy, pp, clusters)[c] for c in clusters],
        f1=lambda yy, pred: f1_scores(yy, pred)[2], seed=seed)
    curve_rows = (learning_curve(best, clusters, seed, x, y, groups, folds) if curve else [])
    curve_rows.append({"fraction": 1.0, "documents": int(len(np.unique(groups))), "macro_f1": results[best]["macro_f1"]})
    # error rates of each method on the probability-sampled sentences, out-of-fold
    keys = level_keys(lexicon)
    sample = np.array([g.stratum in RATE_STRATA for g in fit_g])
    gold_names = names_matrix([set(g.clusters) for g in fit_g], keys, lexicon, values=[set(g.values) for g in fit_g])
    lex_names = names_matrix([{cluster_of[h.term.value] for h in hs if not h.negated} for hs in hits], keys, lexicon,
                             values=[{h.term.value for h in hs if not h.negated} for hs in hits])
    clf_pred = apply_thresholds(calibrated, clusters, thresholds)
    both_pred = np.column_stack([(stacked[:, j] >= stacker.thresholds[j]).astype(int) for j in range(len(clusters))])
    as_sets = lambda pred: [{c for j, c in enumerate(clusters) if pred[i, j]} for i in range(len(pred))]  # noqa: E731
    predicted = {"lexicon": lex_names[sample],
                 "classifier": names_matrix(as_sets(clf_pred), keys, lexicon)[sample],
                 "both": names_matrix(as_sets(both_pred), keys, lexicon)[sample]}
    rates_all = estimate_rates(gold_names[sample], predicted, keys, groups[sample], seed=seed, meta={
        "model": f"{MODEL_NAME}-{MODEL_VERSION}", "lexicon_sha256": lexicon.sha256, "corpus_sha256": corpus_hash(corpus),
        "strata": list(RATE_STRATA), "splits": ["train", "dev"], "estimated_on": "out-of-fold predictions"})
    rates_all.meta["priors"] = document_priors(gold_names[sample], keys, groups[sample])
    # the classifier and both label clusters and groups only
    rates = ErrorRates({k: v for k, v in rates_all.rates.items() if k[0] == "lexicon" or k[1] != "value"},
                       rates_all.meta)
    estimator = build_candidate(best, clusters, seed).fit(x, y)
    meta = {
        "name": MODEL_NAME, "version": MODEL_VERSION, "package_version": __version__, "estimator": best,
        "seed": seed, "corpus_sha256": corpus_hash(corpus), "lexicon_sha256": lexicon.sha256,
        "lexicon": lexicon.label(), "pipeline": pipeline_name, "selection": f"{n_folds}-fold GroupKFold by document on train+dev",
        "counts": {split: {"sentences": int(sum(g.split == split for g in gold)),
                           **{c: int(sum(g.split == split and c in g.clusters for g in gold)) for c in clusters}}
                   for split in ("train", "dev", "test")},
        "cv": results,
        "calibrated_thresholds": {c: thresholds[c] for c in clusters},
        "stacker_cv": {"f1_stack": dict(zip(clusters, stack_report["f1_stack"], strict=True)),
                       "f1_classifier": dict(zip(clusters, stack_report["f1_classifier"], strict=True)),
                       "fallback": [c for c, fb in zip(clusters, stacker.fallback, strict=True) if fb]},
        "calibration_oof": reliability(y, calibrated, clusters),
        "learning_curve": curve_rows,
        "missing_sources": missing,
        "versions": {"scikit-learn": sklearn.__version__, "skops": skops.__version__, "numpy": np.__version__,
                     "scipy": scipy.__version__, "spacy": spacy.__version__, "python": sys.version.split()[0]},
    }
    clf = ValueClassifier(estimator=estimator, labels=clusters, thresholds=thresholds,
                          clusters=lexicon.clusters, lexicon=lexicon, meta=meta, calibration=calibration,
                          stacker=stacker)
    clf.rates = rates  # type: ignore[attr-defined]
    clf.oof = {"sentence_id": np.array([g.sentence_id for g in fit_g]),  # type: ignore[attr-defined]
               "classifier": calibrated.astype(np.float32), "both": stacked.astype(np.float32),
               "fold": np.concatenate([np.full(len(te), k) for k, (_, te) in enumerate(folds)])[
                   np.argsort(np.concatenate([te for _, te in folds]))]}
    return clf


def reliability(y: np.ndarray, proba: np.ndarray, labels: list[str], bins: int = 10) -> dict[str, Any]:
    """Reliability table and expected calibration error per label (equal-width bins)."""
    out: dict[str, Any] = {}
    for j, label in enumerate(labels):
        b = np.clip((proba[:, j] * bins).astype(int), 0, bins - 1)
        rows, ece = [], 0.0
        for k in range(bins):
            m = b == k
            if not m.any():
                continue
            mean_p, freq = float(proba[m, j].mean()), float(y[m, j].mean())
            ece += m.mean() * abs(mean_p - freq)
            rows.append([k, int(m.sum()), round(mean_p, 4), round(freq, 4)])
        out[label] = {"ece": round(float(ece), 4), "bins": rows}
    return out


CANDIDATES_FILE = "candidates.md"
ERRORS_FILE = "errors.md"


def write_model_card(folder: Path) -> Path:
    """(Re)write a model folder's MODEL_CARD.md from its meta.json and the tables beside it."""
    from .model import load_model

    target = Path(folder) / "MODEL_CARD.md"
    target.write_text(model_card(load_model(folder)), encoding="utf-8")
    return target


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
    if m.get("calibrated_thresholds"):
        lines += ["", "## Calibration, learned `both`, learning curve", "",
                  "Probabilities are Platt-scaled per cluster on the out-of-fold probabilities; the thresholds "
                  "above apply to the scaled probabilities. Out-of-fold expected calibration error (10 bins): "
                  + ", ".join(f"{c} {d['ece']:.3f}" for c, d in m.get("calibration_oof", {}).items()) + ".", "",
                  "`both` is a logistic regression per cluster over the calibrated probability (as a logit) and "
                  "the lexicon's evidence (non-negated and negated hits of the cluster, hits of other clusters), "
                  "fitted on out-of-fold probabilities. Out-of-fold F1, stacker vs classifier:", "",
                  "| cluster | both (stacker) | classifier | used |", "|---|---|---|---|"]
        sc = m["stacker_cv"]
        for c in clf.labels:
            used = "classifier (fallback)" if c in sc["fallback"] else "stacker"
            lines.append(f"| {c} | {sc['f1_stack'][c]:.3f} | {sc['f1_classifier'][c]:.3f} | {used} |")
        lines += ["", "Learning curve (out-of-fold macro-F1 when each fold trains on a fraction of the train+dev "
                  "documents; same folds and thresholds search):", "",
                  "| documents | share | macro-F1 |", "|---|---|---|"]
        for row in m.get("learning_curve", []):
            lines.append(f"| {row['documents']} | {row['fraction']:.0%} | {row['macro_f1']:.3f} |")
        folder = Path(clf.path) if getattr(clf, "path", None) else None
        if folder is not None and (folder / CANDIDATES_FILE).exists():
            lines += ["", "## All candidates (grouped 5-fold CV on train+dev, `scripts/model_selection.py`)", "",
                      "Out-of-fold macro-F1 with thresholds tuned on the same out-of-fold probabilities (so "
                      "slightly optimistic for every candidate alike), 95% interval from resampling documents:", "",
                      *(folder / CANDIDATES_FILE).read_text(encoding="utf-8").splitlines()]
        if folder is not None and (folder / ERRORS_FILE).exists():
            lines += ["", f"Error analysis of the test split's false negatives and false positives: `{ERRORS_FILE}`."]
        lines += ["", "Error rates for adjusted shares: `quantification.json` (out-of-fold true- and false-positive "
                  "rates per method and name on the random and census strata, with 200 document-bootstrap "
                  "replicates); validation in `quantification.md`."]
    lines += ["", "Test-split scores: see `evaluation.md` (`waardenscan model evaluate`).", "",
              "## Files", "",
              "- `estimator.skops`: the fitted scikit-learn pipeline (skops, loaded with a list of trusted types).",
              "- `inference.npz`: the same pipeline's fitted numbers (vocabularies, idf weights, scaler, "
              "coefficients) as numpy arrays; scoring uses it without importing scikit-learn and gives the "
              "same probabilities (to 1e-12). Written when the pipeline has the shape `model train` builds.",
              "- `meta.json`: labels, thresholds, versions and the sha256 of both files (checked on load).",
              "- `oof.npz`: the out-of-fold calibrated probabilities of the classifier and `both` on train+dev "
              "(sentence ids, folds), from which the thresholds, the stacker and the error rates were fitted.",
              "- `quantification.json`: per method and name the out-of-fold true- and false-positive rates with "
              "200 document-bootstrap replicates and the priors of the annotated documents' shares, read by "
              "adjusted shares; `quantification.md`: their validation (`scripts/quantification.py`).",
              "- `evaluation.md`, `reliability-classifier.svg`, `reliability-both.svg`: test-split scores and "
              "reliability diagrams (`waardenscan model evaluate`).",
              f"- `{CANDIDATES_FILE}`: the model-selection table (`scripts/model_selection.py --write`); "
              f"`{ERRORS_FILE}`: the error analysis (`scripts/error_sample.py`), when present.", "",
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
    out.mkdir(parents=True, exist_ok=True)
    from ..rates import FILE as RATES_FILE

    rates_path = out / RATES_FILE
    clf.rates.save(rates_path)  # type: ignore[attr-defined]
    clf.meta["quantification_sha256"] = hashlib.sha256(rates_path.read_bytes()).hexdigest()
    np.savez_compressed(out / OOF_FILE, **clf.oof)  # type: ignore[attr-defined]
    save_model(clf, out)
    (out / "MODEL_CARD.md").write_text(model_card(clf), encoding="utf-8")
    for kind, d in clf.meta["cv"].items():
        print(f"{kind:10} out-of-fold macro-F1 {d['macro_f1']:.3f}")
    print(f"kept {clf.meta['estimator']} -> {out}")
    return 0
