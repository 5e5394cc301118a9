"""The Python API: the functions the CLI wraps, returning pandas DataFrames.

    >>> from analyzer import score, compare
    >>> result = score(["collegeprogramma.pdf"])           # doctest: +SKIP
    >>> result.profiles.query("level == 'cluster'")         # doctest: +SKIP
    >>> diff = compare(["oud.pdf"], ["nieuw.pdf"])          # doctest: +SKIP
    >>> print("\\n".join(diff.summary))                      # doctest: +SKIP

One path for every run (``docs/architecture.md``): files -> per-document summaries (in input
order, from the store or the executor) -> summed counts -> finished tables -> a sink (CSV
files streamed to ``stream_to``, or DataFrames in memory). Every DataFrame has exactly the
columns and dtypes of the CSV file of the same name (:mod:`analyzer.schemas`).
"""

from __future__ import annotations

import logging
import platform
import shutil
import sys
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

import pandas as pd

from . import __version__, schemas
from .errors import InputError, ModelError, WaardenscanError
from .output.io import empty_frame, prepare_outdir, read_table, write_json, write_table
from .pool import MAX_TASKS_PER_WORKER, WORKER_RSS_LIMIT_MB
from .run.executor import Execution
from .types import RunSettings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Storage:
    """Where a run keeps finished documents: the cache (extractions and results), this
    run's parts (for ``--resume``) and an interrupted run's parts to reuse."""

    cache_dir: str | Path | None = None
    use_cache: bool = True
    resume_dir: str | Path | None = None
    parts_dir: str | Path | None = None


@dataclass(frozen=True)
class Options:
    """Every option of :func:`score` (keyword arguments of the same names)."""

    method: str = "both"
    pipeline: str = "auto"
    pdf_engine: str = "pdfium"
    count_negated: bool = False
    max_pages: int | None = None
    jobs: int = 1
    timeout: float | None = 300.0
    progress: bool = False
    scheduler: Any = None
    cache_dir: str | Path | None = None
    use_cache: bool = True
    resume_dir: str | Path | None = None
    parts_dir: str | Path | None = None
    max_tasks_per_worker: int = MAX_TASKS_PER_WORKER
    worker_rss_limit_mb: float = WORKER_RSS_LIMIT_MB
    adjustment: str = "acc"
    """How shares are adjusted for the methods' error rates: "acc" (adjusted classify-and-count),
    "bayes" or "none"
    (:mod:`analyzer.aggregate.adjust`)."""

    @classmethod
    def of(cls, kwargs: dict[str, Any]) -> Options:
        names = {f.name for f in fields(cls)}
        unknown = sorted(set(kwargs) - names)
        if unknown:
            raise TypeError(f"score() got unexpected keyword argument(s) {', '.join(unknown)}; "
                            f"options are {', '.join(sorted(names))}")
        return cls(**kwargs)

    def execution(self) -> Execution:
        return Execution(jobs=max(1, int(self.jobs)), timeout=self.timeout, progress=self.progress,
                         scheduler=self.scheduler, max_tasks_per_worker=self.max_tasks_per_worker,
                         worker_rss_limit_mb=self.worker_rss_limit_mb)

    def storage(self) -> Storage:
        return Storage(cache_dir=self.cache_dir, use_cache=self.use_cache, resume_dir=self.resume_dir,
                       parts_dir=self.parts_dir)


