"""The bad-input suite: every kind of broken, odd or hostile input next to one good document.

Each case runs :func:`analyzer.api.score` on a folder (or list) holding the bad input
and one generated good PDF, and checks that the batch finishes, the good document is
``ok`` and the bad one gets the expected status with a one-line reason that names
the problem. Configuration errors (lexicon, model, output folder) must instead stop
the run with the package's own exception or exit code 2.

Inputs are generated at test time in ``tmp_path``; real PDFs come from the shared
corpus (fixture ``raw``). The toy lexicon is used so that these tests do not depend
on the packaged lexicon.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import random
import re
import shutil
import subprocess
import time
import zipfile
from pathlib import Path

import pytest

from analyzer import api, schemas
from analyzer.errors import LexiconError, ModelError
from analyzer.run.batch import run_batch
from analyzer.run.document import error_summary
from analyzer.run.executor import Execution
from analyzer.run.store import Stores
from analyzer.types import RunSettings
from tests.pdfgen import make_pdf, text_page

TOY_LEXICON = Path(__file__).parent / "data" / "toy_lexicon.tsv"
STATUSES = set(schemas.STATUSES)

GOOD_LINES = [
    "# Armoede en preventie",
    "De gemeente bestrijdt armoede en zet in op preventie van schulden bij inwoners.",
    "Wij stellen de menselijke maat centraal in het sociaal domein van onze gemeente.",
    "Mantelzorg verdient steun, omdat veel inwoners zorgen voor een kwetsbaar familielid.",
    "Met maatwerk helpen wij mensen die het zelf niet redden om eigen regie te houden.",
]

# Words for generated Dutch text; the stop words keep the language check on "Dutch".
_WORDS = ("de het een en van in op te voor met zijn niet aan dat gemeente inwoners armoede "
          "zorg wijk preventie schulden beleid hulp ondersteuning jeugd werk wonen samen "
          "buurt mantelzorg welzijn budget plan raad college toekomst").split()
NL_TEXT = ("De gemeente zorgt voor een goede financiële ondersteuning van inwoners met armoede. "
           "Wij werken samen met het café in de wijk aan preventie van schulden. "
           "Het is belangrijk dat de zorg dichtbij georganiseerd wordt en dat niemand buiten de boot valt.\n")


def dutch_lines(rng: random.Random, n: int, *, prefix: str = "") -> list[str]:
    """n distinct Dutch-ish lines (so running-header removal leaves them alone).

    With a prefix, line i starts with "{prefix} {i}: " so a test can find every line.
    """
    lines = [" ".join(rng.choice(_WORDS) for _ in range(10)).capitalize() + "." for _ in range(n)]
    return [f"{prefix} {i}: {line}" for i, line in enumerate(lines)] if prefix else lines


@pytest.fixture(scope="module")
def toy():
    from analyzer.scoring.lexicon import load_lexicon

    return load_lexicon(TOY_LEXICON)


@pytest.fixture()
def run(nlp, toy):
    """api.score with the toy lexicon, lexicon method only, no cache, a 30 s limit."""

    def _run(inputs, **kwargs):
        kwargs.setdefault("timeout", 30)
        return api.score(inputs, lexicon=toy, model=None, method="lexicon", nlp=nlp, use_cache=False,
                         **kwargs)

    return _run


def good_pdf(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return make_pdf(folder / "goed.pdf", [text_page(GOOD_LINES)])


def row(result, name: str) -> dict:
    """The documents row of the file called name (exactly one)."""
    docs = result.documents
    hits = docs[docs["path"].map(lambda p: Path(p).name) == name]
    assert len(hits) == 1, f"expected one row for {name!r}, got {docs['path'].tolist()}"
    return hits.iloc[0].to_dict()


def assert_batch(result, n_docs: int) -> None:
    """Every input accounted for, statuses valid, the good document ok and scored."""
    docs = result.documents
    assert len(docs) == n_docs, docs[["path", "status", "error"]].to_string()
    assert set(docs["status"]) <= STATUSES
    good = row(result, "goed.pdf")
    assert good["status"] == "ok", good
    assert good["sentences_scored"] > 0
    assert (result.profiles["doc_id"] == good["doc_id"]).any()


def assert_reason(r: dict, status: str, *words: str) -> None:
    """status as expected; error is one non-empty line that contains every word (any case)."""
    assert r["status"] == status, r
    reason = r["error"]
    assert isinstance(reason, str) and reason.strip(), r
    assert "\n" not in reason and "\r" not in reason, repr(reason)
    for word in words:
        assert word.lower() in reason.lower(), f"{word!r} not in {reason!r}"


def sentences_of(result, doc_id: str) -> list[str]:
    return result.sentences.loc[result.sentences["doc_id"] == doc_id, "text"].tolist()


def page_tree_pdf(path: Path, lines: list[str]) -> bytes:
    """A one-page generated PDF's bytes (for surgery on its objects)."""
    return make_pdf(path, [text_page(lines)]).read_bytes()


