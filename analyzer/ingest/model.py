"""Plain data classes passed from extraction to segmentation."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Protocol


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

    def to_json(self) -> dict[str, Any]:
        """Everything but the path (a cached extraction serves every copy of the file)."""
        data = asdict(self)
        data.pop("path")
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any], *, path: str, sha256: str) -> ExtractedDocument:
        pages = [Page(number=p["number"], lines=[Line(**ln) for ln in p["lines"]], quality=p["quality"],
                      n_chars=p["n_chars"]) for p in data["pages"]]
        return cls(path=path, sha256=sha256, file_type=data["file_type"], pages=pages, title=data["title"],
                   text_quality=data["text_quality"], warnings=data["warnings"], extractor=data["extractor"])


class ExtractionCache(Protocol):
    """Where :func:`analyzer.ingest.extract` keeps extractions by file sha256 and extractor
    key (:class:`analyzer.run.store.Store` is one)."""

    def get_extraction(self, sha256: str, key: str, path: str) -> ExtractedDocument | None: ...

    def put_extraction(self, doc: ExtractedDocument, key: str) -> None: ...
