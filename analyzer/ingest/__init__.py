"""Ingestion: find input files and turn each into pages of cleaned lines.

``discover`` expands files and folders into a sorted list of documents;
``extract`` reads one file (PDF, TXT/MD, HTML, CVDR XML), flags its text quality and
returns an :class:`ExtractedDocument`. Errors are raised as
:class:`~analyzer.errors.InputError` with the file name and the reason.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from ..errors import InputError
from .clean import remove_running_lines
from .model import ExtractedDocument, ExtractionCache, Line, Page
from .quality import document_quality

__all__ = [
    "EXTRACTOR_VERSION", "SUPPORTED_SUFFIXES", "ExtractedDocument", "ExtractionCache", "Line",
    "Page", "discover", "extract", "file_sha256",
]

EXTRACTOR_VERSION = "1"
"""Bumped whenever extraction output changes, so cached extractions are rebuilt."""

SUPPORTED_SUFFIXES = {
    ".pdf": "pdf", ".txt": "text", ".text": "text", ".md": "markdown", ".markdown": "markdown",
    ".html": "html", ".htm": "html", ".xhtml": "html", ".xml": "xml",
}


_NOT_DOCUMENTS = ("README", "LICENSE", "LICENCE", "CHANGELOG", "SOURCES")
"""Files with these names inside a folder are documentation of the folder, not documents."""


def file_sha256(path: Path) -> str:
    """sha256 of a file's bytes, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def discover(inputs: list[str | Path]) -> tuple[list[Path], list[tuple[Path, str]]]:
    """Expand files and folders (recursively) into documents, sorted and de-duplicated.

    Folders are walked without following symbolic links to folders, so symlink loops
    cannot hang a batch; hidden files, unsupported suffixes and README/LICENSE/SOURCES
    files inside folders are skipped. Files named explicitly are always returned (so an unsupported one is
    reported rather than silently ignored).

    Returns:
        ``(documents, problems)``: the files to read, and ``(path, reason)`` for inputs
        that do not exist.
    """
    found: dict[str, Path] = {}
    problems: list[tuple[Path, str]] = []
    for item in inputs:
        path = Path(item)
        if path.is_dir():
            for root, dirs, files in os.walk(path, followlinks=False):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(files):
                    if name.startswith(".") or name.upper().startswith(_NOT_DOCUMENTS):
                        continue
                    child = Path(root) / name
                    if child.suffix.lower() in SUPPORTED_SUFFIXES:
                        found.setdefault(str(child), child)
        elif path.exists() or path.is_symlink():
            found.setdefault(str(path), path)
        else:
            problems.append((path, "no such file or folder"))
    return sorted(found.values(), key=lambda p: str(p)), problems


def sniff(path: Path, head: bytes) -> str:
    """The document type from content first and suffix second."""
    suffix = path.suffix.lower()
    stripped = head.lstrip()
    if head.startswith(b"%PDF") or b"%PDF-" in head[:1024]:
        return "pdf"
    if suffix == ".pdf":
        if not head:
            raise InputError(f"{path}: empty file (0 bytes)")
        if head.startswith(b"PK\x03\x04"):
            raise InputError(f"{path}: named .pdf but is a ZIP archive (a DOCX or XLSX?); save it as PDF")
        if stripped[:15].lower().startswith((b"<!doctype html", b"<html", b"<?xml")):
            raise InputError(f"{path}: named .pdf but is HTML/XML; rename it to .html or .xml")
        if head.startswith(b"\xd0\xcf\x11\xe0"):
            raise InputError(f"{path}: named .pdf but is an old Office file (.doc); save it as PDF")
        raise InputError(f"{path}: named .pdf but has no PDF header (corrupt or not a PDF)")
    if suffix in (".docx", ".doc", ".odt", ".xlsx", ".pptx"):
        raise InputError(f"{path}: {suffix} files are not supported; save as PDF or text")
    if suffix not in SUPPORTED_SUFFIXES:
        raise InputError(
            f"{path}: unsupported file type {suffix or '(none)'}; "
            f"supported: {', '.join(sorted(SUPPORTED_SUFFIXES))}"
        )
    kind = SUPPORTED_SUFFIXES[suffix]
    if kind == "xml" and b"<html" in stripped[:2000].lower():
        return "html"
    return kind