# ---------------------------------------------------------------------------- corrupt PDFs


def test_truncated_real_pdf(raw, tmp_path, run):
    good_pdf(tmp_path)
    data = (raw / "coalitieakkoorden-gemeenten" / "AaenHunze_coalitieakkoord_2018.pdf").read_bytes()
    (tmp_path / "afgekapt.pdf").write_bytes(data[: int(len(data) * 0.3)])
    result = run([tmp_path])
    assert_batch(result, 2)
    bad = row(result, "afgekapt.pdf")
    assert_reason(bad, "error", "afgekapt.pdf", "not a readable PDF", "truncated")
    assert not (result.sentences["doc_id"] == bad["doc_id"]).any()


def test_flipped_bytes_in_xref_are_repaired(tmp_path, run):
    """PDFium rebuilds a damaged cross-reference table from the objects: the text is still read."""
    good_pdf(tmp_path)
    data = bytearray(page_tree_pdf(tmp_path / "src.pdf", [
        "Het xref-document beschrijft de aanpak van armoede in de wijk en de buurt.",
        "Wij zetten in op preventie zodat schulden van inwoners niet verder oplopen."] * 4))
    (tmp_path / "src.pdf").unlink()
    start = data.index(b"\nxref\n") + 1
    end = data.index(b"trailer", start)
    flipped = 0
    for i in range(start + 5, end):
        if 0x30 <= data[i] <= 0x39:  # every offset digit in the table becomes wrong
            data[i] = 0x30 + (data[i] - 0x30 + 7) % 10
            flipped += 1
    assert flipped > 20
    (tmp_path / "xref-kapot.pdf").write_bytes(bytes(data))
    result = run([tmp_path])
    assert_batch(result, 2)
    bad = row(result, "xref-kapot.pdf")
    assert bad["status"] == "ok", bad
    assert any("xref-document" in s for s in sentences_of(result, bad["doc_id"]))


@pytest.mark.parametrize(
    ("name", "make", "words"),
    [
        ("leeg.pdf", lambda p: p.write_bytes(b""), ["empty", "0 bytes"]),
        ("pagina.pdf", lambda p: p.write_text(
            "<!DOCTYPE html>\n<html><head><title>x</title></head><body><p>Armoede</p></body></html>\n",
            encoding="utf-8"), ["named .pdf", "HTML"]),
        ("verslag.pdf", lambda p: _docx(p), ["named .pdf", "ZIP", "DOCX"]),
        ("onzin.pdf", lambda p: p.write_bytes(bytes(range(256)) * 8), ["no PDF header"]),
    ],
    ids=["zero-bytes", "html-as-pdf", "docx-as-pdf", "binary-garbage"],
)
def test_not_a_pdf(tmp_path, run, name, make, words):
    good_pdf(tmp_path)
    make(tmp_path / name)
    result = run([tmp_path])
    assert_batch(result, 2)
    assert_reason(row(result, name), "error", name, *words)


def _docx(path: Path) -> None:
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document><w:body><w:p>Armoede</w:p></w:body></w:document>")


# ------------------------------------------------------------------------------ encryption


def _encrypt(src: Path, dst: Path, user: str, owner: str) -> Path:
    qpdf = shutil.which("qpdf")
    if qpdf is None:
        pytest.skip("qpdf is not installed (apt-get install -y qpdf): cannot generate encrypted PDFs")
    subprocess.run([qpdf, "--encrypt", user, owner, "256", "--", str(src), str(dst)], check=True,
                   capture_output=True)
    src.unlink()
    assert b"/Encrypt" in dst.read_bytes()
    return dst


def test_encrypted_pdf_with_user_password_is_an_error(tmp_path, run):
    good_pdf(tmp_path)
    src = make_pdf(tmp_path / "src.pdf", [text_page(["Geheime tekst over armoede en schulden."] * 6)])
    _encrypt(src, tmp_path / "geheim.pdf", "USER", "OWNER")
    result = run([tmp_path])
    assert_batch(result, 2)
    assert_reason(row(result, "geheim.pdf"), "error", "geheim.pdf", "password")


