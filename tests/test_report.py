"""HTML reports and SVG charts: built from real score/compare runs on small generated texts."""

from __future__ import annotations

import re
import shutil
import subprocess

import pandas as pd
import pytest

from analyzer.api import compare, load_result, score
from analyzer.errors import LexiconError
from analyzer.output.report import svg
from analyzer.output.report.html import CSP, highlight, write_compare_report, write_score_report

TINY_LEXICON = """group\tcluster\tvalue\tterm\tmatch
ideëel\tVrijheid\tZelfbeschikking\tregie\tlemma
ideëel\tRechtvaardigheid\tGelijkheid\tgelijkheid\tlemma
ideëel\tPuurheid\tBeschaving\tbeschaving\tlemma
sociaal\tLoyaliteit\tInclusiviteit\tmeedoen\tlemma
sociaal\tEmpathie\tCompassie\tkwetsbaar\tlemma
sociaal\tGezag\tVertrouwen\tvertrouwen\tlemma
praktisch\tContinuïteit\tBestaansveiligheid\tarmoede\tcompound
praktisch\tKwaliteit\tMenselijke maat\tmaatwerk\tlemma
praktisch\tNut\tDoeltreffendheid\tresultaat\tlemma
"""

POLICY = """# Inleiding

Wij bieden maatwerk aan kwetsbare inwoners en bestrijden armoede.
Iedereen moet kunnen meedoen in de samenleving.

# Zorg en ondersteuning

Inwoners houden de regie over hun eigen leven.
Wij willen vertrouwen geven aan professionals.
Maatwerk en armoedebestrijding staan centraal.
"""

HOSTILE = """# Visie <i>cursief</i>

Wij bestrijden armoede <script>alert(1)</script> en bieden maatwerk aan kwetsbare inwoners.

# Uitvoering

Het resultaat van ons werk moet zichtbaar zijn. Vertrouwen is de basis voor maatwerk.
"""

EXTERNAL = re.compile(r"""(?:src|href|xlink:href|action)\s*=\s*["']?\s*(?:https?:)?//""", re.I)


@pytest.fixture(scope="module")
def lex_arg(tmp_path_factory):
    """The packaged lexicon when it loads (it is being written), else a tiny one-file lexicon."""
    from analyzer.scoring.lexicon import load_lexicon

    try:
        return load_lexicon()
    except LexiconError:
        path = tmp_path_factory.mktemp("lexicon") / "tiny.tsv"
        path.write_text(TINY_LEXICON, encoding="utf-8")
        return load_lexicon(path)


@pytest.fixture(scope="module")
def blank_nlp():
    from analyzer.nlp import build_pipeline

    return build_pipeline("blank")


def _score(paths, lex, nlp):
    return score(paths, lexicon=lex, model=None, method="lexicon", use_cache=False, nlp=nlp)


@pytest.fixture(scope="module")
def batch(tmp_path_factory, lex_arg, blank_nlp):
    """Two scorable documents (one hostile, with <b> in its file name), a duplicate, an empty file."""
    folder = tmp_path_factory.mktemp("docs")
    (folder / "beleid.md").write_text(POLICY, encoding="utf-8")
    (folder / "<b>vet & co.md").write_text(HOSTILE, encoding="utf-8")
    (folder / "kopie.md").write_text(POLICY, encoding="utf-8")
    (folder / "leeg.txt").write_bytes(b"")
    paths = [folder / "beleid.md", folder / "<b>vet & co.md", folder / "kopie.md", folder / "leeg.txt"]
    return _score(paths, lex_arg, blank_nlp)


@pytest.fixture(scope="module")
def page(batch, tmp_path_factory) -> str:
    path = write_score_report(batch, tmp_path_factory.mktemp("out") / "report.html")
    return path.read_text(encoding="utf-8")


# --- score report -------------------------------------------------------------------------

def test_score_report_is_written_with_charts(batch, tmp_path):
    path = write_score_report(batch, tmp_path / "sub" / "report.html")
    assert path == tmp_path / "sub" / "report.html" and path.exists()
    text = path.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>")
    scored = batch.documents[batch.documents["sentences_scored"] > 0]
    assert len(scored) == 2
    # batch profile + per scored document a bar chart and a section trajectory
    assert text.count("<svg") == 1 + 2 * len(scored)
    assert text.count("</svg>") == text.count("<svg")
    assert f'content="{CSP}"' in text
    assert "<details" in text and "<mark>" in text
    assert "Value tensions" in text and "Evidence" in text
    # no temporary files left behind by the atomic write
    assert sorted(p.name for p in path.parent.iterdir()) == ["report.html"]


