"""User-facing language: one message table per area, Dutch by default, English on request.

Contract:
- Messages live in catalogue modules of this package (``cli.py``, ``report.py``,
  ``summary.py``, ...), each defining ``MESSAGES: dict[str, dict[str, str]]`` mapping a
  message key to its text per language (``{"nl": "...", "en": "..."}``), with
  ``str.format`` placeholders. Keys are namespaced by area (``"summary.no_difference"``).
- :func:`t` looks a key up in every registered catalogue and formats it; a key missing in
  the requested language falls back to Dutch, an unknown key raises ``KeyError`` (a bug,
  caught by the tests that render every key).
- Numbers are formatted per language: Dutch uses a decimal comma (``3,3%``), English a
  point. Value and cluster names are data from the lexicon and are never translated.

Importing this package reads no file; catalogues are plain Python dicts.
"""

from __future__ import annotations

import importlib
import math
import pkgutil
from functools import cache

LANGUAGES = ("nl", "en")
DEFAULT_LANGUAGE = "nl"


def check_language(lang: str) -> str:
    """Return ``lang`` if supported, else raise ValueError naming the valid ones."""
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}: use one of {', '.join(LANGUAGES)}")
    return lang


@cache
def catalogue() -> dict[str, dict[str, str]]:
    """All messages of all catalogue modules of this package, merged (keys must be unique)."""
    merged: dict[str, dict[str, str]] = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        for key, texts in getattr(module, "MESSAGES", {}).items():
            if key in merged:
                raise RuntimeError(f"message key {key!r} defined twice (second in {info.name})")
            merged[key] = texts
    return merged


def t(key: str, lang: str = DEFAULT_LANGUAGE, /, **fields: object) -> str:
    """The message ``key`` in ``lang``, formatted with ``fields``."""
    texts = catalogue()[key]
    text = texts.get(lang) or texts[DEFAULT_LANGUAGE]
    return text.format(**fields) if fields else text


def number(x: float, lang: str = DEFAULT_LANGUAGE, /, *, digits: int = 1) -> str:
    """``x`` with ``digits`` decimals in the language's notation (``3,3`` / ``3.3``)."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    text = f"{x:,.{digits}f}"  # 1,234.5
    if lang == "nl":
        text = text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    return text


def pct(share: float, lang: str = DEFAULT_LANGUAGE, /, *, digits: int = 1) -> str:
    """A share in [0, 1] as a percentage (``0.033`` -> ``3,3%`` in Dutch)."""
    if share is None or (isinstance(share, float) and math.isnan(share)):
        return "–"
    return number(100.0 * share, lang, digits=digits) + "%"


def pp(diff: float, lang: str = DEFAULT_LANGUAGE, /, *, digits: int = 1, signed: bool = True) -> str:
    """A difference of shares in percentage points (``-0.016`` -> ``−1,6 pp``)."""
    if diff is None or (isinstance(diff, float) and math.isnan(diff)):
        return "–"
    value = 100.0 * diff
    text = number(abs(value), lang, digits=digits)
    sign = ("+" if value > 0 else "−" if value < 0 else "±") if signed else ("−" if value < 0 else "")
    if text.strip("0,.") == "":
        sign = "±" if signed else ""
    return f"{sign}{text} pp"
