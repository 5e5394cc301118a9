"""Which sentences show a cluster best, and how a long document's sections are shown:
one ranking and one binning, used by the report and by the comparison's drivers.

Ranking: a sentence's evidence for a cluster is its number of non-negated labels of that
cluster, then their summed score (classifier probability, 1 for a lexicon hit); earlier
sentences first on ties. For a derived method (``both``) the labels of every method that
writes rows count.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from ..schemas import SECTIONS
from ..scoring.base import scorer_class, writes_rows
from ..types import Label, SentenceRow

EVIDENCE_PER_CLUSTER = 3
"""Sentences per cluster the report shows and a comparison names as drivers."""
EVIDENCE_KEEP = EVIDENCE_PER_CLUSTER + 2
"""Sentences per cluster, method and document kept for the report (two spares)."""
REPORT_SECTION_ROWS = 60
"""The most rows a section heatmap draws; longer documents have sections merged."""

# a label as the ranking sees it: (sentence_id, method, cluster, negated, score)
Row = tuple[str, str, str, bool, float]


def _score(value: Any) -> float:
    try:
        score = float(value)
    except (TypeError, ValueError):
        return 0.0
    return 0.0 if score != score else score  # NaN counts as 0


def rank(rows: Iterable[Row], cluster: str, *, method: str | None = None,
         order: dict[str, int] | None = None) -> list[tuple[str, int, float]]:
    """Sentences carrying ``cluster``, best evidence first: ``(sentence_id, labels, score)``.

    ``method``: only labels of that method (None: every method's). ``order``: position of
    each sentence (default: first appearance in ``rows``)."""
    tally: dict[str, list[float]] = {}
    seen: dict[str, int] = {}
    for sid, m, c, negated, score in rows:
        seen.setdefault(sid, len(seen))
        if negated or c != cluster or (method is not None and m != method):
            continue
        entry = tally.setdefault(sid, [0, 0.0])
        entry[0] += 1
        entry[1] += _score(score)
    where = order if order is not None else seen
    best = sorted(tally, key=lambda sid: (-tally[sid][0], -tally[sid][1], where.get(sid, len(where))))
    return [(sid, int(tally[sid][0]), tally[sid][1]) for sid in best]


def evidence_ids(rows: Sequence[Row], methods: Sequence[str], *, keep: int = EVIDENCE_KEEP) -> set[str]:
    """Sentence ids a report or a comparison may show for one document: per cluster, the
    top ``keep`` by every method's labels and by each method's alone."""
    by_cluster: dict[str, list[Row]] = defaultdict(list)
    for r in rows:
        by_cluster[r[2]].append(r)
    order: dict[str, int] = {}
    for r in rows:
        order.setdefault(r[0], len(order))
    out: set[str] = set()
    for cluster, mine in by_cluster.items():
        for method in (None, *methods):
            out.update(sid for sid, _, _ in rank(mine, cluster, method=method, order=order)[:keep])
    return out


def bin_sections(rows: list[dict[str, Any]], *, max_rows: int = REPORT_SECTION_ROWS) -> list[dict[str, Any]]:
    """sections.csv rows of one document and method, merged into at most ``max_rows``
    consecutive groups of sections (what the report's heatmap draws).

    Counts are summed, so a group's share is the share of its sentences; the heading is the
    first section's with "(+k)" for the k merged after it, "(no heading)" when it has none.
    """
    order = list(dict.fromkeys(r["section_index"] for r in rows))
    if not order:
        return []
    row_of = {s: (i * min(len(order), max_rows)) // len(order) for i, s in enumerate(order)}
    first: dict[int, dict[str, Any]] = {}
    sections_in: dict[int, set[int]] = defaultdict(set)
    merged: dict[tuple[int, str, str], dict[str, Any]] = {}
    for r in rows:
        group_row = row_of[r["section_index"]]
        first.setdefault(group_row, r)
        sections_in[group_row].add(r["section_index"])
        key = (group_row, r["method"], r["cluster"])
        m = merged.get(key)
        if m is None:
            merged[key] = {"n_sentences": r["n_sentences"], "n_hits": r["n_hits"],
                           "n_sentences_total": r["n_sentences_total"], "group": r["group"], "page": r["page"]}
        else:
            m["n_sentences"] += r["n_sentences"]
            m["n_hits"] += r["n_hits"]
            m["n_sentences_total"] += r["n_sentences_total"]
            m["page"] = min(m["page"], r["page"])
    out = []
    for (group_row, method, cluster), m in merged.items():
        head = first[group_row]
        size = len(sections_in[group_row])
        label = head["section"] or "(no heading)"
        if size > 1:
            label = f"{label} (+{size - 1})"
        out.append({"doc_id": head["doc_id"], "section_index": head["section_index"], "section": label,
                    "page": m["page"], "cluster": cluster, "method": method, "n_sentences": m["n_sentences"],
                    "share": m["n_sentences"] / max(m["n_sentences_total"], 1), "group": m["group"],
                    "n_hits": m["n_hits"], "n_sentences_total": m["n_sentences_total"], "row": group_row,
                    "n_sections": size})
    return out


def report_view(sentences: Sequence[SentenceRow], written: list[Label], sections: Sequence[Sequence[Any]],
                methods: Sequence[str]) -> tuple[dict[str, Any], set[str]]:
    """What the report and a comparison draw of one document: its section trajectory for
    the report's method binned to the heatmap's rows, its best sentences per cluster and
    method, and the ids of the evidence sentences to keep."""
    writing = [m for m in methods if writes_rows(m)]
    ranked = [(lab.sentence_id, lab.method, lab.cluster, lab.negated, lab.score) for lab in written]
    keep = evidence_ids(ranked, writing)
    report_method = methods[-1]  # the combination when one ran, else the only method
    section_dicts = [dict(zip(SECTIONS.names, r, strict=True)) for r in sections if r[5] == report_method]
    return {"sections": bin_sections(section_dicts), "method": report_method,
            "best": best_sentences(sentences, written, writing)}, keep


def best_sentences(sentences: Sequence[SentenceRow], written: list[Label], methods: list[str]
                   ) -> dict[str, list[list[Any]]]:
    """Per method (``all``: every method that writes rows) and cluster, the document's best
    evidence sentences as ``[sentence_id, labels, score, doc_id, page, terms, text, spans]``
    (``terms``: the method's own non-negated terms; for a method whose rows carry none, the
    combination ``both``, the terms the other methods found for the cluster in the sentence)
    (``spans``: ``[start, end, negated]`` of the sentence's term hits of the cluster)."""
    ranked = [(lab.sentence_id, lab.method, lab.cluster, lab.negated, lab.score) for lab in written]
    order = {s.sentence_id: i for i, s in enumerate(sentences)}
    by_id = {s.sentence_id: s for s in sentences}
    out: dict[str, list[list[Any]]] = {}
    for cluster in dict.fromkeys(lab.cluster for lab in written):
        for method in (None, *methods):
            best = rank(ranked, cluster, method=method, order=order)[:EVIDENCE_PER_CLUSTER]
            if not best:
                continue
            rows = []
            for sid, n, score in best:
                mine = [lab for lab in written if lab.sentence_id == sid and lab.cluster == cluster]
                terms = sorted({lab.term for lab in mine
                                if lab.term and not lab.negated and (method is None or lab.method == method)})
                if not terms and method is not None and set(scorer_class(method).reports) - {method}:
                    # a combination (it reports other methods too) names no term: show its parts' terms
                    terms = sorted({lab.term for lab in mine if lab.term and not lab.negated})
                spans = [[lab.start, lab.end, lab.negated] for lab in mine if lab.start is not None]
                s = by_id[sid]
                rows.append([sid, n, round(score, 6), s.doc_id, s.page, ", ".join(terms), s.text, spans])
            out[f"{method or 'all'}|{cluster}"] = rows
    return out
