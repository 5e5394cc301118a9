"""One document's labels -> its additive counts: the only counting code.

Every table that sums over documents (profiles, co-occurrence, coverage, agreement) is
built from these per-document counts by :mod:`analyzer.aggregate.finish`; sections.csv,
whose rows belong to one document, is finished here. A count is over *scored sentences*
(prose and list items): a sentence counts once for a name, whatever its number of hits.

Negated labels count only with ``count_negated`` (a derived method such as ``both`` has
already applied that rule to its parts).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from itertools import combinations
from typing import Any

from ..schemas import SCORED_KINDS
from ..types import DocResult, Label, SentenceRow

TOP_TERMS = 8
Key = tuple[str, str, str]  # (method, level, name)

PROFILE_COUNTS = ("doc_id", "level", "name", "method", "n_sentences", "n_sentences_total", "n_hits",
                  "n_words", "group", "cluster")
COOC_COUNTS = ("doc_id", "method", "cluster_a", "cluster_b", "n_sentences", "n_a", "n_b", "n_both")
AGREE_COUNTS = ("doc_id", "cluster", "n_sentences", "both", "lexicon_only", "classifier_only",
                "example_lexicon_only", "example_classifier_only")
AGREEMENT_METHODS = ("lexicon", "classifier")
"""The agreement table compares these two methods (when a run has both)."""


def sentence_hits(labels: Sequence[Label], levels: dict[str, tuple[str, ...]], *,
                  count_negated: bool) -> dict[Key, dict[str, int]]:
    """Per (method, level, name): hits per sentence id, in first-seen order.

    A label counts at its own level and the levels above it that its method labels
    (``levels``: method -> levels, from the scorers)."""
    out: dict[Key, dict[str, int]] = defaultdict(dict)
    for lab in labels:
        if lab.negated and not count_negated:
            continue
        method, sid = lab.method, lab.sentence_id
        for level in levels[method]:
            mine = out[(method, level, lab.name_at(level))]
            mine[sid] = mine.get(sid, 0) + lab.hits
    return out


def scheme_names(lexicon: Any, level: str) -> list[tuple[str, str, str]]:
    """(name, group, cluster) for every name of a level, in scheme order."""
    if level == "value":
        return [(v, g, c) for v, (g, c) in lexicon.values.items()]
    if level == "cluster":
        return [(c, g, c) for c, g in lexicon.clusters.items()]
    return [(g, g, "") for g in lexicon.groups]


def profile_counts(doc_id: str, scored: Sequence[SentenceRow], hits: dict[Key, dict[str, int]],
                   lexicon: Any, levels: dict[str, tuple[str, ...]]) -> list[tuple[Any, ...]]:
    """The counts behind profiles.csv for one document: level x method x name."""
    big_n = len(scored)
    words = sum(s.words for s in scored)
    rows = []
    for level in ("group", "cluster", "value"):
        for m, its_levels in levels.items():
            if level not in its_levels:
                continue
            for name, group, cluster in scheme_names(lexicon, level):
                mine = hits.get((m, level, name), {})
                rows.append((doc_id, level, name, m, len(mine), big_n, sum(mine.values()), words, group, cluster))
    return rows


def section_rows(doc_id: str, scored: Sequence[SentenceRow], hits: dict[Key, dict[str, int]],
                 lexicon: Any, methods: Sequence[str]) -> list[tuple[Any, ...]]:
    """sections.csv for one document: per section (in order) x method x cluster."""
    info: dict[int, list[Any]] = {}  # section_index -> [heading, first page, sentences]
    section_of: dict[str, int] = {}
    for s in scored:
        section_of[s.sentence_id] = s.section_index
        entry = info.get(s.section_index)
        if entry is None:
            info[s.section_index] = [s.section, s.page, 1]
        else:
            entry[1] = min(entry[1], s.page)
            entry[2] += 1
    clusters = lexicon.clusters  # a property that builds a dict: read it once
    counts: dict[tuple[int, str, str], list[int]] = {}
    for m in methods:
        for cluster in clusters:
            for sid, n_hits in hits.get((m, "cluster", cluster), {}).items():
                c = counts.setdefault((section_of[sid], m, cluster), [0, 0])
                c[0] += 1
                c[1] += n_hits
    rows = []
    for index in sorted(info):
        heading, page, big_n = info[index]
        for m in methods:
            for cluster, group in clusters.items():
                n, n_hits = counts.get((index, m, cluster), (0, 0))
                rows.append((doc_id, index, heading, page, cluster, m, n, n / big_n if big_n else 0.0, group,
                             n_hits, big_n))
    return rows


def cooccurrence_counts(doc_id: str, n_scored: int, hits: dict[Key, dict[str, int]], lexicon: Any,
                        methods: Sequence[str]) -> list[tuple[Any, ...]]:
    """Additive counts for every cluster pair (zeros included) of one document."""
    clusters = list(lexicon.clusters)
    rows = []
    for m in methods:
        sets = {c: set(hits.get((m, "cluster", c), ())) for c in clusters}
        for a, b in combinations(clusters, 2):
            rows.append((doc_id, m, a, b, n_scored, len(sets[a]), len(sets[b]), len(sets[a] & sets[b])))
    return rows


def coverage_row(doc_id: str, n_scored: int, labels: Sequence[Label], *, top: int = TOP_TERMS
                 ) -> tuple[Any, ...]:
    """coverage.csv for one document: sentences with a non-negated lexicon hit, top terms."""
    lexical = [lab for lab in labels if lab.term and not lab.negated]
    hit_sentences = len({lab.sentence_id for lab in lexical})
    # most frequent first; ties keep the order of first appearance
    terms = sorted(Counter(lab.term for lab in lexical).items(), key=lambda kv: -kv[1])[:top]
    return (doc_id, n_scored, hit_sentences, hit_sentences / n_scored if n_scored else 0.0,
            "; ".join(f"{t} ({n})" for t, n in terms))


def agreement_counts(doc_id: str, scored: Sequence[SentenceRow], hits: dict[Key, dict[str, int]],
                     lexicon: Any) -> list[tuple[Any, ...]]:
    """Lexicon/classifier (dis)agreement counts per cluster, with the first example of each
    kind of disagreement in document order."""
    ids = [s.sentence_id for s in scored]
    first, second = AGREEMENT_METHODS
    rows = []
    for cluster in lexicon.clusters:
        lex = set(hits.get((first, "cluster", cluster), ()))
        clf = set(hits.get((second, "cluster", cluster), ()))
        rows.append((doc_id, cluster, len(ids), len(lex & clf), len(lex - clf), len(clf - lex),
                     next((i for i in ids if i in lex and i not in clf), ""),
                     next((i for i in ids if i in clf and i not in lex), "")))
    return rows


def document_counts(result: DocResult, lexicon: Any, levels: dict[str, tuple[str, ...]], *,
                    count_negated: bool) -> tuple[dict[str, Any], list[tuple[Any, ...]]]:
    """A document's additive counts (JSON-ready) and its sections.csv rows.

    ``levels``: the run's methods, in order, each with the levels it labels."""
    doc = result.document
    scored = [s for s in result.sentences if s.kind in SCORED_KINDS]
    methods = list(levels)
    hits = sentence_hits(result.labels, levels, count_negated=count_negated)
    counts: dict[str, Any] = {"profiles": [], "cooccurrence": [], "coverage": [], "agreement": []}
    sections: list[tuple[Any, ...]] = []
    if scored:
        if doc.scorable:
            counts["profiles"] = profile_counts(doc.doc_id, scored, hits, lexicon, levels)
        sections = section_rows(doc.doc_id, scored, hits, lexicon, methods)
        counts["cooccurrence"] = cooccurrence_counts(doc.doc_id, len(scored), hits, lexicon, methods)
        counts["coverage"] = [coverage_row(doc.doc_id, len(scored), result.labels)]
        if all(m in levels for m in AGREEMENT_METHODS):
            counts["agreement"] = agreement_counts(doc.doc_id, scored, hits, lexicon)
    counts["fired"] = sorted({lab.term for lab in result.labels if lab.term and not lab.negated})
    return counts, sections
