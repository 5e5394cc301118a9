"""Draw the enrichment sample: more sentences from the value-dense documents.

A random sample of whole documents is ~80% neutral sentences (administrative text,
figures, legal procedure), which leaves the classifier few positives per cluster.
This second, seeded sample draws only from the documents whose genre states policy
intentions (coalitieakkoorden, begrotingen, the Hervormingsagenda, reports), never
from sentences already sampled, and never by any lexicon or model score. Rows get
``sample=enriched``; the first sample is ``sample=random`` and is the one used for
estimates on the natural distribution.

    python scripts/sample_enrichment.py --raw ../shared/corpus/raw
"""

from __future__ import annotations

import argparse
import csv
import random
import re
from pathlib import Path

from sample_corpus import read_baarn_yaml  # noqa: E402  (script folder on sys.path)

from analyzer.ingest import extract
from analyzer.nlp import build_pipeline
from analyzer.segment import make_doc_id, segment

SEED = 20261124
DOCS = {  # doc_key -> number of extra sentences
    "rijk-coalitieakkoord-2021": 420, "hervormingsagenda-jeugd": 420, "wassenaar-begroting-2021": 330,
    "ibo-schulden": 260, "aaenhunze-coalitieakkoord": 80, "baarn-coalitieakkoord": 260,
    "wassenaar-begroting-2025": 330, "vroegsignalering": 130, "kamervragen-1a52": 20, "kamervragen-1bca": 20,
    "kamervragen-1c83": 30,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--raw", type=Path, default=Path("../shared/corpus/raw"))
    parser.add_argument("--out", type=Path, default=Path("corpus"))
    args = parser.parse_args()
    nlp = build_pipeline("blank")
    with open(args.out / "documents.tsv", encoding="utf-8") as fh:
        docs = {d["doc_key"]: d for d in csv.DictReader(fh, delimiter="\t")}
    with open(args.out / "sentences.tsv", encoding="utf-8") as fh:
        existing = list(csv.DictReader(fh, delimiter="\t"))
    taken = {r["sentence_id"] for r in existing}
    seen_text = {re.sub(r"\W+", " ", r["text"].lower()) for r in existing}
    rng = random.Random(SEED)
    rows = []
    for key, quota in DOCS.items():
        doc = docs[key]
        path = args.raw / doc["path"]
        extracted = read_baarn_yaml(path) if path.suffix == ".yaml" else extract(path)
        doc_id = make_doc_id(str(path), extracted.sha256)
        pool = []
        for s in segment(extracted, nlp, doc_id=doc_id):
            norm = re.sub(r"\W+", " ", s.text.lower())
            if s.kind in ("prose", "list_item") and 8 <= s.n_words <= 60 and s.sentence_id not in taken \
                    and norm not in seen_text:
                seen_text.add(norm)
                pool.append(s)
        picked = sorted(rng.sample(pool, min(quota, len(pool))), key=lambda s: s.index)
        print(f"{key:28} {doc['split']:5} pool {len(pool):5}, sampled {len(picked)}")
        for s in picked:
            rows.append({"sentence_id": s.sentence_id, "doc_key": key, "split": doc["split"], "page": s.page,
                         "section": s.section[:120], "text": s.text, "sample": "enriched"})
    for r in existing:
        r.setdefault("sample", "random")
        if not r["sample"]:
            r["sample"] = "random"
    all_rows = existing + rows
    with open(args.out / "sentences.tsv", "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=["sentence_id", "doc_key", "split", "page", "section", "text", "sample"],
                                delimiter="\t", lineterminator="\n")
        writer.writeheader()
        writer.writerows(all_rows)
    order = list(range(len(rows)))
    rng.shuffle(order)
    batches = {i: f"enrich{(k % 2) + 1}" for k, i in enumerate(order)}
    with open(args.out / "annotation" / "assignment.tsv", "a", encoding="utf-8") as fh:
        for i, r in enumerate(rows):
            fh.write(f"{r['sentence_id']}\t{batches[i]}\n")
    print(f"{len(rows)} enrichment sentences; corpus now {len(all_rows)}")


if __name__ == "__main__":
    main()
