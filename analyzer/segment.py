"""Segmentation: pages of lines -> blocks -> sentences with provenance.

Lines are first grouped into blocks (a heading, a list item, a paragraph, a table row
or a table-of-contents entry). Paragraph lines are joined with end-of-line hyphenation
repaired, also across a page break, so that a sentence running over a page is one
sentence (its page is the page where it starts). Each block then goes through the
spaCy pipeline for sentence boundaries and lemmas. Every sentence knows its document,
page, section heading and kind; only ``prose`` and ``list_item`` sentences are scored.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .ingest.clean import join_lines
from .ingest.model import ExtractedDocument
from .ingest.sections import (
    ITEM_MARKER,
    MD_HEADING,
    NUMBERED_HEADING,
    body_font_size,
    classify_lines,
    heading_level,
    marker_kind,
)
from .schemas import SCORED_KINDS

if TYPE_CHECKING:  # pragma: no cover
    from spacy.language import Language

MAX_BLOCK_CHARS = 20_000
# a footnote number glued to the full stop ("flink gestegen.8 Dat steeg") would hide the sentence end
FOOTNOTE_MARK = re.compile(r"(?<=[a-z\)’'\"])\.\d{1,3}(?=\s+[A-Z(‘'\"]|\s*$)")
_WORD = re.compile(r"\w", re.UNICODE)
_WORD_INFO: dict[str, tuple[str, str, bool]] = {}  # word -> (lower case, simplemma lemma, has a word character)
_WORD_INFO_MAX = 100_000


@dataclass(slots=True)
class Token:
    """A token of a sentence: surface text, lower case, lemma and offset in the sentence."""

    text: str
    lower: str
    lemma: str
    start: int


@dataclass(slots=True)
class Sentence:
    """One sentence with its provenance and tokens."""

    doc_id: str
    sentence_id: str
    index: int
    page: int
    section: str
    section_level: int
    section_index: int
    kind: str
    text: str
    tokens: list[Token] = field(default_factory=list)

    words: int = -1
    """Tokens with a letter or digit (computed on first use)."""

    @property
    def n_words(self) -> int:
        if self.words < 0:
            self.words = sum(1 for t in self.tokens if _WORD.match(t.text))
        return self.words


@dataclass(slots=True)
class _Block:
    kind: str
    text: str
    page_starts: list[tuple[int, int]]  # (char offset, page)
    level: int = 0
    size: float = 0.0
    marker: str = ""
    """The list marker taken off a list item ("1.", "a.", "1°.", "•")."""

    def page_at(self, offset: int) -> int:
        if len(self.page_starts) == 1:  # most blocks lie on one page
            return self.page_starts[0][1]
        positions = [p for p, _ in self.page_starts]
        return self.page_starts[max(0, bisect_right(positions, offset) - 1)][1]


def make_doc_id(path: str, sha256: str) -> str:
    """A stable, readable id: an ASCII slug of the file name plus 8 hex digits of its sha256."""
    stem = path.replace("\\", "/").rsplit("/", 1)[-1].rsplit(".", 1)[0]
    ascii_stem = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^A-Za-z0-9]+", "-", ascii_stem).strip("-")[:40] or "doc"
    return f"{slug}-{sha256[:8]}"


def make_blocks(doc: ExtractedDocument) -> list[_Block]:
    all_lines = [line for page in doc.pages for line in page.lines]
    body = body_font_size(all_lines)
    heading_sizes = sorted({ln.size for ln in all_lines if ln.size > body + 1.5}, reverse=True)
    blocks: list[_Block] = []
    current: _Block | None = None
    footnotes: list[_Block] = []  # kept aside so a paragraph can run on past the page's footnotes

    def close() -> None:
        nonlocal current
        if current is not None and current.text.strip():
            blocks.append(current)
        current = None
        blocks.extend(footnotes)
        footnotes.clear()

    for page in doc.pages:
        kinds = classify_lines(page.lines, body)
        for line, kind in zip(page.lines, kinds, strict=True):
            text = line.text
            if kind == "heading":
                md = MD_HEADING.match(text)
                if md and not line.heading:  # "### Artikel 3." in a .txt file: the heading without its markup
                    text = text[md.end():]
                level = line.heading or (len(md.group(1)) if md else heading_level(text, line.size, heading_sizes))
                if (current is not None and current.kind == "heading" and not line.block_start
                        and abs(line.size - current.size) < 0.5 and len(current.text) < 160
                        and not NUMBERED_HEADING.match(text) and line.heading in (0, current.level)):
                    current.text = join_lines(current.text, text)  # a heading wrapped over two lines
                    continue
                close()
                current = _Block("heading", text, [(0, page.number)], level, line.size)
                continue
            if kind == "footnote":
                footnotes.append(_Block(kind, text, [(0, page.number)]))
                continue
            if kind in ("table", "toc"):
                close()
                blocks.append(_Block(kind, text, [(0, page.number)]))
                continue
            if kind == "list_item":
                close()
                marker = ITEM_MARKER.match(text)
                rest = text[marker.end():] if marker else text
                current = _Block("list_item", rest or text, [(0, page.number)],
                                 marker=marker.group("marker") if marker and rest else "")
                continue
            # prose: continue the open paragraph or list item unless the format says a new block starts
            if current is not None and current.kind in ("prose", "list_item") and not line.block_start \
                    and len(current.text) < MAX_BLOCK_CHARS:
                if current.page_starts[-1][1] != page.number:
                    current.page_starts.append((len(current.text) + 1, page.number))
                current.text = join_lines(current.text, text)
                continue
            close()
            current = _Block("prose", text, [(0, page.number)])
    close()
    for block in blocks:
        block.text = FOOTNOTE_MARK.sub(".", block.text.replace("\x02", ""))
    return blocks


def sentence_starts(words: list[str], is_punct: list[int], punct_chars: set[str]) -> list[int]:
    """Token indices where sentences start, by the rule of spaCy's ``Sentencizer``: after a
    token in ``punct_chars``, the next token that is neither punctuation nor such a token
    starts a sentence."""
    starts = [0]
    seen_period = False
    for i, word in enumerate(words):
        ends = word in punct_chars
        if seen_period and not is_punct[i] and not ends:
            starts.append(i)
            seen_period = False
        elif ends:
            seen_period = True
    return starts


SectionState = tuple[str, int, int]
"""(heading, level, running section index)."""

START: SectionState = ("", 0, 0)


def section_states(blocks: list[_Block], start: SectionState = START) -> list[SectionState]:
    """The section each block belongs to, continuing from ``start``: a heading opens a new
    one (and belongs to it)."""
    states = []
    section, level, index = start
    for block in blocks:
        if block.kind == "heading":
            section, level, index = block.text, block.level, index + 1
        states.append((section, level, index))
    return states


def segment(doc: ExtractedDocument, nlp: Language, *, doc_id: str | None = None, attach: bool = True
            ) -> list[Sentence]:
    """Split an extracted document into sentences with page, section and kind.

    Args:
        doc: the output of :func:`analyzer.ingest.extract`.
        nlp: the pipeline from :func:`analyzer.nlp.build_pipeline`.
        doc_id: defaults to :func:`make_doc_id` of the path and hash.
        attach: make every scored unit a sentence (:func:`attach_items`); False gives the
            pipeline's own sentence spans of each block.
    """
    doc_id = doc_id or make_doc_id(doc.path, doc.sha256)
    return segment_blocks(make_blocks(doc), nlp, doc_id=doc_id, attach=attach)


def segment_blocks(blocks: list[_Block], nlp: Language, *, doc_id: str, state: SectionState = START,
                   attach: bool = True) -> list[Sentence]:
    """Sentences of consecutive blocks of one document, numbered from 1, starting from the
    section ``state`` before the first block (see :func:`section_states`)."""
    from spacy.attrs import IDX, IS_PUNCT, IS_SPACE, LEMMA, LENGTH, SENT_START
    from spacy.pipeline import Sentencizer

    from .nlp import LEMMATIZER_NAME, lemmatize_word

    sentences: list[Sentence] = []
    starts: list[str | None] = []  # per sentence: the marker of the item it starts ("" unmarked), None inside a block
    texts = [b.text for b in blocks]
    # Token attributes are read as arrays (no spaCy Token objects). In the fallback
    # pipeline the simplemma lemmas are looked up here from their cache, and the
    # sentencizer's rule is applied here to prose and list items only (headings, table rows,
    # contents entries and footnotes are one unit each): the same sentences and lemmas as
    # running those components on every token (tests/test_segment.py).
    own_lemmas = LEMMATIZER_NAME in nlp.pipe_names
    sentencizer = nlp.get_pipe("sentencizer") if "sentencizer" in nlp.pipe_names else None
    own_sentences = type(sentencizer) is Sentencizer and not sentencizer.overwrite
    punct_chars = sentencizer.punct_chars if own_sentences else set()
    disable = ([LEMMATIZER_NAME] if own_lemmas else []) + (["sentencizer"] if own_sentences else [])
    attrs = [IDX, LENGTH, IS_SPACE, IS_PUNCT if own_sentences else SENT_START] + ([] if own_lemmas else [LEMMA])
    strings = nlp.vocab.strings
    docs = nlp.pipe(texts, batch_size=128, disable=disable)
    for block, (section, section_level, section_index), spacy_doc in zip(
            blocks, section_states(blocks, state), docs, strict=True):
        n = len(spacy_doc)
        if n == 0:
            continue
        columns = spacy_doc.to_array(attrs).T.tolist()
        idx, length, is_space, flag = columns[:4]
        doc_text = block.text  # what spaCy tokenised; Doc.text would rebuild it token by token
        words = [doc_text[i:i + k] for i, k in zip(idx, length, strict=True)]
        if block.kind not in ("prose", "list_item"):  # a heading, table row, contents entry or footnote
            bounds = [0, n]
        elif own_sentences:
            bounds = [*sentence_starts(words, flag, punct_chars), n]
        else:  # boundaries set by the pipeline (parser or another sentencizer)
            bounds = [0] + [i for i in range(1, n) if flag[i] == 1] + [n]
        first = True
        for start, end in zip(bounds[:-1], bounds[1:], strict=True):
            offset = idx[start]
            text = doc_text[offset:idx[end - 1] + length[end - 1]].strip()
            if not text:
                continue
            tokens = []
            n_words = 0
            for i in range(start, end):
                if is_space[i]:
                    continue
                word = words[i]
                known = _WORD_INFO.get(word) if own_lemmas else None
                if known is None:
                    lower = word.lower()
                    lemma = (lemmatize_word(lower) if own_lemmas else strings[columns[4][i]].lower()) or lower
                    known = (lower, lemma, _WORD.match(word) is not None)
                    if own_lemmas:  # the fallback's lemma depends on the word alone: remember it
                        if len(_WORD_INFO) > _WORD_INFO_MAX:
                            _WORD_INFO.clear()
                        _WORD_INFO[word] = known
                tokens.append(Token(word, known[0], known[1], idx[i] - offset))
                n_words += known[2]
            index = len(sentences)
            sentences.append(Sentence(
                doc_id=doc_id, sentence_id=f"{doc_id}:{index + 1:05d}", index=index,
                page=block.page_at(offset), section=section, section_level=section_level,
                section_index=section_index, kind=block.kind, text=text, tokens=tokens, words=n_words,
            ))
            starts.append(block.marker if first else None)
            first = False
    return attach_items(sentences, starts, doc_id=doc_id) if attach else sentences


# ------------------------------------------------------------------ what a scored sentence is

ENUMERATION = ("letter", "degree", "roman")
"""Marker kinds of a regulation's enumeration (a., b., 1°., ii.): its items complete a lead-in."""
_ROMAN = re.compile(r"\b[IVXivx]{1,5}[.)]")
_TWO_LETTERS = re.compile(r"[^\W\d_]{2}")


