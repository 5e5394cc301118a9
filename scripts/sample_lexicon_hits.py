"""Sample lexicon hits on the test-split documents for a hand check of precision.

    python scripts/sample_lexicon_hits.py --raw ../shared/corpus/raw

Runs the packaged lexicon over the full text of every test-split document (documents
nobody tuned the lexicon or the model on), and draws a seeded sample of up to 25
non-negated hits per cluster. Writes ``corpus/lexicon_check/sample.tsv``; a checker marks
each hit correct or not against the codebook in ``checked.tsv``, and
``scripts/lexicon_precision.py`` turns that into precision per cluster.
"""

from __future__ import annotations

import argparse
import csv
import random
from pathlib import Path

from analyzer.api import score

SEED = 20261125
PER_CLUSTER = 25


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--raw", type=Path, default=Path("../shared/corpus/raw"))
    parser.add_argument("--out", type=Path, default=Path("corpus/lexicon_check"))
    args = parser.parse_args()
    with open("corpus/documents.tsv", encoding="utf-8") as fh:
        docs = [d for d in csv.DictReader(fh, delimiter="\t") if d["split"] == "test" and not d["path"].endswith(".yaml")]
    result = score([args.raw / d["path"] for d in docs], model=None, method="lexicon", pipeline="blank",
                   use_cache=False, profile=False)
    key_by_path = {str(args.raw / d["path"]): d["doc_key"] for d in docs}
    key_of = {row.doc_id: key_by_path[row.path] for row in result.documents.itertuples()}
    sentences = result.sentences.set_index("sentence_id")
    m = result.matches[~result.matches["negated"]]
    rng = random.Random(SEED)
    rows = []
    for cluster, group in m.groupby("cluster", sort=False):
        records = list(group.itertuples())
        for r in sorted(rng.sample(records, min(PER_CLUSTER, len(records))), key=lambda r: (r.doc_id, r.sentence_id)):
            text = sentences.loc[r.sentence_id, "text"]
            marked = text[: int(r.start)] + "[[" + text[int(r.start): int(r.end)] + "]]" + text[int(r.end):]
            rows.append({"hit_id": f"h{len(rows) + 1:04d}", "doc_key": key_of[r.doc_id], "page": r.page,
                         "cluster": cluster, "value": r.value, "term": r.term, "sentence": marked})
    args.out.mkdir(parents=True, exist_ok=True)
    with open(args.out / "sample.tsv", "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]), delimiter="\t", lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    print(f"{len(rows)} hits sampled from {len(m)} non-negated hits in {len(docs)} test documents")


if __name__ == "__main__":
    main()
