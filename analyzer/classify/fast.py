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


class CachedCharNgrams:
    """``transform`` of a fitted char_wb ``TfidfVectorizer``, with per-word counts cached
    (:class:`~analyzer.classify.inference.CharNgramCounter`)."""

    def __init__(self, vectorizer: Any) -> None:
        from .inference import CharNgramCounter

        self.vectorizer = vectorizer
        self.preprocess = vectorizer.build_preprocessor()
        min_n, max_n = vectorizer.ngram_range
        self.counter = CharNgramCounter(vectorizer.vocabulary_, min_n, max_n)

    def counts(self, documents: Any) -> Any:
        """The raw count matrix, as ``CountVectorizer.transform`` builds it."""
        import scipy.sparse as sp

        texts = [self.preprocess(doc) for doc in documents]
        rows, columns, values = self.counter.counts(texts)
        shape = (len(texts), len(self.counter.vocabulary))
        matrix = sp.coo_matrix((values, (rows, columns)), shape=shape).tocsr()  # adds up a text's words
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