@dataclass
class ScoreResult:
    """Tables of one scored batch, plus the run metadata.

    ``sentences``, ``matches`` and ``sections`` always hold every row: in memory, or read
    from the files a streamed run wrote (on first use). ``report`` is what the report and a
    comparison draw (:class:`~analyzer.output.report.data.ReportData`)."""

    documents: pd.DataFrame
    profiles: pd.DataFrame
    cooccurrence: pd.DataFrame
    coverage: pd.DataFrame
    unused_terms: pd.DataFrame
    agreement: pd.DataFrame
    run: dict[str, Any] = field(default_factory=dict)
    lexicon: Any = None
    report: Any = None
    per_document: dict[str, Any] = field(default_factory=dict)
    """Table name -> DataFrame, or the Path of the CSV file a streamed run wrote."""
    rates: Any = None
    """The :class:`~analyzer.scoring.rates.ErrorRates` behind the adjusted shares (None: not adjusted)."""

    def _table(self, name: str) -> pd.DataFrame:
        value = self.per_document.get(name)
        if value is None:
            return empty_frame(schemas.BY_NAME[name])
        if isinstance(value, Path):
            value = self.per_document[name] = read_table(value, schemas.BY_NAME[name])
        return value

    @property
    def sentences(self) -> pd.DataFrame:
        return self._table("sentences")

    @property
    def matches(self) -> pd.DataFrame:
        return self._table("matches")

    @property
    def sections(self) -> pd.DataFrame:
        return self._table("sections")

    @property
    def streamed_to(self) -> Path | None:
        paths = [v for v in self.per_document.values() if isinstance(v, Path)]
        return paths[0].parent if paths else None

    def write(self, outdir: str | Path, *, excel_safe: bool = False, report: bool = True,
              tables: tuple[str, ...] | None = None) -> list[Path]:
        """Write the CSV files, run.json and (optionally) report.html into outdir."""
        outdir = prepare_outdir(Path(outdir))
        written = []
        for table in schemas.SCORE_TABLES:
            if tables is not None and table.name not in tables:
                continue
            target = outdir / table.file
            source = self.per_document.get(table.name)
            if isinstance(source, Path):  # streamed: the file is written already
                if source.resolve() != target.resolve():
                    shutil.copyfile(source, target)
            elif table.name in ("sentences", "matches", "sections"):
                write_table(self._table(table.name), target, table, excel_safe=excel_safe)
            else:
                write_table(getattr(self, table.name), target, table, excel_safe=excel_safe)
            written.append(target)
        run = dict(self.run)
        run["outputs"] = sorted(p.name for p in written)
        if report and self.lexicon is not None:
            from .output.report.html import write_score_report

            written.append(write_score_report(self, outdir / "report.html"))
            run["outputs"].append("report.html")
        written.append(write_json(run, outdir / "run.json"))
        return written


def _run_info(command: list[str] | None, inputs: list[Path], documents: pd.DataFrame, settings: RunSettings,
              lexicon: Any, model: dict[str, Any] | None, jobs: int) -> dict[str, Any]:
    from importlib.metadata import version

    by_path = dict(zip(documents["path"], documents["sha256"], strict=False)) if not documents.empty else {}
    return {
        "package": "waardenscan",
        "version": __version__,
        "created": datetime.now(UTC).replace(microsecond=0).isoformat(),
        "command": command if command is not None else sys.argv,
        "pipeline": settings.pipeline,
        "lexicon": {"name": lexicon.name, "version": lexicon.version, "sha256": lexicon.sha256,
                    "source": lexicon.source} if lexicon is not None else None,
        "model": {"version": f"{model.get('name', 'model')}-{model.get('version', '?')}",
                  "estimator_sha256": model.get("estimator_sha256"),
                  "lexicon_mismatch": model.get("lexicon_sha256") != lexicon.sha256} if model is not None else None,
        "settings": settings.options(),
        "methods": _methods(settings.method),
        "jobs": jobs,
        "versions": {"python": platform.python_version(), "spacy": version("spacy"),
                     "scikit-learn": version("scikit-learn"), "pandas": pd.__version__},
        "inputs": [{"path": str(p), "sha256": by_path.get(str(p), "")} for p in inputs],
        "documents": {status: int((documents["status"] == status).sum()) for status in schemas.STATUSES}
        if not documents.empty else {},
    }


def _methods(method: str) -> list[str]:
    from .scoring.base import methods_for

    return methods_for(method)


def _resolve_model(model: Any, method: str, resources: Any) -> dict[str, Any] | None:
    """The classifier's metadata (cheap: the estimator loads only when a document needs it),
    or None when the run has no classifier."""
    from .scoring.base import methods_to_run, scorer_class

    if not method or not any(scorer_class(m).needs_model for m in methods_to_run(method)) or model is None:
        return None
    from .scoring.classifier.model import ValueClassifier, check_model, default_model_path

    if isinstance(model, ValueClassifier):
        resources.clf = model
        return model.meta
    if model == "default" and default_model_path() is None:
        return None
    resources.model_folder, meta = check_model(None if model == "default" else model)
    return meta


def _stores(storage: Storage, stream_to: Path | None) -> tuple[Any, Any]:
    from .run.store import Store, Stores, default_cache_dir

    cache_root = Path(storage.cache_dir) if storage.cache_dir else default_cache_dir()
    cache = Store(cache_root) if storage.use_cache else None
    parts_dir = storage.parts_dir or (Path(stream_to) / ".parts" if stream_to is not None else None)
    read, write = ([cache], [cache]) if cache is not None else ([], [])
    if parts_dir:
        write.append(Store(parts_dir))
    if storage.resume_dir:
        resume = Store(storage.resume_dir)
        resume.clean()
        read.append(resume)
    return cache, Stores(read=read, write=write)


