"""Corpus 2.0, second round: the rest of two municipal begrotingen and an active-learning
sample for the rarest clusters (issue #13).

Round one (``sample_corpus2.py``) left the train split short of Puurheid, Empathie and Gezag
and the corpus just short of 40% municipal value-bearing sentences. This round draws:

``rest``      every eligible sentence of the Wassenaar begrotingen 2021 (train) and 2025 (test)
              not drawn before (selection probability 1 within what was left)
``al_rare2``  in train documents (the round-one manifestos and ten more), a random sample of
              the sentences that a model trained on the round-one train+dev labels gives a
              probability of at least 0.3 for Puurheid, Empathie or Gezag

The model sees only annotated train/dev sentences; no test label influences the sample. The
rows are appended to ``PRIVATE/sample2.tsv`` with their stratum and selection probability.

    python scripts/sample_corpus2b.py --raw ../shared/corpus/raw --private /work/annot
    python scripts/sample_corpus2b.py --private /work/annot --round 3   # Puurheid, Empathie only

Round 3 (``--round 3``) draws only the active-learning stratum, for Puurheid and Empathie,
from ten more manifestos, with a model trained on the round-one and round-two train/dev labels.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from sample_corpus2 import MAX_WORDS, MIN_WORDS, norm_key, topics  # noqa: E402

SEED = 20261206
RARE = ("Puurheid", "Empathie", "Gezag")
THRESHOLD = 0.3
REST = ("wassenaar-begroting-2021", "wassenaar-begroting-2025")
MORE_MANIFESTOS = ["CDA_2023", "ChristenUnie_2023", "D66_2023", "GroenLinksPvdA_2023", "NSC_2023", "SP_2023",
                   "VVD_2023", "SGP_2017", "PvdD_2017", "VijftigPLUS_2021"]
AL_PER_DOC = 22


def main() -> None:
    from corpus_text import document_sentences
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    from analyzer.nlp import build_pipeline

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--raw", type=Path, default=Path("../shared/corpus/raw"))
    parser.add_argument("--out", type=Path, default=Path("corpus"))
    parser.add_argument("--private", type=Path, required=True)
    parser.add_argument("--round", type=int, default=2, choices=[2, 3])
    args = parser.parse_args()
    global RARE, REST, MORE_MANIFESTOS, AL_PER_DOC
    if args.round == 3:
        RARE, REST, AL_PER_DOC = ("Puurheid", "Empathie"), (), 30
        MORE_MANIFESTOS = ["ChristenUnie_2006", "PvdA_2010", "SP_2010", "D66_2010", "GroenLinks_2012",
                           "SGP_2012", "CDA_2010", "PvdA_2006", "GroenLinks_2006", "VVD_2010", "Volt_2023",
                           "BIJ1_2023", "PvdD_2012", "SP_2006", "VijftigPLUS_2023", "PVV_2012"]
    rng = random.Random(SEED + args.round)
    nlp = build_pipeline("blank")
    with open(args.out / "documents.tsv", encoding="utf-8") as fh:
        docs = list(csv.DictReader(fh, delimiter="\t"))
    known = {d["doc_key"] for d in docs}
    for stem in MORE_MANIFESTOS:
        party, year = stem.rsplit("_", 1)
        key = f"tk-{stem.lower()}"
        if key not in known and (args.raw / f"dnpp-manifestos-txt-WouterBakker/{stem}.txt").is_file():
            docs.append({"doc_key": key, "path": f"dnpp-manifestos-txt-WouterBakker/{stem}.txt", "split": "train",
                         "doc_type": "verkiezingsprogramma (Tweede Kamer)", "issuer": party, "year": year,
                         "store_text": "no", "municipality": "", "municipal": "no"})
    sample = []
    for name in ("sample2.tsv", "sample2b.tsv") if args.round == 3 else ("sample2.tsv",):
        with open(args.private / name, encoding="utf-8") as fh:
            sample += list(csv.DictReader(fh, delimiter="\t"))
    with open(args.out / "sentences.tsv", encoding="utf-8") as fh:
        old = [r for r in csv.DictReader(fh, delimiter="\t") if r["text"] and not r.get("annotation_id")]
    done = {norm_key(r["text"]) for r in old} | {norm_key(r["text"]) for r in sample}

    # the active-learning model: round-one labels of train and dev sentences only
    labels = {}
    for f in sorted((args.private / "labels").glob("*.jsonl")):
        for line in f.read_text(encoding="utf-8").splitlines():
            if line.strip():
                r = json.loads(line)
                labels.setdefault(r["sentence_id"], r["clusters"])
    with open(args.out / "labels.tsv", encoding="utf-8") as fh:
        for r in csv.DictReader(fh, delimiter="\t"):
            labels.setdefault(r["sentence_id"], [c for c in r["clusters"].split("|") if c])
    fit = [(r["text"], labels[r["sentence_id"]]) for r in old + sample
           if r["split"] in ("train", "dev") and r["sentence_id"] in labels]
    vec = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), min_df=2, sublinear_tf=True, max_features=200_000)
    x = vec.fit_transform([t.lower() for t, _ in fit])
    models = {c: LogisticRegression(C=4.0, class_weight="balanced", max_iter=2000).fit(
        x, [c in cl for _, cl in fit]) for c in RARE}
    print(f"active-learning model on {len(fit)} train/dev sentences; positives "
          + ", ".join(f"{c} {sum(c in cl for _, cl in fit)}" for c in RARE))

    new_keys = {f"tk-{stem.lower()}" for stem in MORE_MANIFESTOS}
    manifesto_keys = [d["doc_key"] for d in docs if d["doc_type"] == "verkiezingsprogramma (Tweede Kamer)"
                      and d["split"] == "train" and (args.round == 2 or d["doc_key"] in new_keys)]
    rows = []
    for doc in docs:
        if doc["doc_key"] not in REST and doc["doc_key"] not in manifesto_keys:
            continue
        sentences = document_sentences(args.raw / doc["path"], nlp)
        topic = topics(sentences)
        eligible = []
        for s in sentences:
            key = norm_key(s.text)
            if s.kind in ("prose", "list_item") and MIN_WORDS <= s.n_words <= MAX_WORDS and key not in done \
                    and not s.text.lstrip().startswith("#"):
                done.add(key)
                eligible.append(s)
        if not eligible:
            continue
        if doc["doc_key"] in REST:
            picked = [(s, "rest", 1.0, len(eligible)) for s in eligible]
        else:
            xs = vec.transform([s.text.lower() for s in eligible])
            proba = {c: m.predict_proba(xs)[:, 1] for c, m in models.items()}
            pool = [i for i in range(len(eligible)) if any(proba[c][i] >= THRESHOLD for c in RARE)]
            k = min(AL_PER_DOC, len(pool))
            chosen = sorted(rng.sample(pool, k)) if k else []
            picked = [(eligible[i], "al_rare2", k / len(pool), len(pool)) for i in chosen]
        for s, stratum, prob, pool_size in picked:
            rows.append({"sentence_id": s.sentence_id, "doc_key": doc["doc_key"], "split": doc["split"],
                         "page": s.page, "section": (s.section or topic[s.sentence_id].split(" | ", 1)[1])[:120],
                         "text": s.text, "stratum": stratum, "selection_prob": f"{prob:.6f}", "pool_size": pool_size,
                         "eligible": len(eligible)})
        print(f"{doc['doc_key']:40} {doc['split']:5} {len(eligible):5} eligible, {len(picked)} drawn")
    with open(args.out / "documents.tsv", "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(docs[0]), delimiter="\t", lineterminator="\n", extrasaction="ignore",
                           restval="")
        w.writeheader()
        w.writerows(docs)
    with open(args.private / ("sample2b.tsv" if args.round == 2 else "sample2c.tsv"), "w", encoding="utf-8",
              newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]), delimiter="\t", lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    print(f"{len(rows)} sentences drawn")


if __name__ == "__main__":
    main()
