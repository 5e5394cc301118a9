"""The transparent half of waardenscan: a reviewable lexicon and Dutch-aware matching."""

from .load import MATCH_TYPES, Lexicon, NegationCue, Term, default_lexicon_path, load_lexicon
from .match import Hit, Matcher

__all__ = ["MATCH_TYPES", "Hit", "Lexicon", "Matcher", "NegationCue", "Term",
           "default_lexicon_path", "load_lexicon"]
