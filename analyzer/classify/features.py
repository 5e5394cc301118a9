"""Features of a sentence for the classifier.

A sentence becomes three text views and a row of lexicon counts: the lower-cased
text (for character n-grams, which catch Dutch compounds), the lemma string (for word
n-grams) and, per cluster, the number of non-negated lexicon hits. Everything is a
plain column of a DataFrame so the scikit-learn ``Pipeline`` can be persisted with
skops and inspected.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from ..lexicon import Hit
from ..segment import Sentence


def lexicon_columns(clusters: Sequence[str]) -> list[str]:
    return [f"lex_{c}" for c in clusters]


def sentence_frame(sentences: Sequence[Sentence], hits: Sequence[Sequence[Hit]] | None,
                   clusters: Sequence[str], cluster_of: dict[str, str]) -> pd.DataFrame:
    """One row per sentence: text, lemmas and lexicon hit counts per cluster."""
    rows = []
    for i, s in enumerate(sentences):
        row = {
            "text": s.text.lower(),
            "lemmas": " ".join(t.lemma for t in s.tokens if any(ch.isalnum() for ch in t.text)),
        }
        counts = dict.fromkeys(clusters, 0)
        if hits is not None:
            for h in hits[i]:
                if not h.negated:
                    counts[cluster_of[h.term.value]] += 1
        for c in clusters:
            row[f"lex_{c}"] = counts[c]
        rows.append(row)
    return pd.DataFrame(rows, columns=["text", "lemmas", *lexicon_columns(clusters)])
