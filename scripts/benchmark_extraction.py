"""Extraction speed: waardenscan next to pdftotext, pypdfium2 and pdfplumber, same PDFs, same run.

    python scripts/benchmark_extraction.py [--raw ../shared/corpus/raw] [--max-pages 400]

Uses the born-digital PDFs of the shared corpus (scans and broken fonts excluded),
taken in name order until ``--max-pages`` pages. Each engine reads the same pages
once, single process, no cache. Prints pages/s per engine and the ratio to
``pdftotext -layout`` (poppler-utils). pdfplumber is timed on every 4th PDF only (it
is ~50x slower) and scaled by pages.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import time
from pathlib import Path

SKIP = ("NotExtractable", "image.pdf", "garble.pdf", "Jaarstukken", "jaarrekening-2019", "TK1959", "TK1971")


def pdf_set(raw: Path, max_pages: int) -> list[tuple[Path, int]]:
    import pypdfium2 as pdfium

    chosen, total = [], 0
    for path in sorted(raw.rglob("*.pdf")):
        if any(s in path.name for s in SKIP):
            continue
        n = len(pdfium.PdfDocument(str(path)))
        chosen.append((path, n))
        total += n
        if total >= max_pages:
            break
    return chosen


def timed(fn) -> float:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--raw", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "corpus" / "raw")
    parser.add_argument("--max-pages", type=int, default=400)
    args = parser.parse_args()
    import pdfplumber
    import pypdfium2 as pdfium

    from analyzer.ingest import extract

    pdfs = pdf_set(args.raw, args.max_pages)
    pages = sum(n for _, n in pdfs)
    print(f"{len(pdfs)} PDFs, {pages} pages from {args.raw}")
    results = {}
    if shutil.which("pdftotext"):
        results["pdftotext -layout"] = timed(lambda: [subprocess.run(["pdftotext", "-layout", str(p), "-"],
                                                                     capture_output=True, check=False) for p, _ in pdfs])
    else:
        print("pdftotext not found (apt-get install poppler-utils): no baseline", file=sys.stderr)

    def pdfium_text() -> None:
        for p, _ in pdfs:
            doc = pdfium.PdfDocument(str(p))
            for i in range(len(doc)):
                doc[i].get_textpage().get_text_range()
            doc.close()

    results["pypdfium2 get_text_range"] = timed(pdfium_text)
    results["waardenscan extract (pdfium)"] = timed(lambda: [extract(p) for p, _ in pdfs])
    sample = pdfs[::4]
    sample_pages = sum(n for _, n in sample)

    def plumber() -> None:
        for p, _ in sample:
            with pdfplumber.open(str(p)) as doc:
                for page in doc.pages:
                    page.extract_text()
                    page.flush_cache()

    plumber_seconds = timed(plumber)
    results["pdfplumber extract_text"] = plumber_seconds * pages / max(1, sample_pages)
    base = results.get("pdftotext -layout")
    print(f"{'engine':32} {'seconds':>8} {'pages/s':>9} {'vs pdftotext':>13}")
    for name, seconds in results.items():
        ratio = f"{base / seconds:12.2f}x" if base else "        n/a"
        print(f"{name:32} {seconds:8.2f} {pages / seconds:9.1f} {ratio}")
    print(f"(pdfplumber timed on {len(sample)} PDFs / {sample_pages} pages and scaled)")


if __name__ == "__main__":
    main()
