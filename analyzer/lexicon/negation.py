"""Negation and reversal of a hit in Dutch policy language.

A hit is negated when a cue from the lexicon's negation list stands in the same
clause within ``WINDOW`` tokens before it ("geen maatwerk", "niet langer eigen
regie", "bezuinigen op preventie") or, for reduction verbs, after it ("de inloop
wordt afgebouwd"). Exception phrases ("niet alleen ... maar ook") cancel a cue.
A ``problem`` term (armoede, schulden, fraude) is never negated: "minder armoede" or
"geen kind in armoede" supports the value.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from ..segment import Token
    from .load import NegationCue

WINDOW = 4
_BOUNDARY = {",", ";", ":", ".", "!", "?", "maar", "want", "omdat", "terwijl", "doordat", "en", "of", "(", ")"}


def _matches_at(tokens: list[Token], k: int, words: tuple[str, ...]) -> bool:
    if k < 0 or k + len(words) > len(tokens):
        return False
    return all(w in (tokens[k + j].lower, tokens[k + j].lemma) for j, w in enumerate(words))


def find_negation(tokens: list[Token], first: int, last: int, cues: list[NegationCue],
                  polarity: str = "value") -> tuple[bool, str]:
    """Whether tokens[first:last+1] is in the scope of a negation cue, and the cue."""
    if polarity == "problem" or not cues:
        return False, ""
    exceptions = [c for c in cues if c.kind == "exception"]
    before = [c for c in cues if c.scope == "before" and c.kind != "exception"]
    after = [c for c in cues if c.scope == "after" and c.kind != "exception"]
    k = first - 1
    while k >= 0 and first - k <= WINDOW:
        if tokens[k].lower in _BOUNDARY:
            break
        for cue in before:
            start = k - len(cue.cue) + 1
            if _matches_at(tokens, start, cue.cue):
                if any(_matches_at(tokens, k - off, e.cue) for e in exceptions for off in range(len(e.cue))):
                    continue
                return True, " ".join(cue.cue)
        k -= 1
    k = last + 1
    while k < len(tokens) and k - last <= WINDOW:
        if tokens[k].lower in _BOUNDARY:
            break
        for cue in after:
            if _matches_at(tokens, k, cue.cue):
                return True, " ".join(cue.cue)
        k += 1
    return False, ""
