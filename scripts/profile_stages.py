"""CPU time per page of each stage of scoring, in one process, next to pdftotext.

    python scripts/profile_stages.py                        # the benchmark set (333 pages)
    python scripts/profile_stages.py --copies 3             # the set three times (warm caches)
    python scripts/profile_stages.py --cprofile 25          # also the 25 costliest functions

Runs the stages of ``waardenscan score`` one after another on every PDF of the benchmark set
(chosen as ``scripts/benchmark.py`` does), measuring process CPU time (``time.process_time``,
less sensitive to other load than wall time): extraction, blocks, spaCy (tokenizer and the
segmenter's own sentence/lemma/token work), lexicon matching, the classifier, the summary
tables, and storing a result (JSON + light view); building the row dicts is not timed. It prints milliseconds per page and the
share of each, plus ``pdftotext -layout`` on the same PDFs. This is the explanation behind the
throughput figures: with 2 cores, waardenscan matches pdftotext only if all stages together
cost at most twice pdftotext's milliseconds per page.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchmark_extraction import pdf_set  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--raw", type=Path, default=ROOT.parent / "shared" / "corpus" / "raw")
    parser.add_argument("--max-pages", type=int, default=320)
    parser.add_argument("--copies", type=int, default=1, help="process the set this many times (default 1)")
    parser.add_argument("--cprofile", type=int, default=0, help="also print the N costliest functions")
    args = parser.parse_args()

    from analyzer.batch import ResultStore
    from analyzer.process import SCORED_KINDS, Settings, _score, document_tables, light_view

    from analyzer.api import _Resources
    from analyzer.ingest import extract, file_sha256
    from analyzer.scoring.classifier.model import check_model
    from analyzer.scoring.lexicon import load_lexicon
    from analyzer.segment import START, _blocks, segment_blocks

    pdfs = [p for p, _ in pdf_set(args.raw, args.max_pages)] * args.copies
    started = time.process_time()
    lex = load_lexicon()
    res = _Resources(lexicon=lex, nlp=None, pipeline="auto")
    res.model_folder, res.model_meta = check_model(None)
    res.load()
    load = time.process_time() - started
    settings = Settings()
    stages = dict.fromkeys(["extract", "blocks", "segment (spaCy + tokens)", "lexicon", "classifier",
                            "summary tables", "store (JSON, light view, gzip)"], 0.0)
    pages = 0
    profiler = cProfile.Profile() if args.cprofile else None

    def timed(name, fn):  # type: ignore[no-untyped-def]
        t = time.process_time()
        out = fn()
        stages[name] += time.process_time() - t
        return out

    if profiler:
        profiler.enable()
    for path in pdfs:
        sha = file_sha256(path)
        doc = timed("extract", lambda p=path, s=sha: extract(p, sha256=s))
        pages += doc.n_pages
        blocks = timed("blocks", lambda d=doc: _blocks(d))
        sentences = timed("segment (spaCy + tokens)", lambda b=blocks: segment_blocks(b, res.nlp, doc_id="x", state=START))
        scored = [s for s in sentences if s.kind in SCORED_KINDS]
        hits = timed("lexicon", lambda sc=scored: [res.matcher.match(s) for s in sc])
        timed("classifier", lambda sc=scored, h=hits: res.clf.predict(sc, h))
        # the document's rows as process_document builds them (not timed: it repeats the stages above)
        if profiler:
            profiler.disable()
        result = _score("x", doc, nlp=res.nlp, matcher=res.matcher, model=res.clf, settings=settings)
        if profiler:
            profiler.enable()
        result.document.update(doc_id="x", status="ok", pages=doc.n_pages)
        result.tables = timed("summary tables", lambda r=result: document_tables(
            r, lex, method=settings.method, count_negated=False))
        timed("store (JSON, light view, gzip)",
              lambda r=result: (ResultStore.encode(r), ResultStore.encode_light(light_view(r))))  # type: ignore[arg-type]
    if profiler:
        profiler.disable()

    base = None
    if shutil.which("pdftotext"):
        t = time.perf_counter()
        for path in pdfs:
            subprocess.run(["pdftotext", "-layout", str(path), "-"], stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, check=False)
        base = time.perf_counter() - t

    total = sum(stages.values())
    print(f"{len(pdfs)} PDFs, {pages} pages; start-up (imports, pipeline, lexicon, model): {load:.2f} CPU-s")
    print(f"{'stage':34} {'ms/page':>8} {'share':>6}")
    for name, seconds in stages.items():
        print(f"{name:34} {1000 * seconds / pages:8.2f} {100 * seconds / total:5.1f}%")
    print(f"{'all stages':34} {1000 * total / pages:8.2f}   -> {pages / total:.0f} pages per CPU-second")
    if base:
        print(f"{'pdftotext -layout (wall)':34} {1000 * base / pages:8.2f}   -> {pages / base:.0f} pages/s")
        print(f"on 2 cores the stages allow at most {2 * pages / total:.0f} pages/s: "
              f"{2 * base / total:.2f}x pdftotext")
    if profiler:
        pstats.Stats(profiler).sort_stats("tottime").print_stats(args.cprofile)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
