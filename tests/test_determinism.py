"""Same inputs, same bytes: output does not depend on the run or on ``jobs``; writes are atomic.

The same real inputs (PDFs, a Markdown law and a CVDR XML regulation) are scored twice
with one process and once with two worker processes; every CSV must come out
byte-identical (documents.csv apart from its ``seconds`` timing column).

The kill test runs ``python -m analyzer score`` in a subprocess and SIGKILLs it at
seeded random moments: every CSV with its final name must always be complete, and a
final ``--resume`` run must give exactly one row per input.
"""

from __future__ import annotations

import csv
import io
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from analyzer import api, schemas

ROOT = Path(__file__).resolve().parents[1]
TOY_LEXICON = Path(__file__).parent / "data" / "toy_lexicon.tsv"

IDENTICAL = ["sentences.csv", "matches.csv", "profiles.csv", "sections.csv", "cooccurrence.csv",
             "coverage.csv", "unused_terms.csv"]
SCHEMA_OF = {t.file: t.names for t in schemas.SCORE_TABLES}


def _inputs(raw: Path) -> list[Path]:
    kamervragen = sorted((raw / "tk-kamervragen-learninglion").glob("*.pdf"))[:2]
    paths = [
        raw / "coalitieakkoorden-gemeenten" / "AaenHunze_coalitieakkoord_2018.pdf",
        *kamervragen,
        raw / "laws-markdown-2017" / "Wmo2015_BWBR0035362_2017snapshot.md",
        raw / "wetsuite-testfiles" / "cvdr_example1.xml",
    ]
    missing = [p for p in paths if not p.is_file()]
    if missing or len(kamervragen) < 2:
        pytest.skip(f"inputs missing from the shared corpus: {missing or 'kamervragen'}")
    return paths


def _documents_without_seconds(path: Path) -> list[list[str]]:
    with open(path, encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == schemas.DOCUMENTS.names
    drop = rows[0].index("seconds")
    return [r[:drop] + r[drop + 1:] for r in rows]


def test_same_inputs_give_identical_csv_files(raw, tmp_path, nlp):
    inputs = _inputs(raw)
    outs = []
    for run, jobs in enumerate((1, 1, 2, 2)):
        # run 3: a worker is replaced after every document (its memory limit is 0 MB)
        result = api.score(inputs, lexicon=TOY_LEXICON, model=None, method="lexicon", nlp=nlp, jobs=jobs,
                           use_cache=False, timeout=300, worker_rss_limit_mb=0 if run == 3 else 420)
        assert set(result.documents["status"]) == {"ok"}, result.documents[["path", "status", "error"]]
        out = tmp_path / f"run{run}-jobs{jobs}"
        result.write(out, report=False)
        outs.append(out)
    first = outs[0]
    # the comparison is about real content, not empty tables
    assert len(pd.read_csv(first / "matches.csv")) >= 20
    assert len(pd.read_csv(first / "sentences.csv")) > 1000
    assert sorted(pd.read_csv(first / "documents.csv")["file_type"]) == ["markdown", "pdf", "pdf", "pdf", "xml"]
    written = sorted(p.name for p in first.glob("*.csv"))
    assert set(IDENTICAL) | {"documents.csv"} <= set(written)
    for other in outs[1:]:
        assert sorted(p.name for p in other.glob("*.csv")) == written
        for name in (n for n in written if n != "documents.csv"):
            assert (first / name).read_bytes() == (other / name).read_bytes(), f"{name}: {first.name} != {other.name}"
        assert _documents_without_seconds(first / "documents.csv") == _documents_without_seconds(
            other / "documents.csv"), f"documents.csv: {first.name} != {other.name}"


def _check_complete(out: Path) -> list[str]:
    """Every CSV with a final name parses whole and has its full header; returns their names."""
    present = sorted(p.name for p in out.glob("*.csv"))
    for name in present:
        text = (out / name).read_text(encoding="utf-8")
        columns = SCHEMA_OF[name]
        assert text.endswith("\n"), f"{name} ends mid-line"
        rows = list(csv.reader(io.StringIO(text)))
        assert rows and rows[0] == columns, f"{name}: header {rows[:1]}"
        assert all(len(r) == len(columns) for r in rows[1:]), f"{name}: a row with a missing cell"
        frame = pd.read_csv(out / name, keep_default_na=False)
        assert list(frame.columns) == columns and len(frame) == len(rows) - 1
    return present


def _score_command(inputs: list[Path], out: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "analyzer", "score", *map(str, inputs), "-o", str(out),
            "--lexicon", str(TOY_LEXICON), "--method", "lexicon", "--pipeline", "blank", "--no-cache", "-q",
            *extra]


def test_killed_runs_never_leave_half_files_and_resume_completes(raw, tmp_path):
    inputs = _inputs(raw)
    out = tmp_path / "out"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    rng = random.Random(20261123)
    outcomes = []
    for _ in range(5):
        delay = rng.uniform(0.2, 4.0)
        proc = subprocess.Popen(_score_command(inputs, out, "--resume"), cwd=ROOT, env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            proc.wait(timeout=delay)
            outcome = f"finished ({proc.returncode})"
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            outcome = "killed"
        present = _check_complete(out) if out.exists() else []
        outcomes.append(f"{delay:.1f}s {outcome}: {len(present)} csv")
        time.sleep(0.05)
    print("\nkills: " + "; ".join(outcomes))
    final = subprocess.run(_score_command(inputs, out, "--resume"), cwd=ROOT, env=env, capture_output=True,
                           text=True, timeout=600)
    assert final.returncode == 0, final.stderr
    present = _check_complete(out)
    assert set(present) == set(SCHEMA_OF), present
    docs = pd.read_csv(out / "documents.csv", keep_default_na=False)
    assert len(docs) == len(inputs)
    assert docs["doc_id"].is_unique and docs["path"].is_unique
    assert sorted(docs["path"]) == sorted(str(p) for p in inputs)
    assert set(docs["status"]) == {"ok"}
    assert not (out / ".parts").exists()  # a finished run clears its resume parts


def test_one_large_document_over_several_processes_gives_identical_csv_files(raw, tmp_path, monkeypatch):
    """--jobs 2 on a single document reads its pages and analyses chunks of its blocks in
    forked processes; every table is byte-identical to one process doing it all."""
    from analyzer import pool

    path = next(raw.rglob("TK2010_VVD.pdf"), None)
    if path is None:
        pytest.skip("TK2010_VVD.pdf missing from the shared corpus")
    monkeypatch.setattr(pool, "PARALLEL_MIN_PAGES", 10)  # 42 pages: small enough for a unit test
    chunked = []
    real_map = pool.fork_map
    monkeypatch.setattr(pool, "fork_map", lambda func, items, n: chunked.append(len(items)) or real_map(func, items, n))
    outs = []
    for jobs in (1, 2):
        out = tmp_path / f"jobs{jobs}"
        api.score([path], jobs=jobs, use_cache=False, stream_to=out).write(out, report=False)
        outs.append(out)
    assert len(chunked) == 2, "the two-process run read pages and analysed blocks in chunks; one process did not"
    assert len(pd.read_csv(outs[0] / "sentences.csv")) > 1000
    for name in IDENTICAL:
        assert (outs[0] / name).read_bytes() == (outs[1] / name).read_bytes(), name
    assert _documents_without_seconds(outs[0] / "documents.csv") == _documents_without_seconds(outs[1] / "documents.csv")
