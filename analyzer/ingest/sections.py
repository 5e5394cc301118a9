"""Classify extracted lines: heading, list item, table row, table-of-contents entry or prose.

PDF text layers carry no structure, so headings are recognised from what they look
like: a larger font than the body text, a numbered title ("3. Visie vanuit het
college", "2.1 Het Sociaal Team ..."), "Artikel 4"/"Hoofdstuk 2", or a short line
without end punctuation standing between two paragraphs ("Randvoorwaarden").
"""

from __future__ import annotations

import re
from collections import Counter

from .model import Line

NUMBERED_HEADING = re.compile(
    r"^(?:(?P<num>\d{1,2}(?:\.\d{1,2}){0,3})\.?|(?P<word>hoofdstuk|artikel|paragraaf|afdeling|bijlage|deel)\s+[\dIVXivx]+[a-z]?\.?|§\s*\d+(?:\.\d+)*)\s+(?P<rest>\S.*)$",
    re.IGNORECASE,
)
BULLET = re.compile(r"^(?:[•·▪●■◦○►▶➢✓✔→*]|[-–—](?=\s)|o(?=\s)|\d{1,2}[)\-](?=\s)|\d{1,2}°[.)]?(?=\s)|[a-z][).](?=\s)"
                    r"|\(\w{1,3}\)(?=\s))\s*")
ITEM_MARKER = re.compile(
    r"^(?P<marker>[•·▪●■◦○►▶➢✓✔→*]|[-–—](?=\s|[^\W\d])|o(?=\s)|\d{1,3}[.)\-](?=\s)|\d{1,2}°[.)]?(?=\s|$)"
    r"|[a-zA-Z][).](?=\s)|(?:ii|iii|iv|v|vi|vii|viii|ix|x)[.)](?=\s)|\(\w{1,4}\)(?=\s))\s*")
"""The marker that numbers a list item ("•", "–", "1.", "2)", "a.", "1°.", "iii.", "(b)"): the
segmenter takes it off the item's text and keeps its kind (:func:`marker_kind`)."""


def marker_kind(marker: str) -> str:
    """What a list marker numbers: ``letter`` (a., b), (c)), ``degree`` (1°.), ``roman`` (ii.),
    ``number`` (1., 2)) or ``bullet`` (•, –); the first three are the enumerations of a
    regulation, whose items complete a lead-in."""
    core = marker.strip().strip("().")
    if not core or not core[0].isalnum():
        return "bullet"
    if "°" in core:
        return "degree"
    if core.isdigit() or core.rstrip("-").isdigit():
        return "number"
    if len(core) > 1 and set(core) <= set("ivx"):
        return "roman"
    if core == "o":
        return "bullet"
    return "letter" if len(core) == 1 else "bullet"
MD_HEADING = re.compile(r"^(#{1,6})\s+(?=\S)")
"""A Markdown heading left in a plain-text file ("### Artikel 3. Samenstelling")."""
NUMBERED_ITEM = re.compile(r"^\d{1,2}[.)-]\s+\S")
TOC_LINE = re.compile(r"(?:\.{4,}|…{2,}|(?:\. ){4,})\s*\d{1,4}$|\s\d{1,3}$")
DOT_LEADER = re.compile(r"(?:\.{4,}|…{2,}|(?:\. ){4,})\s*\d{1,4}$")
FOOTNOTE = re.compile(r"^\d{1,3}\s+\S")
END_PUNCT = (".", "!", "?", ":", ";", ",", "…")


def body_font_size(lines: list[Line]) -> float:
    """The font size that carries most characters (0 when the format has no sizes)."""
    weight: Counter[float] = Counter()
    for line in lines:
        if line.size > 0:
            weight[line.size] += len(line.text)
    return weight.most_common(1)[0][0] if weight else 0.0


def is_tableish(text: str) -> bool:
    """A line that is mostly figures: a table row or a chart label, not prose."""
    digits = sum(map(str.isdigit, text))  # map over a str method: ~3x faster than a generator
    letters = sum(map(str.isalpha, text))
    if digits + letters == 0:
        return True
    return digits >= 4 and digits / (digits + letters) > 0.45


