"""Text-quality flags per page and per document.

``ok``, ``no_text`` (scanned or image-only: no text layer), ``broken_font`` (a font
without a usable encoding: the text layer is glyph garbage such as ``(cid:12)`` or
control bytes), ``low_text`` (a text layer too thin to be a policy page) and
``not_dutch`` (the text is mostly another language).
"""

from __future__ import annotations

import re

NO_TEXT_CHARS = 20
LOW_TEXT_CHARS = 200
_CID = re.compile(r"\(cid:\d+\)")
_WORD = re.compile(r"[a-zà-ÿ]+", re.IGNORECASE)

_STOPWORDS = {
    "nl": set("de het een en van in is dat op te voor met zijn niet aan er ook als bij om door "
              "wordt worden naar we wij deze dit die zal kan hun onze over uit of nog meer".split()),
    "en": set("the and of to in is that for on with are be as by this it not or from at an "
              "will have has we our their which".split()),
    "de": set("der die und das ist nicht mit den ein eine zu von auf für sich dem des im "
              "werden wird auch sind bei oder wir".split()),
}


_CONTROL = re.compile("[\x00\x01\x03-\x08\x0b\x0c\x0e-\x1f]")  # below 32, except \t \n \r \x02


def raw_page_quality(raw: str) -> str:
    """Quality of one page from its raw (uncleaned) text layer."""
    cids = len(_CID.findall(raw))
    controls = len(_CONTROL.findall(raw))
    letters = sum(map(str.isalpha, raw))
    if cids >= 5 or (controls > 20 and controls > 0.2 * max(1, letters + controls)):
        return "broken_font"
    if looks_garbled(raw):
        return "broken_font"
    if letters < NO_TEXT_CHARS:
        return "no_text"
    if letters < LOW_TEXT_CHARS:
        return "low_text"
    return "ok"


_ALL_STOPWORDS: set[str] = set()


def looks_garbled(text: str) -> bool:
    """A page of many word-like strings of which almost none is a common word.

    Fonts with a private encoding often come out as shifted characters
    ("eK?6Q6;62=6MM>;?") rather than (cid:N) codes; real text in any of the three
    languages has 25-45% stop words.
    """
    if not _ALL_STOPWORDS:
        _ALL_STOPWORDS.update(*_STOPWORDS.values())
    tokens = [t for t in text.split() if any(map(str.isalpha, t))]
    if len(tokens) < 60:
        return False
    words = [t.lower().strip(".,;:()'\"") for t in tokens]
    common = sum(w in _ALL_STOPWORDS for w in words) / len(words)
    odd = sum(bool(_ODD_TOKEN.search(t)) for t in tokens) / len(tokens)
    return common < 0.03 and odd > 0.25


_ODD_TOKEN = re.compile(r"[A-Za-z][^A-Za-z\s.,'’-]+[A-Za-z]|[;<>=?@\[\]^_`{|}~\\$%&#*+]")


def language_scores(text: str) -> dict[str, float]:
    """Share of words that are stop words of Dutch, English and German."""
    words = [w.lower() for w in _WORD.findall(text[:50_000])]
    if not words:
        return {lang: 0.0 for lang in _STOPWORDS}
    return {lang: sum(w in stops for w in words) / len(words) for lang, stops in _STOPWORDS.items()}


def is_dutch(text: str) -> bool:
    """True when Dutch stop words outnumber English and German ones (short texts pass)."""
    scores = language_scores(text)
    if len(_WORD.findall(text[:50_000])) < 30:
        return True
    return scores["nl"] >= max(scores["en"], scores["de"]) and scores["nl"] > 0.08


def document_quality(page_qualities: list[str], text: str) -> str:
    """One flag for the whole document, the worst problem that affects most of it."""
    n = len(page_qualities)
    if n == 0:
        return "no_text"
    share = {q: page_qualities.count(q) / n for q in set(page_qualities)}
    share["no_text"] = share.get("no_text", 0) + share.get("unreadable", 0) + share.get("empty", 0)
    if share.get("broken_font", 0) >= 0.5:
        return "broken_font"
    if share.get("no_text", 0) >= 0.8:
        return "no_text"
    if share.get("no_text", 0) + share.get("low_text", 0) >= 0.8 and share.get("ok", 0) == 0:
        return "low_text"
    if not is_dutch(text):
        return "not_dutch"
    return "ok"