def is_fragment(text: str) -> bool:
    """A unit without a word: only numbering, list markers, markup or figures ("1.", "a.",
    "1°.", "§ 2", "II.", "(b)", "–", "*")."""
    return _TWO_LETTERS.search(_ROMAN.sub("", text)) is None


def _marker_of(text: str) -> str:
    match = ITEM_MARKER.match(text.strip() + " ")
    return match.group("marker") if match else ""


def is_lead_in(text: str) -> bool:
    """A unit that announces what follows: it ends with a colon ("… bestaat:", "maatwerkvoorziening:")."""
    return text.rstrip(" *_").endswith(":")


def continues_items(block: _Block) -> bool:
    """True for a block that is an item of a regulation's enumeration: it reads with the lead-in
    before it, so a run of blocks (parallel segmentation) must not start at it."""
    return block.kind == "list_item" and marker_kind(block.marker) in ENUMERATION if block.marker else False


def _with_lead_ins(leads: list[Sentence], item: Sentence) -> Sentence:
    parts = [*leads, item]
    tokens, offset = [], 0
    for part in parts:
        tokens.extend(Token(t.text, t.lower, t.lemma, t.start + offset) for t in part.tokens)
        offset += len(part.text) + 1
    return Sentence(doc_id=item.doc_id, sentence_id=item.sentence_id, index=item.index, page=item.page,
                    section=item.section, section_level=item.section_level, section_index=item.section_index,
                    kind=item.kind, text=" ".join(p.text for p in parts), tokens=tokens,
                    words=sum(p.n_words for p in parts))


