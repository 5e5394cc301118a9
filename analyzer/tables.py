"""One document's additive summary rows, in plain Python.

A worker computes these right after scoring a document, so that the batch can be
assembled one document at a time (see :func:`analyzer.api.score` with ``stream_to``).
They are the per-document counts behind profiles.csv, sections.csv, cooccurrence.csv,
coverage.csv and agreement.csv, with the same meaning as the DataFrame functions of
:mod:`analyzer.profile` (``tests/test_tables.py`` checks that both give the same rows).

This runs once per document on a few hundred to a few thousand rows, where building
DataFrames and grouping them costs more than the counting itself: pandas made this step
about a third of a worker's time, plain dicts and sets make it a few per cent.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from itertools import combinations
from typing import Any

from .schemas import SCORED_KINDS

EVIDENCE_KEEP = 3
"""Sentences per cluster the report shows as evidence (two more are kept as spares)."""

TOP_TERMS = 8

Label = tuple[str, str, str]  # (method, level, name)


def methods_for(requested: str) -> list[str]:
    """The methods whose rows a run writes: decided by the settings, never by the data, so
    every document (and a document scored alone) gets the same rows."""
    if requested in ("lexicon", "classifier"):
        return [requested]
    return ["lexicon", "classifier", "both"]


def sentence_hits(matches: list[dict[str, Any]], *, count_negated: bool) -> dict[Label, dict[str, int]]:
    """Per (method, level, name): hits per sentence id, in first-seen order.

    Lexicon matches give value, cluster and group labels; classifier matches cluster and
    group labels; ``both`` is their union at cluster and group level (hits added up).
    Negated matches count only with ``count_negated``.
    """
    out: dict[Label, dict[str, int]] = defaultdict(dict)
    for m in matches:
        if m["negated"] and not count_negated:
            continue
        method, sid = m["method"], m["sentence_id"]
        levels = ("value", "cluster", "group") if method == "lexicon" else ("cluster", "group")
        for level in levels:
            name = m[level]
            for key in ((method, level, name), ("both", level, name)):
                if key[0] == "both" and level == "value":
                    continue
                mine = out[key]
                mine[sid] = mine.get(sid, 0) + 1
    return out


def scheme_names(lexicon: Any, level: str) -> list[tuple[str, str, str]]:
    """(name, group, cluster) for every name of a level, in scheme order."""
    if level == "value":
        return [(v, g, c) for v, (g, c) in lexicon.values.items()]
    if level == "cluster":
        return [(c, g, c) for c, g in lexicon.clusters.items()]
    return [(g, g, "") for g in lexicon.groups]


def profile_counts(doc_id: str, scored: list[dict[str, Any]], hits: dict[Label, dict[str, int]],
                   lexicon: Any, methods: list[str]) -> list[dict[str, Any]]:
    """The counts of profiles.csv for one document: level x method x name."""
    big_n = len(scored)
    words = sum(int(s["words"]) for s in scored)
    rows = []
    for level in ("group", "cluster", "value"):
        for m in methods:
            if level == "value" and m != "lexicon":
                continue
            for name, group, cluster in scheme_names(lexicon, level):
                mine = hits.get((m, level, name), {})
                rows.append({"doc_id": doc_id, "level": level, "name": name, "method": m,
                             "n_sentences": len(mine), "n_sentences_total": big_n,
                             "n_hits": sum(mine.values()), "n_words": words, "group": group, "cluster": cluster})
    return rows


def section_rows(doc_id: str, scored: list[dict[str, Any]], hits: dict[Label, dict[str, int]],
                 lexicon: Any, methods: list[str]) -> list[dict[str, Any]]:
    """sections.csv for one document: per section (in order) x method x cluster."""
    info: dict[int, list[Any]] = {}  # section_index -> [heading, first page, sentences]
    section_of: dict[str, int] = {}
    for s in scored:
        index = int(s["section_index"])
        section_of[s["sentence_id"]] = index
        entry = info.get(index)
        if entry is None:
            info[index] = [s["section"], int(s["page"]), 1]
        else:
            entry[1] = min(entry[1], int(s["page"]))
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
                rows.append({"doc_id": doc_id, "section_index": index, "section": heading, "page": page,
                             "cluster": cluster, "method": m, "n_sentences": n,
                             "share": n / big_n if big_n else 0.0, "group": group, "n_hits": n_hits,
                             "n_sentences_total": big_n})
    return rows


def cooccurrence_rows(doc_id: str, n_scored: int, hits: dict[Label, dict[str, int]], lexicon: Any,
                      methods: list[str]) -> list[dict[str, Any]]:
    """Additive counts for every cluster pair (zeros included) of one document."""
    clusters = list(lexicon.clusters)
    rows = []
    for m in methods:
        sets = {c: set(hits.get((m, "cluster", c), ())) for c in clusters}
        for a, b in combinations(clusters, 2):
            rows.append({"doc_id": doc_id, "method": m, "cluster_a": a, "cluster_b": b,
                         "n_sentences": n_scored, "n_a": len(sets[a]), "n_b": len(sets[b]),
                         "n_both": len(sets[a] & sets[b])})
    return rows


def coverage_row(doc_id: str, n_scored: int, matches: list[dict[str, Any]], *, top: int = TOP_TERMS
                 ) -> dict[str, Any]:
    """coverage.csv for one document: sentences with a non-negated lexicon hit, top terms."""
    lexical = [m for m in matches if m["method"] == "lexicon" and not m["negated"]]
    hit_sentences = len({m["sentence_id"] for m in lexical})
    # most frequent first; ties keep the order of first appearance
    terms = sorted(Counter(m["term"] for m in lexical).items(), key=lambda kv: -kv[1])[:top]
    return {"doc_id": doc_id, "n_sentences": n_scored, "n_with_hit": hit_sentences,
            "share_with_hit": hit_sentences / n_scored if n_scored else 0.0,
            "top_terms": "; ".join(f"{t} ({n})" for t, n in terms)}


def agreement_rows(doc_id: str, scored: list[dict[str, Any]], hits: dict[Label, dict[str, int]],
                   lexicon: Any) -> list[dict[str, Any]]:
    """Lexicon/classifier (dis)agreement counts per cluster, with the first example of each
    kind of disagreement in document order."""
    ids = [s["sentence_id"] for s in scored]
    rows = []
    for cluster in lexicon.clusters:
        lex = set(hits.get(("lexicon", "cluster", cluster), ()))
        clf = set(hits.get(("classifier", "cluster", cluster), ()))
        rows.append({"doc_id": doc_id, "cluster": cluster, "n_sentences": len(ids), "both": len(lex & clf),
                     "lexicon_only": len(lex - clf), "classifier_only": len(clf - lex),
                     "example_lexicon_only": next((i for i in ids if i in lex and i not in clf), ""),
                     "example_classifier_only": next((i for i in ids if i in clf and i not in lex), "")})
    return rows


def evidence_ids(matches: list[dict[str, Any]], *, keep: int = EVIDENCE_KEEP + 2) -> set[str]:
    """Sentence ids the report may show as evidence: per cluster and method filter (all,
    lexicon, classifier), the top sentences by number and then summed score of non-negated
    matches, earlier sentences first on ties."""
    order: dict[str, int] = {}
    for m in matches:
        order.setdefault(m["sentence_id"], len(order))
    ranked: dict[tuple[str, str], dict[str, list[float]]] = defaultdict(dict)
    for m in matches:
        if m["negated"]:
            continue
        try:
            score = float(m["score"])
        except (TypeError, ValueError):
            score = 0.0
        score = 0.0 if score != score else score  # NaN counts as 0
        for subset in ("all", m["method"]):
            tally = ranked[(subset, m["cluster"])].setdefault(m["sentence_id"], [0, 0.0])
            tally[0] += 1
            tally[1] += score
    out: set[str] = set()
    for tallies in ranked.values():
        best = sorted(tallies, key=lambda sid: (-tallies[sid][0], -tallies[sid][1], order[sid]))
        out.update(best[:keep])
    return out


REPORT_SECTION_ROWS = 60


def binned_sections(rows: list[dict[str, Any]], method: str, *, max_rows: int = REPORT_SECTION_ROWS
                    ) -> list[dict[str, Any]]:
    """What the report's heatmap draws of one document: its sections.csv rows for one
    method, merged into at most ``max_rows`` consecutive groups of sections.

    Counts are summed, so a group's share is the share of its sentences; the heading is the
    first section's with "(+k)" for the k merged after it. Used to keep what a report needs
    of a long document in memory while sections.csv itself keeps every section.
    """
    mine = [r for r in rows if r["method"] == method]
    order = list(dict.fromkeys(r["section_index"] for r in mine))
    if len(order) <= max_rows:
        return mine
    row_of = {s: (i * max_rows) // len(order) for i, s in enumerate(order)}
    first: dict[int, dict[str, Any]] = {}
    sections_in: dict[int, set[int]] = defaultdict(set)
    merged: dict[tuple[int, str, str], dict[str, Any]] = {}
    for r in mine:
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
    for (group_row, method_, cluster), m in merged.items():
        head = first[group_row]
        size = len(sections_in[group_row])
        label = f"{head['section'] or '(no heading)'} (+{size - 1})" if size > 1 else head["section"]
        out.append({"doc_id": head["doc_id"], "section_index": head["section_index"], "section": label,
                    "page": m["page"], "cluster": cluster, "method": method_, "n_sentences": m["n_sentences"],
                    "share": m["n_sentences"] / max(m["n_sentences_total"], 1), "group": m["group"],
                    "n_hits": m["n_hits"], "n_sentences_total": m["n_sentences_total"]})
    return out


def document_tables(document: dict[str, Any], sentences: list[dict[str, Any]], matches: list[dict[str, Any]],
                    lexicon: Any, *, method: str, count_negated: bool) -> dict[str, Any]:
    """All of one document's additive summary rows, as JSON-ready records."""
    doc_id = document["doc_id"]
    scored = [s for s in sentences if s["kind"] in SCORED_KINDS]
    methods = methods_for(method)
    hits = sentence_hits(matches, count_negated=count_negated)
    tables: dict[str, Any] = {"profiles": [], "sections": [], "report_sections": [], "cooccurrence": [],
                              "coverage": [], "agreement": []}
    if scored:
        if document.get("status") in ("ok", "warning") and int(document.get("sentences_scored") or 0) > 0:
            tables["profiles"] = profile_counts(doc_id, scored, hits, lexicon, methods)
        tables["sections"] = section_rows(doc_id, scored, hits, lexicon, methods)
        tables["report_sections"] = binned_sections(tables["sections"], methods[-1])
        tables["cooccurrence"] = cooccurrence_rows(doc_id, len(scored), hits, lexicon, methods)
        tables["coverage"] = [coverage_row(doc_id, len(scored), matches)]
        if method == "both":
            tables["agreement"] = agreement_rows(doc_id, scored, hits, lexicon)
    tables["fired"] = sorted({m["term"] for m in matches if m["method"] == "lexicon" and not m["negated"]})
    tables["evidence"] = sorted(evidence_ids(matches))
    return tables
