"""Scoring straight into a folder (the CLI path, flat memory) writes the same bytes as the in-memory API."""

from __future__ import annotations

from analyzer.api import RESULT_FILES, score
from analyzer.demo import example_paths


def test_streamed_tables_equal_in_memory_tables(tmp_path, raw):
    paths = [str(p) for p in example_paths().values()]
    paths += [str(raw / "coalitieakkoorden-gemeenten/AaenHunze_coalitieakkoord_2018.pdf"),
              str(raw / "wetsuite-testfiles/garble.pdf")]
    common = dict(use_cache=False, jobs=2)
    memory = score(paths, **common)
    memory.write(tmp_path / "memory", report=False)
    streamed = score(paths, stream_to=tmp_path / "stream", parts_dir=tmp_path / "parts", **common)
    streamed.write(tmp_path / "stream", report=True)
    for name, (file, _) in RESULT_FILES.items():
        a = (tmp_path / "memory" / file).read_bytes()
        b = (tmp_path / "stream" / file).read_bytes()
        if name == "documents":  # processing time differs between runs
            drop = lambda t: b"\n".join(line.rsplit(b",", 1)[0] for line in t.splitlines())  # noqa: E731
            a, b = drop(a), drop(b)
        assert a == b, file
    # the streamed result keeps only evidence sentences in memory, and the report has them
    assert len(streamed.sentences) < len(memory.sentences) / 3
    page = (tmp_path / "stream" / "report.html").read_text(encoding="utf-8")
    assert "<mark>" in page and page.count("<svg") >= 4


def test_cached_rerun_and_excel_safe_streams_equal_in_memory(tmp_path, raw):
    """A re-run assembles from the stored light views (preformatted rows); --excel-safe
    formats the rows itself. Both give the in-memory API's bytes."""
    paths = [str(p) for p in example_paths().values()]
    paths.append(str(raw / "coalitieakkoorden-gemeenten/AaenHunze_coalitieakkoord_2018.pdf"))
    cache = tmp_path / "cache"
    for excel_safe in (False, True):
        memory = score(paths, use_cache=False, jobs=1)
        memory.write(tmp_path / f"memory{excel_safe}", report=False, excel_safe=excel_safe)
        for run in ("first", "again"):
            out = tmp_path / f"stream-{excel_safe}-{run}"
            streamed = score(paths, stream_to=out, cache_dir=cache, jobs=2, excel_safe=excel_safe)
            streamed.write(out, report=False, excel_safe=excel_safe)
            for name, (file, _) in RESULT_FILES.items():
                if name == "documents":
                    continue  # processing time differs between the in-memory and the streamed run
                assert (out / file).read_bytes() == (tmp_path / f"memory{excel_safe}" / file).read_bytes(), (run, file)
    assert list(cache.rglob("*.light.json.gz")), "the streamed runs stored light views"
