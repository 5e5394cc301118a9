"""Sentence segmentation of policy text: lists, numbered items, abbreviations, footnotes, headings.

Lines are real lines from documents of the shared corpus (named per test); where a format
had to be shown (the "1-" numbering) real sentences are put in that format.
"""

from __future__ import annotations

from analyzer.ingest import extract
from analyzer.ingest.model import ExtractedDocument
from analyzer.ingest.text import read_plain
from analyzer.segment import make_doc_id, segment


def sentences_of(nlp, text: str, *, markdown: bool = False):
    doc = ExtractedDocument(path="t.txt", sha256="0" * 64, file_type="text", pages=read_plain(text, markdown=markdown))
    return segment(doc, nlp)


def test_abbreviations_do_not_end_sentences(nlp):
    # Wassenaar begroting 2025 p. 21 and p. 33, Hervormingsagenda Jeugd p. 79
    text = ("Onderwerpen die aan bod komen zijn onder meer ontmoetingsplekken voor jongeren en voorlichting over "
            "o.a. alcohol, drugs en mentale gezondheid. Volgens artikel 4:23 lid 3c Abw is het mogelijk een subsidie "
            "te verstrekken zonder wettelijk voorschrift (d.w.z. subsidieregeling). Het gaat om steun vanuit "
            "vrijwilligersorganisaties bijv. via maatjesprogramma’s. Dit geldt m.b.t. art. 12 van de verordening.")
    got = [s.text for s in sentences_of(nlp, text)]
    assert len(got) == 4, got
    assert got[0].endswith("mentale gezondheid.") and "o.a. alcohol" in got[0]
    assert got[1].startswith("Volgens artikel 4:23 lid 3c Abw") and "(d.w.z. subsidieregeling)" in got[1]
    assert got[3] == "Dit geldt m.b.t. art. 12 van de verordening."


def test_bullet_list_items_are_sentences_of_their_own(nlp):
    # Hervormingsagenda Jeugd p. 4: bullets without full stops at the end of some items
    text = ("Deze trends maken duidelijk waar verbetering nodig is:\n"
            "• Wachtlijsten groeien\n"
            "• Administratieve lasten zijn hoog\n"
            "• Binnen de jeugdzorg is de marktwerking doorgeschoten\n")
    got = sentences_of(nlp, text)
    items = [s.text for s in got if s.kind == "list_item"]
    assert items == ["Wachtlijsten groeien", "Administratieve lasten zijn hoog",
                     "Binnen de jeugdzorg is de marktwerking doorgeschoten"]
    assert got[0].kind == "prose"


def test_numbered_dash_items(nlp):
    # sentences from the Wassenaar begroting 2025 (p. 18), numbered in the "1-" style
    text = ("1- Een sterk maatschappelijk middenveld met focus op preventie\n"
            "2- Sociaal Team Wassenaar zorgt voor integrale samenwerking in het sociaal domein\n"
            "3- Inclusie: iedereen doet mee in Wassenaar\n")
    got = sentences_of(nlp, text)
    assert [s.kind for s in got] == ["list_item"] * 3
    assert got[2].text == "Inclusie: iedereen doet mee in Wassenaar"


def test_footnote_markers_do_not_glue_sentences(nlp):
    # Hervormingsagenda Jeugd p. 4: "flink gestegen.8 Dat steeg ..." style markers
    text = ("Aan het begin van deze eeuw maakte 1 op de 27 jeugdigen gebruik van jeugdzorg.1 "
            "Dat steeg al snel naar 1 op de 10 in 2015.")
    got = [s.text for s in sentences_of(nlp, text)]
    assert got == ["Aan het begin van deze eeuw maakte 1 op de 27 jeugdigen gebruik van jeugdzorg.",
                   "Dat steeg al snel naar 1 op de 10 in 2015."]


def test_headings_without_full_stop(nlp):
    # Aa en Hunze coalitieakkoord 2018 p. 3
    text = ("Samen doen\n"
            "In de afgelopen periode is in onze gemeenteraad gebleken dat er een groot wederzijds vertrouwen is.\n"
            "Financiële positie\n"
            "We stonden in de afgelopen periode voor belangrijke keuzes.\n")
    got = sentences_of(nlp, text)
    assert [(s.kind, s.text) for s in got if s.kind == "heading"] == [("heading", "Samen doen"),
                                                                       ("heading", "Financiële positie")]
    assert got[-1].section == "Financiële positie"