def test_encrypted_pdf_with_owner_password_only_is_read(tmp_path, run):
    """An empty user password means anyone may open it: the text must be read as usual."""
    good_pdf(tmp_path)
    src = make_pdf(tmp_path / "src.pdf", [text_page([
        "Alleen het eigenaarswachtwoord beschermt deze tekst over armoede in de wijk.",
        "De gemeente helpt inwoners met schulden en werkt aan preventie in de buurt."] * 4)])
    _encrypt(src, tmp_path / "beschermd.pdf", "", "OWNER")
    result = run([tmp_path])
    assert_batch(result, 2)
    bad = row(result, "beschermd.pdf")
    assert bad["status"] == "ok", bad
    assert any("eigenaarswachtwoord" in s for s in sentences_of(result, bad["doc_id"]))


# ---------------------------------------------------------------------- unscorable text layers


def test_image_only_scan_is_a_warning_and_not_scored(raw, tmp_path, run):
    good_pdf(tmp_path)
    shutil.copy(raw / "dnpp-manifestos-promisesPromises" / "TK1948_SDAP-VPW_NotExtractable.pdf",
                tmp_path / "scan.pdf")
    result = run([tmp_path])
    assert_batch(result, 2)
    bad = row(result, "scan.pdf")
    assert_reason(bad, "warning", "no text layer", "OCR")
    assert bad["text_quality"] == "no_text"
    assert bad["pages"] > 0 and bad["sentences_scored"] == 0
    assert not (result.profiles["doc_id"] == bad["doc_id"]).any()
    assert not (result.matches["doc_id"] == bad["doc_id"]).any()


def test_broken_font_is_a_warning_and_not_scored(raw, tmp_path, run):
    good_pdf(tmp_path)
    shutil.copy(raw / "wetsuite-testfiles" / "garble.pdf", tmp_path / "garble.pdf")
    result = run([tmp_path])
    assert_batch(result, 2)
    bad = row(result, "garble.pdf")
    assert_reason(bad, "warning", "broken font")
    assert bad["text_quality"] == "broken_font"
    assert bad["pages_broken_font"] > 0
    assert not (result.profiles["doc_id"] == bad["doc_id"]).any()


# --------------------------------------------------------------------------- size extremes


def test_two_thousand_pages(tmp_path, run):
    """No --max-pages: every page is read (one page in memory at a time)."""
    good_pdf(tmp_path)
    rng = random.Random(2000)
    pages = [text_page(dutch_lines(rng, 4)) for _ in range(2000)]
    make_pdf(tmp_path / "dik.pdf", pages)
    result = run([tmp_path], timeout=600)
    assert_batch(result, 2)
    big = row(result, "dik.pdf")
    assert big["status"] == "ok", big
    assert big["pages"] == 2000
    pages_seen = set(result.sentences.loc[result.sentences["doc_id"] == big["doc_id"], "page"])
    assert {1, 1000, 2000} <= pages_seen


def test_huge_single_page(tmp_path, run):
    good_pdf(tmp_path)
    rng = random.Random(14400)
    lines = dutch_lines(rng, 3000, prefix="Regel")
    make_pdf(tmp_path / "groot.pdf", [text_page(lines, size=4, top=14300, leading=4.7)], width=14400,
             height=14400)
    result = run([tmp_path], timeout=120)
    assert_batch(result, 2)
    big = row(result, "groot.pdf")
    assert big["status"] == "ok", big
    assert big["pages"] == 1
    seen = {int(m) for t in sentences_of(result, big["doc_id"]) for m in re.findall(r"Regel (\d+):", t)}
    assert seen == set(range(3000))  # every one of the 3000 lines was read


# ------------------------------------------------------------------------- hostile structure

_BOMB_LINES = ["De gemeente bestrijdt armoede en zet in op preventie van schulden in de wijk.",
               "Wij stellen de menselijke maat centraal in het sociaal domein van de stad."] * 4
_DEPTH = 50_000


def _nested_arrays(data: bytes) -> bytes:
    return data.replace(b"/Type /Page ", b"/Type /Page /Diep " + b"[" * _DEPTH + b"]" * _DEPTH + b" ", 1)


def _nested_dicts(data: bytes) -> bytes:
    return data.replace(b"/Type /Page ", b"/Type /Page /Diep " + b"<< /A " * _DEPTH + b">>" * _DEPTH + b" ", 1)


def _kids_cycle(data: bytes) -> bytes:
    match = re.search(rb"(\d+) 0 obj\n<< /Type /Pages /Kids \[([^\]]*)\]", data)
    assert match
    return data.replace(b"/Kids [" + match.group(2) + b"]", b"/Kids [" + match.group(1) + b" 0 R]")


