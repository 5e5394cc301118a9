"""Merge annotators' labels into the gold file, measure agreement, prepare adjudication.

    python scripts/build_labels.py            # writes corpus/labels.tsv and corpus/annotation/*

Reads ``corpus/annotation/labels/<annotator>__<batch>.jsonl``. For the double-annotated
batch it computes per-cluster Cohen's kappa and Krippendorff's alpha (nominal, two
coders) and the inter-annotator F1, writes ``annotation/double.tsv`` (both label sets
side by side) and ``annotation/disagreements.tsv`` (for the adjudicator). Gold labels:
where the two annotators agree on the clusters, their labels (values: the union of
values whose cluster is agreed); where they disagree, the adjudicator's labels from
``labels/<annotator>__adjudication.jsonl``; single-annotated batches as labelled.
"""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
ANN = CORPUS / "annotation"


def load_labels() -> dict[str, dict[str, dict]]:
    """batch -> annotator -> sentence_id -> label object."""
    out: dict[str, dict[str, dict]] = defaultdict(dict)
    for path in sorted((ANN / "labels").glob("*.jsonl")):
        annotator, batch = path.stem.split("__")
        rows = {}
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                rows[row["sentence_id"]] = row
        out[batch][annotator] = rows
    return out


def kappa_alpha(a: list[int], b: list[int]) -> tuple[float, float]:
    n = len(a)
    agree = sum(x == y for x, y in zip(a, b, strict=True)) / n
    pa, pb = sum(a) / n, sum(b) / n
    pe = pa * pb + (1 - pa) * (1 - pb)
    kappa = (agree - pe) / (1 - pe) if pe < 1 else 1.0
    # Krippendorff's alpha, nominal, 2 coders, no missing values
    p = (sum(a) + sum(b)) / (2 * n)
    de = 2 * p * (1 - p) * (2 * n) / (2 * n - 1)
    do = 1 - agree
    alpha = 1 - do / de if de > 0 else 1.0
    return kappa, alpha


def f1(a: list[int], b: list[int]) -> float:
    tp = sum(x and y for x, y in zip(a, b, strict=True))
    denom = sum(a) + sum(b)
    return 2 * tp / denom if denom else 1.0