def test_footnotes_at_the_foot_of_a_page_are_set_aside(raw, nlp):
    """Vroegsignalering p. 15: a sentence continues on p. 16 after the footnotes of p. 15."""
    doc = extract(raw / "schulden-ibo-5euro/Onderzoeksrapport_Vroegsignalering.pdf")
    sentences = segment(doc, nlp)
    joined = [s for s in sentences if s.text.startswith("Financiële problemen van mensen lopen op door de")]
    assert joined and joined[0].text == "Financiële problemen van mensen lopen op door de boetes."
    assert joined[0].page == 15
    notes = [s for s in sentences if s.kind == "footnote" and s.text.startswith("35 Zie Leidraad Invordering")]
    assert notes and notes[0].page == 15


def test_doc_id_is_stable_and_readable():
    a = make_doc_id("/x/Coalitieakkoord Gemeente Één 2022.pdf", "ab" * 32)
    assert a == "Coalitieakkoord-Gemeente-Een-2022-abababab"
    assert make_doc_id("/elders/Coalitieakkoord Gemeente Één 2022.pdf", "ab" * 32) == a


def test_segmenter_gives_the_pipelines_own_sentences_and_lemmas(raw, nlp):
    """The segmenter reads token arrays and applies the sentencizer rule and the simplemma
    lemmas itself; on real documents that gives exactly what running the whole spaCy
    pipeline on every block and iterating its sentences and tokens gives."""
    from analyzer.segment import make_blocks

    paths = [raw / "coalitieakkoorden-gemeenten/AaenHunze_coalitieakkoord_2018.pdf",
             raw / "laws-markdown-2017/Wmo2015_BWBR0035362_2017snapshot.md"]
    checked = 0
    for path in paths:
        doc = extract(path)
        ours = [(s.text, [(t.text, t.lower, t.lemma, t.start) for t in s.tokens])
                for s in segment(doc, nlp, attach=False)]
        expected = []
        for block in make_blocks(doc):
            spacy_doc = nlp(block.text)  # every component, on every block
            spans = spacy_doc.sents if block.kind in ("prose", "list_item") else [spacy_doc[:]]
            for span in spans:
                if span.text.strip():
                    expected.append((span.text.strip(), [(t.text, t.lower_, t.lemma_.lower() or t.lower_,
                                                           t.idx - span.start_char) for t in span if not t.is_space]))
        assert ours == expected
        checked += len(ours)
    assert checked > 900  # 1,007 sentences (list markers are taken off their items)


# ------------------------------------------------------------------ a scored sentence is a sentence
# (docs/pipeline.md, "What a scored sentence is")

SCORED = ("prose", "list_item")


def _scored(sentences):
    return [s for s in sentences if s.kind in SCORED]


def _bundled(name: str):
    from analyzer.demo import example_paths

    return extract(example_paths()[name])


def test_wmo_numbering_and_markup_are_no_sentences(nlp):
    """The bundled Wmo 2015: before, 481 of its 1,115 units were 1-2 words ("1.", "2.", "1°.",
    "–*maatschappelijke ondersteuning:*"); now no scored unit lacks a word, none starts with
    its number or keeps Markdown asterisks, and a lid keeps its text without "1."."""
    import re

    sentences = segment(_bundled("wmo"), nlp)
    scored = _scored(sentences)
    assert scored and all(re.search(r"[^\W\d_]{2}", s.text) for s in scored)
    assert not [s.text for s in scored if re.match(r"(?:\d{1,3}[.)°]|[a-z][.)]|[–•*-])(?:\s|$)", s.text)]
    assert not [s.text for s in scored if "*" in s.text]
    assert not [s.text for s in sentences if s.text.startswith("<meta")]
    lid = next(s for s in scored if s.text.startswith("In deze wet en de daarop berustende bepalingen"))
    assert lid.kind == "list_item" and lid.text.endswith("wordt verstaan onder:")
    assert sum(s.n_words <= 2 for s in scored) < 0.02 * len(scored)


def test_wmo_enumeration_items_carry_their_lead_in(nlp):
    # Wmo 2015 art. 1.1.1: the definition of maatschappelijke ondersteuning is a lead-in and three 1°-items
    sentences = segment(_bundled("wmo"), nlp)
    lead = [s for s in sentences if s.text == "maatschappelijke ondersteuning:"]
    assert [s.kind for s in lead] == ["lead_in"]
    items = [s for s in _scored(sentences) if s.text.startswith("maatschappelijke ondersteuning: ")]
    assert [s.text.split(": ", 1)[1][:30] for s in items] == [
        "bevorderen van de sociale same", "ondersteunen van de zelfredzaa", "bieden van beschermd wonen en "]
    assert {s.kind for s in items} == {"list_item"} and len({s.sentence_id for s in items}) == 3
    # the item's tokens are the lead-in's followed by its own, with offsets into the joined text
    item = items[2]
    assert [t.text for t in item.tokens][:3] == ["maatschappelijke", "ondersteuning", ":"]
    assert all(item.text[t.start:t.start + len(t.text)] == t.text for t in item.tokens)
    # a lid "2." after the a./b. items ends the enumeration: its text has no lead-in
    after = [s for s in _scored(sentences) if s.text.startswith("Personen of rechtspersonen die als vertegenwoordiger")]
    assert len(after) == 1