def _bomb_batch(tmp_path, run, mutate):  # type: ignore[no-untyped-def]
    """A good PDF and a mutated page-tree PDF in one batch; returns the result and the bad row."""
    good_pdf(tmp_path)
    data = page_tree_pdf(tmp_path / "src.pdf", _BOMB_LINES)
    (tmp_path / "src.pdf").unlink()
    (tmp_path / "bom.pdf").write_bytes(mutate(data))
    result = run([tmp_path], timeout=30)
    assert_batch(result, 2)
    return result, row(result, "bom.pdf")


@pytest.mark.parametrize("mutate", [_nested_dicts, _kids_cycle], ids=["50000-nested-dicts", "kids-cycle"])
def test_pdf_bomb_structure_is_reported_not_fatal(tmp_path, run, mutate):
    result, bad = _bomb_batch(tmp_path, run, mutate)
    assert bad["status"] in ("warning", "error"), bad
    assert_reason(bad, bad["status"])
    assert not (result.profiles["doc_id"] == bad["doc_id"]).any()
    # the reason names the broken structure; it must not send the user to OCR as if it were a scan
    assert "ocr" not in bad["error"].lower(), bad["error"]
    assert "page" in bad["error"].lower() and ("load" in bad["error"].lower() or "broken" in bad["error"].lower())


def test_pdf_with_50000_nested_arrays_is_read(tmp_path, run):
    """PDFium caps its parser depth and ignores the junk key: the page text still comes through."""
    result, bad = _bomb_batch(tmp_path, run, _nested_arrays)
    assert bad["status"] == "ok", bad
    assert any("menselijke maat" in s for s in sentences_of(result, bad["doc_id"]))


# --------------------------------------------------------------------- encodings and language


@pytest.mark.parametrize("encoding", ["cp1252", "utf-16"], ids=["cp1252", "utf-16-bom"])
def test_legacy_and_utf16_text_are_decoded(tmp_path, run, encoding):
    good_pdf(tmp_path)
    data = (NL_TEXT * 4).encode(encoding)
    if encoding == "utf-16":
        assert data[:2] in (b"\xff\xfe", b"\xfe\xff")  # Python writes the BOM
    else:
        data.decode("cp1252")
        with pytest.raises(UnicodeDecodeError):
            data.decode("utf-8")
    (tmp_path / "tekst.txt").write_bytes(data)
    result = run([tmp_path])
    assert_batch(result, 2)
    doc = row(result, "tekst.txt")
    assert doc["status"] == "ok", doc
    texts = sentences_of(result, doc["doc_id"])
    assert any("financiële ondersteuning" in s for s in texts), texts[:3]
    assert any("het café in de wijk" in s for s in texts)
    assert not any("\ufffd" in s or "Ã" in s for s in texts)


ENGLISH = ("The municipality is responsible for the support of citizens who live in poverty. "
           "We will work with the partners in the region and we have a plan for the future of the city. "
           "It is important that all people can take part in society and that care is organised close to home.\n")
GERMAN = ("Die Gemeinde ist für die Unterstützung der Bürger zuständig, die in Armut leben. "
          "Wir werden mit den Partnern in der Region zusammenarbeiten und wir haben einen Plan für die Zukunft. "
          "Es ist wichtig, dass alle Menschen an der Gesellschaft teilhaben und dass die Pflege in der Nähe ist.\n")


@pytest.mark.parametrize("text", [ENGLISH, GERMAN], ids=["english", "german"])
def test_not_dutch_is_a_warning_but_still_scored(tmp_path, run, text):
    good_pdf(tmp_path)
    (tmp_path / "anders.txt").write_text(text * 5, encoding="utf-8")
    result = run([tmp_path])
    assert_batch(result, 2)
    doc = row(result, "anders.txt")
    assert_reason(doc, "warning", "not Dutch")
    assert doc["text_quality"] == "not_dutch"
    assert doc["sentences_scored"] > 0
    assert (result.profiles["doc_id"] == doc["doc_id"]).any()


# ----------------------------------------------------------------------- names and the file system

ODD_NAMES = ["met spaties erin.pdf", "café ñ één.pdf", "regel\neinde.pdf"]


def test_odd_file_names(tmp_path, run):
    good_pdf(tmp_path)
    rng = random.Random(7)
    for name in ODD_NAMES:
        make_pdf(tmp_path / name, [text_page([f"Dit document heet {name.splitlines()[0]}."] + dutch_lines(rng, 6))])
    result = run([tmp_path])
    assert_batch(result, 1 + len(ODD_NAMES))
    for name in ODD_NAMES:
        doc = row(result, name)
        assert doc["status"] == "ok", doc
        assert Path(doc["path"]).exists()
        assert re.fullmatch(r"[a-z0-9-]+", doc["doc_id"]), doc["doc_id"]
    # the odd paths survive the CSV round trip
    out = tmp_path / "uit"
    result.write(out, report=False)
    with open(out / "documents.csv", encoding="utf-8", newline="") as fh:
        paths = {r["path"] for r in csv.DictReader(fh)}
    assert {str(tmp_path / n) for n in ODD_NAMES} <= paths


