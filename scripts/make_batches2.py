"""Cut the corpus 2.0 sample into annotator batches (issue #13).

Input: ``PRIVATE/sample2.tsv`` (from ``sample_corpus2.py``) and the 1.0 sentences that the
codebook 1.1 rules touch (re-labelled under 1.1). A seeded double-annotated set, stratified
by split and document type, goes into two batches of different annotators; every other
sentence into one. Within a batch sentences are in document order, so an annotator reads
each document's sentences together (only to settle word senses, CODEBOOK §1).

Writes ``PRIVATE/batches/bNN.tsv`` (what the annotator sees, with text) and
``corpus/annotation/assignment2.tsv`` (sentence -> batches, role).

    python scripts/make_batches2.py --private /work/annot
    python scripts/make_batches2.py --private /work/annot --sample sample2b.tsv --batches 4 \
        --first-batch 17 --double 240 --seed 20261207 --no-relabel --assignment assignment2b.tsv
"""

from __future__ import annotations

import argparse
import csv
import random
import re
from collections import defaultdict
from pathlib import Path

SEED = 20261205
N_BATCHES = 16
N_DOUBLE = 1400
# the constructs codebook 1.1 (§2.7) settles: 1.0 rows that mention them are labelled again
TOUCHED_BY_1_1 = re.compile(
    r"gebruikelijke (hulp|zorg)|voorliggend|algemene voorziening|eigen kracht|eigen mogelijkhed|"
    r"eigen netwerk|normalis|maatwerk|afwijk|hardheid|onbillijk|bijzondere omstandigh|"
    r"persoonlijke omstandigh|omstandigheden van|inspraak|participatie|meedenk|meebeslis|"
    r"meepraten|meedoen|adviesraad|burgerinitiatie|bewonersinitiatie|right to challenge|"
    r"co-creatie|cliëntenraad|zeggenschap|inwoners betrekken|betrekken van inwoners", re.I)


def read_tsv(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--private", type=Path, required=True)
    parser.add_argument("--corpus", type=Path, default=Path("corpus"))
    parser.add_argument("--sample", default="sample2.tsv", help="the drawn sentences, in PRIVATE")
    parser.add_argument("--batches", type=int, default=N_BATCHES)
    parser.add_argument("--first-batch", type=int, default=1)
    parser.add_argument("--double", type=int, default=N_DOUBLE)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--relabel", action=argparse.BooleanOptionalAction, default=True,
                        help="add the 1.0 rows that codebook 1.1 touches")
    parser.add_argument("--assignment", default="assignment2.tsv")
    args = parser.parse_args()
    n_batches = args.batches
    docs = {d["doc_key"]: d for d in read_tsv(args.corpus / "documents.tsv")}
    sample = read_tsv(args.private / args.sample)
    relabel = [dict(r, stratum="relabel_1.1") for r in read_tsv(args.corpus / "sentences.tsv")
               if r.get("text") and TOUCHED_BY_1_1.search(r["text"])] if args.relabel else []
    rng = random.Random(args.seed)

    # double set: proportional to each split x document type cell, at least 10 per cell
    cells: dict[tuple[str, str], list[int]] = defaultdict(list)
    for i, r in enumerate(sample):
        cells[(r["split"], docs[r["doc_key"]]["doc_type"])].append(i)
    double: set[int] = set()
    for _key, members in sorted(cells.items()):
        k = min(len(members), max(10, round(args.double * len(members) / len(sample))))
        double.update(rng.sample(members, k))
    rows = sample + relabel
    order = list(range(len(rows)))
    rng.shuffle(order)
    load = [0] * n_batches
    assign: dict[int, list[int]] = {}
    for i in order:
        least = sorted(range(n_batches), key=lambda b: (load[b], rng.random()))
        chosen = least[:2] if i in double else least[:1]
        for b in chosen:
            load[b] += 1
        assign[i] = chosen
    out = args.private / "batches"
    out.mkdir(parents=True, exist_ok=True)
    by_batch: dict[int, list[int]] = defaultdict(list)
    for i, bs in assign.items():
        for b in bs:
            by_batch[b].append(i)
    fields = ["sentence_id", "document", "doc_type", "page", "section", "text"]
    def name(b: int) -> str:
        return f"b{b + args.first_batch:02d}"

    for b in range(n_batches):
        members = sorted(by_batch[b], key=lambda i: (rows[i]["doc_key"], rows[i]["sentence_id"]))
        with open(out / f"{name(b)}.tsv", "w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh, delimiter="\t", lineterminator="\n")
            w.writerow(fields)
            for i in members:
                r = rows[i]
                d = docs[r["doc_key"]]
                w.writerow([r["sentence_id"], f"{d['issuer']} {d['year']} ({r['doc_key']})",
                            d["doc_type"], r["page"], r["section"], r["text"]])
    with open(args.corpus / "annotation" / args.assignment, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, delimiter="\t", lineterminator="\n")
        w.writerow(["sentence_id", "batches", "role", "stratum"])
        for i in range(len(rows)):
            role = "double" if i in double else "relabel" if i >= len(sample) else "single"
            w.writerow([rows[i]["sentence_id"], "|".join(name(b) for b in assign[i]),
                        role, rows[i]["stratum"]])
    print(f"{len(rows)} sentences ({len(double)} double, {len(relabel)} re-labelled 1.0 rows) "
          f"in {n_batches} batches of {min(load)}-{max(load)}")


if __name__ == "__main__":
    main()
