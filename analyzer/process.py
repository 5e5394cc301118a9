"""One document from file to rows: extract -> segment -> lexicon -> classifier.

:func:`process_document` never raises for a bad document: the failure becomes a
``status=error`` row with a one-line reason, so a batch always goes on. It returns
plain lists of dicts (JSON-serialisable), which :mod:`analyzer.batch` stores per
document for ``--resume`` and the result cache.
"""

from __future__ import annotations

import logging
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import WaardenscanError
from .ingest import ExtractionCache, extract, file_sha256
from .schemas import SCORED_KINDS
from .segment import Sentence, make_doc_id

if TYPE_CHECKING:  # pragma: no cover
    from spacy.language import Language

    from .scoring.classifier.model import ValueClassifier
    from .scoring.lexicon import Matcher

log = logging.getLogger(__name__)

UNSCORABLE = {
    "no_text": "no text layer (scanned or image-only PDF): run OCR first; not scored",
    "broken_font": "broken font encoding: the text layer is glyph garbage (cid codes); not scored",
}


@dataclass(frozen=True)
class Settings:
    """Options that change what a run produces (part of the result fingerprint)."""

    method: str = "both"
    pdf_engine: str = "pdfium"
    count_negated: bool = False
    max_pages: int | None = None
    score_not_dutch: bool = True

    def fingerprint(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class DocResult:
    """Everything one document contributes to the outputs."""

    document: dict[str, Any]
    sentences: list[dict[str, Any]] = field(default_factory=list)
    matches: list[dict[str, Any]] = field(default_factory=list)
    key: str | None = None
    """Set on a light stand-in whose full result lives in a ResultStore under this key."""
    store: Any = None
    """The ResultStore that holds the full result of a light stand-in."""
    tables: dict[str, Any] | None = None
    """This document's additive summary rows (profile counts, sections, co-occurrence and
    agreement counts, coverage, fired terms, evidence sentence ids), computed in the worker."""
    light: dict[str, Any] | None = None
    """On a stand-in: the :func:`light_view` of the full result, while it travels to the
    assembler (not stored in the result itself)."""

    def to_json(self) -> dict[str, Any]:
        return {"document": self.document, "sentences": self.sentences, "matches": self.matches,
                "tables": self.tables}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> DocResult:
        return cls(document=data["document"], sentences=data["sentences"], matches=data["matches"],
                   tables=data.get("tables"))


def light_view(result: DocResult, *, excel_safe: bool = False) -> dict[str, Any] | None:
    """What assembling the streamed outputs needs of a finished document: its row, summary
    tables and evidence sentences and matches (column-wise: a dict of lists per table,
    cheap to store and read back), and its sentences.csv, matches.csv and sections.csv rows
    already formatted (so a re-run only copies text; ``excel_safe`` as ``--excel-safe``
    formats them). None when the summary tables were not computed."""
    from . import schemas
    from .output.io import records_text

    if result.sentences and result.tables is None:
        return None
    rows = evidence = tables = None
    if result.tables is not None:  # sections.csv rows are in rows["sections"]; the report uses report_sections
        tables = {k: (columnar(v) if k not in ("fired", "evidence") else v)
                  for k, v in result.tables.items() if k != "sections"}
    if result.sentences:
        assert result.tables is not None
        keep = set(result.tables["evidence"])
        rows = {"sentences": records_text(result.sentences, schemas.SENTENCES, excel_safe=excel_safe),
                "matches": records_text(result.matches, schemas.MATCHES, excel_safe=excel_safe),
                "sections": records_text(result.tables["sections"], schemas.SECTIONS, excel_safe=excel_safe)}
        evidence = {"sentences": columnar([r for r in result.sentences if r["sentence_id"] in keep]),
                    "matches": columnar([r for r in result.matches if r["sentence_id"] in keep])}
    return {"document": result.document, "tables": tables, "rows": rows, "evidence": evidence}


def columnar(records: list[dict[str, Any]]) -> dict[str, list[Any]]:
    """Rows with the same keys as one list per key."""
    if not records:
        return {}
    return {key: [r[key] for r in records] for key in records[0]}


def error_result(path: str | Path, reason: str, *, sha256: str = "", status: str = "error",
                 pipeline: str = "", seconds: float = 0.0) -> DocResult:
    """The row of a document that could not be processed."""
    doc_id = make_doc_id(str(path), sha256 or "00000000")
    reason = reason.replace("\r", "\\r").replace("\n", "\\n")  # one line, whatever the file name
    return DocResult(document={
        "doc_id": doc_id, "path": str(path), "sha256": sha256, "status": status, "error": reason,
        "pages": 0, "words": 0, "sentences": 0, "text_quality": "", "pipeline": pipeline,
        "file_type": Path(str(path)).suffix.lower().lstrip("."), "title": "", "pages_no_text": 0,
        "pages_broken_font": 0, "pages_low_text": 0, "sentences_scored": 0, "duplicate_of": "",
        "seconds": round(seconds, 3),
    })


def process_document(
    path: str | Path,
    *,
    nlp: Language,
    pipeline: str,
    matcher: Matcher | None,
    model: ValueClassifier | None,
    settings: Settings,
    cache: ExtractionCache | None = None,
    sha256: str | None = None,
    parallel: int = 1,
) -> DocResult:
    """Process one file into its document row, sentence rows and match rows.

    ``parallel``: processes for one large document (see :func:`_score`); outputs do not
    depend on it."""
    started = time.perf_counter()
    path = Path(path)
    try:
        sha256 = sha256 or file_sha256(path)
    except OSError as exc:
        return error_result(path, f"cannot be read: {exc.strerror or exc}", pipeline=pipeline)
    try:
        doc = extract(path, pdf_engine=settings.pdf_engine, cache=cache, sha256=sha256,
                      max_pages=settings.max_pages, parallel=parallel)
    except WaardenscanError as exc:
        return error_result(path, str(exc), sha256=sha256, pipeline=pipeline,
                            seconds=time.perf_counter() - started)
    except Exception as exc:  # a parser bug on one file must not end the batch
        log.exception("unexpected error extracting %s", path)
        return error_result(path, f"extraction failed: {type(exc).__name__}: {exc}", sha256=sha256,
                            pipeline=pipeline, seconds=time.perf_counter() - started)
    doc_id = make_doc_id(str(path), sha256)
    qualities = [p.quality for p in doc.pages]
    row: dict[str, Any] = {
        "doc_id": doc_id, "path": str(path), "sha256": sha256, "status": "ok", "error": "",
        "pages": doc.n_pages, "words": 0, "sentences": 0, "text_quality": doc.text_quality,
        "pipeline": pipeline, "file_type": doc.file_type, "title": doc.title,
        "pages_no_text": qualities.count("no_text"), "pages_broken_font": qualities.count("broken_font"),
        "pages_low_text": qualities.count("low_text"), "sentences_scored": 0, "duplicate_of": "",
        "seconds": 0.0,
    }
    if doc.text_quality in UNSCORABLE:
        reason = UNSCORABLE[doc.text_quality]
        broken = qualities.count("unreadable") + qualities.count("empty")
        if doc.text_quality == "no_text" and broken > qualities.count("no_text"):
            reason = ("most pages could not be loaded or have no content at all (broken page tree "
                      "or page objects, or blank pages); not scored")
        row.update(status="warning", error=reason)
        row["seconds"] = round(time.perf_counter() - started, 3)
        return DocResult(document=row)
    if doc.text_quality == "not_dutch":
        row.update(status="warning", error="text is mostly not Dutch; Dutch lexicon and model may not apply")
        if not settings.score_not_dutch:
            row["seconds"] = round(time.perf_counter() - started, 3)
            return DocResult(document=row)
    elif doc.text_quality == "low_text":
        row.update(status="warning", error="very little text per page; check the PDF")
    unreadable = qualities.count("unreadable")
    if unreadable:
        row.update(status="warning", error="; ".join(filter(None, [
            row["error"], f"{unreadable} of {doc.n_pages} page(s) could not be loaded (broken page objects)"])))
    try:
        result = _score(doc_id, doc, nlp=nlp, matcher=matcher, model=model, settings=settings, parallel=parallel)
    except Exception as exc:
        log.exception("unexpected error scoring %s", path)
        return error_result(path, f"scoring failed: {type(exc).__name__}: {exc}", sha256=sha256,
                            pipeline=pipeline, seconds=time.perf_counter() - started)
    result.document = {**row, **result.document}
    lexicon = lexicon_of(matcher, model)
    if lexicon is not None and result.sentences:
        result.tables = document_tables(result, lexicon, method=settings.method,
                                        count_negated=settings.count_negated)
    result.document["seconds"] = round(time.perf_counter() - started, 3)
    return result


def lexicon_of(matcher, model):  # type: ignore[no-untyped-def]
    """The lexicon of a run: the matcher's, else the classifier's, else None."""
    return matcher.lexicon if matcher is not None else (model.lexicon if model is not None else None)


def result_frames(results: list[DocResult]):  # type: ignore[no-untyped-def]
    """documents, sentences and matches DataFrames of some results, typed as the CSV files are."""
    import pandas as pd

    from . import schemas

    def empty(columns: list[str]) -> pd.DataFrame:
        return pd.DataFrame(columns=columns)

    documents = pd.DataFrame([r.document for r in results], columns=schemas.DOCUMENTS) if results \
        else empty(schemas.DOCUMENTS)
    sent_rows = [s for r in results for s in r.sentences]
    match_rows = [m for r in results for m in r.matches]
    sentences = pd.DataFrame(sent_rows, columns=schemas.SENTENCES) if sent_rows else empty(schemas.SENTENCES)
    matches = pd.DataFrame(match_rows, columns=schemas.MATCHES) if match_rows else empty(schemas.MATCHES)
    if not matches.empty:
        matches["negated"] = matches["negated"].astype(bool)
    for col in ("pages", "words", "sentences", "sentences_scored", "pages_no_text", "pages_broken_font",
                "pages_low_text"):
        documents[col] = documents[col].fillna(0).astype(int)
    return documents, sentences, matches


def document_tables(result: DocResult, lexicon, *, method: str, count_negated: bool) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """One document's additive summary rows, as JSON-ready records (see :mod:`analyzer.tables`)."""
    from .tables import document_tables as tables

    return tables(result.document, result.sentences, result.matches, lexicon, method=method,
                  count_negated=count_negated)


PARALLEL_MIN_PAGES = 100
"""With ``parallel > 1``, a document of at least this many pages is analysed in chunks of
consecutive blocks by that many forked processes (see :func:`_score`)."""

_Analysed = list[tuple[Sentence, list[tuple], list[tuple]]]
_SHARED: dict[str, Any] = {}  # what forked chunk workers inherit: pipeline, matcher, model, settings


def _analyse(blocks, state, *, doc_id, nlp, matcher, model, settings) -> _Analysed:  # type: ignore[no-untyped-def]
    """Sentences of some consecutive blocks, each with its lexicon hits and classifier labels
    (as plain tuples); sentence numbers are local to these blocks."""
    from .segment import segment_blocks

    sentences = segment_blocks(blocks, nlp, doc_id=doc_id, state=state)
    scored = [s for s in sentences if s.kind in SCORED_KINDS]
    hits = [matcher.match(s) for s in scored] if matcher is not None else None
    labels = None
    if model is not None and settings.method in ("classifier", "both") and scored:
        labels = model.predict(scored, hits)
    out: _Analysed = []
    position = {id(s): i for i, s in enumerate(scored)}
    for s in sentences:
        i = position.get(id(s))
        mine = [(h.term.value, h.term.term, h.start, h.end, h.negated, h.cue) for h in hits[i]] \
            if i is not None and hits is not None else []
        predicted = labels[i] if i is not None and labels is not None else []
        s.tokens = []  # not needed any more (and not sent back from a chunk worker)
        out.append((s, mine, predicted))
    return out


def _analyse_chunk(chunk):  # type: ignore[no-untyped-def]
    blocks, state = chunk
    return _analyse(blocks, state, **_SHARED)


def _chunks(blocks, states, parts: int):  # type: ignore[no-untyped-def]
    """Consecutive runs of blocks with about equal text, and the section state before each."""
    total = sum(len(b.text) for b in blocks) or 1
    bounds, acc = [0], 0
    for i, b in enumerate(blocks):
        acc += len(b.text)
        if acc >= total * len(bounds) / parts and i + 1 < len(blocks):
            bounds.append(i + 1)
    bounds.append(len(blocks))
    return [(blocks[a:b], states[a]) for a, b in zip(bounds[:-1], bounds[1:], strict=True) if b > a]


def _score(doc_id, doc, *, nlp, matcher, model, settings, parallel: int = 1) -> DocResult:  # type: ignore[no-untyped-def]
    """Sentences, lexicon hits and classifier labels of one document.

    With ``parallel > 1`` and at least :data:`PARALLEL_MIN_PAGES` pages, the blocks are cut
    into chunks of consecutive blocks (sentences never cross a block) and analysed by
    ``parallel`` forked processes; sentence numbers, sections and all rows come out as
    from one process (tested byte for byte).
    """
    import multiprocessing as mp

    from .segment import START, _blocks, section_states

    blocks = _blocks(doc)
    kw = {"doc_id": doc_id, "nlp": nlp, "matcher": matcher, "model": model, "settings": settings}
    if parallel > 1 and doc.n_pages >= PARALLEL_MIN_PAGES and len(blocks) >= 4 * parallel:
        before = [START, *section_states(blocks)[:-1]]  # the section state before each block
        chunks = _chunks(blocks, before, 4 * parallel)
        _SHARED.update(kw)
        try:
            with mp.get_context("fork").Pool(parallel) as pool:
                analysed = [item for part in pool.map(_analyse_chunk, chunks, chunksize=1) for item in part]
        finally:
            _SHARED.clear()
    else:
        analysed = _analyse(blocks, START, **kw)
    lexicon = lexicon_of(matcher, model)
    sentence_rows: list[dict[str, Any]] = []
    matches: list[dict[str, Any]] = []  # all lexicon hits of the document, then all classifier labels
    predicted: list[dict[str, Any]] = []
    words = scored = 0
    for index, (s, hits, labels) in enumerate(analysed):
        sentence_id = f"{doc_id}:{index + 1:05d}"
        sentence_rows.append({
            "doc_id": doc_id, "sentence_id": sentence_id, "page": s.page, "section": s.section,
            "text": s.text, "kind": s.kind, "section_level": s.section_level,
            "section_index": s.section_index, "words": s.words,
        })
        if s.kind not in SCORED_KINDS:
            continue
        scored += 1
        words += s.words
        if settings.method in ("lexicon", "both"):
            for value, term, start, end, negated, cue in hits:
                matches.append({
                    "doc_id": doc_id, "sentence_id": sentence_id, "page": s.page,
                    "method": "lexicon", "group": lexicon.group_of(value),
                    "cluster": lexicon.cluster_of(value), "value": value, "term": term,
                    "start": start, "end": end, "negated": negated, "score": 1.0,
                    "level": "value", "cue": cue,
                })
        for label, prob, negated in labels:
            predicted.append({
                "doc_id": doc_id, "sentence_id": sentence_id, "page": s.page,
                "method": "classifier", "group": model.clusters[label], "cluster": label,
                "value": "", "term": "", "start": "", "end": "", "negated": negated,
                "score": round(float(prob), 4), "level": "cluster", "cue": "",
            })
    return DocResult(
        document={"words": words, "sentences": len(sentence_rows), "sentences_scored": scored},
        sentences=sentence_rows, matches=matches + predicted,
    )
