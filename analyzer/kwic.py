"""Keyword in context, like quanteda's ``kwic``: every hit of a term, value or cluster."""

from __future__ import annotations

import re
from typing import Any


def kwic(pattern: str, result: Any, *, window: int = 50, include_negated: bool = True) -> list[dict[str, Any]]:
    """Lines of context around each hit.

    ``pattern`` is matched, case-insensitively, against value names, then cluster names,
    then lexicon terms; anything else is searched as a word prefix in the sentence text.
    ``result``: a scored batch (:class:`analyzer.api.ScoreResult`, lexicon method suffices) —
    its sentences, lexicon matches and lexicon.
    """
    lex = result.lexicon
    wanted = pattern.strip().lower()
    matches = result.matches
    sentences = result.sentences.set_index("sentence_id")
    values = {v.lower(): v for v in lex.values}
    clusters = {c.lower(): c for c in lex.clusters}
    terms = {t.term for t in lex.terms}
    if wanted in values:
        sel = matches[matches["value"] == values[wanted]]
    elif wanted in clusters:
        sel = matches[matches["cluster"] == clusters[wanted]]
    elif wanted in terms:
        sel = matches[matches["term"] == wanted]
    else:
        sel = None
    rows = []
    if sel is not None:
        if not include_negated:
            sel = sel[~sel["negated"]]
        for m in sel.itertuples():
            text = sentences.loc[m.sentence_id, "text"]
            start, end = int(m.start), int(m.end)
            rows.append(_row(m.doc_id, int(m.page), text, start, end, window, bool(m.negated), m.value))
        return rows
    regex = re.compile(r"\b" + re.escape(pattern.strip()), re.IGNORECASE)
    for s in result.sentences.itertuples():
        for hit in regex.finditer(s.text):
            end = hit.end()
            while end < len(s.text) and s.text[end].isalnum():
                end += 1
            rows.append(_row(s.doc_id, int(s.page), s.text, hit.start(), end, window, False, ""))
    return rows


def _row(doc_id: str, page: int, text: str, start: int, end: int, window: int, negated: bool, value: str) -> dict[str, Any]:
    left = text[max(0, start - window):start]
    right = text[end:end + window]
    return {"doc_id": doc_id, "page": page, "left": left, "keyword": text[start:end], "right": right,
            "negated": negated, "value": value}
