"""Lexicon loading and Dutch-aware matching: one named test per behaviour.

Sentences are real lines from the shared corpus where noted (document, page), otherwise
written for the behaviour.
"""

from __future__ import annotations

import pytest

from analyzer.errors import LexiconError
from analyzer.scoring.lexicon import Matcher, load_lexicon

from .conftest import DATA, sentence

LEX = load_lexicon(DATA / "behaviour_lexicon.tsv")


@pytest.fixture(scope="module")
def matcher():
    return Matcher(LEX)


def hits(matcher, nlp, text):
    s = sentence(nlp, text)
    return [(h.term.value, h.term.term, text[h.start:h.end], h.negated) for h in matcher.match(s)]


def test_lemma_match_inflected_adjectives(matcher, nlp):
    found = hits(matcher, nlp, "Zorgzame buren helpen kwetsbare inwoners.")
    assert ("Saamhorigheid", "zorgzaam", "Zorgzame", False) in found
    assert ("Compassie", "kwetsbaar", "kwetsbare", False) in found


def test_phrase_match_multiword(matcher, nlp):
    # Wassenaar begroting 2025: "naar vermogen" style wording
    found = hits(matcher, nlp, "Inwoners dragen naar vermogen bij aan hun eigen ondersteuning.")
    assert ("Zelfredzaamheid", "naar vermogen", "naar vermogen", False) in found


def test_overlap_longest_match_wins(matcher, nlp):
    found = hits(matcher, nlp, "Dat vraagt om oog voor de menselijke maat.")
    assert [f[1] for f in found] == ["menselijke maat"]  # not also "menselijk"


def test_compound_hit_inside_one_word(matcher, nlp):
    found = hits(matcher, nlp, "Het bestaanszekerheidsbeleid en de armoedebestrijding worden versterkt.")
    assert ("Bestaansveiligheid", "bestaanszekerheid", "bestaanszekerheid", False) in found
    assert ("Bestaansveiligheid", "armoede", "armoede", False) in found
    both = hits(matcher, nlp, "De armoedepreventie krijgt extra geld.")
    assert {f[1] for f in both} == {"armoede", "preventie"}  # two adjacent parts, no overlap


def test_compound_suffix_hit(matcher, nlp):
    found = hits(matcher, nlp, "Er komt een wijkzorgloket en de jeugdpreventie wordt uitgebreid.")
    assert {f[1] for f in found} == {"zorgloket", "preventie"}


def test_compound_miss_chance_substrings(matcher, nlp):
    # "maatwerk" must not fire inside "maatwerkelijk"-like chance strings, "mantelzorg" is excluded in zorgvuldig
    assert hits(matcher, nlp, "Zij is bezorgd over de zorgvuldigheid van het proces.") == []
    assert hits(matcher, nlp, "De preventieve werking is onduidelijk.") == []  # prefix rest 've' < 3 letters
    assert hits(matcher, nlp, "Armoe is geen woord uit dit lexicon.") == []


def test_separable_verbs(matcher, nlp):
    found = hits(matcher, nlp, "Wij stellen de inwoner centraal bij alles wat we doen.")
    assert ("Menselijke maat", "centraal stellen", "stellen de inwoner centraal", False) in found
    found = hits(matcher, nlp, "Iedereen doet mee en jongeren willen meedoen.")
    assert [f[1] for f in found] == ["mee doen", "mee doen"]
    found = hits(matcher, nlp, "Inwoners voeren zelf de regie over hun ondersteuning.")
    assert found and found[0][1] == "regie voeren"


def test_separable_particle_must_be_in_the_same_clause(matcher, nlp):
    assert hits(matcher, nlp, "Wij stellen voor, en dat is centraal, om te wachten.") == []


def test_negation_marks_hits_in_scope(matcher, nlp):
    found = hits(matcher, nlp, "Er komt geen maatwerk meer voor deze groep.")
    assert found == [("Menselijke maat", "maatwerk", "maatwerk", True)]
    found = hits(matcher, nlp, "De gemeente gaat bezuinigen op preventie.")
    assert found[0][3] is True
    found = hits(matcher, nlp, "De inloop voor mantelzorgers wordt afgebouwd.")
    assert found[0][1] == "mantelzorg" and found[0][3] is True


def test_negation_exceptions_and_problem_terms(matcher, nlp):
    found = hits(matcher, nlp, "Niet alleen maatwerk maar ook eigen regie is het doel.")
    assert all(not f[3] for f in found) and {f[1] for f in found} == {"maatwerk", "eigen regie"}
    # "geen kind in armoede" supports Bestaansveiligheid: armoede is a problem term
    assert hits(matcher, nlp, "Geen kind mag opgroeien in armoede.")[0][3] is False
    # a clause boundary stops the scope
    found = hits(matcher, nlp, "Dat is niet eenvoudig, maar maatwerk helpt.")
    assert found == [("Menselijke maat", "maatwerk", "maatwerk", False)]


def test_real_sentence_from_coalitieakkoord(matcher, nlp, raw):
    """Rijksoverheid coalitieakkoord 2021, p. 4: 'oog heeft voor de menselijke maat'."""
    from analyzer.ingest import extract
    from analyzer.segment import segment

    doc = extract(raw / "rijksoverheid-coalitieakkoord-2021/coalitieakkoord-2021-2025.pdf")
    target = next(s for s in segment(doc, nlp) if "oog heeft voor de menselijke maat" in s.text)
    assert target.page == 4
    terms = [h.term.term for h in matcher.match(target)]
    assert "menselijke maat" in terms


