"""Plain data classes passed from extraction to segmentation."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(slots=True)
class Line:
    """One line of extracted text.

    Attributes:
        text: the cleaned line.
        size: font size in points where the format has one (PDF), else 0.
        heading: heading level 1-6 when the format marks it (HTML h1-h6, Markdown #,
            CVDR <kop>), else 0; PDFs get their headings from
            :mod:`analyzer.ingest.sections`.
        list_item: the format marks this line as a list item (HTML li, CVDR li).
        block_start: the line starts a new paragraph (an empty line or a block
            element came before it).
    """

    text: str
    size: float = 0.0
    heading: int = 0
    list_item: bool = False
    block_start: bool = False


@dataclass(slots=True)
class Page:
    """A page of a document (plain-text formats have one page unless they hold form feeds)."""

    number: int
    lines: list[Line] = field(default_factory=list)
    quality: str = "ok"
    n_chars: int = 0


@dataclass(slots=True)
class ExtractedDocument:
    """Everything extraction learnt about one file."""

    path: str
    sha256: str
    file_type: str
    pages: list[Page]
    title: str = ""
    text_quality: str = "ok"
    warnings: list[str] = field(default_factory=list)
    extractor: str = ""

    @property
    def n_pages(self) -> int:
        return len(self.pages)
