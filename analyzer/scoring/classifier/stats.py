"""Counts of the annotated corpus, and its targets (``waardenscan corpus stats``).

Read from the committed files only (labels, strata and splits need no document text), so
the numbers are the same with or without the shared corpus beside the checkout.
"""

from __future__ import annotations

import csv
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

TARGETS = {
    "sentences": 15_000, "documents": 80, "value_bearing": 4_000, "municipal_share": 0.40,
    "train_per_cluster": 250, "train_puurheid": 120, "per_value": 60, "double": 2_000,
    "test_municipal_documents": 8, "test_municipalities": 5, "test_municipal_value_bearing": 300,
}


@dataclass
class CorpusStats:
    counts: dict[str, Counter] = field(default_factory=dict)
    totals: dict[str, Any] = field(default_factory=dict)
    checks: list[tuple[str, str, bool]] = field(default_factory=list)


def _split(cell: str) -> list[str]:
    return [x for x in cell.split("|") if x]


def corpus_stats(folder: str | Path) -> CorpusStats:
    """Counts per split, cluster, value, genre, stratum and municipality, and the targets."""
    folder = Path(folder)

    def read(name: str) -> list[dict[str, str]]:
        with open(folder / name, encoding="utf-8", newline="") as fh:
            return list(csv.DictReader(fh, delimiter="\t"))

    docs = {d["doc_key"]: d for d in read("documents.tsv")}
    sentences = {s["sentence_id"]: s for s in read("sentences.tsv")}
    labels = read("labels.tsv")
    scheme_path = folder.parent / "data" / "lexicon" / "scheme.tsv"
    with open(scheme_path, encoding="utf-8", newline="") as fh:
        scheme = [(r["cluster"], r["value"]) for r in csv.DictReader(fh, delimiter="\t")]
    clusters = list(dict.fromkeys(c for c, _ in scheme))
    st = CorpusStats()
    c: dict[str, Counter] = {k: Counter() for k in (
        "split", "split_value_bearing", "cluster_by_split", "value_by_split", "genre", "genre_value_bearing",
        "stratum", "stratum_value_bearing", "municipality", "municipality_value_bearing", "codebook",
        "agreement", "annotator")}
    used_docs: set[str] = set()
    municipal_vb = value_bearing = 0
    test_muni_docs: set[str] = set()
    test_munis: set[str] = set()
    test_muni_vb = 0
    for lab in labels:
        s = sentences[lab["sentence_id"]]
        d = docs[s["doc_key"]]
        split = s["split"]
        used_docs.add(s["doc_key"])
        found = _split(lab["clusters"])
        vb = bool(found)
        municipal = d.get("municipal") == "yes"
        c["split"][split] += 1
        c["genre"][d["doc_type"]] += 1
        c["stratum"][s.get("stratum") or s.get("sample", "")] += 1
        c["codebook"][lab.get("codebook", "")] += 1
        c["agreement"][lab.get("agreement", "")] += 1
        for who in lab.get("annotator", "").replace(">", "+").split("+"):
            c["annotator"][who] += 1
        if municipal:
            c["municipality"][d.get("municipality") or d["issuer"]] += 1
        if vb:
            value_bearing += 1
            municipal_vb += municipal
            c["split_value_bearing"][split] += 1
            c["genre_value_bearing"][d["doc_type"]] += 1
            c["stratum_value_bearing"][s.get("stratum") or s.get("sample", "")] += 1
            if municipal:
                c["municipality_value_bearing"][d.get("municipality") or d["issuer"]] += 1
        for cluster in found:
            c["cluster_by_split"][(cluster, split)] += 1
        for value in _split(lab["values"]):
            c["value_by_split"][(value, split)] += 1
        if split == "test" and d["issuer"].startswith("Gemeente"):
            test_muni_docs.add(s["doc_key"])
            test_munis.add(d.get("municipality") or d["issuer"])
            test_muni_vb += vb
    double = sum(1 for lab in labels if lab.get("agreement") in ("agreed", "adjudicated"))
    st.counts = c
    st.totals = {"sentences": len(labels), "documents": len(used_docs), "value_bearing": value_bearing,
                 "municipal_value_bearing": municipal_vb, "double": double,
                 "test_municipal_documents": len(test_muni_docs), "test_municipalities": len(test_munis),
                 "test_municipal_value_bearing": test_muni_vb, "clusters": clusters,
                 "values": [v for _, v in scheme]}
    t = TARGETS
    share = municipal_vb / value_bearing if value_bearing else 0.0
    st.checks = [
        ("annotated sentences", f"{len(labels)} (target >= {t['sentences']})", len(labels) >= t["sentences"]),
        ("documents", f"{len(used_docs)} (target >= {t['documents']})", len(used_docs) >= t["documents"]),
        ("value-bearing sentences", f"{value_bearing} (target >= {t['value_bearing']})",
         value_bearing >= t["value_bearing"]),
        ("municipal share of value-bearing", f"{share:.1%} (target >= {t['municipal_share']:.0%})",
         share >= t["municipal_share"]),
        ("double-annotated", f"{double} (target >= {t['double']})", double >= t["double"]),
        ("test: municipal government documents", f"{len(test_muni_docs)} (target >= {t['test_municipal_documents']})",
         len(test_muni_docs) >= t["test_municipal_documents"]),
        ("test: municipalities", f"{len(test_munis)} (target >= {t['test_municipalities']})",
         len(test_munis) >= t["test_municipalities"]),
        ("test: municipal value-bearing sentences",
         f"{test_muni_vb} (target >= {t['test_municipal_value_bearing']})",
         test_muni_vb >= t["test_municipal_value_bearing"]),
    ]
    for cluster in clusters:
        n = c["cluster_by_split"][(cluster, "train")]
        need = t["train_puurheid"] if cluster == "Puurheid" else t["train_per_cluster"]
        st.checks.append((f"train: {cluster}", f"{n} (target >= {need})", n >= need))
    return st