def _work(task: Any, *, resources: Any, settings: RunSettings, cache: Any, stores: Any) -> Any:
    """Process, summarise and store one document (in the process that runs it)."""
    from .run.document import process_document, summarize

    resources.load(settings)
    result = process_document(task.path, resources=resources, settings=settings, cache=cache,
                              sha256=task.sha256, parallel=task.parallel)
    summary = summarize(result, lexicon=resources.lexicon, settings=settings)
    if summary.document.status in ("ok", "warning"):
        stores.put(task.key, summary)
    return summary


def score(inputs: list[str | Path] | str | Path, *, lexicon: str | Path | Any | None = None,
          model: str | Path | Any | None = "default", nlp: Any = None, stream_to: str | Path | None = None,
          excel_safe: bool = False, command: list[str] | None = None, **options: Any) -> ScoreResult:
    """Score documents: extraction, sentences, every scoring method, profiles.

    Args:
        inputs: files and folders (folders are searched recursively).
        lexicon: a lexicon folder/file or a loaded Lexicon; None = the packaged one.
        model: a model folder or loaded classifier; "default" = the packaged model
            (skipped with a warning if none is installed); None = no classifier.
        nlp: a loaded spaCy pipeline (default: built from ``pipeline``).
        stream_to: an output folder: sentences.csv, matches.csv and sections.csv are
            written there while documents finish (memory stays flat in the number of
            documents) and the result reads them back on use; ``excel_safe`` formats them.
        command: the command line recorded in run.json.
        **options: the fields of :class:`Options`: ``method`` ("lexicon", "classifier",
            "both": every registered scorer), ``pipeline`` ("auto", "nl_core_news_md",
            "blank"), ``pdf_engine``, ``count_negated``, ``max_pages`` (what is produced);
            ``jobs``, ``timeout`` (per document, seconds), ``progress``, ``scheduler`` (a
            Dask address or Client), ``max_tasks_per_worker``, ``worker_rss_limit_mb``
            (when a worker process is replaced) (how it runs); ``cache_dir``, ``use_cache``,
            ``resume_dir``, ``parts_dir`` (where finished documents are kept).
    """
    from .aggregate.finish import Totals
    from .ingest import discover
    from .output.report.data import ReportData
    from .output.sinks import CsvSink, FrameSink
    from .run.batch import run_batch
    from .run.dask import remote_config
    from .run.document import Resources, error_summary
    from .scoring.base import methods_for, scorer_class
    from .scoring.lexicon import Lexicon, load_lexicon

    opts = Options.of(options)
    methods = methods_for(opts.method)  # validates the method name
    inputs = [inputs] if isinstance(inputs, (str, Path)) else list(inputs)
    paths, missing = discover(inputs)
    lex = lexicon if isinstance(lexicon, Lexicon) else load_lexicon(lexicon)
    resources = Resources(lexicon=lex, nlp=nlp, pipeline=opts.pipeline)
    method = opts.method
    meta = _resolve_model(model, method, resources)
    if meta is None and method and resources.clf is None and _needs_model(method):
        fallback = scorer_class(method).fallback
        if fallback is None:
            raise ModelError(f"--method {method} needs a classifier: no packaged model found; give --model DIR "
                             "or use --method lexicon")
        if model is not None:
            log.warning("no packaged classifier found; scoring with the %s only", fallback)
        method, methods = fallback, methods_for(fallback)
    settings = RunSettings(method=method, pdf_engine=opts.pdf_engine, count_negated=opts.count_negated,
                           max_pages=opts.max_pages, pipeline=resources.pipeline_name(), lexicon=lex.sha256,
                           model=meta.get("estimator_sha256") if meta else None, version=__version__)
    execution = opts.execution()
    if stream_to is not None:
        stream_to = prepare_outdir(Path(stream_to))
    cache, stores = _stores(opts.storage(), stream_to)
    work = partial(_work, resources=resources, settings=settings, cache=cache, stores=stores)
    remote = partial(remote_config, pipeline=opts.pipeline, lexicon=str(lex.source),
                     model=str(resources.model_folder) if resources.model_folder else None, settings=settings)
    sink: Any = CsvSink(stream_to, excel_safe=excel_safe) if stream_to is not None else FrameSink()
    totals, report, rows = Totals(), ReportData(), []
    missing_summaries = [error_summary(p, f"{p}: {reason}", pipeline=settings.pipeline) for p, reason in missing]
    try:
        batch = run_batch(paths, work, settings=settings, stores=stores, execution=execution,
                          prepare=lambda: resources.load(settings), remote=remote)
        for summary in [*batch, *missing_summaries]:
            rows.append(summary.document.to_dict())
            totals.add(summary.counts)
            sink.add(summary)
            report.add(summary)
    except BaseException as exc:
        sink.close(exc)
        raise
    sink.close()
    documents = pd.DataFrame(rows, columns=schemas.DOCUMENTS.names) if rows else empty_frame(schemas.DOCUMENTS)
    rates, adjustment = resolve_rates(resources, meta, lex, methods, opts.adjustment)
    tables = totals.finish(lex, methods, rates=rates, estimator=adjustment.get("estimator"))
    result = ScoreResult(documents=documents, lexicon=lex, report=report,
                         per_document=sink.paths() if sink.streamed else sink.frames(), **tables)
    result.run = _run_info(command, paths, documents, settings, lex, meta, execution.jobs)
    result.run["adjustment"] = adjustment
    result.rates = rates
    return result


