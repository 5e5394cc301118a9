"""Profiles and comparisons: invariants (hypothesis) and hand-checked numbers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analyzer.aggregate.counts import document_counts
from analyzer.aggregate.evidence import bin_sections
from analyzer.aggregate.finish import Totals
from analyzer.aggregate.stats import wilson
from analyzer.compare import bh_adjust, compare_profiles, newcombe, summarize
from analyzer.schemas import ALL_DOCS, COMPARISON, PROFILES, SECTIONS
from analyzer.scoring.base import levels_of
from analyzer.scoring.lexicon import load_lexicon
from analyzer.types import DocResult, DocumentRow, Label, SentenceRow

from .conftest import DATA

LEX = load_lexicon(DATA / "toy_lexicon.tsv")
VALUES = list(LEX.values)


def make_results(doc_labels: dict[str, list[list[str]]]) -> list[DocResult]:
    """Documents with lexicon labels from per-sentence value lists (10 words a sentence,
    5 sentences a section)."""
    results = []
    for doc_id, per_sentence in doc_labels.items():
        sents, labels = [], []
        for i, values in enumerate(per_sentence):
            sid = f"{doc_id}:{i:05d}"
            sents.append(SentenceRow(doc_id, sid, 1 + i // 10, f"S{i // 5}", "x", "prose", 1, i // 5, 10))
            for v in values:
                labels.append(Label(doc_id, sid, 1, "lexicon", LEX.group_of(v), LEX.cluster_of(v), v, v.lower(), 0, 1,
                                    False, 1.0, "value", ""))
        doc = DocumentRow(doc_id=doc_id, path=f"{doc_id}.txt", sentences=len(sents), sentences_scored=len(sents))
        results.append(DocResult(doc, tuple(sents), tuple(labels)))
    return results


def tables(doc_labels: dict[str, list[list[str]]], methods=("lexicon",)) -> tuple[pd.DataFrame, pd.DataFrame]:
    """profiles.csv and sections.csv of those documents, through the run's own counting."""
    totals, section_rows = Totals(), []
    for result in make_results(doc_labels):
        counts, sections = document_counts(result, LEX, levels_of(list(methods)), count_negated=False)
        totals.add(counts)
        section_rows.extend(sections)
    return totals.finish(LEX, list(methods))["profiles"], pd.DataFrame(section_rows, columns=SECTIONS.names)


def profiles(doc_labels: dict[str, list[list[str]]]) -> pd.DataFrame:
    return tables(doc_labels)[0]


labels_strategy = st.lists(st.lists(st.sampled_from(VALUES), max_size=3, unique=True), min_size=1, max_size=40)


def test_profile_numbers_by_hand():
    prof = profiles({"d1": [["Bestaansveiligheid"], ["Bestaansveiligheid", "Preventie"], [], []]})
    assert list(prof.columns) == PROFILES.names
    row = prof[(prof.doc_id == "d1") & (prof.level == "cluster") & (prof.name == "Continuïteit")].iloc[0]
    assert row.n_sentences == 2 and row.share == pytest.approx(0.5)
    assert row.n_hits == 3 and row.per_1000_words == pytest.approx(1000 * 3 / 40)
    low, high = wilson(2, 4)
    assert row.ci_low == pytest.approx(float(low)) and row.ci_high == pytest.approx(float(high))
    # groups count a sentence once even with two clusters of the same group
    grp = prof[(prof.doc_id == "d1") & (prof.level == "group") & (prof.name == "praktisch")].iloc[0]
    assert grp.n_sentences == 2
    assert set(prof.doc_id) == {"d1", ALL_DOCS}


def test_wider_interval_for_shorter_document():
    prof = profiles({"short": [["Preventie"]] + [[]] * 3, "long": ([["Preventie"]] + [[]] * 3) * 50})
    sel = prof[(prof.level == "value") & (prof.name == "Preventie")].set_index("doc_id")
    assert sel.loc["short", "share"] == pytest.approx(sel.loc["long", "share"])
    assert (sel.loc["short", "ci_high"] - sel.loc["short", "ci_low"]) > 3 * (sel.loc["long", "ci_high"] - sel.loc["long", "ci_low"])


