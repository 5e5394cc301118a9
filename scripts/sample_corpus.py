"""Draw the sentence sample for annotation from the shared corpus.

Reads ``corpus/documents.tsv`` (document, split), extracts and segments each
document with waardenscan itself, and draws a seeded sample of prose and list-item
sentences per document (quota grows with the square root of the document's length,
so long begrotingen do not drown short coalitieakkoorden). Writes
``corpus/sentences.tsv`` (sentence_id, doc_key, split, page, section, text) and the
assignment of sentences to annotators ``corpus/annotation/assignment.tsv``.

    python scripts/sample_corpus.py --raw ../shared/corpus/raw
"""

from __future__ import annotations

import argparse
import csv
import math
import random
import re
from pathlib import Path

from corpus_text import read_baarn_yaml  # noqa: E402  (script folder on sys.path)

from analyzer.ingest import extract
from analyzer.nlp import build_pipeline
from analyzer.segment import make_doc_id, segment

SEED = 20261123
TARGET = 2700
DOUBLE = 640


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--raw", type=Path, default=Path("../shared/corpus/raw"))
    parser.add_argument("--out", type=Path, default=Path("corpus"))
    args = parser.parse_args()
    nlp = build_pipeline("blank")
    with open(args.out / "documents.tsv", encoding="utf-8") as fh:
        docs = list(csv.DictReader(fh, delimiter="\t"))
    rng = random.Random(SEED)
    rows = []
    for doc in docs:
        path = args.raw / doc["path"]
        extracted = read_baarn_yaml(path) if path.suffix == ".yaml" else extract(path)
        doc_id = make_doc_id(str(path), extracted.sha256)
        sentences = [s for s in segment(extracted, nlp, doc_id=doc_id)
                     if s.kind in ("prose", "list_item") and 5 <= s.n_words <= 80]
        seen: set[str] = set()
        unique = []
        for s in sentences:
            key = re.sub(r"\W+", " ", s.text.lower())
            if key not in seen:
                seen.add(key)
                unique.append(s)
        quota = min(len(unique), max(20, int(5.5 * math.sqrt(len(unique)))), 175)
        picked = sorted(rng.sample(unique, quota), key=lambda s: s.index)
        print(f"{doc['doc_key']:28} {doc['split']:5} {len(unique):6} candidates, {quota:4} sampled")
        for s in picked:
            rows.append({"sentence_id": s.sentence_id, "doc_key": doc["doc_key"], "split": doc["split"],
                         "page": s.page, "section": s.section[:120], "text": s.text})
    print(f"{len(rows)} sentences from {len(docs)} documents")
    with open(args.out / "sentences.tsv", "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]), delimiter="\t", lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    # assignment: a stratified double-annotated set, the rest split over single annotators
    order = list(range(len(rows)))
    rng.shuffle(order)
    double = set(order[:DOUBLE])
    rest = [i for i in order[DOUBLE:]]
    singles = {i: f"single{(k % 3) + 1}" for k, i in enumerate(rest)}
    ann = args.out / "annotation"
    ann.mkdir(exist_ok=True)
    with open(ann / "assignment.tsv", "w", encoding="utf-8", newline="") as fh:
        fh.write("sentence_id\tbatch\n")
        for i, row in enumerate(rows):
            fh.write(f"{row['sentence_id']}\t{'double' if i in double else singles[i]}\n")


if __name__ == "__main__":
    main()
