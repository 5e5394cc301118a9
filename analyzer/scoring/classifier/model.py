"""A persisted classifier: a versioned folder with the estimator, its metadata and a card.

Layout of ``models/<name>-<version>/``::

    estimator.skops   the fitted scikit-learn Pipeline, saved with skops (no pickle)
    meta.json         label order, thresholds, seed, corpus hash and counts, scores,
                      library versions, sha256 of estimator.skops
    MODEL_CARD.md     generated description and evaluation
    evaluation.md     test-split scores (written by ``waardenscan model evaluate``)

Loading checks the estimator's sha256 against ``meta.json`` (a tampered file fails),
loads it with an explicit list of trusted types, and refuses a model made for another
major scikit-learn version or another format version.
"""

from __future__ import annotations

import hashlib
import json
import zipfile
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from ...errors import ModelError
from ...segment import Sentence
from ..lexicon import Hit, Lexicon
from .features import feature_columns, hit_clusters, sentence_frame
from .stack import Platt, Stacker, lexicon_evidence

FORMAT_VERSION = 1
ESTIMATOR_FILE = "estimator.skops"
INFERENCE_FILE = "inference.npz"
META_FILE = "meta.json"

# Types the estimator may contain; anything else in the file is refused by skops.
TRUSTED_TYPES = [
    "sklearn.pipeline.Pipeline",
    "sklearn.pipeline.FeatureUnion",
    "sklearn.compose._column_transformer.ColumnTransformer",
    "sklearn.feature_extraction.text.TfidfVectorizer",
    "sklearn.feature_extraction.text.TfidfTransformer",
    "sklearn.feature_extraction.text.CountVectorizer",
    "sklearn.preprocessing._data.MaxAbsScaler",
    "sklearn.preprocessing._data.StandardScaler",
    "sklearn.multiclass.OneVsRestClassifier",
    "sklearn.linear_model._logistic.LogisticRegression",
    "sklearn.linear_model._stochastic_gradient.SGDClassifier",
    "sklearn.calibration.CalibratedClassifierCV",
    "sklearn.calibration._CalibratedClassifier",
    "sklearn.calibration._SigmoidCalibration",
    "sklearn.preprocessing._label.LabelBinarizer",
    "sklearn.utils._bunch.Bunch",
    "numpy.dtype",
    "builtins.slice",
    "builtins.str",
    "builtins.int",
    "builtins.float",
    "builtins.type",
    "collections.defaultdict",
    "numpy.float64",
    "numpy.int64",
    "scipy.sparse._csr.csr_matrix",
    "scipy.sparse._csr.csr_array",
]


def default_model_path() -> Path | None:
    """The model shipped with the package (newest version folder), or None."""
    base = Path(str(resources.files("analyzer") / "resources" / "models"))
    if not base.is_dir():
        return None
    candidates = sorted(p for p in base.iterdir() if (p / META_FILE).exists())
    return candidates[-1] if candidates else None


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@dataclass
class ValueClassifier:
    """A fitted pipeline with its label order and per-label decision thresholds."""

    estimator: Any
    labels: list[str]
    thresholds: dict[str, float]
    clusters: dict[str, str]  # cluster -> group
    lexicon: Lexicon | None
    meta: dict[str, Any]
    path: str = ""
    inference: Any = None
    """A :class:`~analyzer.scoring.classifier.inference.LinearTfidf` when the model was loaded from its
    ``inference.npz`` (``estimator`` is then None): same probabilities, no scikit-learn."""
    calibration: Platt | None = None
    """Platt scaling of the probabilities (fitted out-of-fold); thresholds apply to the scaled ones."""
    stacker: Stacker | None = None
    """The learned ``both`` (classifier probability + lexicon evidence), when the model has one."""

    @property
    def version(self) -> str:
        return f"{self.meta.get('name', 'model')}-{self.meta.get('version', '?')}"

    def proba(self, sentences: list[Sentence], lexical: list[list[Any]] | None) -> np.ndarray:
        """Probability per sentence (rows) and label (columns, in ``labels`` order).

        ``lexical``: per sentence its lexicon labels (:class:`~analyzer.types.Label`, as the
        lexicon scorer gives them); their non-negated clusters are features."""
        clusters = None if lexical is None else [[lab.cluster for lab in ls if not lab.negated] for ls in lexical]
        return self._proba(sentences, clusters)

    def predict_proba(self, sentences: list[Sentence], hits: list[list[Hit]] | None) -> np.ndarray:
        """:meth:`proba` from the matcher's hits (as training and evaluation have them)."""
        if self.lexicon is None:
            raise ModelError("the classifier needs the lexicon it was trained with")
        cluster_of = {v: c for v, (_, c) in self.lexicon.values.items()}
        return self._proba(sentences, hit_clusters(hits, cluster_of))

    def _proba(self, sentences: list[Sentence], clusters: list[list[str]] | None) -> np.ndarray:
        if self.lexicon is None:
            raise ModelError("the classifier needs the lexicon it was trained with")
        if self.inference is not None:
            raw = self.inference.predict_proba(feature_columns(sentences, clusters, self.labels))
        else:
            raw = np.asarray(self.estimator.predict_proba(sentence_frame(sentences, clusters, self.labels)), dtype=float)
        return self.calibration.apply(raw) if self.calibration is not None else raw

    def stack_proba(self, proba: np.ndarray, lexical: list[list[tuple[str, bool]]]) -> np.ndarray:
        """The learned ``both``'s probabilities from :meth:`proba`'s and the lexicon's
        (cluster, negated) hits per sentence."""
        if self.stacker is None:
            raise ModelError(f"{self.version} has no learned combination")
        return self.stacker.predict_proba(proba, lexicon_evidence(lexical, self.labels))

    def predict(self, sentences: list[Sentence], hits: list[list[Hit]] | None
                ) -> list[list[tuple[str, float, bool]]]:
        """Labels above threshold per sentence as (label, probability, negated).

        ``negated`` is true when the lexicon found this cluster in the sentence only in
        the scope of a negation.
        """
        proba = self.predict_proba(sentences, hits)
        cluster_of = {v: c for v, (_, c) in self.lexicon.values.items()} if self.lexicon else {}
        out = []
        for i, row in enumerate(proba):
            labels = []
            for j, label in enumerate(self.labels):
                if row[j] >= self.thresholds.get(label, 0.5):
                    negated = False
                    if hits is not None:
                        mine = [h for h in hits[i] if cluster_of.get(h.term.value) == label]
                        negated = bool(mine) and all(h.negated for h in mine)
                    labels.append((label, float(row[j]), negated))
            out.append(labels)
        return out


