"""The trained classifier as a scorer: one label per cluster above its threshold."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from ..segment import Sentence
from ..types import Label
from .base import Labels, scorers


class ScoredLabels(list):  # type: ignore[type-arg]
    """The classifier's labels per sentence, with the probabilities of every cluster
    (``proba``: sentences x clusters, calibrated when the model is) for scorers after it."""

    proba: Any = None


@scorers.register("classifier")
class ClassifierScorer:
    """Cluster labels from :class:`~analyzer.scoring.classifier.model.ValueClassifier`.

    A label is ``negated`` when the lexicon found its cluster in the sentence only in the
    scope of a negation."""

    name: ClassVar[str] = "classifier"
    levels: ClassVar[tuple[str, ...]] = ("cluster", "group")
    needs: ClassVar[tuple[str, ...]] = ("lexicon",)
    reports: ClassVar[tuple[str, ...]] = ("classifier",)
    writes_rows: ClassVar[bool] = True
    fallback: ClassVar[str | None] = None
    needs_model: ClassVar[bool] = True

    def __init__(self, model: Any) -> None:
        self.model = model

    @classmethod
    def build(cls, resources: Any, settings: Any) -> ClassifierScorer:
        return cls(resources.clf)

    def score(self, sentences: Sequence[Sentence], context: Mapping[str, Labels]) -> Labels:
        lexical = context.get("lexicon")
        proba = self.model.proba(sentences, lexical)
        model = self.model
        out = ScoredLabels()
        out.proba = proba
        for i, s in enumerate(sentences):
            mine = lexical[i] if lexical is not None else []
            labels = []
            for j, cluster in enumerate(model.labels):
                p = float(proba[i, j])
                if p >= model.thresholds.get(cluster, 0.5):
                    hits = [lab for lab in mine if lab.cluster == cluster]
                    negated = bool(hits) and all(lab.negated for lab in hits)
                    labels.append(Label(s.doc_id, s.sentence_id, s.page, "classifier", model.clusters[cluster],
                                        cluster, "", "", None, None, negated, round(p, 4), "cluster", ""))
            out.append(labels)
        return out
