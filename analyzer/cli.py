"""The ``waardenscan`` command line: argument parsing and printing only.

Each command calls one function of the library (:mod:`analyzer.api`,
:mod:`analyzer.scoring.lexicon`, :mod:`analyzer.scoring.classifier`). Heavy modules are imported inside
the commands so that ``waardenscan --help`` starts fast.

Exit codes: 0 all documents processed (warnings allowed); 1 the outputs were written
but at least one document failed (status=error in documents.csv); 2 a usage or
configuration error (bad option, bad lexicon or model, output folder not writable);
130 interrupted.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from . import __version__

EXIT_OK, EXIT_DOC_ERRORS, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130


def _common(p: argparse.ArgumentParser, *, scoring: bool = True) -> None:
    g = p.add_argument_group("run options")
    g.add_argument("-j", "--jobs", type=int, default=1, help="documents processed in parallel (default 1)")
    g.add_argument("--pipeline", default="auto", choices=["auto", "nl_core_news_md", "blank"],
                   help="Dutch pipeline: nl_core_news_md if installed (auto), or blank nl + simplemma")
    g.add_argument("--pdf-engine", default="pdfium", choices=["pdfium", "pdfplumber"],
                   help="PDF text engine (default pdfium: fast, keeps column order)")
    g.add_argument("--timeout", type=float, default=300.0,
                   help="per-document time limit in seconds (0 = none; default 300)")
    g.add_argument("--max-pages", type=int, default=None, help="read at most this many pages per PDF")
    g.add_argument("--cache-dir", type=Path, default=None,
                   help="extraction and result cache (default $WAARDENSCAN_CACHE or ~/.cache/waardenscan)")
    g.add_argument("--no-cache", action="store_true", help="neither read nor write the cache")
    g.add_argument("--resume", action="store_true",
                   help="reuse documents finished by an interrupted run into the same OUTDIR")
    g.add_argument("--excel-safe", action="store_true",
                   help="prefix CSV cells starting with = + - @ with ' (spreadsheet formula injection)")
    g.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    g.add_argument("--scheduler", default=None, metavar="ADDRESS",
                   help="run on a Dask cluster (tcp://host:8786); needs pip install 'waardenscan[dask]'")
    if scoring:
        s = p.add_argument_group("scoring options")
        s.add_argument("--lexicon", type=Path, default=None, help="lexicon folder or TSV (default: packaged)")
        s.add_argument("--model", type=Path, default=None, help="classifier folder (default: packaged)")
        s.add_argument("--method", default="both", choices=_method_choices(),
                       help="which method's labels to profile (default both)")
        s.add_argument("--count-negated", action="store_true",
                       help="count negated lexicon hits as support (default: recorded, not counted)")
        s.add_argument("--adjust", default="acc", choices=["acc", "bayes", "none"],
                       help="correct shares for each method's measured error rates: acc (adjusted "
                            "classify-and-count, default), bayes or none (docs/outputs.md)")
        s.add_argument("--no-report", action="store_true", help="do not write the HTML report")


def _method_choices() -> list[str]:
    from .scoring.base import method_names

    return method_names()


def _score_kwargs(args: argparse.Namespace, outdir: Path | None) -> dict:
    kwargs = dict(
        jobs=max(1, args.jobs), pipeline=args.pipeline, pdf_engine=args.pdf_engine,
        timeout=args.timeout or None, max_pages=args.max_pages, cache_dir=args.cache_dir,
        use_cache=not args.no_cache, progress=not args.quiet and sys.stderr.isatty() or False,
        command=["waardenscan", *sys.argv[1:]],
    )
    if getattr(args, "scheduler", None):
        kwargs["scheduler"] = args.scheduler
    if outdir is not None:
        kwargs["parts_dir"] = outdir / ".parts"
        if args.resume:
            kwargs["resume_dir"] = outdir / ".parts"
    if hasattr(args, "lexicon"):
        kwargs.update(lexicon=args.lexicon, method=args.method, count_negated=args.count_negated,
                      model=args.model if args.model is not None else "default", adjustment=args.adjust)
    return kwargs


def _finish(result, outdir: Path) -> int:  # type: ignore[no-untyped-def]
    docs = result.documents
    n_err = int((docs["status"] == "error").sum()) if not docs.empty else 0
    n = len(docs)
    print(f"{n} document(s): {n - n_err} processed, {n_err} failed -> {outdir}", file=sys.stderr)
    import shutil

    shutil.rmtree(outdir / ".parts", ignore_errors=True)
    return EXIT_DOC_ERRORS if n_err else EXIT_OK


def cmd_extract(args: argparse.Namespace) -> int:
    from .api import extract

    outdir = args.output
    _prepare(outdir)
    result = extract(args.inputs, **_score_kwargs(args, outdir))
    result.write(outdir, excel_safe=args.excel_safe, report=False, tables=("documents", "sentences"))
    return _finish(result, outdir)


def cmd_score(args: argparse.Namespace) -> int:
    from .api import score

    outdir = args.output
    _prepare(outdir)
    # documents are assembled one at a time from disk: memory stays flat in the batch size
    result = score(args.inputs, stream_to=outdir, excel_safe=args.excel_safe, **_score_kwargs(args, outdir))
    result.write(outdir, excel_safe=args.excel_safe, report=not args.no_report)
    return _finish(result, outdir)


def cmd_compare(args: argparse.Namespace) -> int:
    from .api import compare

    _prepare(args.output)
    kwargs = _score_kwargs(args, None)
    result = compare(args.a, args.b, label_a=args.label_a, label_b=args.label_b, **kwargs)
    result.write(args.output, excel_safe=args.excel_safe, report=not args.no_report)
    for line in result.summary:
        print(line)
    if not result.drivers.empty:
        print("\nZinnen die de verschuivingen dragen:")
        for r in result.drivers.itertuples():
            print(f"  [{r.cluster} {r.side}] {r.doc_id} p.{r.page}: {r.text[:160]}")
    failed = sum(int((side.documents["status"] == "error").sum()) for side in (result.a, result.b)
                 if not side.documents.empty)
    if failed:
        print(f"{failed} document(s) failed (see documents.csv of the scored sides)", file=sys.stderr)
    return EXIT_DOC_ERRORS if failed else EXIT_OK


def cmd_kwic(args: argparse.Namespace) -> int:
    from .api import score
    from .kwic import kwic

    result = score(args.inputs, lexicon=args.lexicon, model=None, method="lexicon", pipeline=args.pipeline,
                   cache_dir=args.cache_dir, use_cache=not args.no_cache)
    rows = kwic(args.pattern, result, window=args.window, include_negated=True)
    for r in rows:
        neg = " [negated]" if r["negated"] else ""
        print(f"{r['doc_id']} p.{r['page']}: {r['left']:>{args.window}} [{r['keyword']}] {r['right']:<{args.window}}{neg}")
    print(f"{len(rows)} hit(s)", file=sys.stderr)
    return EXIT_OK


def cmd_lexicon_check(args: argparse.Namespace) -> int:
    from .scoring.lexicon import load_lexicon

    lex = load_lexicon(args.path)
    per_value = {v: sum(t.value == v for t in lex.terms) for v in lex.values}
    print(f"ok: {lex.label()} ({lex.source}): {len(lex.groups)} groups, {len(lex.clusters)} clusters, "
          f"{len(lex.values)} values, {len(lex.terms)} terms, {len(lex.negation)} negation cues")
    thin = [v for v, n in per_value.items() if n < 3]
    if thin:
        print(f"warning: fewer than 3 terms for {', '.join(thin)}", file=sys.stderr)
    return EXIT_OK


def cmd_lexicon_show(args: argparse.Namespace) -> int:
    from .scoring.lexicon import load_lexicon

    lex = load_lexicon(args.path)
    print(f"{lex.label()}")
    for group in lex.groups:
        print(f"{group}")
        for cluster, g in lex.clusters.items():
            if g != group:
                continue
            print(f"  {cluster}")
            for value, (_, c) in lex.values.items():
                if c != cluster:
                    continue
                terms = [t.term for t in lex.terms if t.value == value]
                shown = ", ".join(terms if args.terms else terms[:8])
                more = "" if args.terms or len(terms) <= 8 else f", … (+{len(terms) - 8})"
                print(f"    {value} [{len(terms)}]: {shown}{more}")
    return EXIT_OK


def cmd_model_train(args: argparse.Namespace) -> int:
    from .scoring.classifier.train import train_cli

    return train_cli(corpus=args.corpus, out=args.out, seed=args.seed, pipeline=args.pipeline,
                     compare_alternatives=not args.fast)


def cmd_model_evaluate(args: argparse.Namespace) -> int:
    from .scoring.classifier.evaluate import evaluate_cli

    return evaluate_cli(model=args.model, corpus=args.corpus, pipeline=args.pipeline, write=not args.no_write,
                        bootstrap=args.bootstrap)


def cmd_model_export(args: argparse.Namespace) -> int:
    from .scoring.classifier.model import add_inference

    folder = add_inference(args.model)
    print(f"wrote {folder / 'inference.npz'} and its sha256 in meta.json")
    return EXIT_OK


def cmd_corpus_stats(args: argparse.Namespace) -> int:
    from .scoring.classifier.stats import corpus_stats, format_stats

    stats = corpus_stats(args.corpus)
    print(format_stats(stats))
    return EXIT_OK if all(ok for _, _, ok in stats.checks) or not args.check else EXIT_DOC_ERRORS


def cmd_demo(args: argparse.Namespace) -> int:
    from .api import compare, score
    from .demo import example_paths

    outdir = args.output
    _prepare(outdir)
    paths = example_paths()
    kwargs = _score_kwargs(args, None)
    result = score([str(p) for p in paths.values()], **kwargs)
    result.write(outdir / "score", report=True)
    print(f"scored {len(result.documents)} bundled documents -> {outdir / 'score'}", file=sys.stderr)
    kwargs.pop("parts_dir", None)
    cmp = compare([str(paths["coalitieakkoord"])], [str(paths["wmo"])], label_a="Coalitieakkoord 2021",
                  label_b="Wmo 2015", **kwargs)
    cmp.write(outdir / "compare")
    print("\n".join(cmp.summary))
    print(f"\nreports: {outdir / 'score' / 'report.html'} and {outdir / 'compare' / 'compare.html'}", file=sys.stderr)
    return EXIT_OK


def _prepare(outdir: Path) -> None:
    from .output.io import prepare_outdir

    prepare_outdir(outdir)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="waardenscan",
        description="Which values of the Waardenkaart sociaal domein do Dutch policy documents express?",
        epilog="Exit codes: 0 ok, 1 some documents failed (see documents.csv), 2 usage/configuration error.",
    )
    parser.add_argument("--version", action="version", version=f"waardenscan {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log details to stderr")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("extract", help="extract text and sentences (documents.csv, sentences.csv, run.json)")
    p.add_argument("inputs", nargs="+", help="PDF, TXT, MD, HTML or CVDR XML files, or folders")
    p.add_argument("-o", "--output", type=Path, required=True, help="output folder")
    _common(p, scoring=False)
    p.set_defaults(func=cmd_extract)

    p = sub.add_parser("score", help="score documents: profiles, matches, sections, report")
    p.add_argument("inputs", nargs="+", help="files or folders")
    p.add_argument("-o", "--output", type=Path, required=True, help="output folder")
    _common(p)
    p.set_defaults(func=cmd_score)

    p = sub.add_parser("compare", help="compare two documents, folders or score output folders")
    p.add_argument("a", help="side A: a file, a folder of documents, or a score output folder")
    p.add_argument("b", help="side B: idem")
    p.add_argument("-o", "--output", type=Path, required=True, help="output folder")
    p.add_argument("--label-a", default=None, help="name of side A in the summary")
    p.add_argument("--label-b", default=None, help="name of side B in the summary")
    _common(p)
    p.set_defaults(func=cmd_compare)

    p = sub.add_parser("kwic", help="keyword in context for a lexicon term, value or cluster")
    p.add_argument("pattern", help="a value or cluster name (e.g. 'Menselijke maat'), or a term")
    p.add_argument("inputs", nargs="+", help="files or folders")
    p.add_argument("--window", type=int, default=50, help="characters of context each side")
    p.add_argument("--lexicon", type=Path, default=None, help="lexicon folder or TSV")
    p.add_argument("--pipeline", default="auto", choices=["auto", "nl_core_news_md", "blank"])
    p.add_argument("--cache-dir", type=Path, default=None, help="extraction and result cache (see score)")
    p.add_argument("--no-cache", action="store_true", help="neither read nor write the cache")
    p.set_defaults(func=cmd_kwic)

    p = sub.add_parser("lexicon", help="validate or list a lexicon")
    lsub = p.add_subparsers(dest="lexicon_command", metavar="ACTION", required=True)
    q = lsub.add_parser("check", help="validate a lexicon (line-numbered errors)")
    q.add_argument("path", nargs="?", type=Path, default=None, help="lexicon folder or TSV (default packaged)")
    q.set_defaults(func=cmd_lexicon_check)
    q = lsub.add_parser("show", help="list groups, clusters, values and terms")
    q.add_argument("path", nargs="?", type=Path, default=None)
    q.add_argument("--terms", action="store_true", help="list all terms")
    q.set_defaults(func=cmd_lexicon_show)

    p = sub.add_parser("model", help="train, evaluate or export the classifier")
    msub = p.add_subparsers(dest="model_command", metavar="ACTION", required=True)
    q = msub.add_parser("train", help="train reproducibly from the annotated corpus")
    q.add_argument("--corpus", type=Path, default=Path("corpus"), help="corpus folder (default ./corpus)")
    q.add_argument("--out", type=Path, default=None, help="model folder (default models/<name>-<version>)")
    q.add_argument("--seed", type=int, default=20261123)
    q.add_argument("--pipeline", default="blank", choices=["auto", "nl_core_news_md", "blank"])
    q.add_argument("--fast", action="store_true", help="train the default pipeline only (skip alternatives)")
    q.set_defaults(func=cmd_model_train)
    q = msub.add_parser("evaluate", help="scores on the test split: classifier, lexicon, both")
    q.add_argument("--model", type=Path, default=None, help="model folder (default packaged)")
    q.add_argument("--corpus", type=Path, default=Path("corpus"))
    q.add_argument("--pipeline", default="blank", choices=["auto", "nl_core_news_md", "blank"])
    q.add_argument("--bootstrap", type=int, default=1000, help="bootstrap resamples for intervals")
    q.add_argument("--no-write", action="store_true", help="print only; do not write evaluation.md")
    q.set_defaults(func=cmd_model_evaluate)
    q = msub.add_parser("export", help="add inference.npz (scoring without scikit-learn) to a model folder")
    q.add_argument("model", type=Path, help="model folder")
    q.set_defaults(func=cmd_model_export)

    p = sub.add_parser("corpus", help="the annotated corpus: counts and targets")
    csub = p.add_subparsers(dest="corpus_command", metavar="ACTION", required=True)
    q = csub.add_parser("stats", help="counts per split, cluster, value, genre, stratum and municipality")
    q.add_argument("--corpus", type=Path, default=Path("corpus"), help="corpus folder (default ./corpus)")
    q.add_argument("--check", action="store_true", help="exit 1 when a target of the corpus is not met")
    q.set_defaults(func=cmd_corpus_stats)

    p = sub.add_parser("demo", help="score the bundled examples and compare two of them")
    p.add_argument("-o", "--output", type=Path, default=Path("demo-output"), help="output folder")
    _common(p)
    p.set_defaults(func=cmd_demo)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="waardenscan: %(levelname)s: %(message)s", stream=sys.stderr)
    if not getattr(args, "func", None):
        parser.print_help()
        return EXIT_USAGE
    from .errors import WaardenscanError

    try:
        return int(args.func(args))
    except WaardenscanError as exc:
        print(f"waardenscan: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("waardenscan: interrupted; rerun with --resume to continue", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # the reader of stdout went away (| head): nothing more to say
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except OSError as exc:  # disk full or a folder that became unwritable while writing outputs
        where = f" {exc.filename}:" if getattr(exc, "filename", None) else ""
        print(f"waardenscan: error: cannot write output:{where} {exc.strerror or exc}; finished documents are "
              "kept in OUTDIR/.parts, rerun with --resume", file=sys.stderr)
        return EXIT_USAGE


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