def test_error_reason_stays_one_line_for_a_newline_in_the_name(tmp_path, run):
    good_pdf(tmp_path)
    (tmp_path / "kapot\nbestand.pdf").write_bytes(b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog")
    result = run([tmp_path])
    assert_batch(result, 2)
    assert_reason(row(result, "kapot\nbestand.pdf"), "error", "not a readable PDF")


def test_symlink_loops_in_input_folder(tmp_path, run):
    good_pdf(tmp_path)
    sub = tmp_path / "sub"
    sub.mkdir()
    make_pdf(sub / "binnen.pdf", [text_page(dutch_lines(random.Random(3), 8))])
    os.symlink(tmp_path, sub / "terug")  # folder loop: sub/terug -> .. -> sub/terug ...
    os.symlink(sub, sub / "zelf")
    os.symlink(tmp_path / "lus-b.pdf", tmp_path / "lus-a.pdf")  # file loop: a -> b -> a
    os.symlink(tmp_path / "lus-a.pdf", tmp_path / "lus-b.pdf")
    result = run([tmp_path])
    assert_batch(result, 4)
    assert row(result, "binnen.pdf")["status"] == "ok"
    assert result.documents["path"].is_unique
    assert not result.documents["path"].str.contains("terug|zelf").any()
    for name in ("lus-a.pdf", "lus-b.pdf"):
        assert_reason(row(result, name), "error", name, "cannot be read", "symbolic links")


def test_duplicate_documents(tmp_path, run):
    good_pdf(tmp_path)
    first = make_pdf(tmp_path / "a-origineel.pdf", [text_page(dutch_lines(random.Random(11), 8))])
    shutil.copy(first, tmp_path / "b-kopie.pdf")
    result = run([tmp_path])
    assert_batch(result, 3)
    original, copy = row(result, "a-origineel.pdf"), row(result, "b-kopie.pdf")
    assert original["status"] == "ok"
    assert_reason(copy, "duplicate", "same content as", original["doc_id"])
    assert copy["duplicate_of"] == original["doc_id"]
    assert copy["sha256"] == original["sha256"]
    assert not (result.sentences["doc_id"] == copy["doc_id"]).any()
    assert not (result.profiles["doc_id"] == copy["doc_id"]).any()


def test_unreadable_file(run):
    """A file the user may not read is one error row, the batch goes on. Run as a user
    without the permission: under root (as CI runs) a forked child drops to ``nobody``."""
    import json
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix="waardenscan-perm-"))  # outside root's private tmp
    try:
        folder.chmod(0o777)
        good_pdf(folder)
        locked = make_pdf(folder / "dicht.pdf", [text_page(dutch_lines(random.Random(5), 8))])
        locked.chmod(0)
        run([folder / "goed.pdf"])  # import everything the run needs while the interpreter can

        def score_rows() -> list[dict]:
            result = run([folder])
            return [row(result, name) for name in ("goed.pdf", "dicht.pdf")] + [{"n": len(result.documents)}]

        if os.geteuid() == 0:
            read_end, write_end = os.pipe()
            pid = os.fork()
            if pid == 0:  # the child: no root from here on
                try:
                    os.close(read_end)
                    os.setgid(65534)
                    os.setuid(65534)
                    with os.fdopen(write_end, "w") as fh:
                        json.dump(score_rows(), fh, default=str)
                finally:
                    os._exit(0)
            os.close(write_end)
            with os.fdopen(read_end) as fh:
                data = fh.read()
            os.waitpid(pid, 0)
            good, doc, total = json.loads(data)
        else:
            good, doc, total = score_rows()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    assert total == {"n": 2}
    assert good["status"] == "ok" and int(good["sentences_scored"]) > 0
    assert_reason(doc, "error", "dicht.pdf", "permission denied")


def test_missing_input_is_an_error_row(tmp_path, run):
    good = good_pdf(tmp_path)
    result = run([good, tmp_path / "bestaat-niet.pdf"])
    assert_batch(result, 2)
    assert_reason(row(result, "bestaat-niet.pdf"), "error", "no such file")


# ---------------------------------------------------------------------- configuration errors

_LEXICON_HEADER = "group\tcluster\tvalue\tterm\tmatch\n"
_LEXICON_OK = "praktisch\tContinuïteit\tBestaansveiligheid\tarmoede\tprefix\n"