def resolve_rates(resources: Any, meta: dict[str, Any] | None, lexicon: Any, methods: list[str],
                  estimator: str) -> tuple[Any, dict[str, Any]]:
    """The error rates that adjust this run's shares, and what run.json says about them.

    The rates come from the ``quantification.json`` of the run's model (or, for a
    lexicon-only run, of the packaged model). A method's rates are used only when they were
    measured for what ran: the classifier's and ``both``'s for the same model, the lexicon's
    for the same lexicon (sha256)."""
    from .aggregate.adjust import ESTIMATORS
    from .scoring.classifier.model import default_model_path
    from .scoring.rates import FILE, load_rates

    info: dict[str, Any] = {"estimator": estimator, "methods": [], "not_adjusted": {}}
    if estimator == "none":
        info["not_adjusted"] = {m: "adjustment switched off (--adjust none)" for m in methods}
        return None, info
    if estimator not in ESTIMATORS:
        raise InputError(f"unknown adjustment {estimator!r}; use one of {', '.join((*ESTIMATORS, 'none'))}")
    folder = None
    if resources.clf is not None and getattr(resources.clf, "path", ""):
        folder = Path(resources.clf.path)
    elif resources.model_folder is not None:
        folder = Path(resources.model_folder)
    elif meta is None:
        folder = default_model_path()
    path = folder / FILE if folder is not None else None
    if path is None or not path.exists():
        info["not_adjusted"] = {m: "no error rates for this model (quantification.json)" for m in methods}
        return None, info
    rates = load_rates(path)
    expected = (meta or {}).get("quantification_sha256")
    if expected and expected != rates.meta.get("sha256"):
        raise ModelError(f"{path}: sha256 does not match the model's meta.json; refusing to use it")
    drop = []
    model_name = f"{meta.get('name')}-{meta.get('version')}" if meta else None
    for m in methods:
        if m not in rates.methods:
            info["not_adjusted"][m] = "no error rates measured for this method"
        elif m == "lexicon" and rates.meta.get("lexicon_sha256") != lexicon.sha256:
            drop.append(m)
            info["not_adjusted"][m] = "rates were measured with another lexicon"
        elif m != "lexicon" and (model_name is None or rates.meta.get("model") != model_name
                                 or (meta or {}).get("lexicon_sha256") != lexicon.sha256):
            drop.append(m)
            info["not_adjusted"][m] = "rates were measured for another model or lexicon"
    rates = rates.without([*drop, *[m for m in rates.methods if m not in methods]])
    info.update(methods=[m for m in methods if m in rates.methods], file=str(path), sha256=rates.meta.get("sha256"),
                **{k: v for k, v in rates.describe().items() if k in ("model", "replicates", "strata", "splits")})
    return (rates if info["methods"] else None), info


def _needs_model(method: str) -> bool:
    from .scoring.base import methods_to_run, scorer_class

    return any(scorer_class(m).needs_model for m in methods_to_run(method))


def extract(inputs: list[str | Path] | str | Path, **kwargs: Any) -> ScoreResult:
    """Extraction and sentences only (no scoring method runs): documents and sentences."""
    kwargs.pop("method", None)
    kwargs.setdefault("model", None)
    return score(inputs, method="", **kwargs)


