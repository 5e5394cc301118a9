"""Precision of lexicon hits per cluster from the hand-checked sample.

    python scripts/lexicon_precision.py

Reads ``corpus/lexicon_check/sample.tsv`` and ``checked.tsv`` and prints precision per
cluster (share of sampled hits whose sentence really expresses the cluster, per the
codebook) with 95% Wilson intervals, overall and per document.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path

from analyzer.profile import wilson

ROOT = Path(__file__).resolve().parents[1] / "corpus" / "lexicon_check"


def main() -> None:
    with open(ROOT / "sample.tsv", encoding="utf-8") as fh:
        sample = {r["hit_id"]: r for r in csv.DictReader(fh, delimiter="\t")}
    with open(ROOT / "checked.tsv", encoding="utf-8") as fh:
        checked = list(csv.DictReader(fh, delimiter="\t"))
    by = defaultdict(lambda: [0, 0, 0])
    for c in checked:
        hit = sample[c["hit_id"]]
        for key in (("cluster", hit["cluster"]), ("document", hit["doc_key"]), ("all", "all")):
            by[key][0] += 1
            by[key][1] += c["cluster_correct"] == "yes"
            by[key][2] += c["value_correct"] == "yes"
    print("| | hits | cluster correct | precision [95% CI] | value correct |")
    print("|---|---|---|---|---|")
    for kind in ("cluster", "document", "all"):
        for (k, name), (n, ok, vok) in by.items():
            if k != kind:
                continue
            low, high = wilson(ok, n)
            print(f"| {name} | {n} | {ok} | {ok / n:.2f} [{float(low):.2f}–{float(high):.2f}] | {vok} |")


if __name__ == "__main__":
    main()
