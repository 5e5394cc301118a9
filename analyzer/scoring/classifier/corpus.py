"""The annotated corpus: sentences, gold labels and the document split.

Files under ``corpus/`` (see ``corpus/README.md``): ``documents.tsv`` (doc_key, path in the
shared corpus, split, type, issuer, whether its text may be stored), ``sentences.tsv``
(sentence_id, doc_key, split, page, section, text, sampling stratum and probability, and for
reference-only rows the source sha256 and offsets) and ``labels.tsv`` (sentence_id, clusters,
values, negated, annotator, agreement, codebook), where label lists are separated by ``|``
and an empty cell means "none".
"""

from __future__ import annotations

import csv
import hashlib
from dataclasses import dataclass
from pathlib import Path

from ...errors import WaardenscanError


@dataclass(frozen=True)
class GoldSentence:
    sentence_id: str
    doc_key: str
    split: str
    page: int
    text: str
    clusters: tuple[str, ...]
    values: tuple[str, ...]
    negated: tuple[str, ...]
    annotator: str
    stratum: str = ""
    selection_prob: float = 1.0
    section: str = ""
    codebook: str = ""


def _split(cell: str) -> tuple[str, ...]:
    return tuple(x.strip() for x in cell.split("|") if x.strip())


def load_corpus(folder: str | Path, *, raw: str | Path | None = None,
                missing: list[str] | None = None) -> list[GoldSentence]:
    """Sentences that have gold labels, in file order.

    Reference-only rows (no text in the repository) are rebuilt from the shared corpus
    ``raw`` (default: ``../shared/corpus/raw`` beside the checkout); rows whose source is
    not there are left out, and their documents are appended to ``missing``."""
    folder = Path(folder)
    sent_path, label_path = folder / "sentences.tsv", folder / "labels.tsv"
    for p in (sent_path, label_path):
        if not p.exists():
            raise WaardenscanError(f"{p}: missing (the annotated corpus lives in corpus/)")
    with open(sent_path, encoding="utf-8", newline="") as fh:
        sentences = {r["sentence_id"]: r for r in csv.DictReader(fh, delimiter="\t")}
    rebuilt = rebuild_texts(folder, [r for r in sentences.values() if _is_reference(r)], raw=raw, missing=missing)
    out = []
    with open(label_path, encoding="utf-8", newline="") as fh:
        for lineno, r in enumerate(csv.DictReader(fh, delimiter="\t"), start=2):
            s = sentences.get(r["sentence_id"])
            if s is None:
                raise WaardenscanError(f"{label_path}:{lineno}: unknown sentence_id {r['sentence_id']!r}")
            text = rebuilt.get(s["sentence_id"]) if _is_reference(s) else s["text"]
            if text is None:
                continue
            out.append(GoldSentence(
                sentence_id=r["sentence_id"], doc_key=s["doc_key"], split=s["split"], page=int(s["page"]),
                text=text, clusters=_split(r["clusters"]), values=_split(r["values"]),
                negated=_split(r.get("negated", "")), annotator=r.get("annotator", ""),
                stratum=s.get("stratum") or s.get("sample", ""),
                selection_prob=float(s.get("selection_prob") or 1.0), section=s.get("section", ""),
                codebook=r.get("codebook", ""),
            ))
    return out


def _is_reference(row: dict[str, str]) -> bool:
    return not row.get("text") and bool(row.get("text_sha256"))


def default_raw(folder: Path) -> Path:
    return folder.resolve().parent.parent / "shared" / "corpus" / "raw"