def test_score_report_overview_lists_every_document(batch, page):
    for doc_id in batch.documents["doc_id"]:
        assert doc_id in page
    assert page.count('class="unscored"') == 2
    assert "badge st-duplicate" in page and "badge st-error" in page
    assert "same content as" in page and "empty file" in page
    # the top clusters of a scored document are listed in the overview: "name 12.5% · name 10.0% ..."
    assert re.search(r"<td>[^<>]+ \d+\.\d% · [^<>]+ \d+\.\d%", page)


def test_score_report_escapes_document_text_and_file_names(page):
    assert "<script" not in page.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<b>" not in page and "<i>" not in page
    assert "&lt;b&gt;vet &amp; co.md" in page
    assert "&lt;i&gt;cursief&lt;/i&gt;" in page


def test_score_report_has_no_external_resources(page):
    assert not EXTERNAL.search(page)
    assert "http://" not in page and "https://" not in page
    assert "@import" not in page and "url(" not in page


def test_score_report_is_deterministic(batch, tmp_path):
    one = write_score_report(batch, tmp_path / "one.html").read_bytes()
    two = write_score_report(batch, tmp_path / "two.html").read_bytes()
    assert one == two


def test_score_report_from_written_folder(batch, tmp_path, monkeypatch):
    """CSV round trip: strings and NaN read back from the files must still render."""
    batch.write(tmp_path / "out", report=False)
    import analyzer.scoring.lexicon

    monkeypatch.setattr(analyzer.scoring.lexicon, "load_lexicon", lambda *a, **k: batch.lexicon)
    loaded = load_result(tmp_path / "out")
    assert "n_sentences_total" in loaded.sections.columns
    text = write_score_report(loaded, tmp_path / "report.html").read_text(encoding="utf-8")
    assert text.count("<svg") == 5
    assert "<script" not in text.lower()


def test_score_result_write_includes_report(batch, tmp_path):
    written = batch.write(tmp_path / "out")
    assert tmp_path / "out" / "report.html" in written


def test_unscored_only_batch(tmp_path, lex_arg, blank_nlp):
    (tmp_path / "leeg.txt").write_bytes(b"")
    result = _score([tmp_path / "leeg.txt"], lex_arg, blank_nlp)
    text = write_score_report(result, tmp_path / "report.html").read_text(encoding="utf-8")
    assert "<svg" not in text
    assert "1 not scored" in text and "empty file" in text


# --- compare report -----------------------------------------------------------------------

def test_compare_report(tmp_path, lex_arg, blank_nlp):
    a = tmp_path / "oud <2018>.md"
    b = tmp_path / "nieuw.md"
    a.write_text("# Plan\n\n" + "\n".join(
        f"Wij bieden maatwerk aan inwoners in wijk {i}." for i in range(25)), encoding="utf-8")
    b.write_text("# Plan\n\n" + "\n".join(
        f"De gemeente onderhoudt de wegen in wijk {i}." for i in range(25)), encoding="utf-8")
    cmp = compare([a], [b], model=None, method="lexicon", use_cache=False, lexicon=lex_arg, nlp=blank_nlp)
    assert not cmp.drivers.empty
    path = write_compare_report(cmp, tmp_path / "compare.html")
    text = path.read_text(encoding="utf-8")
    assert text.count("<svg") == 1 and "Cluster differences" in text
    assert 'fill-opacity="1"' in text  # a significant (solid) bar
    assert "oud &lt;2018&gt;.md" in text and "<2018>" not in text
    assert "Driving sentences" in text and "<mark>maatwerk</mark>" in text
    for line in cmp.summary:
        assert line.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;") in text
    assert "<script" not in text.lower() and not EXTERNAL.search(text)
    assert "http://" not in text and "https://" not in text


# --- pieces -------------------------------------------------------------------------------

def test_highlight_escapes_and_marks_offsets():
    text = "Meer <b>maatwerk</b> & regie"
    start = text.index("maatwerk")
    out = highlight(text, [(start, start + 8, False), (text.index("regie"), len(text) + 5, True)])
    assert out == ('Meer &lt;b&gt;<mark>maatwerk</mark>&lt;/b&gt; &amp; '
                   '<mark class="neg" title="negated">regie</mark>')
    # overlapping spans merge, empty and out-of-range spans are dropped
    assert highlight("abcdef", [(0, 3, False), (2, 5, False), (9, 12, False), (4, 4, False)]) == \
        "<mark>abcde</mark>f"