def test_cvdr_nested_enumeration_reads_as_aanhef_en_onder(nlp):
    # Weststellingwerf, Wmo-verordening (CVDR passages of the shared corpus, public regulation text)
    text = ("Ter waarborging van een goede verhouding tussen de prijs voor de levering van een dienst door een "
            "derde als bedoeld in artikel 2.6.4 van de wet en de eisen die gesteld worden aan de kwaliteit van de "
            "dienst stelt het college vast:\n"
            "a. een vaste prijs, die geldt voor een inschrijving als bedoeld in de Aanbestedingswet 2012 en het "
            "aangaan van een overeenkomst met de derde; of\n"
            "b. een reële prijs die geldt als ondergrens voor:\n"
            "1°. een inschrijving en het aangaan van een overeenkomst met de derde, en\n"
            "2°. de vaste prijs, bedoeld in onderdeel a.\n")
    got = sentences_of(nlp, text)
    assert [s.kind for s in got] == ["lead_in", "list_item", "lead_in", "list_item", "list_item"]
    aanhef = got[0].text
    assert got[1].text == aanhef + " een vaste prijs, die geldt voor een inschrijving als bedoeld in de " \
        "Aanbestedingswet 2012 en het aangaan van een overeenkomst met de derde; of"
    assert got[4].text == aanhef + " een reële prijs die geldt als ondergrens voor: de vaste prijs, bedoeld in onderdeel a."
    assert [s.sentence_id[-5:] for s in got] == ["00001", "00002", "00003", "00004", "00005"]


def test_cvdr_passages_have_no_bare_items_or_markdown(raw, nlp):
    """All 136 files of wmo-scraper-cvdr-passages: their "### Artikel 3." lines are headings
    without the markup, and an item is never a bare marker."""
    import re

    paths = sorted((raw / "wmo-scraper-cvdr-passages/passages").glob("*.txt"))
    assert len(paths) > 100
    scored, lead_ins = [], 0
    for path in paths:
        sentences = segment(extract(path), nlp)
        scored += _scored(sentences)
        lead_ins += sum(s.kind == "lead_in" for s in sentences)
        assert not [s.text for s in sentences if s.kind == "heading" and s.text.startswith("#")]
    assert not [s.text for s in scored if s.text.startswith("#") or not re.search(r"[^\W\d_]{2}", s.text)]
    assert lead_ins >= 20
    # "Woonvoorzieningen:" between two a.-enumerations starts a new one (Woudenberg)
    woon = [s.text for s in scored if s.text.startswith("Woonvoorzieningen: ")]
    assert woon[:2] == ["Woonvoorzieningen: toiletpot en verhoogd / hangend toilet;",
                        "Woonvoorzieningen: toiletgelegenheid op de eerste etage;"]


def test_coalitieakkoord_numbered_contents_and_list_markers(nlp):
    """The bundled coalitieakkoord 2021: its numbered contents page ("1. Democratische
    rechtsorde 1") is a table of contents, and no scored unit is a bare number."""
    import re

    sentences = segment(_bundled("coalitieakkoord"), nlp)
    toc = [s.text for s in sentences if s.kind == "toc"]
    assert "1. Democratische rechtsorde 1" in toc and "7. Internationaal 37" in toc
    scored = _scored(sentences)
    assert not [s.text for s in scored if re.fullmatch(r"\d{1,2}[.)]?", s.text)]
    # a real list item keeps its text, without its bullet
    assert any(s.kind == "list_item" and s.text.startswith("We ") for s in scored)


def test_fragments_are_kept_but_not_scored(nlp):
    # Wmo 2015 art. 7.21: "(Kst. 32 398)." splits after the abbreviation; its rest is no sentence
    got = sentences_of(nlp, "Wijzigt de Wet forensische zorg (Kst. 32 398).\n")
    assert [(s.kind, s.text) for s in got] == [("prose", "Wijzigt de Wet forensische zorg (Kst."),
                                               ("fragment", "32 398).")]


def test_parallel_runs_never_start_inside_an_enumeration(nlp):
    from analyzer.run.document import _chunks
    from analyzer.segment import continues_items, make_blocks, segment_blocks

    blocks = make_blocks(_bundled("wmo"))
    chunks = _chunks(blocks, 64)
    assert len(chunks) > 20 and not [c for c in chunks if continues_items(c.blocks[0])]
    whole = [(s.kind, s.text) for s in segment(_bundled("wmo"), nlp)]
    parts = [(s.kind, s.text) for c in chunks for s in segment_blocks(c.blocks, nlp, doc_id="x", state=c.state)]
    assert parts == whole
