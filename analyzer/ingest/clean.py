"""Repairs for what PDF text layers break.

Character-level fixes (ligatures, soft hyphens, non-breaking spaces, control bytes),
running headers and footers (lines that repeat at the top or bottom of many pages,
page numbers included) and words hyphenated at line ends.
"""

from __future__ import annotations

import re
from collections import Counter

from .model import Page

_CHAR_MAP = {
    "\ufb00": "ff", "\ufb01": "fi", "\ufb02": "fl", "\ufb03": "ffi", "\ufb04": "ffl",
    "\ufb05": "st", "\ufb06": "st",
    "\u00a0": " ", "\u2007": " ", "\u202f": " ", "\u2009": " ", "\u200a": " ", "\u3000": " ",
    "\u00ad": "", "\u200b": "", "\u200c": "", "\u200d": "", "\ufeff": "", "\u2060": "",
    "\u2010": "-", "\u2011": "-", "\ufffe": "",
    "\uf0b7": "•", "\uf0a7": "•", "\u25aa": "•", "\u25cf": "•", "\u2022": "•", "\u25a0": "•",
    "\uf0d8": "•", "\uf076": "•", "\u27a2": "•", "\u2023": "•", "\u2043": "•", "\u25e6": "•",
}
_SUPERSCRIPTS = "\u00b9\u00b2\u00b3\u2070\u2074\u2075\u2076\u2077\u2078\u2079"
_TRANSLATE = str.maketrans({**_CHAR_MAP, **{c: "" for c in _SUPERSCRIPTS}})
# pdfium marks a hyphen it saw at a line end as \x02; other C0 controls are garbage.
_CONTROL = re.compile(r"[\x00-\x01\x03-\x08\x0b\x0e-\x1f\x7f]")
_SPACES = re.compile(r"\s+")

_PAGE_NUMBER = re.compile(
    r"^(?:(?:pagina|page|blz\.?|p\.)\s*)?[-–—(\[]?\s*\d{1,4}\s*[-–—)\]]?(?:\s*(?:van|/|of)\s*\d{1,4})?$",
    re.IGNORECASE,
)
_DIGITS = re.compile(r"\d+")


def normalize_chars(text: str) -> str:
    """Replace ligatures, odd spaces and bullets; drop soft hyphens, zero-width and control characters."""
    text = text.translate(_TRANSLATE)
    text = _CONTROL.sub("", text)
    return _SPACES.sub(" ", text).strip()


def is_page_number(line: str) -> bool:
    """True for a line that is only a page number ("12", "- 12 -", "Pagina 3 van 10")."""
    return bool(_PAGE_NUMBER.match(line.strip()))


def _signature(line: str) -> str:
    return _DIGITS.sub("#", line.strip().lower())


def remove_running_lines(pages: list[Page], *, edge: int = 3, min_share: float = 0.3) -> int:
    """Remove running headers, footers and page numbers in place.

    A line within ``edge`` lines of the top or bottom of a page is running text when
    its signature (digits folded to '#') recurs at an edge of at least ``min_share`` of
    the pages (and of at least 3 pages). Lone page numbers at an edge always go.

    Returns:
        The number of lines removed.
    """
    counts: Counter[str] = Counter()
    for page in pages:
        edges = {_signature(line.text) for line in page.lines[:edge] + page.lines[-edge:]}
        counts.update(edges)
    threshold = max(3, int(min_share * len(pages) + 0.999))
    running = {sig for sig, n in counts.items() if n >= threshold and sig}
    removed = 0
    for page in pages:
        n = len(page.lines)
        keep = []
        for i, line in enumerate(page.lines):
            at_edge = i < edge or i >= n - edge
            if at_edge and (_signature(line.text) in running or is_page_number(line.text)):
                removed += 1
                continue
            keep.append(line)
        page.lines = keep
    return removed


_KEEP_HYPHEN_NEXT = re.compile(r"^(?:en|of|tot|en/of|noch|dan)\b")


def join_lines(left: str, right: str) -> str:
    """Join two consecutive lines of one paragraph, repairing end-of-line hyphenation.

    ``maat-`` + ``schappelijke`` gives ``maatschappelijke``; ``hulp-`` + ``en zorg``
    keeps the hyphen (a Dutch elliptic compound); after a code or acronym
    (``CO2-`` + ``reductie``, ``J42-`` + ``convenant``) or before a capital
    (``Noord-`` + ``Holland``) the hyphen stays and the space goes.
    """
    if not left:
        return right
    if not right:
        return left
    if left.endswith("\x02"):
        return left[:-1] + right
    if left.endswith("-") and len(left) > 1 and left[-2].isalnum():
        if _KEEP_HYPHEN_NEXT.match(right):
            return left + " " + right
        word = left.rsplit(" ", 1)[-1]
        if right[0].islower() and left[-2].isalpha() and not any(ch.isdigit() or ch.isupper() for ch in word[1:]):
            return left[:-1] + right
        return left + right
    return left + " " + right
