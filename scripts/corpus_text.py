"""Text of the shared corpus's documents as waardenscan segments it, for sampling and for
rebuilding reference-only rows of the annotated corpus (party programmes and internal
dossiers, whose text is not stored in this repository)."""

from __future__ import annotations

import re
from pathlib import Path

from analyzer.ingest import extract, file_sha256
from analyzer.ingest.model import ExtractedDocument, Line, Page
from analyzer.segment import Sentence, make_doc_id, segment


def read_baarn_yaml(path: Path) -> ExtractedDocument:
    """The Baarn coalitieakkoord is published here as YAML: take every `tekst:` field."""
    text = path.read_text(encoding="utf-8")
    lines: list[Line] = []
    current: list[str] | None = None
    indent = 0
    for raw in text.splitlines():
        match = re.match(r"^(\s*)(?:- )?tekst:\s*(.*)$", raw)
        if match:
            if current:
                lines.append(Line(" ".join(current).strip("'\" "), block_start=True))
            indent = len(match.group(1))
            current = [match.group(2)]
            continue
        if current is not None:
            if raw.startswith(" " * (indent + 2)) and not re.match(r"^\s*[\w_]+:\s", raw):
                current.append(raw.strip())
            else:
                lines.append(Line(" ".join(current).strip("'\" "), block_start=True))
                current = None
    if current:
        lines.append(Line(" ".join(current).strip("'\" "), block_start=True))
    return ExtractedDocument(path=str(path), sha256=file_sha256(path), file_type="yaml",
                             pages=[Page(number=1, lines=lines)], title="Coalitieakkoord Baarn 2022-2026")


def extract_document(path: Path) -> ExtractedDocument:
    return read_baarn_yaml(path) if path.suffix == ".yaml" else extract(path)


def document_sentences(path: Path, nlp) -> list[Sentence]:  # type: ignore[no-untyped-def]
    """All sentences of one shared-corpus file, with the ids the annotated corpus uses."""
    doc = extract_document(path)
    return segment(doc, nlp, doc_id=make_doc_id(str(path), doc.sha256))