def test_sections_follow_document_order():
    sec = tables({"d": [["Menselijke maat"]] * 5 + [["Bestaansveiligheid"]] * 5})[1]
    assert list(sec.columns) == SECTIONS.names
    kwal = sec[sec.cluster == "Kwaliteit"].sort_values("section_index")
    assert kwal["share"].tolist() == [1.0, 0.0]


@settings(max_examples=40, deadline=None)
@given(labels_strategy)
def test_shares_are_proportions(per_sentence):
    prof = profiles({"d": per_sentence})
    assert prof["share"].between(0, 1).all()
    assert (prof["ci_low"] <= prof["share"] + 1e-12).all() and (prof["share"] <= prof["ci_high"] + 1e-12).all()


@settings(max_examples=40, deadline=None)
@given(labels_strategy)
def test_comparing_a_profile_with_itself_gives_zero(per_sentence):
    prof = profiles({"d": per_sentence})
    cmp = compare_profiles(prof, prof)
    assert list(cmp.columns) == COMPARISON.names
    assert np.allclose(cmp["diff"], 0)
    assert not cmp["significant"].any()
    assert (cmp["p_value"] == 1.0).all()


@settings(max_examples=40, deadline=None)
@given(labels_strategy, labels_strategy)
def test_swapping_a_and_b_negates_every_difference(a, b):
    pa = profiles({"a": a})
    pb = profiles({"b": b})
    ab = compare_profiles(pa, pb).set_index(["level", "name", "method"])
    ba = compare_profiles(pb, pa).set_index(["level", "name", "method"]).loc[ab.index]
    assert np.allclose(ab["diff"], -ba["diff"])
    assert np.allclose(ab["ci_low"], -ba["ci_high"]) and np.allclose(ab["ci_high"], -ba["ci_low"])
    assert np.allclose(ab["p_value"], ba["p_value"])


def test_clear_shift_is_significant_and_summarised():
    a = [["Menselijke maat"]] * 40 + [[]] * 60
    b = [["Menselijke maat"]] * 5 + [["Bestaansveiligheid"]] * 40 + [[]] * 55
    pa = profiles({"a": a})
    pb = profiles({"b": b})
    cmp = compare_profiles(pa, pb)
    kw = cmp[(cmp.level == "cluster") & (cmp.name == "Kwaliteit")].iloc[0]
    assert kw["diff"] == pytest.approx(-0.35) and kw["significant"] and kw["ci_high"] < 0
    text = " ".join(summarize(cmp, label_a="Oud", label_b="Nieuw", method="lexicon"))
    assert "Nieuw spreekt minder van Kwaliteit (−35.0 pp)" in text
    assert "meer van Continuïteit (+40.0 pp)" in text
    assert "Lost in translation" in text and "Menselijke maat" in text


def test_bh_and_newcombe_reference_values():
    q = bh_adjust(np.array([0.01, 0.04, 0.03, 0.5]))
    # sorted p 0.01, 0.03, 0.04, 0.5 -> p*n/rank 0.04, 0.06, 0.0533, 0.5 -> running minimum from the top
    assert np.allclose(q, [0.04, 0.16 / 3, 0.16 / 3, 0.5])
    # Newcombe (1998) example: 56/70 vs 48/80 -> difference 0.2, interval (0.0524, 0.3339)
    low, high = newcombe(np.array([48.0]), np.array([80.0]), np.array([56.0]), np.array([70.0]))
    assert low[0] == pytest.approx(0.0524, abs=5e-4) and high[0] == pytest.approx(0.3339, abs=5e-4)


def test_long_documents_are_binned_for_the_report_without_changing_totals():
    per_sentence = ([["Menselijke maat"]] + [[]] * 4) * 100 + [["Preventie"]] * 5  # 101 sections of 5 sentences
    sec = tables({"d": per_sentence})[1]
    binned = pd.DataFrame(bin_sections(sec.to_dict("records"), max_rows=20))
    assert binned["section_index"].nunique() == 20 and binned["row"].nunique() == 20
    for cluster in ("Kwaliteit", "Continuïteit"):
        full = sec[sec.cluster == cluster]
        part = binned[binned.cluster == cluster]
        assert part["n_sentences"].sum() == full["n_sentences"].sum()
        assert part["n_sentences_total"].sum() == full["n_sentences_total"].sum()
    assert (binned["share"] == binned["n_sentences"] / binned["n_sentences_total"]).all()
    assert binned["section"].str.contains(r"\(\+\d+\)").any()
