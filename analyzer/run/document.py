"""One document from file to summary: extract -> segment -> score -> count.

:func:`process_document` never raises for a bad document: the failure becomes a
``status=error`` row with a one-line reason, so a batch always goes on. :func:`summarize`
turns the typed :class:`~analyzer.types.DocResult` into the
:class:`~analyzer.types.DocSummary` that is stored and assembled.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from .. import pool
from ..aggregate.counts import document_counts
from ..aggregate.evidence import report_view
from ..errors import WaardenscanError
from ..ingest import extract, file_sha256
from ..output.io import rows_text
from ..schemas import SCORED_KINDS
from ..scoring.base import build_scorers, levels_of, methods_for, run_scorers, writes_rows
from ..segment import (
    START,
    continues_items,
    make_blocks,
    make_doc_id,
    section_states,
    segment_blocks,
)
from ..types import DocResult, DocSummary, DocumentRow, Label, RunSettings, SentenceRow

log = logging.getLogger(__name__)

UNSCORABLE = {
    "no_text": "no text layer (scanned or image-only PDF): run OCR first; not scored",
    "broken_font": "broken font encoding: the text layer is glyph garbage (cid codes); not scored",
}


class Resources:
    """The pipeline, lexicon, matcher, classifier and scorers of a run, built on first use
    (a fully cached re-run loads neither spaCy nor the classifier)."""

    def __init__(self, *, lexicon: Any, nlp: Any = None, pipeline: str = "auto", clf: Any = None,
                 model_folder: Path | None = None) -> None:
        self.lexicon = lexicon
        self.nlp = nlp
        self.pipeline = pipeline
        self.clf = clf
        self.model_folder = model_folder
        self.matcher: Any = None
        self.scorers: list[Any] | None = None

    def pipeline_name(self) -> str:
        from ..nlp import pipeline_label, pipeline_name

        return pipeline_name(self.nlp) if self.nlp is not None else pipeline_label(self.pipeline)

    def load(self, settings: RunSettings) -> Resources:
        from ..nlp import build_pipeline, pipeline_name
        from ..scoring.lexicon import Matcher

        if self.nlp is None:
            self.nlp = build_pipeline(self.pipeline)
            if pipeline_name(self.nlp) != settings.pipeline:  # pragma: no cover - a broken installation
                raise WaardenscanError(f"pipeline {pipeline_name(self.nlp)} is not the expected {settings.pipeline}")
        if self.matcher is None:
            self.matcher = Matcher(self.lexicon)
        if self.clf is None and self.model_folder is not None:
            from ..scoring.classifier.model import load_model

            self.clf = load_model(self.model_folder, lexicon=self.lexicon)
        if self.scorers is None:
            self.scorers = build_scorers(settings.method, self, settings)
        return self


def error_row(path: str | Path, reason: str, *, sha256: str = "", status: str = "error",
              pipeline: str = "", seconds: float = 0.0) -> DocumentRow:
    """The row of a document that could not be processed."""
    reason = reason.replace("\r", "\\r").replace("\n", "\\n")  # one line, whatever the file name
    return DocumentRow(doc_id=make_doc_id(str(path), sha256 or "00000000"), path=str(path), sha256=sha256,
                       status=status, error=reason, pipeline=pipeline,
                       file_type=Path(str(path)).suffix.lower().lstrip("."), seconds=round(seconds, 3))


def error_summary(path: str | Path, reason: str, **kwargs: Any) -> DocSummary:
    return DocSummary(document=error_row(path, reason, **kwargs))


@dataclass(frozen=True)
class _Chunk:
    blocks: list[Any]
    state: Any


def _analyse(chunk: _Chunk, *, doc_id: str, resources: Resources) -> tuple[list[Any], dict[str, list[list[Label]]]]:
    """Sentences of some consecutive blocks (numbered from 1) and every scorer's labels of
    the scored ones."""
    sentences = segment_blocks(chunk.blocks, resources.nlp, doc_id=doc_id, state=chunk.state)
    scored = [s for s in sentences if s.kind in SCORED_KINDS]
    labels = run_scorers(resources.scorers or [], scored)
    for s in sentences:
        s.tokens = []  # not needed any more (and not sent back from a chunk worker)
    return sentences, labels


def _chunks(blocks: list[Any], parts: int) -> list[_Chunk]:
    """Consecutive runs of blocks with about equal text, each with the section state before it."""
    states = [START, *section_states(blocks)[:-1]]
    total = sum(len(b.text) for b in blocks) or 1
    bounds, acc = [0], 0
    for i, b in enumerate(blocks):
        acc += len(b.text)
        if acc >= total * len(bounds) / parts and i + 1 < len(blocks) and not continues_items(blocks[i + 1]):
            bounds.append(i + 1)
    bounds.append(len(blocks))
    return [_Chunk(blocks[a:b], states[a]) for a, b in zip(bounds[:-1], bounds[1:], strict=True) if b > a]


def _score(doc_id: str, doc: Any, resources: Resources, settings: RunSettings, parallel: int
           ) -> tuple[list[SentenceRow], list[Label]]:
    """Sentence rows and the labels of the reported methods (each method's labels for the
    whole document, in document order, methods in run order)."""
    from functools import partial


    blocks = make_blocks(doc)
    analyse = partial(_analyse, doc_id=doc_id, resources=resources)
    if parallel > 1 and doc.n_pages >= pool.PARALLEL_MIN_PAGES and len(blocks) >= 4 * parallel:
        parts = pool.fork_map(analyse, _chunks(blocks, 4 * parallel), parallel)
    else:
        parts = [analyse(_Chunk(blocks, START))]
    reported = methods_for(settings.method)
    sentence_rows: list[SentenceRow] = []
    labels: dict[str, list[Label]] = {m: [] for m in reported}
    for sentences, chunk_labels in parts:
        offset = len(sentence_rows)
        new_id = {}
        for s in sentences:
            sid = f"{doc_id}:{offset + s.index + 1:05d}"
            new_id[s.sentence_id] = sid
            sentence_rows.append(SentenceRow(doc_id, sid, s.page, s.section, s.text, s.kind, s.section_level,
                                             s.section_index, s.words))
        for m in reported:
            for per_sentence in chunk_labels.get(m, []):
                for lab in per_sentence:
                    labels[m].append(lab if offset == 0 else replace(lab, sentence_id=new_id[lab.sentence_id]))
    return sentence_rows, [lab for m in reported for lab in labels[m]]


def process_document(path: str | Path, *, resources: Resources, settings: RunSettings, cache: Any = None,
                     sha256: str | None = None, parallel: int = 1) -> DocResult:
    """Process one file into its document row, sentence rows and labels.

    ``parallel``: processes for one large document; outputs do not depend on it."""
    started = time.perf_counter()
    path = Path(path)
    pipeline = settings.pipeline
    try:
        sha256 = sha256 or file_sha256(path)
    except OSError as exc:
        return DocResult(error_row(path, f"cannot be read: {exc.strerror or exc}", pipeline=pipeline))

    def failed(reason: str) -> DocResult:
        return DocResult(error_row(path, reason, sha256=sha256 or "", pipeline=pipeline,
                                   seconds=time.perf_counter() - started))

    try:
        doc = extract(path, pdf_engine=settings.pdf_engine, cache=cache, sha256=sha256,
                      max_pages=settings.max_pages, parallel=parallel)
    except WaardenscanError as exc:
        return failed(str(exc))
    except Exception as exc:  # a parser bug on one file must not end the batch
        log.exception("unexpected error extracting %s", path)
        return failed(f"extraction failed: {type(exc).__name__}: {exc}")
    doc_id = make_doc_id(str(path), sha256)
    qualities = [p.quality for p in doc.pages]
    row = DocumentRow(doc_id=doc_id, path=str(path), sha256=sha256, pages=doc.n_pages,
                      text_quality=doc.text_quality, pipeline=pipeline, file_type=doc.file_type,
                      title=doc.title, pages_no_text=qualities.count("no_text"),
                      pages_broken_font=qualities.count("broken_font"), pages_low_text=qualities.count("low_text"))
    if doc.text_quality in UNSCORABLE:
        reason = UNSCORABLE[doc.text_quality]
        broken = qualities.count("unreadable") + qualities.count("empty")
        if doc.text_quality == "no_text" and broken > qualities.count("no_text"):
            reason = ("most pages could not be loaded or have no content at all (broken page tree "
                      "or page objects, or blank pages); not scored")
        return DocResult(replace(row, status="warning", error=reason,
                                 seconds=round(time.perf_counter() - started, 3)))
    errors = []
    if doc.text_quality == "not_dutch":
        errors.append("text is mostly not Dutch; Dutch lexicon and model may not apply")
    elif doc.text_quality == "low_text":
        errors.append("very little text per page; check the PDF")
    unreadable = qualities.count("unreadable")
    if unreadable:
        errors.append(f"{unreadable} of {doc.n_pages} page(s) could not be loaded (broken page objects)")
    if errors:
        row = replace(row, status="warning", error="; ".join(errors))
    try:
        sentences, labels = _score(doc_id, doc, resources, settings, parallel)
    except Exception as exc:
        log.exception("unexpected error scoring %s", path)
        return failed(f"scoring failed: {type(exc).__name__}: {exc}")
    scored = [s for s in sentences if s.kind in SCORED_KINDS]
    row = replace(row, words=sum(s.words for s in scored), sentences=len(sentences), sentences_scored=len(scored),
                  seconds=round(time.perf_counter() - started, 3))
    return DocResult(row, tuple(sentences), tuple(labels))


def label_row(lab: Label) -> tuple[Any, ...]:
    return (lab.doc_id, lab.sentence_id, lab.page, lab.method, lab.group, lab.cluster, lab.value, lab.term,
            lab.start, lab.end, lab.negated, lab.score, lab.level, lab.cue)


def summarize(result: DocResult, *, lexicon: Any, settings: RunSettings) -> DocSummary:
    """A processed document's counts, report data and table rows (see :class:`DocSummary`)."""
    if not result.sentences:
        return DocSummary(document=result.document)
    methods = methods_for(settings.method)
    if not methods:  # extraction only
        return DocSummary(document=result.document, rows={"sentences": rows_text(_sentence_tuples(result.sentences))})
    counts, sections = document_counts(result, lexicon, levels_of(methods), count_negated=settings.count_negated)
    written = [lab for lab in result.labels if writes_rows(lab.method)]
    report, keep = report_view(result.sentences, written, sections, methods)
    rows = {
        "sentences": rows_text(_sentence_tuples(result.sentences)),
        "matches": rows_text(map(label_row, written)),
        "sections": rows_text(sections),
        "evidence_sentences": rows_text(_sentence_tuples(s for s in result.sentences if s.sentence_id in keep)),
        "evidence_matches": rows_text(label_row(lab) for lab in written if lab.sentence_id in keep),
    }
    return DocSummary(document=result.document, counts=counts, rows=rows, report=report)


def _sentence_tuples(sentences: Any) -> Any:
    return ((s.doc_id, s.sentence_id, s.page, s.section, s.text, s.kind, s.section_level, s.section_index,
             s.words) for s in sentences)