def main() -> None:
    with open(ROOT / "data" / "lexicon" / "scheme.tsv", encoding="utf-8") as fh:
        scheme = list(csv.DictReader(fh, delimiter="\t"))
    clusters = list(dict.fromkeys(r["cluster"] for r in scheme))
    cluster_of = {r["value"]: r["cluster"] for r in scheme}
    with open(CORPUS / "sentences.tsv", encoding="utf-8") as fh:
        sentences = list(csv.DictReader(fh, delimiter="\t"))
    labels = load_labels()
    gold: dict[str, dict] = {}
    double = labels.get("double", {})
    coders = sorted(a for a in double if a != "adjudication")
    adjudication = labels.get("adjudication", {})
    adjudicator, adj = next(iter(adjudication.items())) if adjudication else ("", {})
    report = []
    if len(coders) == 2:
        ca, cb = coders
        ids = [s for s in double[ca] if s in double[cb]]
        rows_double, rows_disagree = [], []
        per = {}
        for c in clusters + ["(any)"]:
            if c == "(any)":
                va = [int(bool(double[ca][s]["clusters"])) for s in ids]
                vb = [int(bool(double[cb][s]["clusters"])) for s in ids]
            else:
                va = [int(c in double[ca][s]["clusters"]) for s in ids]
                vb = [int(c in double[cb][s]["clusters"]) for s in ids]
            k, al = kappa_alpha(va, vb)
            per[c] = (sum(va), sum(vb), k, al, f1(va, vb))
        for s in ids:
            la, lb = double[ca][s], double[cb][s]
            rows_double.append({"sentence_id": s, "clusters_a": "|".join(sorted(la["clusters"])),
                                "clusters_b": "|".join(sorted(lb["clusters"])), "values_a": "|".join(sorted(la["values"])),
                                "values_b": "|".join(sorted(lb["values"])), "annotator_a": ca, "annotator_b": cb})
            if set(la["clusters"]) == set(lb["clusters"]):
                agreed = set(la["clusters"])
                values = sorted({v for v in set(la["values"]) | set(lb["values"]) if cluster_of[v] in agreed})
                negated = sorted((set(la.get("negated", [])) | set(lb.get("negated", []))) & (agreed | set(values)))
                gold[s] = {"clusters": sorted(agreed, key=clusters.index), "values": values, "negated": negated,
                           "annotator": f"{ca}+{cb}", "agreement": "agreed"}
            else:
                rows_disagree.append(s)
                if s in adj:
                    g = adj[s]
                    gold[s] = {"clusters": sorted(g["clusters"], key=clusters.index), "values": sorted(g["values"]),
                               "negated": sorted(g.get("negated", [])), "annotator": f"{adjudicator} (adjudicated {ca}/{cb})",
                               "agreement": "adjudicated"}
        _write(ANN / "double.tsv", rows_double)
        text = {r["sentence_id"]: r for r in sentences}
        with open(ANN / "disagreements.tsv", "w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh, delimiter="\t", lineterminator="\n")
            w.writerow(["sentence_id", "doc_key", "page", "section", "text", "annotator_1_clusters", "annotator_1_values",
                        "annotator_2_clusters", "annotator_2_values"])
            for s in rows_disagree:
                r = text[s]
                w.writerow([s, r["doc_key"], r["page"], r["section"], r["text"], "|".join(double[ca][s]["clusters"]),
                            "|".join(double[ca][s]["values"]), "|".join(double[cb][s]["clusters"]), "|".join(double[cb][s]["values"])])
        report += [f"# Inter-annotator agreement ({len(ids)} double-annotated sentences)", "",
                   f"Annotators `{ca}` and `{cb}` labelled the same {len(ids)} sentences independently (see README.md). "
                   f"They disagreed on the cluster set of {len(rows_disagree)} sentences "
                   f"({len(rows_disagree) / len(ids):.0%}); `{adjudicator or '(none yet)'}` adjudicated those.", "",
                   "| cluster | positives A | positives B | Cohen's kappa | Krippendorff's alpha | F1 (A vs B) |",
                   "|---|---|---|---|---|---|"]
        for c, (na, nb, k, al, ff) in per.items():
            report.append(f"| {c} | {na} | {nb} | {k:.2f} | {al:.2f} | {ff:.2f} |")
        macro = sum(per[c][4] for c in clusters) / len(clusters)
        report += ["", f"Macro-F1 between annotators over the 9 clusters: {macro:.3f}. "
                   "`(any)` is the decision value-laden vs none."]
    for batch, by_annotator in labels.items():
        if batch in ("double", "adjudication"):
            continue
        for annotator, rows in by_annotator.items():
            for s, r in rows.items():
                gold[s] = {"clusters": sorted(r["clusters"], key=clusters.index), "values": sorted(r["values"]),
                           "negated": sorted(r.get("negated", [])), "annotator": annotator, "agreement": "single"}
    out = []
    for r in sentences:
        g = gold.get(r["sentence_id"])
        if g is None:
            continue
        out.append({"sentence_id": r["sentence_id"], "clusters": "|".join(g["clusters"]), "values": "|".join(g["values"]),
                    "negated": "|".join(g["negated"]), "annotator": g["annotator"], "agreement": g["agreement"]})
    _write(CORPUS / "labels.tsv", out)
    counts = defaultdict(lambda: defaultdict(int))
    split_of = {r["sentence_id"]: r["split"] for r in sentences}
    sample_of = {r["sentence_id"]: r.get("sample", "random") for r in sentences}
    for row in out:
        sp = split_of[row["sentence_id"]]
        counts[sp]["sentences"] += 1
        counts[sp][f"sample {sample_of[row['sentence_id']]}"] += 1
        if not row["clusters"]:
            counts[sp]["none"] += 1
        for c in row["clusters"].split("|"):
            if c:
                counts[sp][c] += 1
    report += ["", "# Label counts (gold)", "", "| | " + " | ".join(("train", "dev", "test")) + " |", "|---|---|---|---|"]
    keys = ["sentences", "sample random", "sample enriched", "none"] + clusters
    for k in keys:
        report.append(f"| {k} | " + " | ".join(str(counts[s][k]) for s in ("train", "dev", "test")) + " |")
    (ANN / "agreement.md").write_text("\n".join(report) + "\n", encoding="utf-8")
    print("\n".join(report))
    print(f"\nwrote {len(out)} gold rows to corpus/labels.tsv")


def _write(path: Path, rows: list[dict]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]), delimiter="\t", lineterminator="\n")
        w.writeheader()
        w.writerows(rows)


if __name__ == "__main__":
    main()
