"""Faster inference for a fitted estimator, giving the same numbers.

The character n-gram vectorizer (``analyzer="char_wb"``) takes most of the classifier's
time: scikit-learn builds every 3-5 character window of every word of every sentence in
Python. Those windows never cross a word boundary, so a sentence's counts are the sum of
its words' counts, and words repeat a lot (Zipf). :class:`CachedCharNgrams` keeps each
word's in-vocabulary feature counts and builds the same count matrix from them; the fitted
TF-IDF step then weights it as before. ``tests/test_classify.py`` checks that the
matrices and the probabilities are identical to scikit-learn's own.
"""

from __future__ import annotations

from typing import Any

import numpy as np

MAX_CACHED_WORDS = 50_000
"""The cache is emptied when it holds more words than this, so memory stays bounded."""


class CachedCharNgrams:
    """``transform`` of a fitted char_wb ``TfidfVectorizer``, with per-word counts cached."""

    def __init__(self, vectorizer: Any, *, max_words: int = MAX_CACHED_WORDS) -> None:
        self.vectorizer = vectorizer
        self.min_n, self.max_n = vectorizer.ngram_range
        self.preprocess = vectorizer.build_preprocessor()
        self.vocabulary = vectorizer.vocabulary_
        self.max_words = max_words
        self.slots: dict[str, int] = {}  # word -> index into columns/values
        self.columns: list[np.ndarray] = []  # per word: vocabulary indices of its n-grams
        self.values: list[np.ndarray] = []  # per word: how often each occurs

    def _word_id(self, word: str) -> int:
        """The cache slot of a word, computing its in-vocabulary n-gram counts on first sight."""
        slot = self.slots.get(word)
        if slot is None:
            found: dict[int, int] = {}
            vocabulary = self.vocabulary
            padded = f" {word} "
            size = len(padded)
            # the windows of scikit-learn's _char_wb_ngrams for one word: every n-gram inside
            # " word ", and a word shorter than n counted once, whole
            for n in range(self.min_n, self.max_n + 1):
                for gram in [padded[i:i + n] for i in range(max(1, size - n + 1))]:
                    j = vocabulary.get(gram)
                    if j is not None:
                        found[j] = found.get(j, 0) + 1
                if size <= n:
                    break
            slot = self.slots[word] = len(self.columns)
            self.columns.append(np.fromiter(found.keys(), dtype=np.int64, count=len(found)))
            self.values.append(np.fromiter(found.values(), dtype=np.float64, count=len(found)))
        return slot

    def counts(self, documents: Any) -> Any:
        """The raw count matrix, as ``CountVectorizer.transform`` builds it."""
        import scipy.sparse as sp

        if len(self.slots) > self.max_words:
            self.slots, self.columns, self.values = {}, [], []
        slots: list[int] = []
        words_per_doc: list[int] = []
        for doc in documents:
            words = self.preprocess(doc).split()
            slots.extend(self._word_id(w) for w in words)
            words_per_doc.append(len(words))
        n_docs = len(words_per_doc)
        shape = (n_docs, len(self.vocabulary))
        if not slots:
            return sp.csr_matrix(shape, dtype=self.vectorizer.dtype)
        columns = [self.columns[i] for i in slots]
        rows = np.repeat(np.repeat(np.arange(n_docs), words_per_doc), [len(c) for c in columns])
        matrix = sp.coo_matrix((np.concatenate([self.values[i] for i in slots]), (rows, np.concatenate(columns))),
                               shape=shape).tocsr()  # adds up a document's words per column
        matrix = matrix.astype(self.vectorizer.dtype, copy=False)
        matrix.sort_indices()
        if self.vectorizer.binary:
            matrix.data.fill(1)
        return matrix

    def __call__(self, documents: Any) -> Any:
        from sklearn.feature_extraction import text as sk_text

        matrix = self.counts(documents)
        align = getattr(sk_text, "_align_api_if_sparse", None)  # sparse-array API of newer releases
        if align is not None:
            matrix = align(matrix)
        return self.vectorizer._tfidf.transform(matrix, copy=False)


def speed_up(estimator: Any) -> int:
    """Give every fitted char_wb TF-IDF vectorizer inside ``estimator`` a cached ``transform``.

    Returns how many were changed. A vectorizer this code does not know how to reproduce
    (a custom analyzer, no fitted TF-IDF step) is left alone.
    """
    from sklearn.feature_extraction.text import TfidfVectorizer

    changed = 0
    for part in _parts(estimator):
        if (isinstance(part, TfidfVectorizer) and part.analyzer == "char_wb" and hasattr(part, "_tfidf")
                and hasattr(part, "vocabulary_") and part.input == "content"):
            part.transform = CachedCharNgrams(part)
            changed += 1
    return changed


def _parts(estimator: Any) -> list[Any]:
    """The estimator and every estimator nested in it (pipelines, column transformers)."""
    found = [estimator]
    for attr in ("steps", "transformers_", "transformer_list"):
        for item in getattr(estimator, attr, None) or []:
            if isinstance(item, tuple) and len(item) >= 2:
                found.extend(_parts(item[1]))
    return found
