"""End-to-end speed and memory of ``waardenscan score``, next to ``pdftotext -layout``.

    python scripts/benchmark.py                 # ~320 pages; batches of 1, 10, 100, 1000 documents
    python scripts/benchmark.py --quick         # batches of 1, 10, 50 documents; a 300-page PDF
    python scripts/benchmark.py --batch-sizes 1,10 --score-args "--lexicon tests/data/toy_lexicon.tsv"

Uses the born-digital PDFs of the shared corpus, chosen exactly as
``scripts/benchmark_extraction.py`` does (scans and broken fonts excluded, name order,
until ``--max-pages`` pages). Every waardenscan run is a fresh subprocess
(``python -m analyzer score ... --no-report -q``), so start-up, model loading, workers
and CSV writing are all included. Measures:

1. ``pdftotext -layout`` over the same PDFs, sequential: the baseline (pages/s);
2. ``score -j 2`` and ``-j 1`` with a fresh cache folder: pages/s, words/s
   (sum of documents.csv ``words``), ratio to pdftotext, parallel speed-up;
3. the unchanged batch again with the same cache folder: seconds, speed-up;
4. resume: a larger batch (3 unique copies of the set) is killed (SIGTERM to its
   process group) after 40% of the time of run 2, but not before 2 documents are
   finished in ``OUT/.parts``; then rerun with ``--resume --no-cache`` into the same
   folder. Documents it processed = total - files in ``OUT/.parts`` before the rerun,
   checked against documents.csv (a reused row keeps the ``seconds`` of its part);
5. scaling: batches of N unique documents (corpus PDFs copied with a unique comment
   after ``%%EOF``, so no duplicate is skipped), each with a new cache folder: seconds,
   pages, ``pdftotext -layout`` on the same copies and the ratio, peak memory (largest
   single process, from ``wait4``; and the whole process tree's summed PSS, sampled from
   /proc every 0.25 s); then the unchanged batch again with that cache (re-run speed-up);
6. ``python -m analyzer --help`` wall time (median of 5);
7. one large PDF (``--large-pages``, default 1000, made of the set's pages with pypdfium2):
   ``pdftotext``, then ``score -j 1`` and ``-j N`` (the document's blocks spread over the
   workers): seconds, pages/s, peak memory, speed-up, and whether the outputs are identical.

Writes ``benchmarks/results/benchmark.csv`` (name, value, unit, detail),
``benchmarks/results/run.json`` (machine, versions, command, PDFs) and
``benchmarks/results/scaling.png``. Prints figures only; it never fails on a time.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchmark_extraction import pdf_set  # noqa: E402  (same PDF selection rules)

RESULTS = ROOT / "benchmarks" / "results"
COLUMNS = ["name", "value", "unit", "detail"]


# --------------------------------------------------------------------------- measuring


@dataclass
class Run:
    """One finished child process."""

    argv: list[str]
    seconds: float
    returncode: int
    max_rss_mb: float  # largest single process of the tree (main or worker), from wait4
    peak_pss_mb: float  # summed PSS of the whole tree, sampled; 0 if /proc is unavailable
    cpu_seconds: float  # user + sys of the tree
    stderr: str = ""
    killed: bool = False
    extra: dict = field(default_factory=dict)


def _children_of() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as fh:
                stat = fh.read()
        except OSError:
            continue
        # the command name may contain spaces and parentheses: split after the last ")"
        ppid = int(stat.rsplit(b")", 1)[1].split()[1])
        tree.setdefault(ppid, []).append(int(entry.name))
    return tree


def _tree_pss_kb(root: int) -> int:
    tree = _children_of()
    todo, total = [root], 0
    while todo:
        pid = todo.pop()
        todo.extend(tree.get(pid, []))
        try:
            with open(f"/proc/{pid}/smaps_rollup", "rb") as fh:
                for line in fh:
                    if line.startswith(b"Pss:"):
                        total += int(line.split()[1])
                        break
        except OSError:
            pass
    return total


class _PssSampler(threading.Thread):
    """Samples the summed PSS of a process tree (shared copy-on-write pages counted once)."""

    def __init__(self, pid: int, interval: float = 0.25) -> None:
        super().__init__(daemon=True)
        self.pid, self.interval, self.peak_kb = pid, interval, 0
        self.stop = threading.Event()
        self.enabled = Path(f"/proc/{pid}/smaps_rollup").exists()

    def run(self) -> None:
        while self.enabled and not self.stop.wait(self.interval):
            try:
                self.peak_kb = max(self.peak_kb, _tree_pss_kb(self.pid))
            except (OSError, ValueError, IndexError):
                pass


def _wait4(pid: int, deadline: float | None = None):  # type: ignore[no-untyped-def]
    """wait4 on one child (its own rusage, workers included); None if still running at deadline."""
    while True:
        wpid, status, usage = os.wait4(pid, 0 if deadline is None else os.WNOHANG)
        if wpid:
            return status, usage
        if time.perf_counter() >= deadline:
            return None
        time.sleep(0.05)


def run_child(
    argv: list[str],
    *,
    kill_after: float | None = None,
    kill_ready: Callable[[], bool] | None = None,
    env: dict | None = None,
) -> Run:
    """Run argv in its own process group; optionally kill the group after kill_after seconds.

    With kill_ready, the kill waits past kill_after until kill_ready() is true (or the
    child ends by itself).
    """
    errfile = tempfile.TemporaryFile()
    start = time.perf_counter()
    proc = subprocess.Popen(
        argv, stdout=subprocess.DEVNULL, stderr=errfile, env=env, start_new_session=True
    )
    sampler = _PssSampler(proc.pid)
    sampler.start()
    killed, kill_at = False, None
    try:
        done = _wait4(proc.pid, None if kill_after is None else start + kill_after)
        while done is None and kill_ready is not None and not kill_ready():
            done = _wait4(proc.pid, time.perf_counter() + 0.1)
        if done is None:
            kill_at = time.perf_counter() - start
            # SIGTERM to the group: the main process and its forked workers (all started by us)
            os.killpg(proc.pid, signal.SIGTERM)
            killed = True
            done = _wait4(proc.pid, time.perf_counter() + 10)
            if done is None:
                os.killpg(proc.pid, signal.SIGKILL)
                done = _wait4(proc.pid)
    except BaseException:
        os.killpg(proc.pid, signal.SIGKILL)  # our own child's group, e.g. on Ctrl-C
        raise
    seconds = time.perf_counter() - start
    status, usage = done
    proc.returncode = os.waitstatus_to_exitcode(status)
    sampler.stop.set()
    sampler.join()
    if killed:  # a worker that outlived its parent is still in the group
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    errfile.seek(0)
    stderr = errfile.read().decode("utf-8", "replace")
    errfile.close()
    return Run(
        argv=argv,
        seconds=seconds,
        returncode=proc.returncode,
        max_rss_mb=usage.ru_maxrss / 1024,
        peak_pss_mb=sampler.peak_kb / 1024,
        cpu_seconds=usage.ru_utime + usage.ru_stime,
        stderr=stderr,
        killed=killed,
        extra={"kill_at": kill_at},
    )


# --------------------------------------------------------------------------- helpers


def machine() -> dict:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        mem_kb = next(
            int(x.split()[1])
            for x in Path("/proc/meminfo").read_text().splitlines()
            if x.startswith("MemTotal")
        )
    except (OSError, StopIteration):
        mem_kb = 0
    nproc = subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip() or str(
        os.cpu_count()
    )
    pdftotext = (
        subprocess.run(["pdftotext", "-v"], capture_output=True, text=True)
        if shutil.which("pdftotext")
        else None
    )
    return {
        "nproc": nproc,
        "cpu": model or platform.processor(),
        "memory_gb": round(mem_kb / 1024**2, 1),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "pdftotext": (pdftotext.stderr.splitlines() or [""])[0] if pdftotext else None,
        "loadavg_start": _loadavg(),
    }


def _loadavg() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return ""


def documents_totals(outdir: Path) -> dict:
    with open(outdir / "documents.csv", newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    statuses: dict[str, int] = {}
    for r in rows:
        statuses[r["status"]] = statuses.get(r["status"], 0) + 1
    return {
        "rows": rows,
        "documents": len(rows),
        "pages": sum(int(r["pages"] or 0) for r in rows),
        "words": sum(int(r["words"] or 0) for r in rows),
        "statuses": statuses,
    }


def parts_seconds(parts: Path) -> dict[str, str]:
    """sha256 -> recorded ``seconds`` of each finished document in OUT/.parts.

    A document reused by ``--resume`` keeps that figure in documents.csv; one processed
    again gets a new one, so comparing the two shows what the resumed run really did.
    """
    import gzip

    found = {}
    for file in sorted(parts.glob("*.json.gz")) if parts.is_dir() else []:
        try:
            with gzip.open(file, "rt", encoding="utf-8") as fh:
                doc = json.load(fh)["document"]
            found[doc["sha256"]] = f"{float(doc['seconds']):.3f}"
        except (OSError, ValueError, KeyError, TypeError):
            continue
    return found


def unique_copies(pdfs: list[tuple[Path, int]], n: int, folder: Path) -> int:
    """n PDFs, cycling through pdfs, each with unique bytes after %%EOF; returns the pages."""
    folder.mkdir(parents=True, exist_ok=True)
    pages = 0
    for i in range(n):
        src, n_pages = pdfs[i % len(pdfs)]
        data = src.read_bytes()
        (folder / f"d{i:05d}_{src.name}").write_bytes(data + f"\n%unique-{i}\n".encode())
        pages += n_pages
    return pages


def large_pdf(pdfs: list[tuple[Path, int]], pages: int, path: Path) -> int:
    """One PDF of ``pages`` pages, made of the set's pages in turn (pypdfium2 import_pages)."""
    import pypdfium2 as pdfium

    out = pdfium.PdfDocument.new()
    try:
        i = 0
        while len(out) < pages:
            src_path, _ = pdfs[i % len(pdfs)]
            src = pdfium.PdfDocument(str(src_path))
            try:
                take = min(len(src), pages - len(out))
                out.import_pages(src, list(range(take)))
            finally:
                src.close()
            i += 1
        out.save(str(path))
        return len(out)
    finally:
        out.close()


