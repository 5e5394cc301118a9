"""``both``: the lexicon and the classifier combined, as a scorer.

Today's combination is the union: a sentence carries a cluster when either method finds
it (negated labels count only with ``count_negated``), and the combined label carries the
hits of both. Its labels are counted, not written to matches.csv (the rows of its parts
are there).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from ..segment import Sentence
from ..types import Label
from .base import Labels, scorers


@scorers.register("both")
class UnionScorer:
    name: ClassVar[str] = "both"
    levels: ClassVar[tuple[str, ...]] = ("cluster", "group")
    needs: ClassVar[tuple[str, ...]] = ("lexicon", "classifier")
    reports: ClassVar[tuple[str, ...]] = ("lexicon", "classifier", "both")
    writes_rows: ClassVar[bool] = False
    fallback: ClassVar[str | None] = "lexicon"
    needs_model: ClassVar[bool] = True

    def __init__(self, *, count_negated: bool = False) -> None:
        self.count_negated = count_negated

    @classmethod
    def build(cls, resources: Any, settings: Any) -> UnionScorer:
        return cls(count_negated=settings.count_negated)

    def score(self, sentences: Sequence[Sentence], context: Mapping[str, Labels]) -> Labels:
        parts = [context[name] for name in self.needs if name in context]
        out: Labels = []
        for i, s in enumerate(sentences):
            hits: dict[str, list[Any]] = {}
            for part in parts:
                for lab in part[i]:
                    if lab.negated and not self.count_negated:
                        continue
                    entry = hits.setdefault(lab.cluster, [lab.group, 0, 0.0])
                    entry[1] += lab.hits
                    entry[2] += lab.score
            out.append([Label(s.doc_id, s.sentence_id, s.page, "both", group, cluster, score=round(score, 4),
                              hits=n) for cluster, (group, n, score) in hits.items()])
        return out