def load_result(outdir: str | Path, *, lexicon: Any = None) -> ScoreResult:
    """Read a folder written by ``waardenscan score`` back into a ScoreResult.

    The lexicon is the one given, else the one recorded in run.json if it still exists
    with the same sha256, else the packaged one (with a warning if it differs).
    """
    import json

    from .output.report.data import ReportData
    from .scoring.lexicon import Lexicon, load_lexicon

    outdir = Path(outdir)
    if not (outdir / "profiles.csv").exists():
        raise InputError(f"{outdir}: not a waardenscan score folder (no profiles.csv)")
    frames = {t.name: read_table(outdir / t.file, t) if (outdir / t.file).exists() else empty_frame(t)
              for t in schemas.SCORE_TABLES}
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
    per_document = {name: frames.pop(name) for name in ("sentences", "matches", "sections")}
    result = ScoreResult(run=run, lexicon=lex, per_document=per_document, **frames)
    result.report = ReportData.from_tables(result)
    return result


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
    driver_spans: dict[Any, Any] = field(default_factory=dict)
    """(sentence_id, cluster) -> term spans of each driving sentence (the report highlights them)."""

    def write(self, outdir: str | Path, *, excel_safe: bool = False, report: bool = True) -> list[Path]:
        from .output.io import atomic_write

        outdir = prepare_outdir(Path(outdir))
        written = [write_table(self.comparison, outdir / "comparison.csv", schemas.COMPARISON, excel_safe=excel_safe),
                   write_table(self.drivers, outdir / "drivers.csv", schemas.DRIVERS, excel_safe=excel_safe)]
        written.append(atomic_write(outdir / "summary.txt", "\n".join(self.summary) + "\n"))
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
    """Compare two documents, folders (groups of documents), score output folders or
    ScoreResults. ``kwargs`` are :func:`score`'s options for sides that must be scored."""
    from .compare import compare_profiles, driving_sentences, summarize

    ra = _as_result(a, **kwargs)
    rb = _as_result(b, **kwargs)
    for side, r in (("A", ra), ("B", rb)):
        if r.profiles.empty or not (r.profiles["doc_id"] == schemas.ALL_DOCS).any():
            raise InputError(f"side {side} has no scorable text (see its documents.csv)")
    label_a = label_a or _label(a)
    label_b = label_b or _label(b)
    rates, estimator = _shared_rates(ra, rb)
    comparison = compare_profiles(ra.profiles, rb.profiles, rates=rates, estimator=estimator)
    summary = summarize(comparison, label_a=label_a, label_b=label_b, method=method_summary)
    method = method_summary or ("both" if "both" in set(comparison["method"]) else comparison["method"].iloc[0])
    drivers, spans = driving_sentences(comparison, ra.report, rb.report, method=method)
    run = {"package": "waardenscan", "version": __version__, "command": kwargs.get("command") or sys.argv,
           "a": {"label": label_a, "run": ra.run}, "b": {"label": label_b, "run": rb.run},
           "created": datetime.now(UTC).replace(microsecond=0).isoformat()}
    return CompareResult(comparison=comparison, summary=summary, drivers=drivers, a=ra, b=rb,
                         label_a=label_a, label_b=label_b, run=run, driver_spans=spans)


def _rates_of(result: ScoreResult) -> Any:
    """A result's error rates: those it was scored with, or the file its run.json names
    (when it still has the recorded sha256)."""
    if result.rates is not None:
        return result.rates
    info = (result.run or {}).get("adjustment") or {}
    path = info.get("file")
    if not path or not Path(path).exists():
        return None
    from .scoring.rates import load_rates

    rates = load_rates(path)
    if rates.meta.get("sha256") != info.get("sha256"):
        return None
    return rates.without([m for m in rates.methods if m not in info.get("methods", [])])


def _shared_rates(ra: ScoreResult, rb: ScoreResult) -> tuple[Any, str | None]:
    """The rates that adjust a comparison: both sides must have been adjusted with the same
    file and estimator (else the adjusted columns stay empty, with a warning)."""
    a, b = _rates_of(ra), _rates_of(rb)
    est_a = ((ra.run or {}).get("adjustment") or {}).get("estimator")
    est_b = ((rb.run or {}).get("adjustment") or {}).get("estimator")
    if a is None or b is None:
        if (a is None) != (b is None):
            log.warning("only one side has adjusted shares; the comparison's adjusted columns stay empty")
        return None, None
    if a.meta.get("sha256") != b.meta.get("sha256") or est_a != est_b:
        log.warning("the two sides were adjusted with different error rates or estimators; "
                    "the comparison's adjusted columns stay empty")
        return None, None
    common = [m for m in a.methods if m in b.methods]
    return a.without([m for m in a.methods if m not in common]), est_a


def _label(side: Any) -> str:
    if isinstance(side, ScoreResult):
        return "A"
    items = [side] if isinstance(side, (str, Path)) else list(side)
    names = [Path(p).name for p in items]
    text = ", ".join(names)
    return text if len(text) <= 60 else text[:57] + "..."


__all__ = ["CompareResult", "Options", "ScoreResult", "Storage", "WaardenscanError", "compare", "extract",
           "load_result", "score"]
