"""The annotated corpus: sentences, gold labels and the document split.

Files under ``corpus/``: ``documents.tsv`` (doc_key, split), ``sentences.tsv``
(sentence_id, doc_key, split, page, section, text) and ``labels.tsv`` (sentence_id,
clusters, values, negated, annotator, agreement), where label lists are separated by
``|`` and an empty cell means "none".
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


def _split(cell: str) -> tuple[str, ...]:
    return tuple(x.strip() for x in cell.split("|") if x.strip())


def load_corpus(folder: str | Path) -> list[GoldSentence]:
    """Sentences that have gold labels, in file order."""
    folder = Path(folder)
    sent_path, label_path = folder / "sentences.tsv", folder / "labels.tsv"
    for p in (sent_path, label_path):
        if not p.exists():
            raise WaardenscanError(f"{p}: missing (the annotated corpus lives in corpus/)")
    with open(sent_path, encoding="utf-8", newline="") as fh:
        sentences = {r["sentence_id"]: r for r in csv.DictReader(fh, delimiter="\t")}
    out = []
    with open(label_path, encoding="utf-8", newline="") as fh:
        for lineno, r in enumerate(csv.DictReader(fh, delimiter="\t"), start=2):
            s = sentences.get(r["sentence_id"])
            if s is None:
                raise WaardenscanError(f"{label_path}:{lineno}: unknown sentence_id {r['sentence_id']!r}")
            out.append(GoldSentence(
                sentence_id=r["sentence_id"], doc_key=s["doc_key"], split=s["split"], page=int(s["page"]),
                text=s["text"], clusters=_split(r["clusters"]), values=_split(r["values"]),
                negated=_split(r.get("negated", "")), annotator=r.get("annotator", ""),
            ))
    return out


def corpus_hash(folder: str | Path) -> str:
    """sha256 over the corpus files the model is trained from."""
    digest = hashlib.sha256()
    for name in ("documents.tsv", "sentences.tsv", "labels.tsv"):
        digest.update((Path(folder) / name).read_bytes())
    return digest.hexdigest()
