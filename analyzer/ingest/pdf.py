"""PDF text extraction, page by page.

The default engine is pypdfium2 (PDFium, the engine pdfplumber itself ships with):
measured on the shared corpus it reads text 50-60x faster than pdfplumber's
``extract_text`` (``scripts/benchmark_extraction.py``) and keeps PDFium's
content-stream order, which reads multi-column layouts column by column. It also
gives the rendered text height of each line, which :mod:`analyzer.ingest.sections` uses to find
headings. ``engine="pdfplumber"`` is kept for comparison and for PDFs where a user
prefers pdfminer's layout analysis.

Pages are loaded and closed one at a time, so a 1,000-page PDF never sits in memory
as a whole.
"""

from __future__ import annotations

import ctypes
import re
from collections.abc import Iterator
from pathlib import Path

from .. import pool
from ..errors import InputError
from .clean import normalize_chars
from .model import Line, Page
from .quality import raw_page_quality

_NEWLINES = re.compile(r"\r\n|\r|\n")


def _open_pdfium(path: Path):  # type: ignore[no-untyped-def]
    import pypdfium2 as pdfium

    try:
        return pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as exc:
        message = str(exc).lower()
        if "password" in message:
            raise InputError(f"{path}: encrypted PDF that needs a password; decrypt it first") from None
        if "format" in message or "file" in message or "header" in message:
            raise InputError(f"{path}: not a readable PDF (corrupt, truncated or not a PDF: {exc})") from None
        raise InputError(f"{path}: PDF cannot be opened: {exc}") from None


def pdf_title(path: Path) -> str:
    """The Title field of the PDF's metadata, or ''."""
    pdf = _open_pdfium(path)
    try:
        return normalize_chars(str(pdf.get_metadata_dict().get("Title", "") or ""))
    except Exception:  # metadata is optional and often malformed; the text is what counts
        return ""
    finally:
        pdf.close()


def iter_pages_pdfium(path: Path, *, max_pages: int | None = None, first: int = 0,
                      last: int | None = None) -> Iterator[Page]:
    """Yield the pages of a PDF with per-line font sizes, one page in memory at a time
    (pages ``first`` up to ``last``, 0-based, if given)."""
    import pypdfium2.raw as raw_api

    pdf = _open_pdfium(path)
    rect = raw_api.FS_RECTF()
    try:
        n_pages = len(pdf)
        if max_pages is not None:
            n_pages = min(n_pages, max_pages)
        if last is not None:
            n_pages = min(n_pages, last)
        for index in range(first, n_pages):
            try:
                page = pdf[index]
                textpage = page.get_textpage()
            except Exception:  # one broken page object must not lose the document
                yield Page(number=index + 1, lines=[], quality="unreadable", n_chars=0)
                continue
            try:
                text = textpage.get_text_range()
                quality = raw_page_quality(text)
                if quality == "no_text" and raw_api.FPDFPage_CountObjects(page.raw) == 0:
                    quality = "empty"  # no text and no image either: blank or broken, not a scan
                lines: list[Line] = []
                if quality != "broken_font":
                    offset = 0
                    for raw_line in _NEWLINES.split(text):
                        start = offset
                        offset += len(raw_line) + 2
                        cleaned = normalize_chars(raw_line)
                        if not cleaned:
                            continue
                        first = start + (len(raw_line) - len(raw_line.lstrip()))
                        size = 0.0
                        if first < len(text):
                            # the loose box height reflects the rendered size even when the
                            # font size is 1 and a text matrix scales it (common in Word exports)
                            raw_api.FPDFText_GetLooseCharBox(textpage.raw, first, ctypes.byref(rect))
                            size = round(2 * float(rect.top - rect.bottom)) / 2
                        if raw_line.endswith("\x02"):
                            cleaned += "\x02"
                        lines.append(Line(text=cleaned, size=size))
                yield Page(number=index + 1, lines=lines, quality=quality, n_chars=len(text))
            finally:
                textpage.close()
                page.close()
    finally:
        pdf.close()


def _page_range(args: tuple[str, int, int]) -> list[Page]:
    path, first, last = args
    return list(iter_pages_pdfium(Path(path), first=first, last=last))


def read_pages_pdfium(path: Path, *, max_pages: int | None = None, parallel: int = 1) -> list[Page]:
    """All pages of a PDF (see :func:`iter_pages_pdfium`); with ``parallel > 1`` and at least
    :data:`analyzer.pool.PARALLEL_MIN_PAGES` pages, consecutive page ranges are read by that many forked
    processes and put back in order (the same pages)."""
    if parallel > 1:
        pdf = _open_pdfium(path)
        try:
            n_pages = len(pdf)
        finally:
            pdf.close()
        n_pages = min(n_pages, max_pages) if max_pages is not None else n_pages
        if n_pages >= pool.PARALLEL_MIN_PAGES:
            parts = 4 * parallel
            bounds = [round(i * n_pages / parts) for i in range(parts + 1)]
            ranges = [(str(path), a, b) for a, b in zip(bounds[:-1], bounds[1:], strict=True) if b > a]
            return [page for part in pool.fork_map(_page_range, ranges, parallel) for page in part]
    return list(iter_pages_pdfium(path, max_pages=max_pages))


def iter_pages_pdfplumber(path: Path, *, max_pages: int | None = None) -> Iterator[Page]:
    """Yield pages via pdfplumber's ``extract_text`` (slower; no font sizes)."""
    import pdfplumber

    try:
        pdf = pdfplumber.open(str(path))
    except Exception as exc:
        raise InputError(f"{path}: not a readable PDF ({type(exc).__name__}: {exc})") from None
    with pdf:
        for index, page in enumerate(pdf.pages):
            if max_pages is not None and index >= max_pages:
                break
            text = page.extract_text() or ""
            quality = raw_page_quality(text)
            lines = [] if quality == "broken_font" else [
                Line(text=normalize_chars(t)) for t in text.splitlines() if normalize_chars(t)
            ]
            page.flush_cache()
            yield Page(number=index + 1, lines=lines, quality=quality, n_chars=len(text))
