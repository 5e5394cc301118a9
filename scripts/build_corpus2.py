"""Build the committed files of the annotated corpus 2.0 from the raw annotations (issue #13).

Inputs: the 1.0 corpus (``corpus/sentences.tsv``, ``labels.tsv``), the drawn samples and
annotator batches in PRIVATE (they hold the text of party programmes and internal dossiers,
which the repository may not store), the assignments (``corpus/annotation/assignment2*.tsv``)
and every annotator's raw JSONL in ``PRIVATE/labels``.

Gold labels: a single-annotated sentence takes its annotator's label; a double-annotated one
the agreed label, or, where the two annotators' cluster or value sets differ, the
adjudicator's decision (``agreement=adjudicated``, the reason in
``annotation/disagreements2.tsv``). 1.0 rows that codebook 1.1 touches take their 1.1 label.
Every row records annotator(s), codebook version, stratum and selection probability.

Ids: 1.0 rows keep theirs. A 2.0 row's id is ``<doc_id>:2-<index>``, its index in the
segmentation of waardenscan 0.3.0 (1.0's ids came from an earlier segmentation, so the same
index can name another sentence); the annotation files keep the ids the annotators saw
(``<doc_id>:<index>``), which ``annotation_id`` in ``sentences.tsv`` records.

Writes ``corpus/sentences.tsv``, ``corpus/labels.tsv``, ``corpus/annotation/batches2/``,
``labels2/``, ``double2.tsv``, ``disagreements2.tsv`` and ``agreement.md``.

    python scripts/build_corpus2.py --raw ../shared/corpus/raw --private /work/annot
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import re
import shutil
import sys
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

CLUSTERS = ["Vrijheid", "Rechtvaardigheid", "Puurheid", "Loyaliteit", "Empathie", "Gezag", "Continuïteit",
            "Kwaliteit", "Nut"]
SENTENCE_COLUMNS = ["sentence_id", "doc_key", "split", "page", "section", "text", "sample", "stratum",
                    "selection_prob", "pool_size", "text_sha256", "source_sha256", "locator", "char_start",
                    "char_end", "annotation_id"]


def corpus_id(raw_id: str) -> str:
    """The corpus id of a 2.0 row from the id its annotators saw."""
    doc_id, index = raw_id.rsplit(":", 1)
    return f"{doc_id}:2-{index}"
LABEL_COLUMNS = ["sentence_id", "clusters", "values", "negated", "annotator", "agreement", "codebook"]


def read_tsv(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


def write_tsv(path: Path, rows: list[dict], columns: list[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=columns, delimiter="\t", lineterminator="\n", extrasaction="ignore")
        w.writeheader()
        w.writerows(rows)


def joined(items) -> str:  # type: ignore[no-untyped-def]
    return "|".join(items)


def norm(text: str) -> str:
    return re.sub(r"\W+", " ", text.lower())


def selection_1_0(docs: dict[str, dict], old: list[dict], raw: Path, nlp) -> dict[str, tuple[float, int]]:  # type: ignore[no-untyped-def]
    """Selection probability and pool size of every 1.0 row, recomputed with the 1.0
    samplers' rules (``sample_corpus.py``: a quota of min(n, max(20, 5.5 sqrt n), 175) of the
    n unique 5-80-word sentences; ``sample_enrichment.py``: its quota of the 8-60-word
    sentences not drawn before)."""
    from corpus_text import document_sentences
    from sample_enrichment import DOCS as ENRICH

    out: dict[str, tuple[float, int]] = {}
    by_doc = defaultdict(list)
    for r in old:
        by_doc[r["doc_key"]].append(r)
    seen_text = {norm(r["text"]) for r in old if r["sample"] == "random"}
    taken = {r["sentence_id"] for r in old if r["sample"] == "random"}
    enrich_pool: dict[str, int] = {}
    for key, rows in by_doc.items():
        sentences = document_sentences(raw / docs[key]["path"], nlp)
        seen, unique = set(), 0
        for s in sentences:
            k = re.sub(r"\W+", " ", s.text.lower())
            if s.kind in ("prose", "list_item") and 5 <= s.n_words <= 80 and k not in seen:
                seen.add(k)
                unique += 1
        quota = min(unique, max(20, int(5.5 * math.sqrt(unique))), 175)
        if key in ENRICH:
            pool = 0
            for s in sentences:
                k = norm(s.text)
                if s.kind in ("prose", "list_item") and 8 <= s.n_words <= 60 and s.sentence_id not in taken \
                        and k not in seen_text:
                    seen_text.add(k)
                    pool += 1
            enrich_pool[key] = pool
        for r in rows:
            if r["sample"] == "random":
                out[r["sentence_id"]] = (quota / unique if unique else 1.0, unique)
            else:
                pool = enrich_pool.get(key, 0)
                out[r["sentence_id"]] = (min(ENRICH.get(key, 0), pool) / pool if pool else 1.0, pool)
    return out


def main() -> None:
    from corpus_text import extract_document

    from analyzer.nlp import build_pipeline
    from analyzer.scoring.classifier.corpus import locate, page_texts, text_sha256

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--raw", type=Path, default=Path("../shared/corpus/raw"))
    parser.add_argument("--private", type=Path, required=True)
    parser.add_argument("--corpus", type=Path, default=Path("corpus"))
    args = parser.parse_args()
    corpus, private = args.corpus, args.private
    docs = {d["doc_key"]: d for d in read_tsv(corpus / "documents.tsv")}
    for d in docs.values():  # 1.0 named three CVDR municipalities without "Gemeente"
        if d["doc_key"] in ("cvdr-spijkenisse", "cvdr-someren", "cvdr-kampen"):
            d["issuer"] = "Gemeente " + d["issuer"].removeprefix("Gemeente ")
            d["municipality"] = d["issuer"].removeprefix("Gemeente ")
        d["municipal"] = "yes" if d["issuer"].startswith("Gemeente") or d["municipality"] else "no"
    write_tsv(corpus / "documents.tsv", list(docs.values()),
              ["doc_key", "path", "split", "doc_type", "issuer", "year", "store_text", "municipality", "municipal"])
    old = read_tsv(corpus / "sentences.tsv")
    if "stratum" in old[0]:
        sys.exit("corpus/sentences.tsv is already 2.0; run this from the 1.0 files (git checkout them first)")
    old_labels = {r["sentence_id"]: r for r in read_tsv(corpus / "labels.tsv")}
    rounds = ("2", "2b", "2c")  # sample_corpus2.py, sample_corpus2b.py (round 2 and --round 3)
    sample = [r for n in rounds for r in read_tsv(private / f"sample{n}.tsv")]
    assignment = [r for n in rounds for r in read_tsv(corpus / "annotation" / f"assignment{n}.tsv")]

    id_in: dict[tuple[str, str], str] = {}  # (id the annotator saw, batch) -> corpus id
    role: dict[str, str] = {}
    for a in assignment:
        cid = a["sentence_id"] if a["role"] == "relabel" else corpus_id(a["sentence_id"])
        role[cid] = a["role"]
        for batch in a["batches"].split("|"):
            id_in[(a["sentence_id"], batch)] = cid
    raw_labels: dict[str, list[tuple[str, str, dict]]] = defaultdict(list)
    adjudicated: dict[str, dict] = {}
    for f in sorted((private / "labels").glob("*.jsonl")):
        annotator, batch = f.stem.split("__")
        for line in f.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                if batch.startswith("adjudication"):  # adjudication happens on double rows (2.0 ids)
                    adjudicated[corpus_id(row["sentence_id"])] = {**row, "annotator": annotator}
                else:
                    raw_labels[id_in[(row["sentence_id"], batch)]].append((annotator, batch, row))

    # ---------------------------------------------------------------- sentences
    nlp = build_pipeline("blank")
    selection = selection_1_0(docs, old, args.raw, nlp)
    rows: list[dict] = []
    for r in old:
        prob, pool = selection[r["sentence_id"]]
        rows.append({**r, "stratum": r["sample"], "selection_prob": f"{prob:.6f}", "pool_size": pool,
                     "text_sha256": text_sha256(r["text"])})
    pages_of: dict[str, dict[int, str]] = {}
    sha_of: dict[str, str] = {}
    unlocated = Counter()
    for r in sample:
        d = docs[r["doc_key"]]
        row = {**r, "sentence_id": corpus_id(r["sentence_id"]), "annotation_id": r["sentence_id"],
               "sample": r["stratum"], "text_sha256": text_sha256(r["text"])}
        if d["store_text"] == "no":
            if d["doc_key"] not in pages_of:
                extracted = extract_document(args.raw / d["path"])
                pages_of[d["doc_key"]] = page_texts(extracted)
                sha_of[d["doc_key"]] = extracted.sha256
            span = locate(r["text"], pages_of[d["doc_key"]].get(int(r["page"]), ""))
            if span is None:
                unlocated[d["doc_key"]] += 1
            row.update(text="", section="", source_sha256=sha_of[d["doc_key"]],
                       locator=span[0] if span else "segment", char_start=span[1] if span else -1,
                       char_end=span[2] if span else -1)
        rows.append(row)
    ids = Counter(r["sentence_id"] for r in rows)
    dup = [s for s, n in ids.items() if n > 1]
    if dup:
        sys.exit(f"{len(dup)} duplicate sentence ids, e.g. {dup[:3]}")
    write_tsv(corpus / "sentences.tsv", rows, SENTENCE_COLUMNS)
    print(f"sentences.tsv: {len(rows)} rows; reference-only rows found neither verbatim nor with "
          f"hyphenation undone on their page (rebuilt by segmentation): {sum(unlocated.values())}")

    # ---------------------------------------------------------------- labels
    gold: dict[str, dict] = {}
    for sid, r in old_labels.items():
        gold[sid] = {**r, "codebook": "1.0"}
    doubles, disagreements = [], []
    for sid, labels in raw_labels.items():
        first = labels[0]
        if role.get(sid) == "double":
            (a1, b1, l1), (a2, b2, l2) = labels[:2]
            agree = set(l1["clusters"]) == set(l2["clusters"]) and set(l1["values"]) == set(l2["values"])
            doubles.append({"sentence_id": sid, "annotator_1": a1, "clusters_1": joined(l1["clusters"]),
                            "values_1": joined(l1["values"]), "annotator_2": a2,
                            "clusters_2": joined(l2["clusters"]), "values_2": joined(l2["values"]),
                            "agreed": "yes" if agree else "no"})
            if agree:
                # the same clusters and values; negation flags: a name is negated when both say so
                chosen = {**l1, "negated": [n for n in l1["negated"] if n in l2["negated"]]}
                gold[sid] = _gold(sid, chosen, f"{a1}+{a2}", "agreed")
            else:
                adj = adjudicated.get(sid)
                if adj is None:
                    sys.exit(f"{sid}: a double-annotated disagreement without an adjudication")
                gold[sid] = _gold(sid, adj, f"{a1}+{a2}>{adj['annotator']}", "adjudicated")
                disagreements.append({"sentence_id": sid, "label_1": _short(l1), "label_2": _short(l2),
                                      "adjudicated": _short(adj), "decision": adj.get("decision", ""),
                                      "reason": adj.get("reason", ""), "adjudicator": adj["annotator"]})
        else:
            annotator, _, label = first
            gold[sid] = _gold(sid, label, annotator, "relabelled" if role.get(sid) == "relabel" else "single")
    order = [r["sentence_id"] for r in rows]
    missing = [s for s in order if s not in gold]
    if missing:
        sys.exit(f"{len(missing)} sentences without a label, e.g. {missing[:3]}")
    write_tsv(corpus / "labels.tsv", [gold[s] for s in order], LABEL_COLUMNS)
    ann = corpus / "annotation"
    write_tsv(ann / "double2.tsv", doubles, list(doubles[0]))
    write_tsv(ann / "disagreements2.tsv", disagreements, list(disagreements[0]))

    # ---------------------------------------------------------------- what annotators saw
    private_docs = {k for k, d in docs.items() if d["store_text"] == "no"}
    key_of = {r.get("annotation_id") or r["sentence_id"]: r["doc_key"] for r in rows}
    for name, folder in (("batches2", private / "batches"), ("labels2", private / "labels")):
        target = ann / name
        shutil.rmtree(target, ignore_errors=True)
        target.mkdir(parents=True)
        for f in sorted(folder.iterdir()):
            if f.suffix == ".tsv":
                batch = read_tsv(f)
                for b in batch:
                    if key_of.get(b["sentence_id"]) in private_docs:
                        b["text"] = ""
                        b["section"] = ""
                write_tsv(target / f.name, batch, list(batch[0]))
            elif f.suffix == ".jsonl":
                shutil.copyfile(f, target / f.name)
    for adj_in in sorted(private.glob("adjudicate*.tsv")):
        batch = read_tsv(adj_in)
        for b in batch:
            if key_of.get(b["sentence_id"]) in private_docs:
                b["text"] = ""
                b["section"] = ""
        write_tsv(ann / "batches2" / adj_in.name, batch, list(batch[0]))
    write_agreement(ann / "agreement.md", doubles, disagreements, corpus)
    print(f"labels.tsv: {len(gold)} rows; {len(doubles)} double-annotated in 2.0, "
          f"{len(disagreements)} adjudicated")


def _gold(sid: str, label: dict, annotator: str, agreement: str) -> dict:
    return {"sentence_id": sid, "clusters": joined(_ordered(label["clusters"], CLUSTERS)),
            "values": joined(label["values"]), "negated": joined(label.get("negated", [])),
            "annotator": annotator, "agreement": agreement, "codebook": "1.1"}


def _ordered(items: list[str], order: list[str]) -> list[str]:
    return sorted(items, key=lambda x: order.index(x) if x in order else len(order))


def _short(label: dict) -> str:
    return json.dumps({k: label.get(k, []) for k in ("clusters", "values", "negated")}, ensure_ascii=False)


def write_agreement(path: Path, doubles: list[dict], disagreements: list[dict], corpus: Path) -> None:
    """Agreement of the 2.0 double set (F1 and Cohen's kappa per cluster), after 1.0's table."""
    from sklearn.metrics import cohen_kappa_score, f1_score

    a = [set(r["clusters_1"].split("|")) - {""} for r in doubles]
    b = [set(r["clusters_2"].split("|")) - {""} for r in doubles]
    lines = ["# Inter-annotator agreement", "",
             "Two double-annotated sets, each labelled by two independent annotators (helper agents that saw",
             "only the codebook, the card and the sentences); disagreements on the cluster or value set were",
             "adjudicated by a third pass that saw both labels and recorded a reason.", "",
             f"## Corpus 2.0 (codebook 1.1): {len(doubles)} sentences", "",
             f"The annotators gave different cluster or value sets for {len(disagreements)} sentences "
             f"({len(disagreements) / max(len(doubles), 1):.1%}); those were adjudicated "
             "(`disagreements2.tsv`).", "",
             "| cluster | positives 1 | positives 2 | Cohen's kappa | F1 (1 vs 2) |", "|---|---|---|---|---|"]
    f1s = []
    for c in CLUSTERS:
        y1 = [c in x for x in a]
        y2 = [c in x for x in b]
        kappa = cohen_kappa_score(y1, y2) if any(y1) or any(y2) else float("nan")
        f1 = f1_score(y1, y2, zero_division=0)
        f1s.append(f1)
        lines.append(f"| {c} | {sum(y1)} | {sum(y2)} | {kappa:.2f} | {f1:.2f} |")
    any1 = [bool(x) for x in a]
    any2 = [bool(x) for x in b]
    lines.append(f"| (any) | {sum(any1)} | {sum(any2)} | {cohen_kappa_score(any1, any2):.2f} | "
                 f"{f1_score(any1, any2):.2f} |")
    lines += ["", f"Macro-F1 between annotators over the 9 clusters: {sum(f1s) / len(f1s):.3f}. "
              "`(any)` is the decision value-laden vs none.", "",
              "**Caveat.** Every annotator is an instance of the same language model with the same",
              "instructions, so agreement measures how consistently the codebook is applied by that model,",
              "not agreement between people; human annotators would disagree more.", ""]
    old = (corpus / "annotation" / "agreement.md")
    previous = old.read_text(encoding="utf-8") if old.exists() else ""
    if "## Corpus 1.0" not in previous:
        previous = "## Corpus 1.0 (codebook 1.0): 640 sentences\n\n" + previous.split("\n", 1)[-1] \
            if previous.startswith("#") else previous
    else:
        previous = previous[previous.index("## Corpus 1.0"):]
    path.write_text("\n".join(lines) + "\n" + previous, encoding="utf-8")


if __name__ == "__main__":
    main()
