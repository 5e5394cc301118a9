"""The contracts between stages: frozen dataclasses, one per thing that travels.

    ingest.extract() ─► ExtractedDocument ─► segment ─► Sentence (with tokens)
    scorers ─► Label (one row of matches.csv, or a derived label such as ``both``)
    run.document ─► DocResult (document row, sentence rows, labels) ─► aggregate ─► DocSummary
    RunSettings: everything that changes what a run produces; its fingerprint keys the store.

Field names equal the column names of :mod:`analyzer.schemas`, so a row is written by
taking its fields in schema order.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field, fields
from typing import Any


@dataclass(frozen=True, slots=True)
class Label:
    """One label of one sentence by one scoring method (a row of matches.csv when the
    method writes rows). ``hits`` is the weight the label counts with (1 for a single
    lexicon hit or classifier cluster; a combined label carries the hits of its parts)."""

    doc_id: str
    sentence_id: str
    page: int
    method: str
    group: str
    cluster: str
    value: str = ""
    term: str = ""
    start: int | None = None
    end: int | None = None
    negated: bool = False
    score: float = 1.0
    level: str = "cluster"
    cue: str = ""
    hits: int = 1

    def name_at(self, level: str) -> str:
        return self.value if level == "value" else self.cluster if level == "cluster" else self.group


@dataclass(frozen=True, slots=True)
class SentenceRow:
    """A row of sentences.csv: a sentence with its provenance (no tokens)."""

    doc_id: str
    sentence_id: str
    page: int
    section: str
    text: str
    kind: str
    section_level: int
    section_index: int
    words: int


@dataclass(frozen=True)
class DocumentRow:
    """A row of documents.csv."""

    doc_id: str
    path: str
    sha256: str = ""
    status: str = "ok"
    error: str = ""
    pages: int = 0
    words: int = 0
    sentences: int = 0
    text_quality: str = ""
    pipeline: str = ""
    file_type: str = ""
    title: str = ""
    pages_no_text: int = 0
    pages_broken_font: int = 0
    pages_low_text: int = 0
    sentences_scored: int = 0
    duplicate_of: str = ""
    seconds: float = 0.0

    @property
    def scorable(self) -> bool:
        """Has sentences that count in the profiles."""
        return self.status in ("ok", "warning") and self.sentences_scored > 0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> DocumentRow:
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})


@dataclass(frozen=True)
class DocResult:
    """Everything one document produced: its row, its sentences and every method's labels
    (written and derived), in document order."""

    document: DocumentRow
    sentences: tuple[SentenceRow, ...] = ()
    labels: tuple[Label, ...] = ()


@dataclass(frozen=True)
class RunSettings:
    """What changes the output of a run (and therefore keys the store).

    ``pipeline``, ``lexicon`` and ``model`` are the versioned names / sha256 of what ran;
    the rest are the user's options.
    """

    method: str = "both"
    pdf_engine: str = "pdfium"
    count_negated: bool = False
    max_pages: int | None = None
    pipeline: str = ""
    lexicon: str = ""
    model: str | None = None
    version: str = ""

    def options(self) -> dict[str, Any]:
        """The user's options as run.json records them."""
        return {"method": self.method, "pdf_engine": self.pdf_engine,
                "count_negated": self.count_negated, "max_pages": self.max_pages}

    def fingerprint(self) -> str:
        """A short hash of everything that changes a document's result."""
        blob = json.dumps(asdict(self), sort_keys=True, default=str)
        return hashlib.sha256(blob.encode()).hexdigest()[:16]

    def result_key(self, sha256: str, doc_id: str) -> str:
        """The store key of one document's result under these settings."""
        blob = json.dumps({"doc_id": doc_id, "settings": self.fingerprint()}, sort_keys=True)
        return f"{sha256}-{hashlib.sha256(blob.encode()).hexdigest()[:16]}"


@dataclass(frozen=True)
class DocSummary:
    """What a finished document contributes to a run, as stored and as sent between
    processes: its row, its additive counts (:mod:`analyzer.aggregate.counts`), the report's
    view of it (evidence, binned sections), and its rows of the per-document tables as CSV
    text in the one cell format (:mod:`analyzer.output.io`), so that writing a table is
    appending bytes and reading one is :func:`~analyzer.output.io.read_table`."""

    document: DocumentRow
    counts: dict[str, Any] = field(default_factory=dict)
    report: dict[str, Any] = field(default_factory=dict)
    rows: dict[str, str] = field(default_factory=dict)