def _sections(n: int) -> list[dict]:
    """sections.csv rows of one document: odd sections have 3 sentences, all of them Nut."""
    rows = []
    for i in range(n):
        total = 3 if i % 2 else 1
        for cluster, group in (("Vrijheid", "ideëel"), ("Nut", "praktisch")):
            k = total if (cluster == "Nut" and i % 2) else 0
            rows.append({"doc_id": "d", "section_index": i, "section": f"Hoofdstuk {i} <x>", "page": i + 1,
                         "cluster": cluster, "method": "lexicon", "n_sentences": k, "share": k / total,
                         "group": group, "n_hits": k, "n_sentences_total": total})
    return rows


def test_bin_sections_keeps_short_documents_and_weights_long_ones():
    from analyzer.aggregate.evidence import bin_sections

    assert pd.DataFrame(bin_sections(_sections(5)))["row"].nunique() == 5
    binned = pd.DataFrame(bin_sections(_sections(150)))
    assert binned["row"].nunique() == 60
    assert list(binned.drop_duplicates("row")["row"]) == list(range(60))
    # every bin holds 2 or 3 consecutive sections; odd ones (weight 3) have share 1 for Nut
    first = binned[(binned["row"] == 0) & (binned["cluster"] == "Nut")].iloc[0]
    assert first["n_sections"] == 3  # sections 0, 1, 2: weights 1, 3, 1
    assert first["share"] == pytest.approx(3 / 5)
    assert first["section"] == "Hoofdstuk 0 <x> (+2)"
    # counts are summed, never lost
    assert binned["n_sentences"].sum() == sum(r["n_sentences"] for r in _sections(150))


def test_section_heatmap_escapes_and_is_deterministic():
    from analyzer.aggregate.evidence import bin_sections

    binned = pd.DataFrame(bin_sections(_sections(150)))
    out = svg.section_heatmap(binned, groups={"Vrijheid": "ideëel", "Nut": "praktisch"})
    assert out == svg.section_heatmap(binned, groups={"Vrijheid": "ideëel", "Nut": "praktisch"})
    assert "<x>" not in out and "&lt;x&gt;" in out
    assert out.count("<rect") == 60 * 2 + 6  # cells + legend swatches
    assert "150 sections binned into 60 rows" in out
    assert " id=" not in out


def test_cluster_bars_and_diff_bars_draw_what_they_are_given():
    prof = pd.DataFrame({"name": ["A<&>", "B", "C"], "group": ["g1", "g1", "g2"],
                         "share": [0.2, 0.0, 0.5], "ci_low": [0.1, 0.0, 0.3], "ci_high": [0.3, 0.2, 0.7]})
    bars = svg.cluster_bars(prof, title="t")
    assert "A&lt;&amp;&gt;" in bars and "50.0%" in bars and bars.count("<rect") == 3
    assert svg.GROUP_COLOURS[0] in bars and svg.GROUP_COLOURS[1] in bars
    comp = pd.DataFrame({"name": ["A", "B"], "group": ["g1", "g2"], "diff": [0.1, -0.05],
                         "ci_low": [0.05, -0.2], "ci_high": [0.15, 0.1], "significant": [True, False]})
    diff = svg.diff_bars(comp, label_a="<oud>", label_b="nieuw")
    assert "&lt;oud&gt;" in diff and "+10.0 pp" in diff and "−5.0 pp" in diff
    assert 'fill-opacity="1"' in diff and 'fill-opacity="0.3"' in diff


# --- headless browser -----------------------------------------------------------------------

def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def test_report_renders_in_headless_chromium(page, tmp_path):
    browser = _chromium()
    if browser is None:
        pytest.skip("chromium not installed: apt-get install chromium")
    report = tmp_path / "report.html"
    report.write_text(page, encoding="utf-8")
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             f"--user-data-dir={tmp_path / 'profile'}"]
    shot = tmp_path / "shot.png"
    subprocess.run([browser, *flags, f"--screenshot={shot}", "--window-size=1200,2000", report.as_uri()],
                   capture_output=True, timeout=60, check=False)
    assert shot.exists() and shot.stat().st_size > 10_000
    dom = subprocess.run([browser, *flags, "--dump-dom", report.as_uri()], capture_output=True,
                         timeout=60, check=False, text=True, encoding="utf-8").stdout
    assert dom.count("<svg") == page.count("<svg") == 5
    assert "<script" not in dom.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in dom