class Table:
    def __init__(self) -> None:
        self.rows: list[dict] = []

    def add(self, name: str, value: float | int, unit: str, detail: str = "") -> None:
        if isinstance(value, float):
            value = round(value, 4)
        self.rows.append({"name": name, "value": value, "unit": unit, "detail": detail})
        print(f"  {name:34} {value:>12} {unit:10} {detail}", flush=True)

    def write(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "w", newline="", encoding="utf-8") as fh:
            w = csv.DictWriter(fh, fieldnames=COLUMNS)
            w.writeheader()
            w.writerows(self.rows)


def check(run: Run, what: str) -> None:
    if run.returncode not in (0, 1):  # 1 = outputs written, some document failed
        tail = "\n".join(run.stderr.strip().splitlines()[-15:])
        raise SystemExit(
            f"benchmark: {what} failed (exit {run.returncode}):\n  {shlex.join(run.argv)}\n{tail}"
        )


# --------------------------------------------------------------------------- the steps


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=__doc__,
    )
    parser.add_argument(
        "--raw",
        type=Path,
        default=ROOT.parent / "shared" / "corpus" / "raw",
        help="the shared corpus (default ../shared/corpus/raw)",
    )
    parser.add_argument(
        "--max-pages", type=int, default=320, help="pages of the benchmark set (default 320)"
    )
    parser.add_argument(
        "-j", "--jobs", type=int, default=2, help="workers of the parallel runs (default 2)"
    )
    parser.add_argument(
        "--batch-sizes",
        default=None,
        help="documents per scaling batch, comma-separated (default 1,10,100,1000)",
    )
    parser.add_argument("--quick", action="store_true", help="scaling batches of 1,10,50 documents")
    parser.add_argument(
        "--resume-copies",
        type=int,
        default=3,
        help="the resume batch is this many unique copies of the benchmark set (default 3)",
    )
    parser.add_argument(
        "--kill-fraction",
        type=float,
        default=0.4,
        help="kill the resume batch after this fraction of the -j run's time (default 0.4)",
    )
    parser.add_argument(
        "--min-parts",
        type=int,
        default=2,
        help="but not before this many documents are finished in OUT/.parts (default 2)",
    )
    parser.add_argument(
        "--large-pages", type=int, default=1000, help="pages of the one large PDF of step 7 (default 1000)"
    )
    parser.add_argument(
        "--skip", default="", help="steps to skip, comma-separated: j1,rerun,resume,scaling,large,help"
    )
    parser.add_argument(
        "--score-args", default="", help='extra options for every score run, e.g. "--lexicon X"'
    )
    parser.add_argument(
        "--workdir", type=Path, default=None, help="scratch folder (default a new temp folder)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder")
    parser.add_argument(
        "--out", type=Path, default=RESULTS, help="results folder (default benchmarks/results)"
    )
    parser.add_argument(
        "--replot",
        action="store_true",
        help="only redraw scaling.png from the run.json in --out (no measuring)",
    )
    args = parser.parse_args()
    if args.replot:
        meta = json.loads((args.out / "run.json").read_text(encoding="utf-8"))
        m = meta["machine"]
        plot(
            meta["scaling"],
            args.out / "scaling.png",
            title=f"waardenscan score -j {meta['jobs']}, new cache per batch, {m['nproc']} CPUs ({m['cpu']})",
            pdftotext_rate=meta.get("pdftotext_pages_per_s"),
        )
        return 0
    sizes_text = args.batch_sizes or ("1,10,50" if args.quick else "1,10,100,1000")
    if args.quick and args.large_pages == 1000:
        args.large_pages = 300
    sizes = [int(x) for x in sizes_text.split(",") if x.strip()]
    skip = {s.strip() for s in args.skip.split(",") if s.strip()}
    extra = shlex.split(args.score_args)

    info = machine()
    started = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    print(
        f"machine: nproc={info['nproc']}  cpu={info['cpu']}  memory={info['memory_gb']} GB  "
        f"python {info['python']}  ({info['platform']})"
    )
    print(f"pdftotext: {info['pdftotext'] or 'not installed'}")
    pdfs = pdf_set(args.raw, args.max_pages)
    pages = sum(n for _, n in pdfs)
    print(f"benchmark set: {len(pdfs)} born-digital PDFs, {pages} pages from {args.raw}")

    work = Path(args.workdir or tempfile.mkdtemp(prefix="waardenscan-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    }
    py = sys.executable

    def score(
        inputs: list[str],
        out: Path,
        *,
        jobs: int,
        cache: Path | None,
        resume: bool = False,
        kill_after: float | None = None,
        kill_ready: Callable[[], bool] | None = None,
    ) -> Run:
        argv = [
            py,
            "-m",
            "analyzer",
            "score",
            *inputs,
            "-o",
            str(out),
            "-j",
            str(jobs),
            "--no-report",
            "-q",
        ]
        argv += ["--cache-dir", str(cache)] if cache is not None else ["--no-cache"]
        argv += ["--resume"] if resume else []
        load = _loadavg().split(" ")[0]
        run = run_child(argv + extra, kill_after=kill_after, kill_ready=kill_ready, env=env)
        run.extra["load"] = f"load {load}"
        return run

    table = Table()
    files = [str(p) for p, _ in pdfs]
    scaling: list[dict] = []
    run_meta: dict = {}
    base_s: float | None = None
    try:
        # 1. baseline ------------------------------------------------------------------
        print("\n[1] pdftotext -layout (sequential)")
        if shutil.which("pdftotext"):
            start = time.perf_counter()
            for p in files:
                subprocess.run(
                    ["pdftotext", "-layout", p, "-"],
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                    check=False,
                )
            base_s = time.perf_counter() - start
            table.add("pdftotext_seconds", base_s, "s", f"{len(pdfs)} PDFs, {pages} pages")
            table.add("pdftotext_pages_per_s", pages / base_s, "pages/s")
        else:
            base_s = None
            print(
                "  pdftotext not found (apt-get install poppler-utils): no baseline",
                file=sys.stderr,
            )

        # warm the OS file cache for the Python packages so run 2 is not charged for a cold disk
        subprocess.run([py, "-c", "import spacy, sklearn, pandas, pypdfium2"], env=env, check=False)

        # 2. end to end ----------------------------------------------------------------
        print(f"\n[2] waardenscan score -j {args.jobs} (fresh cache)")
        cache = work / "cache"
        first = score(files, work / "out-j", jobs=args.jobs, cache=cache)
        check(first, "score")
        tot = documents_totals(work / "out-j")
        run_meta = json.loads((work / "out-j" / "run.json").read_text(encoding="utf-8"))
        run_meta["stderr"] = first.stderr.strip().splitlines()[-10:]
        lex = run_meta.get("lexicon") or {}
        model = run_meta.get("model") or {}
        print(
            f"  waardenscan {run_meta.get('version')}, pipeline {run_meta.get('pipeline')}, "
            f"lexicon {lex.get('name')} {lex.get('version')}, model {model.get('version') or 'none'}"
        )
        detail = f"{tot['documents']} docs {tot['statuses']}, {first.extra['load']}"
        table.add(f"score_j{args.jobs}_seconds", first.seconds, "s", detail)
        table.add(
            f"score_j{args.jobs}_pages_per_s",
            tot["pages"] / first.seconds,
            "pages/s",
            f"{tot['pages']} pages",
        )
        table.add(
            f"score_j{args.jobs}_words_per_s",
            tot["words"] / first.seconds,
            "words/s",
            f"{tot['words']} words",
        )
        if base_s:
            table.add(
                f"ratio_score_j{args.jobs}_vs_pdftotext",
                (tot["pages"] / first.seconds) / (pages / base_s),
                "x",
                "pages/s of waardenscan / pages/s of pdftotext (target >= 1)",
            )
        table.add(
            f"score_j{args.jobs}_cpu_seconds", first.cpu_seconds, "s", "user+sys, all processes"
        )
        table.add(f"score_j{args.jobs}_max_rss", first.max_rss_mb, "MB", "largest single process")
        if "j1" not in skip and args.jobs != 1:
            print("\n[2b] waardenscan score -j 1 (fresh cache)")
            one = score(files, work / "out-j1", jobs=1, cache=work / "cache-j1")
            check(one, "score -j 1")
            table.add("score_j1_seconds", one.seconds, "s", one.extra["load"])
            table.add("score_j1_cpu_seconds", one.cpu_seconds, "s", "user+sys")
            table.add("score_j1_pages_per_s", tot["pages"] / one.seconds, "pages/s")
            table.add(
                f"parallel_speedup_j{args.jobs}",
                one.seconds / first.seconds,
                "x",
                f"seconds -j 1 / seconds -j {args.jobs} ({info['nproc']} CPUs)",
            )

        # 3. re-run with the cache -------------------------------------------------------
        if "rerun" not in skip:
            print("\n[3] re-run of the unchanged batch, same cache")
            again = score(files, work / "out-rerun", jobs=args.jobs, cache=cache)
            check(again, "re-run")
            table.add("rerun_seconds", again.seconds, "s", again.extra["load"])
            table.add("rerun_cpu_seconds", again.cpu_seconds, "s", "user+sys")
            table.add(
                "rerun_speedup",
                first.seconds / again.seconds,
                "x",
                "first run / re-run (target >= 20)",
            )

        # 6. start-up (here, before the long steps) ---------------------------------------
        if "help" not in skip:
            print("\n[6] python -m analyzer --help")
            times = []
            for _ in range(5):
                start = time.perf_counter()
                subprocess.run(
                    [py, "-m", "analyzer", "--help"], env=env, stdout=subprocess.DEVNULL, check=True
                )
                times.append(time.perf_counter() - start)
            table.add(
                "help_seconds_median",
                statistics.median(times),
                "s",
                "median of 5: " + " ".join(f"{t:.3f}" for t in times),
            )

        # 4. resume ----------------------------------------------------------------------
        if "resume" not in skip:
            n_docs = len(pdfs) * args.resume_copies
            print(
                f"\n[4] resume: {n_docs} documents, killed after {args.kill_fraction:.0%} of run 2's time"
            )
            folder = work / "resume-in"
            unique_copies(pdfs, n_docs, folder)
            out = work / "out-resume"
            kill_after = args.kill_fraction * first.seconds
            parts_dir = out / ".parts"

            def enough_parts() -> bool:
                return len(list(parts_dir.glob("*.json.gz"))) >= args.min_parts

            killed = score(
                [str(folder)],
                out,
                jobs=args.jobs,
                cache=None,
                kill_after=kill_after,
                kill_ready=enough_parts,
            )
            parts = len(list(parts_dir.glob("*.json.gz"))) if parts_dir.is_dir() else 0
            before = parts_seconds(parts_dir)
            kill_at = killed.extra.get("kill_at")
            table.add(
                "resume_killed_after",
                kill_at if kill_at is not None else killed.seconds,
                "s",
                f"SIGTERM to the process group; {kill_at / first.seconds:.0%} of run 2's time"
                if kill_at is not None
                else "finished before the kill: no resume test",
            )
            table.add(
                "resume_parts_before",
                parts,
                "docs",
                f"finished documents in OUT/.parts of {n_docs}",
            )
            resumed = score([str(folder)], out, jobs=args.jobs, cache=None, resume=True)
            check(resumed, "resumed run")
            rt = documents_totals(out)
            table.add("resume_total_documents", rt["documents"], "docs", str(rt["statuses"]))
            table.add(
                "resume_processed",
                rt["documents"] - parts,
                "docs",
                f"processed by the resumed run (total - reused {parts})",
            )
            reused = sum(
                1
                for r in rt["rows"]
                if r["sha256"] in before
                and f"{float(r['seconds'] or 0):.3f}" == before[r["sha256"]]
            )
            table.add(
                "resume_reused_verified",
                reused,
                "docs",
                "rows of documents.csv whose seconds equal the .parts entry (not recomputed)",
            )
            table.add(
                "resume_seconds",
                resumed.seconds,
                "s",
                f"{rt['pages']} pages in the batch, {resumed.extra['load']}",
            )

        # 5. scaling -----------------------------------------------------------------------
        if "scaling" not in skip:
            for n in sizes:
                print(f"\n[5] scaling: {n} unique documents, -j {args.jobs}, a new cache; then the re-run")
                folder = work / f"scale-{n}"
                unique_copies(pdfs, n, folder)
                copies = sorted(str(p) for p in folder.iterdir())
                base_n = None
                if shutil.which("pdftotext"):
                    start = time.perf_counter()
                    for p in copies:
                        subprocess.run(["pdftotext", "-layout", p, "-"], stdout=subprocess.DEVNULL,
                                       stderr=subprocess.DEVNULL, check=False)
                    base_n = time.perf_counter() - start
                out = work / f"out-scale-{n}"
                cache_n = work / f"cache-scale-{n}"
                r = score([str(folder)], out, jobs=args.jobs, cache=cache_n)
                check(r, f"scaling batch of {n}")
                st = documents_totals(out)
                again = score([str(folder)], work / f"out-scale-{n}-again", jobs=args.jobs, cache=cache_n)
                check(again, f"re-run of the scaling batch of {n}")
                row = {
                    "documents": n,
                    "pages": st["pages"],
                    "words": st["words"],
                    "seconds": r.seconds,
                    "max_rss_mb": r.max_rss_mb,
                    "peak_pss_mb": r.peak_pss_mb,
                    "cpu_seconds": r.cpu_seconds,
                    "pdftotext_seconds": base_n,
                    "rerun_seconds": again.seconds,
                }
                scaling.append(row)
                table.add(
                    f"scale_{n}_seconds",
                    r.seconds,
                    "s",
                    f"{n} docs, {st['pages']} pages {st['statuses']}, {r.extra['load']}",
                )
                table.add(f"scale_{n}_pages", st["pages"], "pages")
                table.add(f"scale_{n}_pages_per_s", st["pages"] / r.seconds, "pages/s")
                table.add(f"scale_{n}_words_per_s", st["words"] / r.seconds, "words/s")
                if base_n:
                    table.add(f"scale_{n}_pdftotext_seconds", base_n, "s", "pdftotext -layout, same PDFs, sequential")
                    table.add(f"scale_{n}_ratio_vs_pdftotext", base_n / r.seconds, "x",
                              "pages/s of waardenscan / pages/s of pdftotext (target >= 1)")
                table.add(f"scale_{n}_cpu_seconds", r.cpu_seconds, "s", "user+sys, all processes")
                table.add(
                    f"scale_{n}_max_rss",
                    r.max_rss_mb,
                    "MB",
                    "largest single process (wait4 ru_maxrss)",
                )
                table.add(
                    f"scale_{n}_peak_pss", r.peak_pss_mb, "MB", "process tree, summed PSS, sampled"
                )
                table.add(f"scale_{n}_rerun_seconds", again.seconds, "s", f"same cache, {again.extra['load']}")
                table.add(f"scale_{n}_rerun_speedup", r.seconds / again.seconds, "x", "first run / re-run (target >= 20)")
                for path in (folder, out, work / f"out-scale-{n}-again", cache_n):
                    shutil.rmtree(path, ignore_errors=True)
        # 7. one large PDF --------------------------------------------------------------------
        if "large" not in skip:
            big = work / "large.pdf"
            n_big = large_pdf(pdfs, args.large_pages, big)
            print(f"\n[7] one PDF of {n_big} pages: -j 1, then -j {args.jobs} (its pages spread over the workers)")
            if shutil.which("pdftotext"):
                start = time.perf_counter()
                subprocess.run(["pdftotext", "-layout", str(big), "-"], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, check=False)
                table.add("large_pdftotext_seconds", time.perf_counter() - start, "s", f"{n_big} pages")
            timings = {}
            outs = {}
            for jobs in (1, args.jobs):
                out = work / f"out-large-j{jobs}"
                r = score([str(big)], out, jobs=jobs, cache=None)
                check(r, f"large PDF with -j {jobs}")
                timings[jobs] = r
                outs[jobs] = out
                table.add(f"large_j{jobs}_seconds", r.seconds, "s", f"{n_big} pages, {r.extra['load']}")
                table.add(f"large_j{jobs}_pages_per_s", n_big / r.seconds, "pages/s")
                table.add(f"large_j{jobs}_max_rss", r.max_rss_mb, "MB", "largest single process")
                table.add(f"large_j{jobs}_peak_pss", r.peak_pss_mb, "MB", "process tree, summed PSS, sampled")
            if args.jobs > 1:
                table.add("large_parallel_speedup", timings[1].seconds / timings[args.jobs].seconds, "x",
                          f"seconds -j 1 / seconds -j {args.jobs}, one document")
                same = all((outs[1] / f).read_bytes() == (outs[args.jobs] / f).read_bytes()
                           for f in ("sentences.csv", "matches.csv", "profiles.csv", "sections.csv"))
                table.add("large_outputs_identical", int(same), "bool", "sentences/matches/profiles/sections.csv")
    finally:
        args.out.mkdir(parents=True, exist_ok=True)
        table.write(args.out / "benchmark.csv")
        meta = {
            "command": shlex.join([Path(sys.executable).name, *sys.argv]),
            "machine": info,
            "started": started,
            "finished": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "jobs": args.jobs,
            "score_args": extra,
            "pdfs": [{"path": str(p), "pages": n} for p, n in pdfs],
            "waardenscan_run": {
                k: run_meta.get(k)
                for k in ("version", "pipeline", "lexicon", "model", "versions", "stderr")
            },
            "scaling": scaling,
            "pdftotext_pages_per_s": pages / base_s if base_s else None,
            "loadavg_end": _loadavg(),
        }
        (args.out / "run.json").write_text(
            json.dumps(meta, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    if scaling:
        plot(
            scaling,
            args.out / "scaling.png",
            title=f"waardenscan score -j {args.jobs}, new cache per batch, "
            f"{info['nproc']} CPUs ({info['cpu']})",
            pdftotext_rate=pages / base_s if base_s else None,
        )
    print_summary(table, args.out)
    return 0


def plot(rows: list[dict], path: Path, *, title: str, pdftotext_rate: float | None = None) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FuncFormatter

    pages = [r["pages"] for r in rows]
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4.2), constrained_layout=True)
    ax1.plot(pages, [r["seconds"] for r in rows], "o-", color="C0", label="waardenscan score")
    ax1.set_ylabel("wall time (s)")
    ax2.plot(
        pages, [r["max_rss_mb"] for r in rows], "o-", color="C1", label="largest process (max RSS)"
    )
    if any(r["peak_pss_mb"] for r in rows):
        ax2.plot(
            pages,
            [r["peak_pss_mb"] for r in rows],
            "s--",
            color="C2",
            label="all processes (peak PSS sum)",
        )
    ax2.set_ylabel("peak memory (MB)")
    ax2.legend(loc="upper left", fontsize=8)
    ax2.set_ylim(bottom=0)
    if all(r.get("pdftotext_seconds") for r in rows):
        ax1.plot(pages, [r["pdftotext_seconds"] for r in rows], ":", color="grey",
                 label="pdftotext -layout, same PDFs (same run)")
    elif pdftotext_rate:
        ax1.plot(
            pages,
            [p / pdftotext_rate for p in pages],
            ":",
            color="grey",
            label=f"pdftotext -layout at {pdftotext_rate:.0f} pages/s (same run)",
        )
    if all(r.get("rerun_seconds") for r in rows):
        ax1.plot(pages, [r["rerun_seconds"] for r in rows], "^--", color="C3", label="re-run, same cache")
    ax1.legend(loc="upper left", fontsize=8)
    wide = max(pages) / max(1, min(pages)) > 50
    for ax, key in ((ax1, "seconds"), (ax2, "max_rss_mb")):
        ax.set_xlabel("pages in the batch")
        if wide:  # log x; log y for time only (memory starts from a fixed base)
            ax.set_xscale("log")
            if ax is ax1:
                ax.set_yscale("log")
            for axis in (ax.xaxis, ax.yaxis) if ax is ax1 else (ax.xaxis,):
                axis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
        ax.grid(True, which="both", alpha=0.3)
        for r in rows:
            ax.annotate(
                f"{r['documents']} doc{'s' if r['documents'] != 1 else ''}",
                (r["pages"], r[key]),
                textcoords="offset points",
                xytext=(4, -11),
                fontsize=7,
            )
    fig.suptitle(title, fontsize=9)
    fig.savefig(path, dpi=120)
    plt.close(fig)


def print_summary(table: Table, out: Path) -> None:
    print(f"\n{'measurement':34} {'value':>12} unit")
    for r in table.rows:
        v = r["value"]
        text = f"{v:,.2f}" if isinstance(v, float) else f"{v:,}"
        print(f"{r['name']:34} {text:>12} {r['unit']}")
    print(
        f"\nwritten: {out / 'benchmark.csv'}, {out / 'run.json'}"
        + (f", {out / 'scaling.png'}" if (out / "scaling.png").exists() else "")
    )


if __name__ == "__main__":
    raise SystemExit(main())