def test_empty_input(matcher, nlp):
    assert hits(matcher, nlp, "") == []
    assert hits(matcher, nlp, "   ") == []


def test_user_lexicon_one_file_with_own_scheme(tmp_path, nlp):
    path = tmp_path / "eigen.tsv"
    path.write_text("group\tcluster\tvalue\tterm\tmatch\n"
                    "kern\tDichtbij\tNabijheid\twijkteam\tcompound\n"
                    "kern\tDichtbij\tNabijheid\tin de buurt\tphrase\n", encoding="utf-8")
    lex = load_lexicon(path)
    assert lex.values == {"Nabijheid": ("kern", "Dichtbij")} and lex.version == "user"
    s = sentence(nlp, "Het wijkteamoverleg vindt plaats in de buurt.")
    assert [h.term.term for h in Matcher(lex).match(s)] == ["wijkteam", "in de buurt"]


def test_packaged_lexicon_covers_all_25_values(lexicon):
    assert len(lexicon.values) == 25 and len(lexicon.clusters) == 9 and len(lexicon.groups) == 3
    for value in lexicon.values:
        terms = [t for t in lexicon.terms if t.value == value]
        assert len(terms) >= 5, value
        assert all(t.source for t in terms), value


@pytest.mark.parametrize("content,message", [
    ("group\tcluster\tvalue\tterm\tmatch\nx\tY\tZ\t\tlemma\n", ":2: empty term"),
    ("group\tcluster\tvalue\tterm\tmatch\nx\tY\tZ\tabc\tfuzzy\n", ":2: bad match type 'fuzzy'"),
    ("group\tcluster\tvalue\tterm\tmatch\nx\tY\tZ\tabcde\tlemma\nx\tY\tZ\tabcde\tlemma\n", ":3: duplicate term 'abcde'"),
    ("group\tcluster\tvalue\tterm\tmatch\nx\tY\tZ\tzorg\tprefix\n", "shorter than 5"),
    ("group\tcluster\tvalue\tterm\tmatch\nx\tY\tZ\ttwee woorden\tlemma\n", "needs one word"),
    ("group\tcluster\tvalue\tterm\n", "missing column(s) match"),
])
def test_bad_lexicon_file_reports_line(tmp_path, content, message):
    path = tmp_path / "bad.tsv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(LexiconError) as err:
        load_lexicon(path)
    assert message in str(err.value) and "bad.tsv" in str(err.value)


def test_unknown_value_in_folder_lexicon(tmp_path):
    (tmp_path / "lexicon.toml").write_text('[lexicon]\nname="t"\nversion="1"\nscheme="s.tsv"\nterms="t.tsv"\n', encoding="utf-8")
    (tmp_path / "s.tsv").write_text("group\tcluster\tvalue\nideëel\tVrijheid\tPrivacy\n", encoding="utf-8")
    (tmp_path / "t.tsv").write_text("value\tterm\tmatch\nPrivatie\tprivacy\tlemma\n", encoding="utf-8")
    with pytest.raises(LexiconError, match=r"t.tsv:2: unknown value 'Privatie'; known values: Privacy"):
        load_lexicon(tmp_path)


def _naive_negation(tokens, first, last, cues):
    """The plain reading of the negation rule (every cue at every position), as an oracle."""
    from analyzer.scoring.lexicon.negation import _BOUNDARY, WINDOW, _matches_at

    exceptions = [c for c in cues if c.kind == "exception"]
    k = first - 1
    while k >= 0 and first - k <= WINDOW and tokens[k].lower not in _BOUNDARY:
        for cue in (c for c in cues if c.scope == "before" and c.kind != "exception"):
            if _matches_at(tokens, k - len(cue.cue) + 1, cue.cue) and not any(
                    _matches_at(tokens, k - off, e.cue) for e in exceptions for off in range(len(e.cue))):
                return True, " ".join(cue.cue)
        k -= 1
    k = last + 1
    while k < len(tokens) and k - last <= WINDOW and tokens[k].lower not in _BOUNDARY:
        for cue in (c for c in cues if c.scope == "after" and c.kind != "exception"):
            if _matches_at(tokens, k, cue.cue):
                return True, " ".join(cue.cue)
        k += 1
    return False, ""


def test_indexed_negation_scan_equals_the_plain_rule(nlp, lexicon):
    """The cue index only makes the scan cheaper: on 1,500 real corpus sentences, every
    token position gets the same answer as checking every cue everywhere."""
    import csv

    from analyzer.scoring.lexicon.negation import NegationIndex, find_negation

    from .conftest import ROOT

    with open(ROOT / "corpus" / "sentences.tsv", encoding="utf-8", newline="") as fh:
        texts = [r["text"] for r in csv.DictReader(fh, delimiter="\t")][:1500]
    index = NegationIndex(lexicon.negation)
    negated = 0
    for text in texts:
        tokens = sentence(nlp, text).tokens
        for i in range(len(tokens)):
            got = find_negation(tokens, i, i, lexicon.negation, "value", index)
            assert got == _naive_negation(tokens, i, i, lexicon.negation), (text, i)
            negated += got[0]
    assert negated > 100  # the corpus has plenty of cues in scope
