"""The Python API: the functions the CLI wraps, returning pandas DataFrames.

    >>> from analyzer import score, compare
    >>> result = score(["collegeprogramma.pdf"])           # doctest: +SKIP
    >>> result.profiles.query("level == 'cluster'")         # doctest: +SKIP
    >>> diff = compare(["oud.pdf"], ["nieuw.pdf"])          # doctest: +SKIP
    >>> print("\\n".join(diff.summary))                      # doctest: +SKIP

Every DataFrame has exactly the columns of the CSV file of the same name
(:mod:`analyzer.schemas`).
"""

from __future__ import annotations

import logging
import platform
import sys
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

import pandas as pd

from . import __version__, schemas
from .errors import InputError, ModelError, WaardenscanError
from .output.io import prepare_outdir, write_csv, write_json
from .process import DocResult
from .process import result_frames as _frames

log = logging.getLogger(__name__)

STREAMED_TABLES = ("sentences", "matches", "sections")
REPORT_DETAIL_DOCS = 100
"""A streamed run keeps section trajectories and evidence for the report for this many
scored documents; the rest are summarised (all their rows are in the CSV files)."""
"""Tables that ``score(stream_to=…)`` writes while it assembles; in memory it keeps only
what the report needs (evidence sentences, sections binned to the heatmap's rows)."""

RESULT_FILES = {
    "documents": ("documents.csv", schemas.DOCUMENTS),
    "sentences": ("sentences.csv", schemas.SENTENCES),
    "matches": ("matches.csv", schemas.MATCHES),
    "profiles": ("profiles.csv", schemas.PROFILES),
    "sections": ("sections.csv", schemas.SECTIONS),
    "cooccurrence": ("cooccurrence.csv", schemas.COOCCURRENCE),
    "coverage": ("coverage.csv", schemas.COVERAGE),
    "unused_terms": ("unused_terms.csv", schemas.UNUSED_TERMS),
    "agreement": ("agreement.csv", schemas.AGREEMENT),
}


@dataclass
class ScoreResult:
    """Tables of one scored batch, plus the run metadata."""

    documents: pd.DataFrame
    sentences: pd.DataFrame
    matches: pd.DataFrame
    profiles: pd.DataFrame = field(default_factory=pd.DataFrame)
    sections: pd.DataFrame = field(default_factory=pd.DataFrame)
    cooccurrence: pd.DataFrame = field(default_factory=pd.DataFrame)
    coverage: pd.DataFrame = field(default_factory=pd.DataFrame)
    unused_terms: pd.DataFrame = field(default_factory=pd.DataFrame)
    agreement: pd.DataFrame = field(default_factory=pd.DataFrame)
    run: dict[str, Any] = field(default_factory=dict)
    lexicon: Any = None
    summary_only: tuple[str, ...] = ()
    """doc_ids whose sections and evidence the in-memory result does not keep (streamed runs
    beyond ``detail_limit`` scored documents); their rows are in the CSV files."""
    detail_limit: int = 0
    streamed: bool = False
    """True when sentences.csv and matches.csv were written while scoring (``stream_to``);
    ``sentences``/``matches`` then hold only the report's evidence sentences."""

    def write(self, outdir: str | Path, *, excel_safe: bool = False, report: bool = True,
              tables: tuple[str, ...] | None = None) -> list[Path]:
        """Write the CSV files, run.json and (optionally) report.html into outdir."""
        outdir = prepare_outdir(Path(outdir))
        written = []
        for name, (file, columns) in RESULT_FILES.items():
            if tables is not None and name not in tables:
                continue
            if self.streamed and name in STREAMED_TABLES:
                written.append(outdir / file)
                continue
            frame = getattr(self, name)
            if frame.empty and not len(frame.columns):
                frame = _empty(columns)
            written.append(write_csv(frame, outdir / file, columns, excel_safe=excel_safe))
        run = dict(self.run)
        run["outputs"] = sorted(p.name for p in written)
        if report and self.lexicon is not None:
            from .output.report.html import write_score_report

            written.append(write_score_report(self, outdir / "report.html"))
            run["outputs"].append("report.html")
        written.append(write_json(run, outdir / "run.json"))
        return written


