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
from .ingest.sections import BULLET, NUMBERED_HEADING, body_font_size, classify_lines, heading_level

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
                level = line.heading or heading_level(text, line.size, heading_sizes)
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
                current = _Block("list_item", BULLET.sub("", text, count=1) or text, [(0, page.number)])
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


def segment(doc: ExtractedDocument, nlp: Language, *, doc_id: str | None = None) -> list[Sentence]:
    """Split an extracted document into sentences with page, section and kind.

    Args:
        doc: the output of :func:`analyzer.ingest.extract`.
        nlp: the pipeline from :func:`analyzer.nlp.build_pipeline`.
        doc_id: defaults to :func:`make_doc_id` of the path and hash.
    """
    doc_id = doc_id or make_doc_id(doc.path, doc.sha256)
    return segment_blocks(make_blocks(doc), nlp, doc_id=doc_id)


def segment_blocks(blocks: list[_Block], nlp: Language, *, doc_id: str, state: SectionState = START
                   ) -> list[Sentence]:
    """Sentences of consecutive blocks of one document, numbered from 1, starting from the
    section ``state`` before the first block (see :func:`section_states`)."""
    from spacy.attrs import IDX, IS_PUNCT, IS_SPACE, LEMMA, LENGTH, SENT_START
    from spacy.pipeline import Sentencizer

    from .nlp import LEMMATIZER_NAME, lemmatize_word

    sentences: list[Sentence] = []
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
    return sentences