def attach_items(sentences: list[Sentence], starts: list[str | None], *, doc_id: str) -> list[Sentence]:
    """Make every scored unit a sentence (``docs/pipeline.md``, "What a scored sentence is").

    - A unit without a word ("1.", "a.", "1°.", "§ 2") becomes kind ``fragment`` (kept, not
      scored); a marker among them numbers the sentence after it in the same block.
    - An item of a regulation's enumeration (a., b., 1°., ii.) is read with its lead-in, as
      "aanhef en onder b" is read: the unit before the enumeration that ends with a colon is
      put before every item (nested enumerations put every level's lead-in), and the lead-in
      itself becomes kind ``lead_in`` (kept, not scored: its words count with its items).

    ``starts`` holds, per sentence, the marker of the list item it begins ("" for an unmarked
    block) or None for a later sentence of a block. Sentences are renumbered from 1.
    """
    out: list[Sentence] = []
    stack: list[tuple[str, Sentence | None]] = []  # per open enumeration level: (marker kind, its lead-in)
    prev: tuple[Sentence, Sentence] | None = None  # (as written out, as segmented) of the last scored unit
    pending = ""  # the marker of a fragment, numbering the next sentence of the block
    for s, marker in zip(sentences, starts, strict=True):
        if s.kind not in SCORED_KINDS:
            if s.kind == "heading":
                stack.clear()
                prev = None
            out.append(s)
            continue
        if is_fragment(s.text):
            s.kind = "fragment"
            pending = _marker_of(s.text)
            out.append(s)
            continue
        if marker is None and pending:
            marker = pending
        pending = ""
        kind = marker_kind(marker) if marker else ""
        if kind not in ENUMERATION:
            if marker is not None:  # a new paragraph or item that is not an enumeration item
                stack.clear()
            prev = (s, s)
            out.append(s)
            continue
        levels = [k for k, _ in stack]
        if prev is not None and is_lead_in(prev[1].text):  # a new enumeration (at this level, if one is open)
            if kind in levels:
                del stack[levels.index(kind):]
            prev[0].kind = "lead_in"
            stack.append((kind, prev[1]))
        elif kind in levels:  # the next item of an open enumeration (a deeper one ends)
            del stack[levels.index(kind) + 1:]
        else:
            stack.append((kind, None))
        leads = [lead for _, lead in stack if lead is not None]
        written = _with_lead_ins(leads, s) if leads else s
        prev = (written, s)
        out.append(written)
    for i, s in enumerate(out):
        s.index = i
        s.sentence_id = f"{doc_id}:{i + 1:05d}"
    return out
