"""This checkout against a baseline revision, side by side in one run: ``waardenscan score``
on the same inputs, first run (new cache) and re-run (same cache), alternating the two
code trees so that load on the machine falls on both alike.

    python scripts/benchmark_compare.py                       # baseline 0.2.0 (359f6b4)
    python scripts/benchmark_compare.py --baseline HEAD~3 --repeats 5

Sets (from the shared corpus, chosen as ``scripts/benchmark.py`` chooses them):

* ``7pdf``: the born-digital PDFs of ``benchmark_extraction.pdf_set`` up to 320 pages;
* ``100doc``: 100 unique copies of those PDFs (a comment after ``%%EOF`` makes each file
  unique, so none is skipped as a duplicate).

Each run is a fresh ``python -m analyzer score SET -o OUT -j 2 --no-report -q`` with
``PYTHONPATH`` pointing at one of the two trees (the baseline is checked out with
``git worktree`` into a scratch folder). Prints the median seconds of each tree, pages/s
and the ratio (this / baseline; below 1 is faster), and writes ``benchmarks/results/
compare.csv``. Also checks that both trees wrote the same CSV bytes (``seconds`` aside).
Never fails on a time.
"""

from __future__ import annotations

import argparse
import csv
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchmark import unique_copies  # noqa: E402
from benchmark_extraction import pdf_set  # noqa: E402

BASELINE = "359f6b4"  # waardenscan 0.2.0


def run(tree: Path, inputs: list[str], out: Path, cache: Path, jobs: int, extra: list[str]) -> float:
    env = {**os.environ, "PYTHONPATH": str(tree), "WAARDENSCAN_CACHE": str(cache)}
    cmd = [sys.executable, "-m", "analyzer", "score", *inputs, "-o", str(out), "-j", str(jobs), "--no-report",
           "-q", *extra]
    started = time.perf_counter()
    proc = subprocess.run(cmd, cwd=tree, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{tree}: score failed ({proc.returncode}): {proc.stderr[-2000:]}")
    return seconds


def same_outputs(a: Path, b: Path) -> list[str]:
    """CSV files whose bytes differ (documents.csv compared without its seconds column)."""
    differ = []
    for f in sorted(a.glob("*.csv")):
        g = b / f.name
        if not g.exists():
            differ.append(f"{f.name} (missing)")
            continue
        if f.name == "documents.csv":
            def rows(p: Path) -> list[list[str]]:
                with open(p, encoding="utf-8", newline="") as fh:
                    data = list(csv.reader(fh))
                i = data[0].index("seconds")
                return [r[:i] + r[i + 1:] for r in data]
            if rows(f) != rows(g):
                differ.append(f.name)
        elif f.read_bytes() != g.read_bytes():
            differ.append(f.name)
    return differ


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", default=BASELINE, help=f"git revision to compare with (default {BASELINE}, 0.2.0)")
    parser.add_argument("--raw", type=Path, default=ROOT.parent / "shared" / "corpus" / "raw")
    parser.add_argument("--repeats", type=int, default=3, help="runs per tree, set and phase (median reported)")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--sets", default="7pdf,100doc")
    parser.add_argument("--score-args", default="", help="extra arguments for score (both trees)")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="waardenscan-compare-"))
    base_tree = work / "baseline"
    subprocess.run(["git", "worktree", "add", "--detach", "-q", str(base_tree), args.baseline], cwd=ROOT, check=True)
    trees = {"this": ROOT, "baseline": base_tree}
    extra = args.score_args.split()
    try:
        pdfs = pdf_set(args.raw, 320)
        pages = sum(n for _, n in pdfs)
        sets: dict[str, tuple[list[str], int]] = {}
        wanted = [s.strip() for s in args.sets.split(",") if s.strip()]
        if "7pdf" in wanted:
            sets["7pdf"] = ([str(p) for p, _ in pdfs], pages)
        if "100doc" in wanted:
            folder = work / "docs100"
            n_pages = unique_copies(pdfs, 100, folder)
            sets["100doc"] = ([str(folder)], n_pages)
        print(f"baseline {args.baseline} vs this checkout; {len(pdfs)} PDFs, {pages} pages; -j {args.jobs}; "
              f"{args.repeats} repeats")
        results: dict[tuple[str, str, str], list[float]] = {}
        for name, (inputs, _) in sets.items():
            for r in range(args.repeats):
                order = ("this", "baseline") if r % 2 == 0 else ("baseline", "this")
                for tree in order:
                    cache = work / f"cache-{name}-{tree}-{r}"
                    out = work / f"out-{name}-{tree}"
                    shutil.rmtree(out, ignore_errors=True)
                    first = run(trees[tree], inputs, out, cache, args.jobs, extra)
                    rerun = run(trees[tree], inputs, work / f"re-{name}-{tree}", cache, args.jobs, extra)
                    results.setdefault((name, tree, "first"), []).append(first)
                    results.setdefault((name, tree, "rerun"), []).append(rerun)
                    shutil.rmtree(cache, ignore_errors=True)
            differ = same_outputs(work / f"out-{name}-this", work / f"out-{name}-baseline")
            print(f"{name}: outputs {'identical' if not differ else 'DIFFER: ' + ', '.join(differ)}")
        args.out.mkdir(parents=True, exist_ok=True)
        rows = []
        print(f"{'set':<8}{'phase':<7}{'baseline s':>12}{'this s':>10}{'ratio':>8}{'pages/s base':>14}{'pages/s this':>14}")
        for name, (_, n_pages) in sets.items():
            for phase in ("first", "rerun"):
                b = statistics.median(results[(name, "baseline", phase)])
                t = statistics.median(results[(name, "this", phase)])
                print(f"{name:<8}{phase:<7}{b:>12.2f}{t:>10.2f}{t / b:>8.2f}{n_pages / b:>14.1f}{n_pages / t:>14.1f}")
                rows.append({"set": name, "phase": phase, "pages": n_pages, "baseline_s": round(b, 3),
                             "this_s": round(t, 3), "ratio": round(t / b, 3),
                             "baseline_runs": " ".join(f"{x:.2f}" for x in results[(name, "baseline", phase)]),
                             "this_runs": " ".join(f"{x:.2f}" for x in results[(name, "this", phase)])})
        with open(args.out / "compare.csv", "w", encoding="utf-8", newline="") as fh:
            w = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n")
            w.writeheader()
            w.writerows(rows)
        print(f"wrote {args.out / 'compare.csv'}")
    finally:
        subprocess.run(["git", "worktree", "remove", "--force", str(base_tree)], cwd=ROOT, check=False)
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