@pytest.mark.parametrize(
    ("body", "line", "words"),
    [
        (_LEXICON_OK + "praktisch\tContinuïteit\tPreventie\tpreventie\tglob\n", 3, ["bad match type", "glob"]),
        (_LEXICON_OK + "praktisch\tKwaliteit\tMaatwerk\tmaatwerk\tphrase\n", 3, ["phrase", "one word"]),
        (_LEXICON_OK + "praktisch\tContinuïteit\tBestaansveiligheid\tarmoede\tprefix\n", 3,
         ["duplicate term", "first on line 2"]),
        (_LEXICON_OK + "sociaal\tEmpathie\tCompassie\tkwetsbaar\tlemma\textra\tcel\n", 3, ["cells"]),
        (_LEXICON_OK + "\tEmpathie\tCompassie\tkwetsbaar\tlemma\n", 3, ["must all be filled"]),
    ],
    ids=["bad-match-type", "one-word-phrase", "duplicate-term", "too-many-cells", "empty-group"],
)
def test_lexicon_with_errors_raises_with_file_and_line(tmp_path, nlp, body, line, words):
    good = good_pdf(tmp_path / "docs")
    lexicon = tmp_path / "lexicon.tsv"
    lexicon.write_text(_LEXICON_HEADER + body, encoding="utf-8")
    with pytest.raises(LexiconError) as info:
        api.score([good], lexicon=lexicon, model=None, method="lexicon", nlp=nlp, use_cache=False)
    message = str(info.value)
    assert f"{lexicon}:{line}:" in message
    for word in words:
        assert word in message
    assert "\n" not in message


def test_lexicon_missing_column_names_line_1(tmp_path, nlp):
    good = good_pdf(tmp_path / "docs")
    lexicon = tmp_path / "lexicon.tsv"
    lexicon.write_text("group\tcluster\tvalue\tterm\n" + _LEXICON_OK, encoding="utf-8")
    with pytest.raises(LexiconError, match=re.escape(f"{lexicon}:1: missing column(s) match")):
        api.score([good], lexicon=lexicon, model=None, method="lexicon", nlp=nlp, use_cache=False)


def _fitted_estimator():
    import numpy as np
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline

    return Pipeline([("clf", LogisticRegression())]).fit(np.array([[0.0], [1.0], [0.1], [0.9]]), [0, 1, 0, 1])