def heading_level(text: str, size: float, heading_sizes: list[float]) -> int:
    """Level 1-4 of a heading from its numbering, else from its font size rank."""
    match = NUMBERED_HEADING.match(text)
    if match:
        if match.group("num"):
            return min(4, match.group("num").count(".") + 1)
        word = (match.group("word") or "").lower()
        return {"hoofdstuk": 1, "deel": 1, "bijlage": 1, "afdeling": 2, "paragraaf": 2}.get(word, 3)
    if size > 0 and heading_sizes:
        bigger = [s for s in heading_sizes if s > size]
        return min(4, len(set(bigger)) + 1)
    return 3


def classify_lines(lines: list[Line], body_size: float) -> list[str]:
    """Return a kind per line: heading, list_item, table, toc, footnote, or prose."""
    kinds: list[str] = []
    n = len(lines)
    for i, line in enumerate(lines):
        text = line.text
        prev = lines[i - 1].text if i > 0 else ""
        nxt = lines[i + 1].text if i + 1 < n else ""
        if line.heading or MD_HEADING.match(text):
            kinds.append("heading")
            continue
        if DOT_LEADER.search(text):
            kinds.append("toc")
            continue
        if line.list_item:
            kinds.append("list_item")
            continue
        smaller = body_size > 0 and 0 < line.size <= body_size - 1.0
        if smaller and (FOOTNOTE.match(text) or (kinds and kinds[-1] == "footnote")):
            kinds.append("footnote")  # "35 Zie Leidraad Invordering …" at the foot of a page
            continue
        short = len(text) <= 110 and not text.endswith((".", ";", ",", "…"))
        has_letters = sum(map(str.isalpha, text)) >= 3
        bigger = body_size > 0 and line.size >= body_size + 1.5
        numbered = NUMBERED_HEADING.match(text)
        starts_upper = text[:1].isupper() or text[:1].isdigit() or text[:1] == "§"
        if short and has_letters and bigger and not is_tableish(text):
            kinds.append("heading")
            continue
        not_smaller = body_size == 0 or line.size >= body_size - 0.5  # footnotes are smaller
        after = lines[i + 2].text if i + 2 < n else ""
        if numbered and short and has_letters and not_smaller and len(text) <= 120 and not text.endswith((".", ",", ";")):
            rest = numbered.group("rest")
            wrapped = (len(nxt) <= 70 and not nxt.endswith((".", ",", ";", ":")) and nxt[:1].islower()
                       and (not after or after[:1].isupper()))
            if rest[:1].isupper() and (not nxt or nxt[:1].isupper() or nxt[:1].isdigit() or wrapped):
                kinds.append("heading")
                continue
        if (kinds and kinds[-1] == "heading" and i > 0 and NUMBERED_HEADING.match(prev)
                and abs(lines[i - 1].size - line.size) < 0.5 and text[:1].islower() and len(text) <= 70
                and not text.endswith((".", ",", ";", ":")) and (not nxt or nxt[:1].isupper())):
            kinds.append("heading")  # second line of a wrapped numbered heading
            continue
        if BULLET.match(text) or NUMBERED_ITEM.match(text):
            kinds.append("list_item")
            continue
        if is_tableish(text) and len(text) < 120:
            kinds.append("table")
            continue
        if (
            short and has_letters and starts_upper and len(text) <= 70 and len(text.split()) <= 9
            and not text.endswith((".", ",", ";", ":", "-"))
            and (not prev or prev.endswith((".", "!", "?", ":")) or (kinds and kinds[-1] == "heading"))
            and nxt[:1].isupper()
        ):
            kinds.append("heading")
            continue
        kinds.append("prose")
    # runs of short lines ending in page numbers are a table of contents (numbered ones too:
    # "1. Democratische rechtsorde 1")
    for i in range(n):
        if kinds[i] in ("prose", "heading", "list_item") and TOC_LINE.search(lines[i].text):
            window = [TOC_LINE.search(lines[j].text) is not None for j in range(max(0, i - 2), min(n, i + 3))]
            if sum(window) >= 3:
                kinds[i] = "toc"
    return kinds