def _drop_introspection(estimator: Any) -> None:
    """Slim TfidfVectorizers before saving: drop ``stop_words_`` (every pruned n-gram, unused by
    predict) and store the vocabulary with plain ints (skops writes each numpy int as a file)."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    stack = [estimator]
    while stack:
        obj = stack.pop()
        if isinstance(obj, TfidfVectorizer):
            if hasattr(obj, "stop_words_"):
                obj.stop_words_ = None
            if hasattr(obj, "vocabulary_"):
                obj.vocabulary_ = {term: int(index) for term, index in obj.vocabulary_.items()}
        for attr in ("steps", "transformers_", "transformer_list"):
            for item in getattr(obj, attr, []) or []:
                stack.append(item[1] if isinstance(item, tuple) else item)


def save_model(clf: ValueClassifier, folder: Path) -> Path:
    """Write the estimator with skops and meta.json with its sha256."""
    import skops.io as sio

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    est_path = folder / ESTIMATOR_FILE
    _drop_introspection(clf.estimator)
    sio.dump(clf.estimator, est_path, compression=zipfile.ZIP_DEFLATED, compresslevel=9)
    meta = dict(clf.meta)
    meta.update(format_version=FORMAT_VERSION, labels=clf.labels, thresholds=clf.thresholds,
                clusters=clf.clusters, estimator_sha256=_sha256(est_path))
    if clf.calibration is not None:
        meta["calibration"] = clf.calibration.to_json()
    if clf.stacker is not None:
        meta["stacker"] = clf.stacker.to_json()
    meta.pop("inference_sha256", None)
    meta.update(_write_inference(clf, folder))
    (folder / META_FILE).write_text(json.dumps(meta, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    clf.meta = meta
    return folder


def _write_inference(clf: ValueClassifier, folder: Path) -> dict[str, str]:
    """Write inference.npz beside the estimator when the pipeline can be exported; its sha256."""
    from .inference import Unsupported, export, save

    (folder / INFERENCE_FILE).unlink(missing_ok=True)
    try:
        arrays = export(clf.estimator, clf.labels)
    except Unsupported:
        return {}
    return {"inference_sha256": save(arrays, folder)}


def add_inference(folder: str | Path) -> Path:
    """Give a model folder made without it an ``inference.npz`` (``waardenscan model export``)."""
    clf = load_model(folder, engine="sklearn")
    folder = Path(clf.path)
    extra = _write_inference(clf, folder)
    if not extra:
        raise ModelError(f"{folder}: this estimator cannot be exported; it is scored with scikit-learn")
    meta = {**{k: v for k, v in clf.meta.items() if k != "lexicon_mismatch"}, **extra}
    (folder / META_FILE).write_text(json.dumps(meta, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return folder


def check_model(folder: str | Path | None = None) -> tuple[Path, dict[str, Any]]:
    """Check a model folder without loading the estimator: files, format and scikit-learn
    version, and the estimator's sha256 against meta.json (a tampered file fails here).

    Returns:
        ``(folder, meta)``.
    """
    from importlib.metadata import version

    sklearn_version = version("scikit-learn")  # no import of sklearn itself: this check must be cheap
    folder = Path(folder) if folder is not None else default_model_path()
    if folder is None or not folder.is_dir():
        raise ModelError(f"{folder}: no model folder (train one with 'waardenscan model train')")
    meta_path = folder / META_FILE
    est_path = folder / ESTIMATOR_FILE
    if not meta_path.exists() or not est_path.exists():
        raise ModelError(f"{folder}: needs {META_FILE} and {ESTIMATOR_FILE}")
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ModelError(f"{meta_path}: invalid JSON ({exc})") from None
    if meta.get("format_version") != FORMAT_VERSION:
        raise ModelError(f"{folder}: model format {meta.get('format_version')} but this waardenscan "
                         f"reads format {FORMAT_VERSION}; retrain with 'waardenscan model train'")
    trained_with = str(meta.get("versions", {}).get("scikit-learn", ""))
    if trained_with.split(".")[:2] != sklearn_version.split(".")[:2]:
        raise ModelError(f"{folder}: trained with scikit-learn {trained_with}, running {sklearn_version}; "
                         "install that version or retrain with 'waardenscan model train'")
    if _sha256(est_path) != meta.get("estimator_sha256"):
        raise ModelError(f"{est_path}: sha256 does not match meta.json: the file was modified; refusing to load")
    return folder, meta


def load_model(folder: str | Path | None = None, *, lexicon: Lexicon | None = None,
               engine: str = "auto") -> ValueClassifier:
    """Load a model folder safely (sha256 checks, skops with trusted types, version check).

    Args:
        engine: ``"auto"`` scores with the folder's ``inference.npz`` when it has one
            (:mod:`analyzer.scoring.classifier.inference`: no scikit-learn import, same
            probabilities), else with the scikit-learn estimator; ``"sklearn"`` always
            loads the estimator (needed to inspect or retrain it, and the oracle that
            ``inference.npz`` is tested against).

    Raises:
        ModelError: missing files, tampered estimator, untrusted types, or a model made
            with an incompatible format or scikit-learn version.
    """
    folder, meta = check_model(folder)
    if lexicon is None:
        from ..lexicon import load_lexicon

        lexicon = load_lexicon()
    if lexicon.sha256 != meta.get("lexicon_sha256"):
        # the lexicon counts are features: a different lexicon changes the inputs
        meta = {**meta, "lexicon_mismatch": True}
    labels = list(meta["labels"])
    try:
        calibration = Platt.from_json(meta["calibration"], len(labels)) if meta.get("calibration") else None
        stacker = Stacker.from_json(meta["stacker"], len(labels)) if meta.get("stacker") else None
    except (KeyError, TypeError, ValueError) as exc:
        raise ModelError(f"{folder}: calibration or combination in meta.json cannot be used ({exc})") from None
    common = dict(labels=labels, thresholds={k: float(v) for k, v in meta["thresholds"].items()},
                  clusters=dict(meta["clusters"]), lexicon=lexicon, meta=meta, path=str(folder),
                  calibration=calibration, stacker=stacker)
    if engine not in ("auto", "sklearn"):
        raise ModelError(f"unknown engine {engine!r}; use 'auto' or 'sklearn'")
    if engine == "auto" and meta.get("inference_sha256"):
        from .inference import LinearTfidf

        path = folder / INFERENCE_FILE
        if not path.exists() or _sha256(path) != meta["inference_sha256"]:
            raise ModelError(f"{path}: missing or its sha256 does not match meta.json; refusing to load")
        try:
            inference = LinearTfidf.load(path)
        except (ValueError, KeyError, OSError) as exc:
            raise ModelError(f"{path}: cannot be loaded ({type(exc).__name__}: {exc})") from None
        if inference.labels != common["labels"]:
            raise ModelError(f"{path}: labels differ from meta.json")
        return ValueClassifier(estimator=None, inference=inference, **common)  # type: ignore[arg-type]
    import skops.io as sio

    est_path = folder / ESTIMATOR_FILE
    try:
        # loading with an explicit trusted list refuses any other type in the file
        estimator = sio.load(est_path, trusted=TRUSTED_TYPES)
    except Exception as exc:
        if type(exc).__name__ == "UntrustedTypesFoundException":
            raise ModelError(f"{est_path}: contains untrusted types ({exc}); refusing to load") from None
        raise ModelError(f"{est_path}: cannot be loaded ({type(exc).__name__}: {exc})") from None
    return ValueClassifier(estimator=estimator, **common)  # type: ignore[arg-type]
