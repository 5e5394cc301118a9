"""``both``: the lexicon and the classifier combined, as a scorer.

With a model that has a learned combination (:class:`~analyzer.scoring.classifier.stack.Stacker`,
models 2.1 and later) a sentence carries a cluster when the stacker's probability, from the
classifier's calibrated probability and the lexicon's evidence, reaches its threshold; the
label's ``score`` is that probability. With older models the combination is the union: a
sentence carries a cluster when either method finds it (negated labels count only with
``count_negated``), and the combined label carries the hits of both. Either way the labels
are written to matches.csv (method ``both``) next to the rows of their parts.
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
    writes_rows: ClassVar[bool] = True
    fallback: ClassVar[str | None] = "lexicon"
    needs_model: ClassVar[bool] = True

    def __init__(self, *, count_negated: bool = False, model: Any = None) -> None:
        self.count_negated = count_negated
        self.model = model if model is not None and getattr(model, "stacker", None) is not None else None

    @classmethod
    def build(cls, resources: Any, settings: Any) -> UnionScorer:
        return cls(count_negated=settings.count_negated, model=getattr(resources, "clf", None))

    def score(self, sentences: Sequence[Sentence], context: Mapping[str, Labels]) -> Labels:
        proba = getattr(context.get("classifier"), "proba", None)
        if self.model is not None and proba is not None and "lexicon" in context:
            return self._stacked(sentences, context["lexicon"], proba)
        return self._union(sentences, context)

    def _stacked(self, sentences: Sequence[Sentence], lexical: Labels, proba: Any) -> Labels:
        model = self.model
        pairs = [[(lab.cluster, lab.negated) for lab in ls] for ls in lexical]
        stacked = model.stack_proba(proba, pairs)
        thresholds = model.stacker.thresholds
        out: Labels = []
        for i, s in enumerate(sentences):
            labels = []
            for j, cluster in enumerate(model.labels):
                p = float(stacked[i, j])
                if p < thresholds[j]:
                    continue
                mine = [lab for lab in lexical[i] if lab.cluster == cluster]
                negated = bool(mine) and all(lab.negated for lab in mine)  # counted only with count_negated
                labels.append(Label(s.doc_id, s.sentence_id, s.page, "both", model.clusters[cluster], cluster,
                                    negated=negated, score=round(p, 4)))
            out.append(labels)
        return out

    def _union(self, sentences: Sequence[Sentence], context: Mapping[str, Labels]) -> Labels:
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