def _model_folder(folder: Path, *, estimator: bytes | None = None, **meta_changes) -> Path:
    """A model folder: estimator.skops (real unless bytes are given) and a matching meta.json."""
    import sklearn
    import skops.io as sio

    folder.mkdir(parents=True)
    est = folder / "estimator.skops"
    if estimator is None:
        sio.dump(_fitted_estimator(), est)
    else:
        est.write_bytes(estimator)
    meta = {"name": "test", "version": "0.0.1", "format_version": 1,
            "versions": {"scikit-learn": sklearn.__version__},
            "estimator_sha256": hashlib.sha256(est.read_bytes()).hexdigest(),
            "labels": ["Continuïteit"], "thresholds": {"Continuïteit": 0.5},
            "clusters": {"Continuïteit": "praktisch"}}
    meta.update(meta_changes)
    (folder / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
    return folder


def test_model_from_another_format_version(tmp_path, toy, nlp):
    from analyzer.scoring.classifier.model import load_model

    folder = _model_folder(tmp_path / "model", estimator=b"dummy estimator", format_version=999)
    with pytest.raises(ModelError, match=r"model format 999 .* reads format 1") as info:
        load_model(folder, lexicon=toy)
    assert str(folder) in str(info.value) and "retrain" in str(info.value)
    good = good_pdf(tmp_path / "docs")
    with pytest.raises(ModelError, match="model format 999"):
        api.score([good], lexicon=toy, model=folder, method="both", nlp=nlp, use_cache=False)


def test_model_from_another_scikit_learn_version(tmp_path, toy):
    import sklearn

    from analyzer.scoring.classifier.model import load_model

    folder = _model_folder(tmp_path / "model", estimator=b"dummy estimator",
                           versions={"scikit-learn": "0.24.2"})
    with pytest.raises(ModelError) as info:
        load_model(folder, lexicon=toy)
    message = str(info.value)
    assert "scikit-learn 0.24.2" in message and sklearn.__version__ in message


def test_tampered_model_is_refused(tmp_path, toy):
    from analyzer.scoring.classifier.model import load_model

    folder = _model_folder(tmp_path / "model")
    assert load_model(folder, lexicon=toy).labels == ["Continuïteit"]  # the untouched folder loads
    est = folder / "estimator.skops"
    data = bytearray(est.read_bytes())
    data[len(data) // 2] ^= 0xFF
    est.write_bytes(bytes(data))
    with pytest.raises(ModelError, match="sha256") as info:
        load_model(folder, lexicon=toy)
    assert str(est) in str(info.value)


# ------------------------------------------------------------- per-document time limit and crashes


def _ok(task):
    return error_summary(task.path, "", sha256=task.sha256, status="ok")


def _batch(paths, func, *, jobs, timeout):
    """Summaries of a batch run with ``func`` as the work of each document (no store)."""
    return list(run_batch(paths, func, settings=RunSettings(), stores=Stores(read=[], write=[]),
                          execution=Execution(jobs=jobs, timeout=timeout)))


def _tasks(folder: Path, names: list[str]) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name in names:
        path = folder / f"{name}.txt"
        path.write_text(f"document {name}\n", encoding="utf-8")
        paths.append(path)
    return paths


@pytest.mark.parametrize("jobs", [1, 2], ids=["inline-sigalrm", "worker-pool"])
def test_per_document_timeout(tmp_path, jobs):
    paths = _tasks(tmp_path, ["een", "langzaam", "drie", "vier"])

    def func(task):
        if task.path.stem == "langzaam":
            time.sleep(5)
        return _ok(task)

    results = _batch(paths, func, jobs=jobs, timeout=1)
    assert [r.document.path for r in results] == [str(p) for p in paths]
    by_name = {Path(r.document.path).stem: r.document.to_dict() for r in results}
    assert_reason(by_name["langzaam"], "error", "timed out after 1 s", "--timeout")
    assert [by_name[n]["status"] for n in ("een", "drie", "vier")] == ["ok", "ok", "ok"]


def test_worker_crash_is_one_error_row(tmp_path):
    paths = _tasks(tmp_path, ["crash", "twee", "drie", "vier", "vijf"])

    def func(task):
        if task.path.stem == "crash":
            os._exit(3)
        return _ok(task)

    results = _batch(paths, func, jobs=2, timeout=30)
    assert [r.document.path for r in results] == [str(p) for p in paths]
    by_name = {Path(r.document.path).stem: r.document.to_dict() for r in results}
    assert_reason(by_name["crash"], "error", "worker crashed", "exit code 3")
    assert {by_name[n]["status"] for n in ("twee", "drie", "vier", "vijf")} == {"ok"}


def test_inline_timeout_during_scoring_is_reported_as_timeout(tmp_path, run, monkeypatch):
    import analyzer.run.document as document

    good_pdf(tmp_path)
    make_pdf(tmp_path / "traag.pdf", [text_page(GOOD_LINES[1:])])
    real_analyse = document._analyse

    def slow_analyse(chunk, **kwargs):
        if kwargs["doc_id"].startswith("traag-"):
            time.sleep(3)
        return real_analyse(chunk, **kwargs)

    monkeypatch.setattr(document, "_analyse", slow_analyse)
    result = run([tmp_path], timeout=1, jobs=1)
    assert_batch(result, 2)
    assert_reason(row(result, "traag.pdf"), "error", "timed out after 1 s")


def test_inline_timeout_is_not_swallowed_during_pdf_extraction(tmp_path, run, monkeypatch):
    import pypdfium2 as pdfium

    good_pdf(tmp_path)
    rng = random.Random(9)
    make_pdf(tmp_path / "traag.pdf", [text_page(dutch_lines(rng, 6)) for _ in range(4)])
    real_textpage = pdfium.PdfPage.get_textpage

    def slow_textpage(self, *args, **kwargs):
        time.sleep(0.6)  # 4 pages x 0.6 s: the 1 s alarm fires while page 2 loads
        return real_textpage(self, *args, **kwargs)

    monkeypatch.setattr(pdfium.PdfPage, "get_textpage", slow_textpage)
    result = run([tmp_path / "traag.pdf"], timeout=1, jobs=1)
    assert_reason(row(result, "traag.pdf"), "error", "timed out after 1 s")


# ----------------------------------------------------------------------------------- the CLI


def _cli_args(*extra: str) -> list[str]:
    return ["--lexicon", str(TOY_LEXICON), "--method", "lexicon", "--no-cache", "-q", "--pipeline", "blank",
            *extra]


def test_cli_output_folder_not_writable_exits_2_before_any_work(tmp_path, capsys, monkeypatch):
    import analyzer.api
    from analyzer.cli import main

    good = good_pdf(tmp_path / "docs")
    (tmp_path / "file.txt").write_text("een gewoon bestand\n", encoding="utf-8")
    outdir = tmp_path / "file.txt" / "out"

    def no_work(*args, **kwargs):
        raise AssertionError("score() ran although the output folder is not writable")

    monkeypatch.setattr(analyzer.api, "score", no_work)
    rc = main(["score", str(good), "-o", str(outdir), *_cli_args()])
    err = capsys.readouterr().err
    assert rc == 2
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert len(lines) == 1, err
    assert str(outdir) in lines[0] and "not writable" in lines[0]


def test_cli_exit_1_when_a_document_fails(tmp_path, capsys):
    from analyzer.cli import main

    docs = tmp_path / "docs"
    good_pdf(docs)
    (docs / "kapot.pdf").write_bytes(b"%PDF-1.7\n" + bytes(200))
    out = tmp_path / "out"
    rc = main(["score", str(docs), "-o", str(out), *_cli_args("--no-report")])
    assert rc == 1
    with open(out / "documents.csv", encoding="utf-8", newline="") as fh:
        status = {Path(r["path"]).name: r["status"] for r in csv.DictReader(fh)}
    assert status == {"goed.pdf": "ok", "kapot.pdf": "error"}
    assert "1 failed" in capsys.readouterr().err


# ------------------------------------------------------------------------------ --excel-safe

FORMULA_TEXT = (
    "Inleiding over het beleid van de gemeente voor armoede.\n\n"
    "=SUM(A1) staat hier als formule in een zin over armoede.\n\n"
    "+31 6 12345678 is het nummer van de gemeente voor hulp bij armoede.\n\n"
    "-5 procent minder armoede is het doel van de gemeente in deze periode.\n\n"
    "@alle inwoners: de gemeente helpt bij armoede en schulden.\n"
)
STARTS = ("=SUM(A1)", "+31 6", "-5 procent", "@alle")


def _sentence_cells(folder: Path) -> list[str]:
    with open(folder / "sentences.csv", encoding="utf-8", newline="") as fh:
        return [r["text"] for r in csv.DictReader(fh)]


def test_excel_safe_prefixes_formula_cells(tmp_path, run):
    good_pdf(tmp_path / "docs")
    (tmp_path / "docs" / "formules.txt").write_text(FORMULA_TEXT, encoding="utf-8")
    result = run([tmp_path / "docs"])
    assert_batch(result, 2)
    result.write(tmp_path / "safe", excel_safe=True, report=False)
    result.write(tmp_path / "plain", excel_safe=False, report=False)
    safe, plain = _sentence_cells(tmp_path / "safe"), _sentence_cells(tmp_path / "plain")
    for start in STARTS:
        assert any(c.startswith("'" + start) for c in safe), (start, safe)
        assert any(c.startswith(start) for c in plain), (start, plain)
        assert not any(c.startswith("'" + start) for c in plain)
    # ordinary cells are left alone
    assert "Inleiding over het beleid van de gemeente voor armoede." in safe
    assert not any(c.startswith("'") and not c[1:].startswith(STARTS) for c in safe)


def test_cli_excel_safe_flag(tmp_path):
    from analyzer.cli import main

    docs = tmp_path / "docs"
    good_pdf(docs)
    (docs / "formules.txt").write_text(FORMULA_TEXT, encoding="utf-8")
    assert main(["score", str(docs), "-o", str(tmp_path / "safe"), "--excel-safe", *_cli_args("--no-report")]) == 0
    assert main(["score", str(docs), "-o", str(tmp_path / "plain"), *_cli_args("--no-report")]) == 0
    assert any(c.startswith("'=SUM(A1)") for c in _sentence_cells(tmp_path / "safe"))
    assert any(c.startswith("=SUM(A1)") for c in _sentence_cells(tmp_path / "plain"))


def test_disk_full_while_writing_outputs_is_one_clear_line(tmp_path, monkeypatch, capsys):
    """ENOSPC during the final writes: exit 2, one line naming the problem, parts kept for --resume."""
    import errno

    import analyzer.output.io
    from analyzer.cli import main as cli_main

    doc = tmp_path / "in" / "beleid.md"
    doc.parent.mkdir()
    doc.write_text("# Visie\n\nWij bieden maatwerk en bestrijden armoede in de gemeente.\n", encoding="utf-8")

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device", str(tmp_path / "out" / "profiles.csv"))

    monkeypatch.setattr(analyzer.output.io, "write_table", full)
    monkeypatch.setattr("analyzer.api.write_table", full)
    rc = cli_main(["score", str(doc.parent), "-o", str(tmp_path / "out"), "-q", "--no-cache", "--method", "lexicon"])
    err = capsys.readouterr().err.strip().splitlines()
    assert rc == 2
    assert len(err) == 1 and "No space left on device" in err[0] and "--resume" in err[0]
    assert list((tmp_path / "out" / ".parts").rglob("*.gz")), "finished documents are kept for --resume"
