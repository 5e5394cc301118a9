"""End-to-end CLI runs on the bundled real examples (golden checks of files, schemas and values)."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from analyzer import schemas
from analyzer.cli import main
from analyzer.demo import example_paths


def read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, keep_default_na=False, na_values=[""])


@pytest.fixture(scope="module")
def scored(tmp_path_factory):
    out = tmp_path_factory.mktemp("score")
    cache = tmp_path_factory.mktemp("cache")
    paths = example_paths()
    rc = main(["score", str(paths["coalitieakkoord"]), str(paths["wmo"]), str(paths["bibob"]),
               "-o", str(out), "-q", "--cache-dir", str(cache)])
    assert rc == 0
    return out


def test_score_writes_every_file_with_its_schema(scored):
    expected = {t.file: t.names for t in (schemas.DOCUMENTS, schemas.SENTENCES, schemas.MATCHES, schemas.PROFILES,
                                          schemas.SECTIONS, schemas.COOCCURRENCE, schemas.COVERAGE)}
    for name, columns in expected.items():
        with open(scored / name, encoding="utf-8", newline="") as fh:
            assert next(csv.reader(fh)) == columns, name
    assert (scored / "report.html").exists()
    run = json.loads((scored / "run.json").read_text(encoding="utf-8"))
    assert run["pipeline"].startswith(("blank_nl+sentencizer+simplemma", "nl_core_news_md"))
    assert run["lexicon"]["version"] and len(run["inputs"]) == 3 and all(len(i["sha256"]) == 64 for i in run["inputs"])


def test_documents_and_real_values(scored):
    docs = read(scored / "documents.csv").set_index("file_type")
    assert set(docs["status"]) == {"ok"}
    assert docs.loc["pdf", "pages"] == 50 and docs.loc["pdf", "sentences_scored"] > 1000
    assert docs["pipeline"].str.len().min() > 10
    prof = read(scored / "profiles.csv")
    assert set(prof["doc_id"]) >= {"ALL"}
    ck = prof[(prof.level == "cluster") & (prof.method == "lexicon")]
    assert len(ck[ck.doc_id == "ALL"]) == 9
    # the Wmo 2015 is about support: Continuïteit (zelfredzaamheid, participatie) must show up clearly
    wmo = ck[ck.doc_id.str.startswith("wmo-2015")].set_index("name")
    assert wmo.loc["Continuïteit", "share"] > 0.02
    assert (prof["share"].between(0, 1)).all() and (prof["ci_low"] <= prof["ci_high"]).all()


def test_every_profile_number_traces_to_matches(scored):
    prof = read(scored / "profiles.csv")
    matches = read(scored / "matches.csv")
    sentences = read(scored / "sentences.csv")
    lex = matches[(matches.method == "lexicon") & (~matches.negated.astype(str).str.lower().eq("true"))]
    for row in prof[(prof.level == "cluster") & (prof.method == "lexicon") & (prof.doc_id != "ALL")].itertuples():
        n = lex[(lex.doc_id == row.doc_id) & (lex.cluster == row.name)]["sentence_id"].nunique()
        assert n == row.n_sentences
    # every match points at a real sentence, and offsets cut out the term's text
    text = sentences.set_index("sentence_id")["text"]
    for m in lex.head(300).itertuples():
        sentence = text[m.sentence_id]
        start, end = int(m.start), int(m.end)
        span = sentence[start:end].lower()
        # lemma matches differ in inflection ("lager inkomen" for "laag inkomen", "mee kan doen"
        # for "mee kunnen doen"); compound parts sit inside a word; the span is never empty
        assert span.strip() == span and span, (m.term, span)
        words = m.term.split()
        # a separable hit may start with the verb ("stellen de inwoner centraal" for "centraal stellen")
        assert span[0] in (words[0][0], words[-1][0]), (m.term, span)


def test_compare_score_folder_with_itself_is_zero(scored, tmp_path):
    out1 = tmp_path / "self"
    assert main(["compare", str(scored), str(scored), "-o", str(out1), "-q", "--no-report"]) == 0
    cmp = read(out1 / "comparison.csv")
    assert list(cmp.columns) == schemas.COMPARISON.names
    assert (cmp["diff"].abs() < 1e-9).all() and not cmp["significant"].astype(str).str.lower().eq("true").any()


def test_demo_compare_writes_outputs_and_summary(tmp_path, capsys):
    assert main(["demo", "-o", str(tmp_path / "demo"), "-q", "--no-cache"]) == 0
    printed = capsys.readouterr().out
    assert "Wmo 2015" in printed and "Coalitieakkoord 2021" in printed
    for f in ("comparison.csv", "compare.html", "summary.txt", "run.json"):
        assert (tmp_path / "demo" / "compare" / f).exists()
    cmp = read(tmp_path / "demo" / "compare" / "comparison.csv")
    assert set(cmp["level"]) >= {"cluster", "value", "group"}
    assert cmp["q_value"].between(0, 1).all()


def test_bad_inputs_do_not_stop_the_batch(tmp_path, capsys):
    good = tmp_path / "goed.txt"
    good.write_text("Wij bieden maatwerk en bestrijden armoede in de gemeente.", encoding="utf-8")
    (tmp_path / "leeg.pdf").write_bytes(b"")
    (tmp_path / "nep.pdf").write_text("<html><body>geen pdf</body></html>", encoding="utf-8")
    out = tmp_path / "out"
    rc = main(["score", str(tmp_path), "-o", str(out), "-q", "--no-cache", "--method", "lexicon"])
    assert rc == 1  # outputs written, some documents failed
    err = capsys.readouterr().err
    assert "leeg.pdf: empty file" in err and "nep.pdf: named .pdf but is HTML" in err
    docs = read(out / "documents.csv").set_index("path")
    assert docs.loc[str(good), "status"] == "ok"
    assert docs.loc[str(tmp_path / "leeg.pdf"), "status"] == "error"


def test_lexicon_commands(capsys, tmp_path):
    assert main(["lexicon", "check"]) == 0
    assert "25 values" in capsys.readouterr().out
    assert main(["lexicon", "show"]) == 0
    shown = capsys.readouterr().out
    assert "Menselijke maat" in shown and "Continuïteit" in shown
    bad = tmp_path / "bad.tsv"
    bad.write_text("group\tcluster\tvalue\tterm\tmatch\npraktisch\tNut\tRekenschap\tzuinig\tfuzzy\n", encoding="utf-8")
    assert main(["lexicon", "check", str(bad)]) == 2
    assert "bad.tsv:2: bad match type 'fuzzy'" in capsys.readouterr().err


def test_kwic_prints_context_with_page(capsys):
    assert main(["kwic", "Menselijke maat", str(example_paths()["coalitieakkoord"])]) == 0
    out = capsys.readouterr().out
    assert "coalitieakkoord-2021-2025-" in out and " p." in out and "[" in out


def test_python_m_analyzer_help_is_fast_and_light():
    code = "import sys, analyzer.cli; analyzer.cli.build_parser(); print(sorted(m for m in sys.modules if m.split('.')[0] in ('spacy','sklearn','pandas')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
    help_out = subprocess.run([sys.executable, "-m", "analyzer", "--help"], capture_output=True, text=True, check=True).stdout
    for command in ("extract", "score", "compare", "kwic", "lexicon", "model", "demo"):
        assert command in help_out
