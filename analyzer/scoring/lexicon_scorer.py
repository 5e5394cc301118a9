"""The lexicon as a scorer: one label per term hit, at value level."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from ..segment import Sentence
from ..types import Label
from .base import Labels, scorers
from .lexicon import Lexicon, Matcher


@scorers.register("lexicon")
class LexiconScorer:
    """Transparent Dutch lexicon matching (:mod:`analyzer.scoring.lexicon.match`)."""

    name: ClassVar[str] = "lexicon"
    levels: ClassVar[tuple[str, ...]] = ("value", "cluster", "group")
    needs: ClassVar[tuple[str, ...]] = ()
    reports: ClassVar[tuple[str, ...]] = ("lexicon",)
    writes_rows: ClassVar[bool] = True
    fallback: ClassVar[str | None] = None
    needs_model: ClassVar[bool] = False

    def __init__(self, matcher: Matcher) -> None:
        self.matcher = matcher
        self.lexicon: Lexicon = matcher.lexicon
        self._group = {v: g for v, (g, _) in self.lexicon.values.items()}
        self._cluster = {v: c for v, (_, c) in self.lexicon.values.items()}

    @classmethod
    def build(cls, resources: Any, settings: Any) -> LexiconScorer:
        return cls(resources.matcher)

    def score(self, sentences: Sequence[Sentence], context: Mapping[str, Labels]) -> Labels:
        out: Labels = []
        group, cluster = self._group, self._cluster
        for s in sentences:
            out.append([Label(s.doc_id, s.sentence_id, s.page, "lexicon", group[h.term.value],
                              cluster[h.term.value], h.term.value, h.term.term, h.start, h.end,
                              h.negated, 1.0, "value", h.cue)
                        for h in self.matcher.match(s)])
        return out