def format_stats(st: CorpusStats) -> str:
    """The stats as plain text tables."""
    c, tot = st.counts, st.totals
    splits = ("train", "dev", "test")
    lines = ["Targets (issue 'Annotated corpus 2.0'):"]
    lines += [f"  {'ok ' if ok else 'NO '} {name}: {text}" for name, text, ok in st.checks]
    lines.append("")
    lines.append(f"{'split':<12}{'sentences':>10}{'with a value':>14}")
    for s in splits:
        lines.append(f"{s:<12}{c['split'][s]:>10}{c['split_value_bearing'][s]:>14}")
    lines.append("")
    lines.append(f"{'cluster':<18}" + "".join(f"{s:>8}" for s in splits))
    for cluster in tot["clusters"]:
        lines.append(f"{cluster:<18}" + "".join(f"{c['cluster_by_split'][(cluster, s)]:>8}" for s in splits))
    lines.append("")
    lines.append(f"{'value':<26}" + "".join(f"{s:>8}" for s in splits) + f"{'all':>8}")
    for value in tot["values"]:
        n = [c["value_by_split"][(value, s)] for s in splits]
        flag = "" if sum(n) >= TARGETS["per_value"] else f"  (< {TARGETS['per_value']})"
        lines.append(f"{value:<26}" + "".join(f"{x:>8}" for x in n) + f"{sum(n):>8}{flag}")
    for title, key in (("genre", "genre"), ("stratum", "stratum"), ("municipality", "municipality")):
        lines.append("")
        lines.append(f"{title:<40}{'sentences':>10}{'with a value':>14}")
        rows = c[key].most_common()
        if key == "municipality":
            lines.append(f"{len(rows)} municipalities; the 15 largest:")
            rows = rows[:15]
        for name, n in rows:
            lines.append(f"{str(name)[:39]:<40}{n:>10}{c[key + '_value_bearing'][name]:>14}")
    lines.append("")
    lines.append("codebook versions: " + ", ".join(f"{k or '?'} {v}" for k, v in c["codebook"].most_common()))
    lines.append("agreement: " + ", ".join(f"{k or '?'} {v}" for k, v in c["agreement"].most_common()))
    return "\n".join(lines)
