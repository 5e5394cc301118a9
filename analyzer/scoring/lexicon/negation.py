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
    from ...segment import Token
    from .load import NegationCue

WINDOW = 4
_BOUNDARY = {",", ";", ":", ".", "!", "?", "maar", "want", "omdat", "terwijl", "doordat", "en", "of", "(", ")"}


def _matches_at(tokens: list[Token], k: int, words: tuple[str, ...]) -> bool:
    if k < 0 or k + len(words) > len(tokens):
        return False
    return all(w in (tokens[k + j].lower, tokens[k + j].lemma) for j, w in enumerate(words))


class NegationIndex:
    """Cues split by scope and indexed by the word a match must show at the scanned token
    (a cue before the hit ends there, a cue after it starts there), in list order."""

    def __init__(self, cues: list[NegationCue]) -> None:
        self.exceptions = [c for c in cues if c.kind == "exception"]
        self.before: dict[str, list[tuple[int, NegationCue]]] = {}
        self.after: dict[str, list[tuple[int, NegationCue]]] = {}
        for position, cue in enumerate(cues):
            if cue.kind == "exception" or not cue.cue:
                continue
            if cue.scope == "before":
                self.before.setdefault(cue.cue[-1], []).append((position, cue))
            elif cue.scope == "after":
                self.after.setdefault(cue.cue[0], []).append((position, cue))

    @staticmethod
    def candidates(table: dict[str, list[tuple[int, NegationCue]]], token: Token) -> list[NegationCue]:
        found = table.get(token.lower, [])
        if token.lemma != token.lower:
            found = sorted(found + table.get(token.lemma, []), key=lambda pc: pc[0])
        return [cue for _, cue in found]


def find_negation(tokens: list[Token], first: int, last: int, cues: list[NegationCue],
                  polarity: str = "value", index: NegationIndex | None = None) -> tuple[bool, str]:
    """Whether tokens[first:last+1] is in the scope of a negation cue, and the cue.

    ``index`` (built once from ``cues``) makes the scan cheaper; the answer is the same.
    """
    if polarity == "problem" or not cues:
        return False, ""
    index = index or NegationIndex(cues)
    k = first - 1
    while k >= 0 and first - k <= WINDOW:
        if tokens[k].lower in _BOUNDARY:
            break
        for cue in index.candidates(index.before, tokens[k]):
            start = k - len(cue.cue) + 1
            if _matches_at(tokens, start, cue.cue):
                if any(_matches_at(tokens, k - off, e.cue) for e in index.exceptions for off in range(len(e.cue))):
                    continue
                return True, " ".join(cue.cue)
        k -= 1
    k = last + 1
    while k < len(tokens) and k - last <= WINDOW:
        if tokens[k].lower in _BOUNDARY:
            break
        for cue in index.candidates(index.after, tokens[k]):
            if _matches_at(tokens, k, cue.cue):
                return True, " ".join(cue.cue)
        k += 1
    return False, ""
