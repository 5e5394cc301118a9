"""Features of a sentence for the classifier.

A sentence becomes three text views and a row of lexicon counts: the lower-cased
text (for character n-grams, which catch Dutch compounds), the lemma string (for word
n-grams) and, per cluster, the number of non-negated lexicon hits. Everything is a
plain column of a DataFrame so the scikit-learn ``Pipeline`` can be persisted with
skops and inspected.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from ...segment import Sentence
from ..lexicon import Hit

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd


def lexicon_columns(clusters: Sequence[str]) -> list[str]:
    return [f"lex_{c}" for c in clusters]


def feature_columns(sentences: Sequence[Sentence], lexical: Sequence[Sequence[str]] | None,
                    clusters: Sequence[str]) -> dict[str, list]:
    """The feature columns by name: text, lemmas and lexicon hit counts per cluster.

    ``lexical``: per sentence, the cluster of each non-negated lexicon hit."""
    texts, lemmas = [], []
    counts = {c: [0] * len(sentences) for c in clusters}
    for i, s in enumerate(sentences):
        texts.append(s.text.lower())
        lemmas.append(" ".join(t.lemma for t in s.tokens if any(map(str.isalnum, t.text))))
        if lexical is not None:
            for cluster in lexical[i]:
                counts[cluster][i] += 1
    return {"text": texts, "lemmas": lemmas, **{f"lex_{c}": counts[c] for c in clusters}}


def hit_clusters(hits: Sequence[Sequence[Hit]] | None, cluster_of: dict[str, str]) -> list[list[str]] | None:
    """The clusters of the non-negated matcher hits of each sentence."""
    if hits is None:
        return None
    return [[cluster_of[h.term.value] for h in hs if not h.negated] for hs in hits]


def sentence_frame(sentences: Sequence[Sentence], lexical: Sequence[Sequence[str]] | None,
                   clusters: Sequence[str]) -> pd.DataFrame:
    """One row per sentence: text, lemmas and lexicon hit counts per cluster."""
    import pandas as pd

    columns = feature_columns(sentences, lexical, clusters)
    return pd.DataFrame(columns, columns=["text", "lemmas", *lexicon_columns(clusters)])
