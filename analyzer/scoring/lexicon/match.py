"""Match lexicon terms in sentences, the way Dutch needs it.

* ``lemma``: a token whose lemma or lower-case form is the term (kwetsbare -> kwetsbaar).
* ``phrase``: a contiguous token sequence, each word matched on lemma or lower form
  ("eigen regie", "menselijke maat", "naar vermogen").
* ``prefix`` / ``suffix`` / ``compound``: the term as the first / last / either part of
  a compound written as one word ("armoedebestrijding", "wijkteamaanpak",
  "bestaanszekerheidsbeleid"). The rest of the word must be at least
  ``MIN_REST`` letters, so that a term never fires on a chance substring, and a
  term's ``exclude`` list blocks known false compounds (zorg- in zorgvuldig).
* ``separable``: a Dutch separable verb expression "X verb": the joined form (meedoen),
  the contiguous form (centraal stellen) or the split form in one clause ("stelt de
  inwoner centraal", "doen mee", "voeren de regie").

Longest match wins: overlapping candidates are resolved by character span, longest
first, so "menselijke maat" is one hit, not also "menselijk". Each hit is checked for
negation (:mod:`analyzer.scoring.lexicon.negation`).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache

from ...segment import Sentence, Token
from .load import Lexicon, Term
from .negation import NegationIndex, find_negation

MIN_REST = 3
SEPARABLE_WINDOW = 8
_CLAUSE_BREAK = {",", ";", ":", "(", ")", "maar", "want", "omdat", "terwijl", "doordat"}
_LINKERS = ("s", "en", "e", "-")


@dataclass(frozen=True, slots=True)
class Hit:
    """A term found in a sentence: character offsets are relative to the sentence text."""

    term: Term
    start: int
    end: int
    negated: bool
    cue: str


class Matcher:
    """Index of a lexicon for fast matching (build once per lexicon, reuse per sentence)."""

    def __init__(self, lexicon: Lexicon) -> None:
        self.lexicon = lexicon
        self.single: dict[str, list[Term]] = defaultdict(list)
        self.phrases: dict[str, list[Term]] = defaultdict(list)
        self.prefix: dict[str, list[Term]] = defaultdict(list)
        self.suffix: dict[str, list[Term]] = defaultdict(list)
        self.separable_verbs: dict[str, list[Term]] = defaultdict(list)
        self.separable_joined: dict[str, list[Term]] = defaultdict(list)
        for term in lexicon.terms:
            if term.match == "lemma":
                self.single[term.term].append(term)
            elif term.match == "phrase":
                self.phrases[term.words[0]].append(term)
            elif term.match in ("prefix", "suffix", "compound"):
                self.single[term.term].append(term)
                if term.match in ("prefix", "compound"):
                    self.prefix[term.term].append(term)
                if term.match in ("suffix", "compound"):
                    self.suffix[term.term].append(term)
            elif term.match == "separable":
                particle, verb = term.words
                self.separable_verbs[verb].append(term)
                self.separable_joined[particle + verb].append(term)
                self.phrases[particle].append(term)
        self.prefix_lengths = sorted({len(k) for k in self.prefix}, reverse=True)
        self.suffix_lengths = sorted({len(k) for k in self.suffix}, reverse=True)
        self._compound = lru_cache(maxsize=100_000)(self._compound_parts)
        self._keys = set(self.single) | set(self.phrases) | set(self.separable_verbs) | set(self.separable_joined)
        self._useful: dict[str, bool] = {}
        self._negation = NegationIndex(lexicon.negation)

    def _can_start(self, form: str) -> bool:
        """Whether any candidate can start at a token with this form (most tokens: no)."""
        useful = self._useful.get(form)
        if useful is None:
            useful = form in self._keys or bool(self._compound(form))
            if len(self._useful) > 200_000:
                self._useful.clear()
            self._useful[form] = useful
        return useful

    def _compound_parts(self, word: str) -> tuple[tuple[Term, int, int], ...]:
        """Compound-part hits inside one word: (term, start, end) relative to the word."""
        if len(word) < MIN_COMPOUND_MIN or not word.isalpha() and "-" not in word:
            return ()
        found = []
        for length in self.prefix_lengths:
            if len(word) - length < MIN_REST:
                continue
            for term in self.prefix.get(word[:length], ()):
                if not _excluded(term, word):
                    found.append((term, 0, length))
        for length in self.suffix_lengths:
            rest = len(word) - length
            if rest < MIN_REST:
                continue
            for term in self.suffix.get(word[rest:], ()):
                if not _excluded(term, word):
                    found.append((term, rest, len(word)))
        return tuple(found)

    def match(self, sentence: Sentence) -> list[Hit]:
        """All non-overlapping hits in one sentence, in text order."""
        tokens = sentence.tokens
        candidates: list[tuple[Term, list[tuple[int, int]], int, int]] = []  # term, spans, first, last token
        can_start = self._can_start
        for i, tok in enumerate(tokens):
            if not can_start(tok.lower) and (tok.lemma == tok.lower or not can_start(tok.lemma)):
                continue
            forms = {tok.lemma, tok.lower}
            for form in forms:
                for term in self.single.get(form, ()):
                    if not _excluded(term, tok.lower):
                        candidates.append((term, [(tok.start, tok.start + len(tok.text))], i, i))
                for term in self.separable_joined.get(form, ()):
                    candidates.append((term, [(tok.start, tok.start + len(tok.text))], i, i))
            for form in dict.fromkeys((tok.lower, tok.lemma)):
                for term, s, e in self._compound(form):
                    if s >= len(tok.text):
                        continue
                    end = e if (form == tok.lower or s == 0) else len(tok.text)
                    candidates.append((term, [(tok.start + s, tok.start + min(end, len(tok.text)))], i, i))
            for form in forms:
                for term in self.phrases.get(form, ()):
                    words = term.words
                    j = i + len(words)
                    if j > len(tokens):
                        continue
                    nxt = tokens[i + 1] if len(words) > 1 else tok  # most phrases fail on their second word
                    if words[len(words) > 1] not in (nxt.lemma, nxt.lower):
                        continue
                    if all(w in (tokens[i + k].lemma, tokens[i + k].lower) for k, w in enumerate(words)):
                        candidates.append((term, [(tok.start, tokens[j - 1].start + len(tokens[j - 1].text))], i, j - 1))
            verb_terms = self.separable_verbs.get(tok.lemma, []) + (
                self.separable_verbs.get(tok.lower, []) if tok.lower != tok.lemma else [])
            for term in verb_terms:
                particle = term.words[0]
                k = _find_particle(tokens, i, particle)
                if k is not None:
                    a, b = sorted((i, k))
                    candidates.append((term, [(tokens[a].start, tokens[a].start + len(tokens[a].text)),
                                              (tokens[b].start, tokens[b].start + len(tokens[b].text))], a, b))
        hits: list[Hit] = []
        taken: list[tuple[int, int]] = []
        seen: set[tuple[str, int]] = set()
        candidates.sort(key=lambda c: (-sum(e - s for s, e in c[1]), c[1][0][0], c[0].term))
        for term, spans, first, last in candidates:
            if any(s < te and ts < e for s, e in spans for ts, te in taken):
                continue
            if (term.term, spans[0][0]) in seen:
                continue
            seen.add((term.term, spans[0][0]))
            taken.extend(spans)
            negated, cue = find_negation(tokens, first, last, self.lexicon.negation, term.polarity,
                                        self._negation)
            hits.append(Hit(term=term, start=spans[0][0], end=spans[-1][1], negated=negated, cue=cue))
        hits.sort(key=lambda h: (h.start, h.end, h.term.term))
        return hits


MIN_COMPOUND_MIN = MIN_REST + 4


def _excluded(term: Term, word: str) -> bool:
    return bool(term.exclude) and any(word.startswith(x) or word == x for x in term.exclude)


def _find_particle(tokens: list[Token], verb_index: int, particle: str) -> int | None:
    """Index of the particle within the verb's clause (window of SEPARABLE_WINDOW tokens)."""
    for step in (1, -1):
        k = verb_index + step
        while 0 <= k < len(tokens) and abs(k - verb_index) <= SEPARABLE_WINDOW:
            tok = tokens[k]
            if tok.lower in _CLAUSE_BREAK or tok.text in (".", "!", "?"):
                break
            if tok.lower == particle or tok.lemma == particle:
                return k
            k += step
    return None
