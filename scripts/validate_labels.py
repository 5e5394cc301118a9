"""Check an annotator's JSONL file against the codebook's output format.

    python scripts/validate_labels.py corpus/annotation/labels/ann-a.jsonl corpus/annotation/batches/double.tsv

Reports unknown names, values without their cluster, negated names that are not
labelled, duplicate or missing sentence ids. Exit 1 on any problem.
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

SCHEME = Path(__file__).resolve().parents[1] / "data" / "lexicon" / "scheme.tsv"


def main() -> int:
    labels_path, batch_path = Path(sys.argv[1]), Path(sys.argv[2])
    with open(SCHEME, encoding="utf-8") as fh:
        scheme = {r["value"]: r["cluster"] for r in csv.DictReader(fh, delimiter="\t")}
    clusters = set(scheme.values())
    with open(batch_path, encoding="utf-8") as fh:
        wanted = [r["sentence_id"] for r in csv.DictReader(fh, delimiter="\t")]
    seen: dict[str, int] = {}
    problems = []
    for lineno, line in enumerate(labels_path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            problems.append(f"line {lineno}: invalid JSON ({exc})")
            continue
        sid = row.get("sentence_id")
        if sid in seen:
            problems.append(f"line {lineno}: duplicate sentence_id {sid} (first on line {seen[sid]})")
        seen[sid] = lineno
        for key in ("clusters", "values", "negated"):
            if not isinstance(row.get(key, []), list):
                problems.append(f"line {lineno}: {key} must be a list")
        cl, va, ne = set(row.get("clusters", [])), set(row.get("values", [])), set(row.get("negated", []))
        for c in cl - clusters:
            problems.append(f"line {lineno}: unknown cluster {c!r}")
        for v in va:
            if v not in scheme:
                problems.append(f"line {lineno}: unknown value {v!r}")
            elif scheme[v] not in cl:
                problems.append(f"line {lineno}: value {v!r} listed without its cluster {scheme[v]!r}")
        for n in ne - cl - va:
            problems.append(f"line {lineno}: negated {n!r} is not among the labels")
    missing = [s for s in wanted if s not in seen]
    extra = [s for s in seen if s not in set(wanted)]
    if missing:
        problems.append(f"{len(missing)} sentence(s) of the batch not labelled yet, e.g. {missing[:3]}")
    if extra:
        problems.append(f"{len(extra)} sentence id(s) not in the batch, e.g. {extra[:3]}")
    for p in problems[:50]:
        print(p)
    print(f"{len(seen)} labelled of {len(wanted)}; {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