def _empty(columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame(columns=columns)


def _run_info(command: list[str] | None, inputs: list[Path], documents: pd.DataFrame, pipeline: str,
              lexicon: Any, model: Any, settings: Any, jobs: int) -> dict[str, Any]:
    from importlib.metadata import version

    by_path = dict(zip(documents["path"], documents["sha256"], strict=False)) if not documents.empty else {}
    return {
        "package": "waardenscan",
        "version": __version__,
        "created": datetime.now(UTC).replace(microsecond=0).isoformat(),
        "command": command if command is not None else sys.argv,
        "pipeline": pipeline,
        "lexicon": {"name": lexicon.name, "version": lexicon.version, "sha256": lexicon.sha256,
                    "source": lexicon.source} if lexicon is not None else None,
        "model": {"version": f"{model.get('name', 'model')}-{model.get('version', '?')}",
                  "estimator_sha256": model.get("estimator_sha256"),
                  "lexicon_mismatch": model.get("lexicon_sha256") != lexicon.sha256} if model is not None else None,
        "settings": settings.fingerprint(),
        "jobs": jobs,
        "seed": 0,
        "versions": {"python": platform.python_version(), "spacy": version("spacy"),
                     "scikit-learn": version("scikit-learn"), "pandas": pd.__version__},
        "inputs": [{"path": str(p), "sha256": by_path.get(str(p), "")} for p in inputs],
        "documents": {status: int((documents["status"] == status).sum()) for status in schemas.STATUSES}
        if not documents.empty else {},
    }


class _Resources:
    """The pipeline, matcher and classifier of a run, built on first use."""

    def __init__(self, *, lexicon: Any, nlp: Any, pipeline: str) -> None:
        self.lexicon = lexicon
        self.nlp = nlp
        self.pipeline = pipeline
        self.matcher: Any = None
        self.clf: Any = None
        self.model_folder: Path | None = None
        self.model_meta: dict[str, Any] | None = None

    def pipeline_name(self) -> str:
        from .nlp import pipeline_label, pipeline_name

        return pipeline_name(self.nlp) if self.nlp is not None else pipeline_label(self.pipeline)

    def load(self) -> None:
        from .scoring.lexicon import Matcher
        from .nlp import build_pipeline, pipeline_name

        if self.nlp is None:
            self.nlp = build_pipeline(self.pipeline)
            expected = self.pipeline_name()
            if pipeline_name(self.nlp) != expected:  # pragma: no cover - a broken installation
                raise WaardenscanError(f"pipeline {pipeline_name(self.nlp)} is not the expected {expected}")
        if self.matcher is None:
            self.matcher = Matcher(self.lexicon)
        if self.clf is None and self.model_folder is not None:
            from .scoring.classifier.model import load_model

            self.clf = load_model(self.model_folder, lexicon=self.lexicon)


def _process_task(task, *, resources, pipeline, settings, cache):  # type: ignore[no-untyped-def]
    from .process import process_document

    resources.load()
    return process_document(task.path, nlp=resources.nlp, pipeline=pipeline, matcher=resources.matcher,
                            model=resources.clf, settings=settings, cache=cache, sha256=task.sha256,
                            parallel=getattr(task, "parallel", 1))


def score(
    inputs: list[str | Path] | str | Path,
    *,
    lexicon: str | Path | Any | None = None,
    model: str | Path | Any | None = "default",
    method: str = "both",
    pipeline: str = "auto",
    nlp: Any = None,
    jobs: int = 1,
    timeout: float | None = 300.0,
    count_negated: bool = False,
    pdf_engine: str = "pdfium",
    max_pages: int | None = None,
    cache_dir: str | Path | None = None,
    use_cache: bool = True,
    resume_dir: str | Path | None = None,
    parts_dir: str | Path | None = None,
    progress: bool = False,
    command: list[str] | None = None,
    profile: bool = True,
    scheduler: Any = None,
    stream_to: str | Path | None = None,
    excel_safe: bool = False,
) -> ScoreResult:
    """Score documents: extraction, sentences, lexicon, classifier, profiles.

    Args:
        inputs: files and folders (folders are searched recursively).
        lexicon: a lexicon folder/file or a loaded Lexicon; None = the packaged one.
        model: a model folder or loaded classifier; "default" = the packaged model
            (skipped with a warning if none is installed); None = no classifier.
        method: "lexicon", "classifier" or "both".
        pipeline: "auto", "nl_core_news_md" or "blank" (see :func:`analyzer.nlp.build_pipeline`).
        jobs: worker processes (documents are processed in parallel).
        timeout: per-document time limit in seconds (None = no limit).
        cache_dir / use_cache: extraction and result cache (default ~/.cache/waardenscan).
        resume_dir: reuse finished documents stored there by an interrupted run.
        parts_dir: where to store each finished document (for a later resume).
        scheduler: a Dask scheduler address (``tcp://host:8786``) or ``distributed.Client``:
            run the documents on that cluster instead of local processes.
        stream_to: an output folder. Instead of holding every sentence in memory, each
            finished document is stored on disk and the tables are assembled one document at
            a time, writing ``sentences.csv``, ``matches.csv`` and ``sections.csv`` directly
            there (memory stays flat in the number of documents). The returned result holds
            the other tables whole, and of those three only what the report draws (see
            :data:`STREAMED_TABLES`); ``ScoreResult.write`` then adds the rest.
    """
    from .batch import ResultStore, run_batch
    from .ingest import ExtractionCache, default_cache_dir, discover
    from .scoring.lexicon import Lexicon, load_lexicon
    from .process import Settings
    from .profile import cooccurrence, coverage, method_agreement, profiles, sections

    if method not in schemas.METHODS:
        raise WaardenscanError(f"unknown method {method!r}; use lexicon, classifier or both")
    inputs = [inputs] if isinstance(inputs, (str, Path)) else list(inputs)
    paths, missing = discover(inputs)
    lex = lexicon if isinstance(lexicon, Lexicon) else load_lexicon(lexicon)
    # Resolve everything cheaply first; spaCy and the estimator are loaded only if a document
    # actually has to be processed (a fully cached re-run loads neither).
    resources = _Resources(lexicon=lex, nlp=nlp, pipeline=pipeline)
    if method in ("classifier", "both") and model is not None:
        from .scoring.classifier.model import ValueClassifier, check_model, default_model_path

        if isinstance(model, ValueClassifier):
            resources.clf = model
            resources.model_meta = model.meta
        elif model == "default" and default_model_path() is None:
            if method == "classifier":
                raise ModelError("no packaged model found; give --model DIR or use --method lexicon")
            log.warning("no packaged classifier found; scoring with the lexicon only")
        else:
            resources.model_folder, resources.model_meta = check_model(None if model == "default" else model)
    if method == "classifier" and resources.model_meta is None:
        raise ModelError("--method classifier needs a model")
    has_model = resources.model_meta is not None
    pipe_name = resources.pipeline_name()
    settings = Settings(method=method if has_model else "lexicon", pdf_engine=pdf_engine,
                        count_negated=count_negated, max_pages=max_pages)
    cache_root = Path(cache_dir) if cache_dir else default_cache_dir()
    cache = ExtractionCache(cache_root / "extraction") if use_cache else None
    fingerprint = {
        "version": __version__, "pipeline": pipe_name, "lexicon": lex.sha256,
        "model": resources.model_meta.get("estimator_sha256") if has_model else None, **settings.fingerprint(),
    }
    if stream_to is not None:
        prepare_outdir(Path(stream_to))
        parts_dir = parts_dir or Path(stream_to) / ".parts"
    stores, read_stores = [], []
    if use_cache:
        stores.append(ResultStore(cache_root / "results"))
        read_stores.append(stores[-1])
    if parts_dir:
        stores.append(ResultStore(Path(parts_dir)))
    if resume_dir:
        read_stores.append(ResultStore(Path(resume_dir)))
    func = partial(_process_task, resources=resources, pipeline=pipe_name, settings=settings, cache=cache)
    remote_config = None
    if scheduler is not None:
        remote_config = {"pipeline": pipeline, "lexicon": lex.source,
                         "model": str(resources.model_folder) if resources.model_folder else None,
                         "settings": settings.fingerprint(), "cache": None}
    batch = partial(run_batch, paths, func, fingerprint=fingerprint, jobs=jobs, timeout=timeout, stores=stores,
                    read_stores=read_stores, progress=progress, pipeline=pipe_name, scheduler=scheduler,
                    remote_config=remote_config, keep=stream_to is None, prepare=resources.load)
    from .process import error_result

    missing_rows = [error_result(path, f"{path}: {reason}", pipeline=pipe_name) for path, reason in missing]
    if stream_to is not None:
        with _Assembler(stores[-1], lex, settings, count_negated, Path(stream_to), excel_safe=excel_safe) as assembler:
            batch(on_ready=assembler.add)  # documents are assembled in input order as they finish
            for row in missing_rows:
                assembler.add(row)
            out = assembler.result()
        out.run = _run_info(command, paths, out.documents, pipe_name, lex, resources.model_meta, settings, jobs)
        return out
    results = batch() + missing_rows
    documents, sentences, matches = _frames(results)
    out = ScoreResult(documents=documents, sentences=sentences, matches=matches, lexicon=lex)
    out.run = _run_info(command, paths, documents, pipe_name, lex, resources.model_meta, settings, jobs)
    if profile:
        m = settings.method
        out.profiles = profiles(documents, sentences, matches, lex, method=m, count_negated=count_negated)
        out.sections = sections(sentences, matches, lex, method=m, count_negated=count_negated)
        out.cooccurrence = cooccurrence(sentences, matches, lex, method=m, count_negated=count_negated)
        out.coverage, out.unused_terms = coverage(sentences, matches, lex)
        out.agreement = method_agreement(sentences, matches, lex, method=m, count_negated=count_negated)
    return out


class _Assembler:
    """Builds every table one document at a time from stored per-document results.

    Documents are added in input order while the batch is still running (the main process
    is otherwise idle while workers score), so only the batch-level totals are left for
    the end. sentences.csv, matches.csv and sections.csv are written as documents arrive;
    the other tables are summed from small per-document rows.
    """

    def __init__(self, store: Any, lex: Any, settings: Any, count_negated: bool, outdir: Path, *,
                 excel_safe: bool) -> None:
        from .output.io import CsvStream
        from .profile import methods_for

        self.store, self.lex, self.settings, self.count_negated = store, lex, settings, count_negated
        self.report_method = methods_for(settings.method)[-1]  # "both" when both methods ran
        self.detailed = 0
        self.summary_only: list[str] = []
        self.excel_safe = excel_safe
        self.columns: dict[str, dict[str, list[Any]]] = {
            k: {} for k in ("profiles", "cooc", "coverage", "agree", "sections", "ev_sentences", "ev_matches")}
        self.doc_rows: list[dict[str, Any]] = []
        self.fired: set[str] = set()
        self.streams = [CsvStream(outdir / f"{name}.csv", columns, excel_safe=excel_safe) for name, columns in
                        (("sentences", schemas.SENTENCES), ("matches", schemas.MATCHES), ("sections", schemas.SECTIONS))]

    def __enter__(self) -> _Assembler:
        return self

    def __exit__(self, *exc: Any) -> None:
        for stream in self.streams:
            stream.__exit__(*exc)

    def add(self, r: DocResult) -> None:
        from .process import document_tables, error_result, light_view

        view = r.light
        r.light = None
        if view is None and r.key is not None and not self.excel_safe:
            view = (r.store or self.store).get_light(r.key)
        if view is None or self.excel_safe:  # no stored view, or rows to format differently
            full = r
            if r.key is not None:
                full = (r.store or self.store).get(r.key) or error_result(
                    r.document["path"], "stored result could not be read back", sha256=r.document.get("sha256", ""))
            if full.sentences and full.tables is None:
                full.tables = document_tables(full, self.lex, method=self.settings.method,
                                              count_negated=self.count_negated)
            view = light_view(full, excel_safe=self.excel_safe)
            assert view is not None
        document = view["document"]
        document["path"] = r.document["path"]
        self.doc_rows.append(document)
        if not view["rows"]:
            return
        for stream, name in zip(self.streams, ("sentences", "matches", "sections"), strict=True):
            stream.write_text(view["rows"][name])
        tables = view["tables"]
        self.detailed += 1
        if self.detailed > REPORT_DETAIL_DOCS:
            self.summary_only.append(document["doc_id"])
        else:  # only what the report draws: its method, binned to its heatmap rows, and evidence
            self._extend("sections", tables["report_sections"])
            self._extend("ev_sentences", view["evidence"]["sentences"])
            self._extend("ev_matches", view["evidence"]["matches"])
        for key, table in (("profiles", "profiles"), ("cooc", "cooccurrence"), ("coverage", "coverage"),
                           ("agree", "agreement")):
            self._extend(key, tables[table])
        self.fired.update(tables["fired"])

    def _extend(self, key: str, columns: dict[str, list[Any]]) -> None:
        mine = self.columns[key]
        for name, values in columns.items():
            mine.setdefault(name, []).extend(values)

    def result(self) -> ScoreResult:
        from .profile import (
            batch_profile,
            finish_agreement,
            finish_cooccurrence,
            finish_profiles,
            methods_for,
        )

        def cat(key: str, columns: list[str]) -> pd.DataFrame:
            return pd.DataFrame(self.columns[key], columns=columns) if self.columns[key] else _empty(columns)

        def table(key: str) -> pd.DataFrame:
            return pd.DataFrame(self.columns[key])

        documents = pd.DataFrame(self.doc_rows, columns=schemas.DOCUMENTS) if self.doc_rows \
            else _empty(schemas.DOCUMENTS)
        prof_counts = table("profiles")
        profiles_table = finish_profiles(pd.concat([prof_counts, batch_profile(prof_counts)], ignore_index=True)) \
            if not prof_counts.empty else _empty(schemas.PROFILES)
        unused = pd.DataFrame([(t.value, t.term, t.match) for t in self.lex.terms if t.term not in self.fired],
                              columns=schemas.UNUSED_TERMS)
        cooc = table("cooc")
        evidence_matches = cat("ev_matches", schemas.MATCHES)
        evidence_matches["negated"] = evidence_matches["negated"].astype(bool)
        return ScoreResult(
            documents=documents, sentences=cat("ev_sentences", schemas.SENTENCES),
            matches=evidence_matches, profiles=profiles_table,
            sections=cat("sections", schemas.SECTIONS),
            cooccurrence=finish_cooccurrence(cooc, methods_for(self.settings.method)) if not cooc.empty
            else _empty(schemas.COOCCURRENCE),
            coverage=cat("coverage", schemas.COVERAGE),
            unused_terms=unused,
            agreement=finish_agreement(table("agree")) if self.columns["agree"] else _empty(schemas.AGREEMENT),
            lexicon=self.lex, streamed=True, summary_only=tuple(self.summary_only),
            detail_limit=REPORT_DETAIL_DOCS)


def extract(inputs: list[str | Path] | str | Path, **kwargs: Any) -> ScoreResult:
    """Extraction and sentences only (no lexicon, no classifier): documents and sentences tables."""
    kwargs.setdefault("model", None)
    result = score(inputs, method="lexicon", profile=False, **kwargs)
    result.matches = _empty(schemas.MATCHES)
    return result


def load_result(outdir: str | Path, *, lexicon: Any = None) -> ScoreResult:
    """Read a folder written by ``waardenscan score`` back into a ScoreResult.

    The lexicon is the one given, else the one recorded in run.json if it still exists
    with the same sha256, else the packaged one (with a warning if it differs).
    """
    import json

    from .scoring.lexicon import Lexicon, load_lexicon

    outdir = Path(outdir)
    if not (outdir / "profiles.csv").exists():
        raise InputError(f"{outdir}: not a waardenscan score folder (no profiles.csv)")
    frames = {}
    for name, (file, columns) in RESULT_FILES.items():
        path = outdir / file
        frames[name] = pd.read_csv(path, dtype={"doc_id": str, "sentence_id": str}, keep_default_na=False,
                                   na_values=[""]) if path.exists() else _empty(columns)
    run = json.loads((outdir / "run.json").read_text(encoding="utf-8")) if (outdir / "run.json").exists() else {}
    recorded = (run.get("lexicon") or {})
    lex = lexicon if isinstance(lexicon, Lexicon) else None
    if lex is None and lexicon is not None:
        lex = load_lexicon(lexicon)
    if lex is None and recorded.get("source") and Path(recorded["source"]).exists():
        candidate = load_lexicon(recorded["source"])
        lex = candidate if candidate.sha256 == recorded.get("sha256") else None
    if lex is None:
        lex = load_lexicon()
        if recorded and recorded.get("sha256") != lex.sha256:
            log.warning("%s was scored with lexicon %s; using the packaged %s to read it",
                        outdir, recorded.get("version"), lex.label())
    matches = frames["matches"]
    if not matches.empty:
        matches["negated"] = matches["negated"].astype(str).str.lower().eq("true")
    return ScoreResult(documents=frames["documents"], sentences=frames["sentences"], matches=matches,
                       profiles=frames["profiles"], sections=frames["sections"],
                       cooccurrence=frames["cooccurrence"], coverage=frames["coverage"],
                       unused_terms=frames["unused_terms"], agreement=frames["agreement"], run=run, lexicon=lex)


@dataclass
class CompareResult:
    comparison: pd.DataFrame
    summary: list[str]
    drivers: pd.DataFrame
    a: ScoreResult
    b: ScoreResult
    label_a: str
    label_b: str
    run: dict[str, Any] = field(default_factory=dict)

    def write(self, outdir: str | Path, *, excel_safe: bool = False, report: bool = True) -> list[Path]:
        outdir = prepare_outdir(Path(outdir))
        written = [write_csv(self.comparison, outdir / "comparison.csv", schemas.COMPARISON, excel_safe=excel_safe),
                   write_csv(self.drivers, outdir / "drivers.csv", list(self.drivers.columns), excel_safe=excel_safe)]
        (outdir / "summary.txt").write_text("\n".join(self.summary) + "\n", encoding="utf-8")
        written.append(outdir / "summary.txt")
        if report:
            from .output.report.html import write_compare_report

            written.append(write_compare_report(self, outdir / "compare.html"))
        run = dict(self.run)
        run["outputs"] = sorted(p.name for p in written)
        written.append(write_json(run, outdir / "run.json"))
        return written


def _as_result(side: Any, **kwargs: Any) -> ScoreResult:
    if isinstance(side, ScoreResult):
        return side
    items = [side] if isinstance(side, (str, Path)) else list(side)
    if len(items) == 1 and Path(items[0]).is_dir() and (Path(items[0]) / "profiles.csv").exists():
        return load_result(items[0])
    return score(items, **kwargs)


def compare(a: Any, b: Any, *, label_a: str | None = None, label_b: str | None = None,
            method_summary: str | None = None, **kwargs: Any) -> CompareResult:
    """Compare two documents, folders (groups of documents) or score output folders."""
    from .compare import compare_profiles, driving_sentences, summarize

    ra = _as_result(a, **kwargs)
    rb = _as_result(b, **kwargs)
    for side, r in (("A", ra), ("B", rb)):
        if r.profiles.empty or not (r.profiles["doc_id"] == schemas.ALL_DOCS).any():
            raise InputError(f"side {side} has no scorable text (see its documents.csv)")
    label_a = label_a or _label(a)
    label_b = label_b or _label(b)
    comparison = compare_profiles(ra.profiles, rb.profiles)
    summary = summarize(comparison, label_a=label_a, label_b=label_b, method=method_summary)
    method = method_summary or ("both" if "both" in set(comparison["method"]) else comparison["method"].iloc[0])
    drivers = driving_sentences(comparison, ra.sentences, ra.matches, rb.sentences, rb.matches, method=method)
    run = {"package": "waardenscan", "version": __version__, "command": kwargs.get("command") or sys.argv,
           "a": {"label": label_a, "run": ra.run}, "b": {"label": label_b, "run": rb.run},
           "created": datetime.now(UTC).replace(microsecond=0).isoformat()}
    return CompareResult(comparison=comparison, summary=summary, drivers=drivers, a=ra, b=rb,
                         label_a=label_a, label_b=label_b, run=run)


def _label(side: Any) -> str:
    if isinstance(side, ScoreResult):
        return "A"
    items = [side] if isinstance(side, (str, Path)) else list(side)
    names = [Path(p).name for p in items]
    text = ", ".join(names)
    return text if len(text) <= 60 else text[:57] + "..."