def extract(
    path: str | Path,
    *,
    pdf_engine: str = "pdfium",
    cache: ExtractionCache | None = None,
    sha256: str | None = None,
    max_pages: int | None = None,
    parallel: int = 1,
) -> ExtractedDocument:
    """Read one document into pages of cleaned lines with a text-quality flag.

    Args:
        path: the file.
        pdf_engine: ``"pdfium"`` (fast, default) or ``"pdfplumber"``.
        cache: where to keep and look up extractions by sha256; ``None`` disables it.
        sha256: the file's hash if the caller already computed it.
        max_pages: read at most this many pages of a PDF.
        parallel: processes that may read the pages of one large PDF (same result).

    Raises:
        InputError: the file is missing, unreadable, empty, corrupt, encrypted or of an
            unsupported type.
    """
    path = Path(path)
    try:
        with open(path, "rb") as fh:
            head = fh.read(4096)
    except IsADirectoryError:
        raise InputError(f"{path}: is a folder") from None
    except PermissionError:
        raise InputError(f"{path}: permission denied") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    if not head:
        raise InputError(f"{path}: empty file (0 bytes)")
    kind = sniff(path, head)
    sha256 = sha256 or file_sha256(path)
    key = f"v{EXTRACTOR_VERSION}-{pdf_engine if kind == 'pdf' else kind}-{max_pages or 'all'}"
    if cache is not None:
        hit = cache.get_extraction(sha256, key, str(path))
        if hit is not None:
            return hit
    doc = _extract_uncached(path, kind, pdf_engine=pdf_engine, max_pages=max_pages, parallel=parallel)
    doc.sha256 = sha256
    doc.extractor = key
    if cache is not None:
        cache.put_extraction(doc, key)
    return doc


def _extract_uncached(path: Path, kind: str, *, pdf_engine: str, max_pages: int | None,
                      parallel: int = 1) -> ExtractedDocument:
    from . import text as textmod

    warnings: list[str] = []
    title = ""
    if kind == "pdf":
        from . import pdf as pdfmod

        if pdf_engine == "pdfium":
            pages = pdfmod.read_pages_pdfium(path, max_pages=max_pages, parallel=parallel)
        elif pdf_engine == "pdfplumber":
            pages = list(pdfmod.iter_pages_pdfplumber(path, max_pages=max_pages))
        else:
            raise InputError(f"unknown PDF engine {pdf_engine!r}; use 'pdfium' or 'pdfplumber'")
        unreadable = sum(p.quality == "unreadable" for p in pages)
        if pages and unreadable == len(pages):
            raise InputError(f"{path}: no page could be loaded (broken page tree or page objects)")
        title = pdfmod.pdf_title(path)
        removed = remove_running_lines(pages)
        if removed:
            warnings.append(f"removed {removed} running header/footer lines")
    else:
        data = path.read_bytes()
        if kind in ("text", "markdown"):
            decoded, encoding = textmod.decode(data, name=str(path))
            if encoding not in ("utf-8", "ascii"):
                warnings.append(f"decoded as {encoding}")
            pages = textmod.read_plain(decoded, markdown=kind == "markdown")
        elif kind == "html":
            pages, title = textmod.read_html(data)
        else:
            try:
                pages, title = textmod.read_cvdr(data)
            except InputError as exc:
                raise InputError(f"{path}: {exc}") from None
        for page in pages:
            letters = sum(ch.isalpha() for line in page.lines for ch in line.text)
            page.quality = "no_text" if letters < 20 else "ok"
        if len(pages) == 1 and pages[0].quality == "no_text":
            pages[0].quality = "no_text"
    sample = " ".join(line.text for page in pages[:40] for line in page.lines)
    quality = document_quality([p.quality for p in pages], sample)
    if title.lower().startswith("microsoft word - "):
        title = ""  # the name of the Word file, not a title
    if not title:
        title = next((ln.text for p in pages for ln in p.lines if ln.heading), "")[:200]
    return ExtractedDocument(path=str(path), sha256="", file_type=kind, pages=pages, title=title,
                             text_quality=quality, warnings=warnings)
