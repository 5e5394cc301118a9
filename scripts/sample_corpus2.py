"""Draw the corpus 2.0 sample for annotation from the shared corpus (issue #13).

Adds documents to ``corpus/documents.tsv`` (1.0's documents keep their split), extracts and
segments every document with waardenscan itself, scores each eligible sentence with the
1.0 lexicon and classifier (only to define the active-learning pools, never to label), and
draws disjoint strata per document, in this order:

``random``        a simple random sample of the document's eligible sentences
``census``        every eligible sentence (short municipal regulations and council items)
``dense_section`` a random sample of sentences under a social-domain section heading
``al_disagree``   a random sample of sentences where lexicon and classifier disagree
``al_uncertain``  a random sample of sentences with a classifier probability near its threshold
``al_rare``       a random sample of sentences the classifier leans towards a rare cluster for

Each pool is what is left of the document after the strata before it, so the strata are
disjoint and every row's ``selection_prob`` (drawn / pool) is the probability that a
sentence of that pool was drawn: weights ``1 / selection_prob`` give unbiased base rates per
stratum. Writes the new ``corpus/documents.tsv`` and ``PRIVATE/sample2.tsv``: one row per drawn
sentence with its text, kept outside the repository because party programmes and internal
dossiers may not be stored (``scripts/build_corpus2.py`` writes the committed files).

    python scripts/sample_corpus2.py --raw ../shared/corpus/raw --private /work/annot
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import math
import random
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

SEED = 20261204
MIN_WORDS, MAX_WORDS = 5, 80
SOCIAL = re.compile(
    r"zorg|welzijn|sociaal|sociale|jeugd|armoede|schuld|wmo|participatie|werk en inkomen|"
    r"inkomen|bijstand|gezondheid|ouderen|mantelzorg|inburgering|bestaans|meedoen|"
    r"ondersteuning|kwetsba|onderwijs|wonen|dienstverlening|samenleving|emancipatie|"
    r"minima|uitkering|arbeidsmarkt|integratie|veiligheid", re.I)
RARE = ("Puurheid", "Empathie", "Loyaliteit", "Vrijheid", "Gezag")

# national party manifestos sampled (a spread over parties and elections); the rest stay unused
MANIFESTOS = {
    "train": ["CDA_2021", "ChristenUnie_2012", "D66_2021", "GroenLinks_2021", "PvdA_2017",
              "SP_2021", "VVD_2017", "PVV_2021", "SGP_2021", "PvdD_2021", "VijftigPLUS_2017",
              "BIJ1_2021", "FVD_2021", "JA21_2021", "Volt_2021", "BoerBurgerBeweging_2021", "CDA_2012",
              "PvdA_2012", "VVD_2012", "SP_2012", "GroenLinks_2010", "ChristenUnie_2010",
              "D66_2006", "CDA_2006", "LPF_2002"],
    "dev": ["PvdA_2021", "VVD_2021", "CDA_2017"],
    "test": ["ChristenUnie_2021", "SP_2017", "GroenLinks_2017", "D66_2017"],
}
WASSENAAR_PROGRAMMES = {
    "1__VVD": "train", "2__Hart_voor_Wassenaar": "train", "3__Lokaal_Wassenaar": "dev",
    "4__GroenLinks-PvdA": "train", "5__CDA": "train", "6__D66": "train",
    "7__Democratische_Liberalen_Wassenaar": "train", "8__Forum_voor_Democratie": "dev",
    "9__Volt": "train",
}


def _split_of_municipality(code: str) -> str:
    """A stable split per municipality: 25% test, 15% dev, 60% train (by hash of the code)."""
    h = int(hashlib.sha256(code.encode()).hexdigest()[:8], 16) % 100
    return "test" if h < 25 else "dev" if h < 40 else "train"


def new_documents(raw: Path) -> list[dict[str, str]]:
    """The documents corpus 2.0 adds, with split, type, issuer and whether text may be stored."""
    docs: list[dict[str, str]] = []

    def add(key: str, path: str, split: str, doc_type: str, issuer: str, year: str,
            store: bool, municipality: str = "", plan: str = "random") -> None:
        if not (raw / path).is_file():
            print(f"missing in the shared corpus: {path}", file=sys.stderr)
            return
        docs.append({"doc_key": key, "path": path, "split": split, "doc_type": doc_type,
                     "issuer": issuer, "year": year, "store_text": "yes" if store else "no",
                     "municipality": municipality, "plan": plan})

    names = {}
    gm = raw / "wmo-scraper-cvdr-passages/source/gm_names.tsv"
    if gm.is_file():
        with open(gm, encoding="utf-8") as fh:
            for row in csv.reader(fh, delimiter="\t"):
                if len(row) >= 2:
                    names[row[0]] = row[1]
    for path in sorted((raw / "wmo-scraper-cvdr-passages/passages").glob("GM*.txt")):
        code = path.stem.split("_")[0]
        first = path.read_text(encoding="utf-8").splitlines()[0].lstrip("# ").strip()
        name = first or names.get(code, code)
        add(f"cvdr-{path.stem.lower()}", str(path.relative_to(raw)), _split_of_municipality(code),
            "verordening (passages)", f"Gemeente {name}", "2013-2026", True, name, "census")
    rot = "regelrecht-rotterdam-cvdr/"
    add("rotterdam-bijzondere-bijstand-2024",
        rot + "beleidsregels_bijzondere_bijstand_rotterdam_2024_2025-05-16.txt", "train",
        "beleidsregel", "Gemeente Rotterdam", "2024", True, "Rotterdam", "census")
    add("rotterdam-giften-2023",
        rot + "beleidsregels_giften_en_kostenvoordelen_participatiewet_rotterdam_2023_2023-10-11.txt",
        "dev", "beleidsregel", "Gemeente Rotterdam", "2023", True, "Rotterdam", "census")
    add("rotterdam-terugvordering-2017",
        rot + "beleidsregels_terugvordering_invordering_participatiewet_rotterdam_2017_2021-07-07.txt",
        "test", "beleidsregel", "Gemeente Rotterdam", "2017", True, "Rotterdam", "census")
    wsr = "watstemtmijnraad-raadsstukken/"
    add("haarlem-raadsstukken-2008", wsr + "haarlem-raadsstukken-2008-2009.txt", "test",
        "raadsstukken", "Gemeente Haarlem", "2008", False, "Haarlem", "census")
    add("almere-raadsstukken-2008", wsr + "almere-raadsstukken-moties-2008.txt", "dev",
        "raadsstukken", "Gemeente Almere", "2008", False, "Almere", "census")
    for stem, split in WASSENAAR_PROGRAMMES.items():
        party = stem.split("__", 1)[1].replace("_", " ")
        add(f"wassenaar-vp2026-{stem.split('__')[1].lower()}",
            f"wassenaar-beleidsbibliotheek/verkiezingsprogramma_2026_txt/{stem}.txt", split,
            "verkiezingsprogramma (gemeente)", f"{party} Wassenaar", "2026", False, "Wassenaar",
            "census")
    add("dalfsen-vvd-vp2026", "lokale-verkiezingsprogrammas-2026/VVD_Dalfsen_verkiezingsprogramma_2026-2030.pdf",
        "train", "verkiezingsprogramma (gemeente)", "VVD Dalfsen", "2026", False, "Dalfsen", "census")
    for split, stems in MANIFESTOS.items():
        for stem in stems:
            party, year = stem.rsplit("_", 1)
            add(f"tk-{stem.lower()}", f"dnpp-manifestos-txt-WouterBakker/{stem}.txt", split,
                "verkiezingsprogramma (Tweede Kamer)", party, year, False, "", "manifesto")
    for i, name in ((12, "Zorg_Welzijn_Sport"), (4, "Economie"), (6, "Klimaat")):
        add(f"rotterdam-onderhandeldossier-{i}", f"rotterdam-neodemos/Rotterdam_Onderhandeldossier{i}_{name}.pdf",
            "train", "onderhandelingsdossier", "fractie Rotterdam", "2026", False, "Rotterdam", "census")
    return docs


# how many sentences each plan draws from a document with n eligible sentences
def quotas(plan: str, n: int) -> dict[str, int]:
    if plan == "census":
        return {"census": n}
    if plan == "manifesto":
        return {"random": min(n, 40), "dense_section": 65, "al": 25}
    if plan == "begroting":
        return {"random": min(n, 200), "dense_section": 300, "al": 120}
    if plan == "akkoord":
        return {"random": min(n, 100), "dense_section": 140, "al": 60}
    if plan == "report":
        return {"random": min(n, 90), "dense_section": 40, "al": 30}
    if plan == "law":
        return {"random": min(n, 110), "al": 40}
    return {"random": min(n, max(20, int(5.5 * math.sqrt(n))), 175)}


# 1.0 documents that get more sentences in 2.0, with the plan for them
EXTEND = {
    "wassenaar-begroting-2021": "begroting", "wassenaar-begroting-2025": "begroting",
    "aaenhunze-coalitieakkoord": "census", "baarn-coalitieakkoord": "census",
    "ibo-schulden": "report", "vroegsignalering": "report", "jeugdwet": "law",
    "wmo2015": "law", "participatiewet": "law",
    "rijk-coalitieakkoord-2021": "akkoord", "hervormingsagenda-jeugd": "akkoord",
}


def topics(sentences) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """The section heading of each sentence or, in plain text where waardenscan finds no
    headings, the last heading-like line before it (Markdown '#', or a short line without
    final punctuation)."""
    out, last = {}, ""
    for s in sentences:
        text = s.text.strip()
        if text.startswith("#") or (len(text.split()) <= 8 and not text.endswith((".", ":", ";", "?", "!"))):
            last = text.lstrip("# ")
        out[s.sentence_id] = f"{s.section} | {last}"
    return out


def norm_key(text: str) -> str:
    return re.sub(r"\W+", " ", text.lower()).strip()


def main() -> None:
    from corpus_text import document_sentences  # scripts/corpus_text.py

    from analyzer.errors import WaardenscanError
    from analyzer.nlp import build_pipeline
    from analyzer.scoring.classifier.model import load_model
    from analyzer.scoring.lexicon import load_lexicon
    from analyzer.scoring.lexicon.match import Matcher

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--raw", type=Path, default=Path("../shared/corpus/raw"))
    parser.add_argument("--out", type=Path, default=Path("corpus"))
    parser.add_argument("--private", type=Path, required=True,
                        help="folder outside the repository for the drawn sentences with their "
                             "text (party programmes and internal dossiers may not be stored)")
    args = parser.parse_args()
    nlp = build_pipeline("blank")
    lexicon = load_lexicon()
    matcher = Matcher(lexicon)
    model = load_model(lexicon=lexicon)

    with open(args.out / "documents.tsv", encoding="utf-8") as fh:
        old_docs = list(csv.DictReader(fh, delimiter="\t"))
    with open(args.out / "sentences.tsv", encoding="utf-8") as fh:
        done = {norm_key(r["text"]) for r in csv.DictReader(fh, delimiter="\t")}
    known = {d["doc_key"] for d in old_docs}
    added = [d for d in new_documents(args.raw) if d["doc_key"] not in known]
    plans = [(d, EXTEND[d["doc_key"]]) for d in old_docs if d["doc_key"] in EXTEND]
    plans += [(d, d["plan"]) for d in added]

    rng = random.Random(SEED)
    rows: list[dict[str, object]] = []
    for doc, plan in plans:
        path = args.raw / doc["path"]
        try:
            sentences = document_sentences(path, nlp)
        except WaardenscanError as exc:
            print(f"{doc['doc_key']:40} skipped: {exc}", file=sys.stderr)
            continue
        topic = topics(sentences)
        eligible = []
        for s in sentences:
            key = norm_key(s.text)
            if s.kind in ("prose", "list_item") and MIN_WORDS <= s.n_words <= MAX_WORDS \
                    and key not in done and not s.text.lstrip().startswith("#"):
                done.add(key)
                eligible.append(s)
        if not eligible:
            print(f"{doc['doc_key']:40} no eligible sentences", file=sys.stderr)
            continue
        hits = [matcher.match(s) for s in eligible]
        proba = model.predict_proba(eligible, hits)
        lex = [{lexicon.cluster_of(h.term.value) for h in hs if not h.negated} for hs in hits]
        clf = [{lab for j, lab in enumerate(model.labels) if row[j] >= model.thresholds[lab]}
               for row in proba]
        near = [any(abs(row[j] - model.thresholds[lab]) < 0.12 for j, lab in enumerate(model.labels))
                for row in proba]
        rare = [any(row[model.labels.index(c)] >= 0.6 * model.thresholds[c] for c in RARE)
                for row in proba]
        q = quotas(plan, len(eligible))
        remaining = list(range(len(eligible)))
        picked: list[tuple[int, str, float, int]] = []

        def draw(stratum: str, pool: list[int], k: int, picked=picked, remaining=remaining) -> None:
            k = min(k, len(pool))
            if k <= 0:
                return
            chosen = rng.sample(pool, k)
            for i in chosen:
                picked.append((i, stratum, k / len(pool), len(pool)))
            taken = set(chosen)
            remaining[:] = [i for i in remaining if i not in taken]

        if "census" in q:
            draw("census", list(remaining), q["census"])
        if "random" in q:
            draw("random", list(remaining), q["random"])
        if "dense_section" in q:
            pool = [i for i in remaining if SOCIAL.search(topic[eligible[i].sentence_id])]
            draw("dense_section", pool, q["dense_section"])
        if "al" in q:
            per = q["al"] // 3
            draw("al_disagree", [i for i in remaining if lex[i] != clf[i]], per)
            draw("al_uncertain", [i for i in remaining if near[i]], per)
            draw("al_rare", [i for i in remaining if rare[i]], q["al"] - 2 * per)
        counts: dict[str, int] = {}
        for i, stratum, prob, pool_size in sorted(picked):
            s = eligible[i]
            counts[stratum] = counts.get(stratum, 0) + 1
            rows.append({
                "sentence_id": s.sentence_id, "doc_key": doc["doc_key"], "split": doc["split"],
                "page": s.page, "section": (s.section or topic[s.sentence_id].split(" | ", 1)[1])[:120],
                "text": s.text,
                "stratum": stratum, "selection_prob": f"{prob:.6f}", "pool_size": pool_size,
                "eligible": len(eligible),
            })
        print(f"{doc['doc_key']:40} {doc['split']:5} {len(eligible):5} eligible  "
              + " ".join(f"{k}={v}" for k, v in counts.items()))
    write_outputs(args.out, args.private, old_docs, added, rows)


def write_outputs(out: Path, private: Path, old_docs, added, rows) -> None:  # type: ignore[no-untyped-def]
    fields = ["doc_key", "path", "split", "doc_type", "issuer", "year", "store_text", "municipality"]
    with open(out / "documents.tsv", "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=fields, delimiter="\t", lineterminator="\n",
                           extrasaction="ignore")
        w.writeheader()
        for d in old_docs:
            d.setdefault("store_text", "yes")
            if not d.get("municipality"):
                d["municipality"] = d["issuer"][len("Gemeente "):] if d["issuer"].startswith("Gemeente ") else ""
            w.writerow(d)
        w.writerows(added)
    private.mkdir(parents=True, exist_ok=True)
    with open(private / "sample2.tsv", "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]), delimiter="\t", lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    print(f"{len(rows)} sentences drawn from {len({r['doc_key'] for r in rows})} documents")


if __name__ == "__main__":
    main()
