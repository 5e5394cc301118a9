"""The annotated corpus: names, splits, ids, provenance, licences and rebuildable references."""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from pathlib import Path

import pytest

from analyzer.scoring.classifier.corpus import load_corpus, text_sha256
from analyzer.scoring.classifier.stats import corpus_stats, format_stats

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
SCHEME = Path(__file__).resolve().parents[1] / "data" / "lexicon" / "scheme.tsv"
TEST_1_0 = {"baarn-coalitieakkoord", "wassenaar-begroting-2025", "vroegsignalering", "participatiewet",
            "cvdr-kampen", "kamervragen-1c75", "kamervragen-1c83", "kamervragen-1dac", "wassenaar-besluiten-2023"}


def _read(name: str) -> list[dict[str, str]]:
    with open(CORPUS / name, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


DOCS = {d["doc_key"]: d for d in _read("documents.tsv")}
SENTENCES = _read("sentences.tsv")
LABELS = _read("labels.tsv")


def _names(cell: str) -> list[str]:
    return [x for x in cell.split("|") if x]


def test_every_label_name_is_in_the_scheme_and_values_bring_their_cluster():
    with open(SCHEME, encoding="utf-8", newline="") as fh:
        scheme = {r["value"]: r["cluster"] for r in csv.DictReader(fh, delimiter="\t")}
    clusters = set(scheme.values())
    for r in LABELS:
        found = set(_names(r["clusters"]))
        assert found <= clusters, r
        for v in _names(r["values"]):
            assert v in scheme and scheme[v] in found, r
        assert set(_names(r["negated"])) <= found | set(_names(r["values"])), r


def test_no_document_is_in_two_splits_and_rows_follow_their_document():
    splits = defaultdict(set)
    for s in SENTENCES:
        splits[s["doc_key"]].add(s["split"])
        assert s["split"] == DOCS[s["doc_key"]]["split"], s["sentence_id"]
    assert all(len(v) == 1 for v in splits.values())
    assert {d["doc_key"] for d in DOCS.values() if d["split"] == "test"} >= TEST_1_0  # 1.0's test stays test


def test_ids_are_unique_stable_and_labelled_once():
    ids = [s["sentence_id"] for s in SENTENCES]
    assert len(ids) == len(set(ids))
    assert [r["sentence_id"] for r in LABELS] == ids  # one label row per sentence, same order
    # 1.0 rows keep their ids; 2.0 rows are "<doc_id>:2-<index>", the annotators' id with "2-"
    for s in SENTENCES:
        doc_id, index = s["sentence_id"].rsplit(":", 1)
        if not s["annotation_id"]:  # a 1.0 row
            assert re.fullmatch(r"\d{5}", index) and s["stratum"] in ("random", "enriched"), s["sentence_id"]
        else:
            assert re.fullmatch(r"2-\d{5}", index), s["sentence_id"]
            assert s["annotation_id"] == f"{doc_id}:{index[2:]}", s["sentence_id"]


def test_every_row_records_annotator_codebook_stratum_and_selection_probability():
    for r in LABELS:
        assert r["annotator"] and r["codebook"] in ("1.0", "1.1"), r
        assert r["agreement"] in ("single", "agreed", "adjudicated", "relabelled"), r
    for s in SENTENCES:
        assert s["stratum"], s["sentence_id"]
        p = float(s["selection_prob"])
        assert 0 < p <= 1, s["sentence_id"]
        assert int(s["pool_size"]) >= 1 or s["stratum"] in ("random", "enriched"), s["sentence_id"]


def test_no_text_is_stored_for_party_programmes_and_internal_dossiers():
    private = {k for k, d in DOCS.items() if d["store_text"] == "no"}
    assert private, "the corpus uses party programmes by reference"
    rows = [s for s in SENTENCES if s["doc_key"] in private]
    assert rows and all(s["text"] == "" and s["section"] == "" for s in rows)
    assert all(len(s["text_sha256"]) == 64 and len(s["source_sha256"]) == 64 for s in rows)
    for batch in (CORPUS / "annotation" / "batches2").glob("*.tsv"):
        with open(batch, encoding="utf-8", newline="") as fh:
            for b in csv.DictReader(fh, delimiter="\t"):
                doc = b["document"].rsplit("(", 1)[-1].rstrip(")")
                if doc in private:
                    assert b["text"] == "", (batch.name, b["sentence_id"])


def test_stored_texts_match_their_hash():
    for s in SENTENCES:
        if s["text"]:
            assert text_sha256(s["text"]) == s["text_sha256"], s["sentence_id"]


def test_reference_only_rows_rebuild_to_their_hash_from_the_shared_corpus(raw):
    missing: list[str] = []
    gold = load_corpus(CORPUS, raw=raw, missing=missing)
    assert missing == []
    assert len(gold) == len(LABELS)
    texts = {g.sentence_id: g.text for g in gold}
    for s in SENTENCES:
        assert text_sha256(texts[s["sentence_id"]]) == s["text_sha256"], s["sentence_id"]


def test_without_the_shared_corpus_reference_rows_are_reported_and_left_out(tmp_path):
    missing: list[str] = []
    gold = load_corpus(CORPUS, raw=tmp_path / "nowhere", missing=missing)
    stored = sum(1 for s in SENTENCES if s["text"])
    assert len(gold) == stored
    private = {d["doc_key"] for d in DOCS.values() if d["store_text"] == "no"
               and any(s["doc_key"] == d["doc_key"] for s in SENTENCES)}
    assert len(missing) == len(private) and all("not in" in m for m in missing)


def test_corpus_stats_count_what_the_files_hold():
    st = corpus_stats(CORPUS)
    assert st.totals["sentences"] == len(LABELS)
    assert st.totals["value_bearing"] == sum(1 for r in LABELS if r["clusters"])
    assert sum(st.counts["split"].values()) == len(LABELS)
    text = format_stats(st)
    assert "Targets" in text and "Puurheid" in text
    names = [name for name, _, _ in st.checks]
    assert "municipal share of value-bearing" in names and "train: Puurheid" in names


@pytest.mark.parametrize("value", ["Zelfbeschikking", "Menselijke maat", "Rekenschap"])
def test_common_values_are_well_represented(value):
    n = sum(value in _names(r["values"]) for r in LABELS)
    assert n >= 60, (value, n)
