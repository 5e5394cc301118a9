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
        ours = [(s.text, [(t.text, t.lower, t.lemma, t.start) for t in s.tokens]) for s in segment(doc, nlp)]
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
    assert checked > 1200
