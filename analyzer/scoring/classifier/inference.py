"""The fitted classifier as plain arrays, for scoring without importing scikit-learn.

Scoring needs only the fitted numbers of the pipeline: two TF-IDF vocabularies with
their idf weights, the scale of the lexicon counts, and one logistic regression per
cluster. :func:`export` takes them from the fitted scikit-learn estimator into
``inference.npz`` (numpy arrays only, loaded with ``allow_pickle=False``: no code in the
file), and :class:`LinearTfidf` computes the same probabilities with numpy and
scipy.sparse. Importing scikit-learn and skops and loading the skops file took about 2 s
of every run's start-up; loading this file takes a few tens of milliseconds.

Only the exact pipeline that ``waardenscan model train`` builds is exported (word and
char_wb TF-IDF, MaxAbsScaler, one-vs-rest binary logistic regressions); anything else
is left to scikit-learn. ``tests/test_classify.py`` checks that both give the same
probabilities.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

INFERENCE_FILE = "inference.npz"
FORMAT = 1


class Unsupported(ValueError):
    """The estimator is not the pipeline this module can reproduce."""


def _tfidf_config(vec: Any, column: str) -> dict[str, Any]:
    from sklearn.feature_extraction.text import TfidfVectorizer

    if type(vec) is not TfidfVectorizer:
        raise Unsupported(f"{column}: {type(vec).__name__}")
    checks = {"input": "content", "encoding": "utf-8", "decode_error": "strict", "strip_accents": None,
              "lowercase": True, "preprocessor": None, "tokenizer": None, "stop_words": None,
              "binary": False, "norm": "l2", "use_idf": True}
    for attr, want in checks.items():
        if getattr(vec, attr) != want:
            raise Unsupported(f"{column}: {attr}={getattr(vec, attr)!r}")
    if vec.analyzer not in ("word", "char_wb"):
        raise Unsupported(f"{column}: analyzer={vec.analyzer!r}")
    terms = sorted(vec.vocabulary_, key=vec.vocabulary_.__getitem__)
    return {"column": column, "analyzer": vec.analyzer, "ngram_range": list(vec.ngram_range),
            "token_pattern": vec.token_pattern, "sublinear_tf": bool(vec.sublinear_tf),
            "terms": terms, "idf": np.asarray(vec.idf_, dtype=np.float64)}


def export(estimator: Any, labels: list[str]) -> dict[str, np.ndarray]:
    """The arrays of ``inference.npz`` for a fitted pipeline.

    Raises:
        Unsupported: the pipeline has another shape than the one ``model train`` builds.
    """
    from sklearn.compose import ColumnTransformer
    from sklearn.linear_model import LogisticRegression
    from sklearn.multiclass import OneVsRestClassifier
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import MaxAbsScaler

    if type(estimator) is not Pipeline or len(estimator.steps) != 2:
        raise Unsupported("not a two-step Pipeline")
    features, clf = estimator.steps[0][1], estimator.steps[1][1]
    if type(features) is not ColumnTransformer or type(clf) is not OneVsRestClassifier:
        raise Unsupported("not ColumnTransformer + OneVsRestClassifier")
    if not clf.multilabel_ or any(type(e) is not LogisticRegression for e in clf.estimators_):
        raise Unsupported("not multilabel one-vs-rest logistic regression")
    if list(clf.classes_) != list(range(len(labels))) and list(clf.classes_) != list(labels):
        raise Unsupported("label order differs")
    parts, scale, lexicon_columns = [], None, None
    for name, transformer, columns in features.transformers_:
        if name == "remainder":
            if transformer != "drop":
                raise Unsupported("remainder columns are used")
            continue
        if type(transformer) is MaxAbsScaler:
            scale, lexicon_columns = np.asarray(transformer.scale_, dtype=np.float64), list(columns)
            parts.append({"kind": "scaled", "columns": lexicon_columns})
        elif isinstance(columns, str):
            parts.append({"kind": "tfidf", **_tfidf_config(transformer, columns)})
        else:
            raise Unsupported(f"{name}: {type(transformer).__name__} on {columns}")
    arrays: dict[str, np.ndarray] = {}
    config: dict[str, Any] = {"format": FORMAT, "labels": list(labels), "parts": []}
    for i, part in enumerate(parts):
        if part["kind"] == "tfidf":
            arrays[f"terms_{i}"] = np.asarray(part.pop("terms"), dtype=str)
            arrays[f"idf_{i}"] = part.pop("idf")
        else:
            arrays[f"scale_{i}"] = scale  # type: ignore[assignment]
        config["parts"].append(part)
    arrays["coef"] = np.vstack([e.coef_.ravel() for e in clf.estimators_]).astype(np.float64)
    arrays["intercept"] = np.array([float(e.intercept_[0]) for e in clf.estimators_], dtype=np.float64)
    arrays["config"] = np.asarray(json.dumps(config, ensure_ascii=False))
    return arrays


def save(arrays: dict[str, np.ndarray], folder: Path) -> str:
    """Write ``inference.npz`` into a model folder; returns its sha256."""
    buffer = io.BytesIO()
    # np.savez_compressed stamps each member with the current time; a fixed stamp makes the
    # file (and its sha256 in meta.json) the same for the same model
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name in sorted(arrays):
            info = zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            with archive.open(info, "w") as member:
                np.lib.format.write_array(member, np.asarray(arrays[name]), allow_pickle=False)
    data = buffer.getvalue()
    (Path(folder) / INFERENCE_FILE).write_bytes(data)
    return hashlib.sha256(data).hexdigest()


def _char_wb_grams(word: str, min_n: int, max_n: int) -> list[str]:
    """scikit-learn's char_wb windows of one word: every n-gram of " word ", and a word
    shorter than n counted once, whole."""
    padded = f" {word} "
    size = len(padded)
    grams = []
    for n in range(min_n, max_n + 1):
        grams.extend(padded[i:i + n] for i in range(max(1, size - n + 1)))
        if size <= n:
            break
    return grams


class CharNgramCounter:
    """In-vocabulary char_wb n-gram counts of texts, cached per word.

    The windows never cross a word boundary, so a text's counts are the sum of its words'
    counts, and words repeat a lot (Zipf): each word's counts are computed once. The cache
    is emptied when it holds more than ``max_words`` words, so memory stays bounded.
    """

    def __init__(self, vocabulary: dict[str, int], min_n: int, max_n: int, *, max_words: int = 50_000) -> None:
        self.vocabulary, self.min_n, self.max_n, self.max_words = vocabulary, min_n, max_n, max_words
        self.slots: dict[str, int] = {}  # word -> index into columns/values
        self.columns: list[np.ndarray] = []  # per word: vocabulary indices of its n-grams
        self.values: list[np.ndarray] = []  # per word: how often each occurs

    def _slot(self, word: str) -> int:
        slot = self.slots.get(word)
        if slot is None:
            found: dict[int, int] = {}
            for gram in _char_wb_grams(word, self.min_n, self.max_n):
                j = self.vocabulary.get(gram)
                if j is not None:
                    found[j] = found.get(j, 0) + 1
            slot = self.slots[word] = len(self.columns)
            self.columns.append(np.fromiter(found.keys(), dtype=np.int64, count=len(found)))
            self.values.append(np.fromiter(found.values(), dtype=np.float64, count=len(found)))
        return slot

    def counts(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(rows, columns, counts) of the texts' in-vocabulary n-grams, not yet summed per
        cell. ``texts`` are already preprocessed (lower-cased)."""
        if len(self.slots) > self.max_words:
            self.slots, self.columns, self.values = {}, [], []
        slots: list[int] = []
        per_text = []
        for text in texts:
            words = text.split()
            slots.extend(self._slot(w) for w in words)
            per_text.append(len(words))
        if not slots:
            return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0)
        columns = [self.columns[s] for s in slots]
        rows = np.repeat(np.repeat(np.arange(len(texts)), per_text), [len(c) for c in columns])
        return rows, np.concatenate(columns), np.concatenate([self.values[s] for s in slots])