def rebuild_texts(folder: Path, rows: list[dict[str, str]], *, raw: str | Path | None = None,
                  missing: list[str] | None = None) -> dict[str, str]:
    """sentence_id -> text of reference-only rows, rebuilt from the shared corpus and
    checked against each row's sha256 (a row that does not match is left out)."""
    if not rows:
        return {}
    raw = Path(raw) if raw is not None else default_raw(folder)
    with open(folder / "documents.tsv", encoding="utf-8", newline="") as fh:
        docs = {d["doc_key"]: d for d in csv.DictReader(fh, delimiter="\t")}
    by_doc: dict[str, list[dict[str, str]]] = {}
    for r in rows:
        by_doc.setdefault(r["doc_key"], []).append(r)
    out: dict[str, str] = {}
    for key, mine in by_doc.items():
        path = raw / docs[key]["path"]
        if not path.is_file():
            if missing is not None:
                missing.append(f"{key} ({docs[key]['path']}): not in {raw}")
            continue
        out.update(_rebuild_document(path, mine, missing))
    return out


def _rebuild_document(path: Path, rows: list[dict[str, str]], missing: list[str] | None) -> dict[str, str]:
    from ...ingest import extract

    doc = extract(path)
    if doc.sha256 != rows[0]["source_sha256"]:
        if missing is not None:
            missing.append(f"{path}: sha256 differs from the one the corpus was built from")
        return {}
    pages = page_texts(doc)
    out: dict[str, str] = {}
    pending = []
    for r in rows:
        start, end = int(r["char_start"]), int(r["char_end"])
        page = pages.get(int(r["page"]), "")
        text = (joined(page) if r.get("locator") == "joined" else page)[start:end] if start >= 0 else ""
        if text and text_sha256(text) == r["text_sha256"]:
            out[r["sentence_id"]] = text
        else:
            pending.append(r)
    if pending:  # not verbatim on the page (joined hyphenation): find it by segmenting the file
        from ...nlp import build_pipeline
        from ...segment import make_doc_id, segment

        wanted = {r["text_sha256"]: r["sentence_id"] for r in pending}
        for s in segment(doc, build_pipeline("blank"), doc_id=make_doc_id(str(path), doc.sha256)):
            sid = wanted.get(text_sha256(s.text))
            if sid is not None:
                out[sid] = s.text
        lost = [r["sentence_id"] for r in pending if r["sentence_id"] not in out]
        if lost and missing is not None:
            missing.append(f"{path}: {len(lost)} sentence(s) no longer found, e.g. {lost[0]}")
    return out


def corpus_hash(folder: str | Path) -> str:
    """sha256 over the corpus files the model is trained from."""
    digest = hashlib.sha256()
    for name in ("documents.tsv", "sentences.tsv", "labels.tsv"):
        digest.update((Path(folder) / name).read_bytes())
    return digest.hexdigest()


# ------------------------------------------------------------------ reference-only rows
#
# Party programmes and internal dossiers may not be stored in the repository. Their rows in
# sentences.tsv keep no text, only a reference: the source file (path in the shared corpus
# and its sha256), the page, character offsets and the sha256 of the sentence. Offsets are
# into the page's *normalised text*: its extracted lines joined and every run of white space
# folded to one space; the sentence is normalised the same way.


def normalise(text: str) -> str:
    return " ".join(text.split())


def text_sha256(text: str) -> str:
    return hashlib.sha256(normalise(text).encode("utf-8")).hexdigest()


def page_texts(doc) -> dict[int, str]:  # type: ignore[no-untyped-def]
    """Normalised text of each page of an extracted document."""
    return {p.number: normalise("\n".join(line.text for line in p.lines)) for p in doc.pages}


def joined(page_text: str) -> str:
    """A normalised page text with line-end hyphenation undone ("zorg- verlening" ->
    "zorgverlening"), as the segmenter joins such words."""
    return _HYPHEN_JOIN.sub("", page_text)


_HYPHEN_JOIN = __import__("re").compile(r"(?<=\w)- (?=\w)")


def locate(sentence: str, page_text: str) -> tuple[str, int, int] | None:
    """``(locator, start, end)`` of a sentence in a normalised page text: ``page`` when it is
    there verbatim, ``joined`` when it is in the text with hyphenation undone; None when
    neither (the row is then found by segmenting the file)."""
    needle = normalise(sentence)
    if not needle:
        return None
    for locator, text in (("page", page_text), ("joined", joined(page_text))):
        at = text.find(needle)
        if at >= 0:
            return locator, at, at + len(needle)
    return None
