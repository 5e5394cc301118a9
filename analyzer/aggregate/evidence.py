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