class _Tfidf:
    """One fitted TF-IDF vectorizer (word or char_wb analyzer)."""

    def __init__(self, part: dict[str, Any], terms: np.ndarray, idf: np.ndarray) -> None:
        self.column = part["column"]
        self.analyzer = part["analyzer"]
        self.min_n, self.max_n = part["ngram_range"]
        self.sublinear = part["sublinear_tf"]
        self.token = re.compile(part["token_pattern"])
        self.vocabulary = {str(t): i for i, t in enumerate(terms.tolist())}
        self.idf = idf
        self.chars = CharNgramCounter(self.vocabulary, self.min_n, self.max_n)

    def _word_grams(self, doc: str) -> list[str]:
        tokens = self.token.findall(doc.lower())
        grams = list(tokens) if self.min_n == 1 else []
        for n in range(max(2, self.min_n), min(self.max_n, len(tokens)) + 1):
            grams.extend(" ".join(tokens[i:i + n]) for i in range(len(tokens) - n + 1))
        return grams

    def counts(self, docs: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(rows, columns, counts) of the in-vocabulary n-grams, unsummed."""
        if self.analyzer == "char_wb":
            return self.chars.counts([doc.lower() for doc in docs])
        rows_l: list[int] = []
        cols_l: list[int] = []
        vocabulary = self.vocabulary
        for r, doc in enumerate(docs):
            for gram in self._word_grams(doc):
                j = vocabulary.get(gram)
                if j is not None:
                    rows_l.append(r)
                    cols_l.append(j)
        return np.asarray(rows_l, np.int64), np.asarray(cols_l, np.int64), np.ones(len(rows_l))

    def transform(self, docs: list[str]) -> Any:
        import scipy.sparse as sp

        rows, cols, vals = self.counts(docs)
        x = sp.coo_matrix((vals, (rows, cols)), shape=(len(docs), len(self.vocabulary))).tocsr()
        x.sort_indices()
        if self.sublinear:
            np.log(x.data, x.data)
            x.data += 1.0
        x.data *= self.idf[x.indices]
        per_row = np.diff(x.indptr)
        row_of = np.repeat(np.arange(len(docs)), per_row)
        norms = np.sqrt(np.bincount(row_of, weights=x.data * x.data, minlength=len(docs)))
        norms[norms == 0] = 1.0  # an empty row stays empty
        x.data /= norms[row_of]
        return x


class LinearTfidf:
    """Probabilities per sentence and label from the arrays of ``inference.npz``."""

    def __init__(self, arrays: dict[str, np.ndarray]) -> None:
        config = json.loads(str(arrays["config"]))
        if config.get("format") != FORMAT:
            raise ValueError(f"inference format {config.get('format')}, this waardenscan reads {FORMAT}")
        self.labels: list[str] = config["labels"]
        self.parts: list[tuple[str, Any]] = []
        for i, part in enumerate(config["parts"]):
            if part["kind"] == "tfidf":
                self.parts.append(("tfidf", _Tfidf(part, arrays[f"terms_{i}"], arrays[f"idf_{i}"])))
            else:
                self.parts.append(("scaled", (part["columns"], arrays[f"scale_{i}"])))
        self.coef = np.ascontiguousarray(arrays["coef"].T)  # features x labels
        self.intercept = arrays["intercept"]

    @classmethod
    def load(cls, path: Path) -> LinearTfidf:
        with np.load(path, allow_pickle=False) as data:
            return cls({k: data[k] for k in data.files})

    def predict_proba(self, columns: dict[str, Any]) -> np.ndarray:
        """``columns``: the feature columns by name (text, lemmas, lex_<cluster>)."""
        import scipy.sparse as sp

        blocks = []
        for kind, part in self.parts:
            if kind == "tfidf":
                blocks.append(part.transform(columns[part.column]))
            else:
                names, scale = part
                dense = np.column_stack([np.asarray(columns[c], dtype=np.float64) for c in names])
                blocks.append(sp.csr_matrix(dense / scale))
        x = sp.hstack(blocks, format="csr")
        decision = np.asarray(x @ self.coef) + self.intercept
        return np.exp(-np.logaddexp(0.0, -decision))  # the logistic function, without overflow

