"""Edge cases of the aggregation and comparison code that real documents seldom reach:
empty and one-sentence documents, n = 0, exact ties and exact boundaries. Each figure is
checked against an independent oracle (scikit-learn, scipy, statsmodels) or worked out by
hand. These tests kill the mutants that tests/test_numbers.py leaves alive
(benchmarks/mutation.md); they take well under a second.
"""

from __future__ import annotations

import importlib
import math
import warnings
from itertools import product

import numpy as np
import pandas as pd
import pytest
from scipy.stats import false_discovery_control, fisher_exact, hypergeom
from sklearn.metrics import cohen_kappa_score

from analyzer.aggregate.counts import coverage_row, document_counts
from analyzer.aggregate.evidence import REPORT_SECTION_ROWS, bin_sections, evidence_ids, rank
from analyzer.aggregate.finish import Totals, kappa
from analyzer.aggregate.stats import hypergeom_sf, wilson
from analyzer.compare import (
    DRIVER_COLUMNS,
    bh_adjust,
    compare_profiles,
    driving_sentences,
    fisher_p,
    newcombe,
    summarize,
)
from analyzer.schemas import (
    AGREEMENT,
    COMPARISON,
    COOCCURRENCE,
    COVERAGE,
    PROFILES,
    SECTIONS,
    UNUSED_TERMS,
)
from analyzer.scoring.base import levels_of
from analyzer.scoring.lexicon import load_lexicon
from analyzer.types import DocResult, DocumentRow, Label, SentenceRow

from .conftest import DATA

try:
    from statsmodels.stats.proportion import confint_proportions_2indep, proportion_confint
except ImportError:  # pragma: no cover
    confint_proportions_2indep = proportion_confint = None

needs_statsmodels = pytest.mark.skipif(proportion_confint is None, reason="statsmodels is not installed")

LEX = load_lexicon(DATA / "toy_lexicon.tsv")
cmp_mod = importlib.import_module("analyzer.compare")  # analyzer.compare is also a function


# ------------------------------------------------------------------------ building documents


def lex(doc_id: str, sid: str, value: str, *, negated: bool = False, term: str | None = None) -> Label:
    term = term if term is not None else value.lower()
    return Label(doc_id, sid, 1, "lexicon", LEX.group_of(value), LEX.cluster_of(value), value, term, 0, len(term),
                 negated, 1.0, "value", "")


def clf(doc_id: str, sid: str, cluster: str, score: float = 0.9, *, negated: bool = False) -> Label:
    return Label(doc_id, sid, 1, "classifier", LEX.clusters[cluster], cluster, "", "", None, None, negated, score,
                 "cluster", "")


def document(doc_id: str, sentences: list[tuple], labels: list[Label], *, status: str = "ok") -> DocResult:
    """``sentences``: (kind, words, section_index, page) per sentence, ids doc_id:00000 on."""
    rows = tuple(SentenceRow(doc_id, f"{doc_id}:{i:05d}", page, f"S{section}", "text", kind, 1, section, words)
                 for i, (kind, words, section, page) in enumerate(sentences))
    scored = sum(1 for r in rows if r.kind in ("prose", "list_item"))
    return DocResult(DocumentRow(doc_id=doc_id, path=f"{doc_id}.txt", status=status, sentences=len(rows),
                                 sentences_scored=scored), rows, tuple(labels))


def finish(results: list[DocResult], methods=("lexicon",), *, count_negated: bool = False):
    totals, sections = Totals(), []
    for r in results:
        counts, secs = document_counts(r, LEX, levels_of(list(methods)), count_negated=count_negated)
        totals.add(counts)
        sections.extend(secs)
    return totals.finish(LEX, list(methods)), sections


def prose(n: int, words: int = 10) -> list[tuple]:
    return [("prose", words, 0, 1)] * n


# ------------------------------------------------------------------------------ statistics


def test_kappa_equals_sklearn_on_every_table_up_to_five_sentences():
    assert all(math.isnan(x) for x in kappa(0, 0, 0, 0))
    for both, first, second, neither in product(range(6), repeat=4):
        n = both + first + second + neither
        if not 0 < n <= 5:
            continue
        a = [1] * both + [1] * first + [0] * second + [0] * neither
        b = [1] * both + [0] * first + [1] * second + [0] * neither
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            expected = cohen_kappa_score(a, b)
        po, k = kappa(both, first, second, neither)
        assert po == pytest.approx(np.mean(np.array(a) == np.array(b)), rel=1e-12)
        if math.isnan(expected):
            assert math.isnan(k), (both, first, second, neither)
        else:
            assert k == pytest.approx(expected, rel=1e-9, abs=1e-12), (both, first, second, neither)


@needs_statsmodels
def test_wilson_equals_statsmodels_from_one_sentence_up():
    for n in range(1, 41):
        for k in range(n + 1):
            low, high = wilson(k, n)
            want = proportion_confint(k, n, alpha=0.05, method="wilson")
            assert (float(low), float(high)) == (pytest.approx(want[0], abs=1e-14), pytest.approx(want[1], abs=1e-14))
    # the bounds never leave [0, 1], not even by rounding (unclipped, 0/21 gives -1e-17 and
    # 16/16 gives 1 + 2e-16)
    assert min(float(wilson(0, n)[0]) for n in range(1, 80)) >= 0.0
    assert max(float(wilson(n, n)[1]) for n in range(1, 80)) <= 1.0
    lows, highs = wilson(np.array([0, 3, 5]), np.array([21, 7, 16]))
    assert lows.tolist() == pytest.approx([0.0, proportion_confint(3, 7, method="wilson")[0],
                                           proportion_confint(5, 16, method="wilson")[0]], abs=1e-14)
    assert highs[0] == pytest.approx(proportion_confint(0, 21, method="wilson")[1], abs=1e-14)


def test_wilson_of_nothing_is_the_whole_range_without_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        low, high = wilson(0, 0)
        lows, highs = wilson(np.array([0, 1, 0]), np.array([0, 1, 1]))
    assert (float(low), float(high)) == (0.0, 1.0)
    assert lows[0] == 0.0 and highs[0] == 1.0 and lows[1] > 0.2 and highs[1] == 1.0 and lows[2] == 0.0
    assert 0.79 < highs[2] < 0.8


@needs_statsmodels
def test_newcombe_equals_statsmodels_for_small_counts():
    for n_a, n_b in product(range(1, 8), repeat=2):
        for k_a, k_b in product(range(n_a + 1), range(n_b + 1)):
            low, high = newcombe(np.array([k_a]), np.array([n_a]), np.array([k_b]), np.array([n_b]))
            want = confint_proportions_2indep(k_b, n_b, k_a, n_a, method="newcomb", compare="diff")
            assert (low[0], high[0]) == (pytest.approx(want[0], abs=1e-12), pytest.approx(want[1], abs=1e-12))


def test_newcombe_with_an_empty_side_takes_its_share_as_zero_and_its_interval_as_zero_to_one():
    low, high = newcombe(np.array([0.0]), np.array([0.0]), np.array([2.0]), np.array([5.0]))
    lb, ub = wilson(2, 5)
    assert low[0] == pytest.approx(0.4 - math.sqrt((0.4 - float(lb)) ** 2 + 1.0), rel=1e-12)
    assert high[0] == pytest.approx(0.4 + (float(ub) - 0.4), rel=1e-12)
    low, high = newcombe(np.array([2.0]), np.array([5.0]), np.array([0.0]), np.array([0.0]))
    la, ua = wilson(2, 5)
    assert low[0] == pytest.approx(-0.4 - (float(ua) - 0.4), rel=1e-12)
    assert high[0] == pytest.approx(-0.4 + math.sqrt(1.0 + (0.4 - float(la)) ** 2), rel=1e-12)


def test_fisher_p_equals_scipy_including_empty_and_constant_sides():
    for n_a, n_b in product(range(0, 6), repeat=2):
        for k_a, k_b in product(range(n_a + 1), range(n_b + 1)):
            want = fisher_exact([[k_a, n_a - k_a], [k_b, n_b - k_b]]).pvalue
            assert fisher_p(k_a, n_a, k_b, n_b) == pytest.approx(want, rel=1e-12)


def test_bh_adjust_equals_scipy_and_keeps_an_empty_list_empty():
    assert bh_adjust(np.array([])).shape == (0,)
    assert bh_adjust([]).tolist() == []
    p = np.array([0.2, 0.001, 0.04, 0.04, 0.9, 0.03])
    assert bh_adjust(p).tolist() == pytest.approx(false_discovery_control(p, method="bh").tolist(), rel=1e-15)


def _peaked_cases():
    """Batch-sized populations where nearly every sentence (or nearly none) carries A or B:
    the distribution sits on a few counts, and only the tail beyond the mode keeps tiny
    p-values accurate (1 - the other tail cancels to noise)."""
    for total in (10**3, 10**5, 10**6):
        for successes in (total - 1, total - 2, total - 5, 1, 2, 5):
            for draws in (total // 2, total - 1, total - 3, 3):
                low, high = max(0, draws - (total - successes)), min(successes, draws)
                for k in sorted({*range(low, min(high, low + 4)), *range(max(low, high - 4), high)}):
                    yield k, total, successes, draws


def test_hypergeom_sf_is_accurate_where_the_distribution_is_peaked():
    cases = list(_peaked_cases())
    assert len(cases) > 100
    for k, total, successes, draws in cases:  # today within 3e-9 of scipy
        want = float(hypergeom.sf(k, total, successes, draws))
        assert hypergeom_sf(k, total, successes, draws) == pytest.approx(want, rel=1e-8, abs=1e-300), (k, total)


def test_hypergeom_sf_with_nothing_drawn_and_its_error_message():
    for k, total, successes, draws in [(-1, 5, 2, 0), (0, 5, 2, 0), (0, 5, 0, 0), (0, 4, 4, 4)]:
        assert hypergeom_sf(k, total, successes, draws) == pytest.approx(float(hypergeom.sf(k, total, successes, draws)))
    with pytest.raises(ValueError, match=r"^need 0 <= successes, draws <= total$"):
        hypergeom_sf(0, 5, 1, -1)


# ------------------------------------------------------------------- counts and profiles


def test_a_document_without_scored_sentences_adds_nothing_and_finishes_empty():
    only_headings = document("h", [("heading", 3, 0, 1), ("toc", 2, 0, 1)], [])
    counts, sections = document_counts(only_headings, LEX, levels_of(["lexicon"]), count_negated=False)
    assert sections == []
    assert {k: counts[k] for k in ("profiles", "cooccurrence", "coverage", "agreement")} == {
        "profiles": [], "cooccurrence": [], "coverage": [], "agreement": []}
    tables, _ = finish([only_headings])
    for name, table in (("profiles", PROFILES), ("cooccurrence", COOCCURRENCE), ("coverage", COVERAGE),
                        ("agreement", AGREEMENT)):
        frame = tables[name]
        assert frame.empty and list(frame.columns) == table.names
        assert [str(frame[c].dtype) for c in table.names] == [table.pandas_dtype(c) for c in table.names], name
    assert list(tables["unused_terms"].columns) == UNUSED_TERMS.names and len(tables["unused_terms"]) == len(LEX.terms)


def test_one_sentence_one_word_documents():
    one = document("one", [("prose", 1, 0, 1)], [lex("one", "one:00000", "Preventie")])
    wordless = document("nowords", [("prose", 0, 0, 1), ("list_item", 0, 0, 1)], [lex("nowords", "nowords:00001", "Compassie")])
    prof = finish([one, wordless])[0]["profiles"].set_index(["doc_id", "level", "name"])
    row = prof.loc[("one", "value", "Preventie")]
    assert (row["share"], row["per_1000_words"], row["n_words"]) == (1.0, 1000.0, 1)
    low, high = wilson(1, 1)
    assert (row["ci_low"], row["ci_high"]) == (float(low), float(high))
    row = prof.loc[("nowords", "cluster", "Empathie")]
    assert (row["share"], row["per_1000_words"], row["n_hits"], row["n_words"]) == (0.5, 0.0, 1, 0)
    row = prof.loc[("ALL", "cluster", "Continuïteit")]
    assert (row["n_sentences"], row["n_sentences_total"], row["share"]) == (1, 3, pytest.approx(1 / 3))
    assert row["per_1000_words"] == pytest.approx(1000.0)


def test_profiles_of_a_method_listed_after_one_without_values():
    """Levels come per method, in the run's order; a method without value labels does not
    hide the value rows of the methods after it."""
    d = document("d", prose(2), [lex("d", "d:00000", "Preventie"), clf("d", "d:00001", "Kwaliteit")])
    levels = {"classifier": ("cluster", "group"), "lexicon": ("value", "cluster", "group")}
    counts, _ = document_counts(d, LEX, levels, count_negated=False)
    keys = [(r[1], r[3]) for r in counts["profiles"]]
    assert keys.count(("value", "lexicon")) == len(LEX.values) and ("value", "classifier") not in keys
    assert keys.index(("group", "classifier")) < keys.index(("group", "lexicon"))


def test_negated_labels_count_only_when_asked():
    d = document("d", prose(3), [lex("d", "d:00000", "Preventie", negated=True), lex("d", "d:00001", "Preventie"),
                                 lex("d", "d:00001", "Preventie", negated=True, term="voorkomen")])
    for count_negated, k, hits in ((False, 1, 1), (True, 2, 3)):
        prof = finish([d], count_negated=count_negated)[0]["profiles"]
        row = prof[(prof.doc_id == "d") & (prof.name == "Preventie")].iloc[0]
        assert (row["n_sentences"], row["n_hits"]) == (k, hits), count_negated
    cov = finish([d], count_negated=True)[0]["coverage"].iloc[0]
    assert (cov["n_with_hit"], cov["top_terms"]) == (1, "preventie (1)")  # coverage never counts negated hits


def test_coverage_row_ranks_terms_by_count_then_first_appearance():
    labels = [lex("d", f"d:{i:05d}", v, term=t) for i, (v, t) in enumerate(
        [("Preventie", "b"), ("Preventie", "a"), ("Preventie", "a"), ("Compassie", "c"), ("Compassie", "b"),
         ("Compassie", "z"), ("Compassie", "y")])]
    labels.append(lex("d", "d:00009", "Compassie", term="n", negated=True))
    labels.append(clf("d", "d:00008", "Kwaliteit"))
    assert coverage_row("d", 20, labels) == ("d", 20, 7, 0.35, "b (2); a (2); c (1); z (1); y (1)")
    assert coverage_row("d", 20, labels, top=2) == ("d", 20, 7, 0.35, "b (2); a (2)")
    assert coverage_row("d", 0, []) == ("d", 0, 0, 0.0, "")


def test_agreement_examples_are_empty_strings_when_the_methods_agree():
    d = document("d", prose(3), [lex("d", "d:00000", "Preventie"), clf("d", "d:00000", "Continuïteit"),
                                 clf("d", "d:00002", "Kwaliteit")])
    agreement = finish([d], methods=("lexicon", "classifier"))[0]["agreement"].set_index("cluster")
    assert agreement.loc["Continuïteit", ["example_lexicon_only", "example_classifier_only"]].tolist() == ["", ""]
    assert agreement.loc["Kwaliteit", ["example_lexicon_only", "example_classifier_only"]].tolist() == ["", "d:00002"]


def test_sections_take_their_first_page_and_sum_hits():
    sentences = [("prose", 5, 0, 3), ("prose", 5, 0, 2), ("heading", 1, 1, 4), ("list_item", 5, 1, 4),
                 ("prose", 5, 1, 6)]
    labels = [lex("d", "d:00000", "Preventie"), lex("d", "d:00000", "Preventie", term="x"),
              lex("d", "d:00001", "Zelfredzaamheid"), lex("d", "d:00004", "Compassie")]
    _, sections = finish([document("d", sentences, labels)])
    table = pd.DataFrame(sections, columns=SECTIONS.names)
    row = table[(table.section_index == 0) & (table.cluster == "Continuïteit")].iloc[0]
    assert (row["page"], row["n_sentences"], row["n_hits"], row["share"], row["n_sentences_total"]) == (2, 2, 3, 1.0, 2)
    row = table[(table.section_index == 1) & (table.cluster == "Empathie")].iloc[0]
    assert (row["page"], row["n_sentences"], row["n_hits"], row["share"], row["n_sentences_total"]) == (4, 1, 1, 0.5, 2)
    row = table[(table.section_index == 1) & (table.cluster == "Kwaliteit")].iloc[0]
    assert (row["n_sentences"], row["n_hits"], row["share"]) == (0, 0, 0.0)


# ------------------------------------------------------------------------------ comparison


def _profiles(docs: dict[str, tuple[int, dict[str, int]]], methods=("lexicon",)) -> pd.DataFrame:
    """profiles.csv of documents with ``n`` sentences, ``k`` of which carry each value."""
    results = []
    for doc_id, (n, per_value) in docs.items():
        labels, i = [], 0
        for value, k in per_value.items():
            for _ in range(k):
                labels.append(lex(doc_id, f"{doc_id}:{i:05d}", value))
                if "classifier" in methods:
                    labels.append(clf(doc_id, f"{doc_id}:{i:05d}", LEX.cluster_of(value)))
                i += 1
        results.append(document(doc_id, prose(n), labels))
    return finish(results, methods=methods)[0]["profiles"]


def test_comparison_of_groups_uses_the_batch_rows_in_profile_order():
    a = _profiles({"a1": (10, {"Preventie": 2}), "a2": (30, {"Preventie": 1, "Compassie": 3})})
    b = _profiles({"b1": (20, {"Compassie": 10}), "b2": (5, {"Preventie": 1})})
    out = compare_profiles(a, b)
    assert list(zip(out["level"], out["name"], strict=True)) == list(
        zip(*[a.loc[a.doc_id == "ALL", c] for c in ("level", "name")], strict=True))
    row = out[out.name == "Preventie"].iloc[0]
    assert (row["hits_a"], row["n_a"], row["hits_b"], row["n_b"]) == (3, 40, 1, 25)
    typed = [c for c in COMPARISON.names if COMPARISON.dtype(c) in ("int", "float", "bool")]
    assert [str(out[c].dtype) for c in typed] == [COMPARISON.pandas_dtype(c) for c in typed]


def test_significance_means_q_strictly_below_alpha(monkeypatch):
    prof = _profiles({"a": (10, {"Preventie": 2})})
    monkeypatch.setattr(cmp_mod, "fisher_p", lambda *args: cmp_mod.ALPHA)
    out = compare_profiles(prof, prof)
    assert (out["q_value"] == cmp_mod.ALPHA).all() and not out["significant"].any()


def _comparison(rows: list[tuple]) -> pd.DataFrame:
    """A comparison table from (level, name, method, share_a, share_b, significant) rows."""
    frame = pd.DataFrame(rows, columns=["level", "name", "method", "share_a", "share_b", "significant"])
    frame["diff"] = frame["share_b"] - frame["share_a"]
    return frame


def test_summary_of_no_difference_and_the_default_labels():
    c = _comparison([("cluster", "Kwaliteit", "lexicon", 0.1, 0.15, False)])
    assert summarize(c) == ["Geen significant verschil in waardenclusters tussen A en B (methode lexicon, q < 0.05)."]


def test_summary_of_one_difference_with_the_chance_trends():
    c = _comparison([("cluster", "Kwaliteit", "lexicon", 0.30, 0.10, True),
                     ("cluster", "Empathie", "lexicon", 0.0, 0.02, False),  # exactly 2 pp: named
                     ("cluster", "Loyaliteit", "lexicon", 0.05, 0.0301, False),  # 1.99 pp: not named
                     ("cluster", "Continuïteit", "lexicon", 0.20, 0.10, False)])
    assert summarize(c) == [
        "B spreekt minder van Kwaliteit (−20.0 pp) dan A; dit verschil is significant "
        "(Fisher, Benjamini-Hochberg q < 0.05, methode lexicon).",
        "Niet significant (mogelijk toeval): Continuïteit (−10.0 pp) en Empathie (+2.0 pp)."]
    c.loc[0, "share_b"], c.loc[0, "diff"] = 0.5, 0.2
    assert summarize(c, label_a="Oud", label_b="Nieuw")[0].startswith("Nieuw spreekt meer van Kwaliteit (+20.0 pp) dan Oud; dit ")


def test_summary_names_the_largest_shifts_first():
    c = _comparison([("cluster", "Nut", "both", 0.1, 0.05, True), ("cluster", "Kwaliteit", "both", 0.1, 0.2, True),
                     ("cluster", "Empathie", "both", 0.1, 0.4, True), ("cluster", "Loyaliteit", "both", 0.1, 0.3, True),
                     ("cluster", "Continuïteit", "both", 0.3, 0.1, True)])
    assert summarize(c, label_a="Oud", label_b="Nieuw") == [
        "Nieuw spreekt minder van Continuïteit (−20.0 pp) en Nut (−5.0 pp) en meer van Empathie (+30.0 pp), "
        "Loyaliteit (+20.0 pp) en Kwaliteit (+10.0 pp) dan Oud; deze 5 verschillen zijn significant "
        "(Fisher, Benjamini-Hochberg q < 0.05, methode both)."]


def test_summary_method_is_both_else_the_first_one():
    rows = [("cluster", "Kwaliteit", m, 0.3, s, True) for m, s in (("lexicon", 0.1), ("classifier", 0.5))]
    assert "(−20.0 pp)" in summarize(_comparison(rows))[0] and "methode lexicon" in summarize(_comparison(rows))[0]
    assert "methode classifier" in summarize(_comparison(rows), method="classifier")[0]
    rows.append(("cluster", "Kwaliteit", "both", 0.3, 0.4, True))
    assert "(+10.0 pp)" in summarize(_comparison(rows))[0] and "methode both" in summarize(_comparison(rows))[0]


def test_summary_says_how_large_a_shift_the_texts_could_show():
    c = _comparison([("cluster", "Kwaliteit", "lexicon", 0.10, 0.15, False), ("cluster", "Nut", "lexicon", 0.10, 0.08, False)])
    c["n_a"], c["n_b"] = 200, 100
    lines = summarize(c)
    # p = 0.1075, sqrt(p(1-p)(1/200 + 1/100)) * 2.8016 = 0.1062
    assert lines[1] == ("Te weinig tekst om verschillen kleiner dan ongeveer 11 procentpunt te zien (200 en 100 zinnen, "
                        "bij een gemiddeld aandeel van 10.8%); het grootste verschil, Kwaliteit (+5.0 pp), is niet significant.")
    c["n_a"], c["n_b"] = 20000, 10000
    assert "ongeveer 1 procentpunt" in summarize(c)[1]


def test_summary_gives_the_adjusted_shifts_with_their_intervals():
    c = _comparison([("cluster", "Nut", "both", 0.04, 0.10, True), ("cluster", "Empathie", "both", 0.10, 0.05, True)])
    c["diff_adjusted"] = [0.15, -0.12]
    c["adj_diff_ci_low"], c["adj_diff_ci_high"] = [0.05, -0.2], [0.25, 0.01]
    c["adj_significant"] = [True, False]
    assert summarize(c)[1] == ("Gecorrigeerd voor wat de methode mist en ten onrechte vindt (95%-interval): "
                               "Nut +15.0 pp [+5.0; +25.0] (q < 0.05).")
    c["adj_significant"] = False
    assert summarize(c)[1] == "Gecorrigeerd voor wat de methode mist en ten onrechte vindt, is geen verschil significant."


def test_summary_lost_and_added_values_at_their_boundaries():
    c = _comparison([("cluster", "Kwaliteit", "lexicon", 0.3, 0.1, True),
                     ("value", "Preventie", "lexicon", 0.04, 0.02, True),  # exactly half: not lost
                     ("value", "Compassie", "lexicon", 0.03, 0.0149, True),  # under half: lost
                     ("value", "Mededogen", "lexicon", 0.05, 0.01, False),  # under half, not significant: not claimed
                     ("value", "Inclusiviteit", "lexicon", 0.1, 0.2, True),  # exactly double: added
                     ("value", "Saamhorigheid", "lexicon", 0.004, 0.009, True),  # under 1%: not added
                     ("value", "Zelfredzaamheid", "lexicon", 0.0, 0.0, False)])
    lines = summarize(c)
    assert lines[1:] == ["Lost in translation: van de sterkste waarden van A draagt B Compassie nauwelijks "
                         "(3.0% → 1.5%).",
                         "B voegt toe: Inclusiviteit (10.0% → 20.0%)."]


class _Report:
    """The part of a run's report data that driving_sentences reads."""

    def __init__(self, doc_id: str) -> None:
        self.doc_id = doc_id
        self.calls: list[tuple[str, str]] = []

    def best_sentences(self, cluster: str, method: str) -> list[dict]:
        self.calls.append((cluster, method))
        return [{"sentence_id": f"{self.doc_id}:{i}", "n": 5 - i, "score": 1.0, "doc_id": self.doc_id, "page": str(i + 1),
                 "terms": f"t{i}", "text": f"{cluster} {i}", "spans": [[0, 2, False]]} for i in range(5)]


def test_driving_sentences_come_from_the_shifts_own_method_and_take_three():
    c = _comparison([("cluster", "Kwaliteit", "both", 0.3, 0.1, True), ("cluster", "Empathie", "both", 0.1, 0.4, True),
                     ("cluster", "Nut", "both", 0.1, 0.1, False), ("cluster", "Kwaliteit", "lexicon", 0.3, 0.5, True)])
    a, b = _Report("A"), _Report("B")
    drivers, spans = driving_sentences(c, a, b)
    assert list(drivers.columns) == DRIVER_COLUMNS
    assert a.calls == [("Kwaliteit", "both")] and b.calls == [("Empathie", "both")]
    assert drivers.to_dict("records")[0] == {"cluster": "Kwaliteit", "diff": pytest.approx(-0.2), "side": "A",
                                             "doc_id": "A", "sentence_id": "A:0", "page": 1, "terms": "t0",
                                             "text": "Kwaliteit 0"}
    assert drivers["sentence_id"].tolist() == ["A:0", "A:1", "A:2", "B:0", "B:1", "B:2"]
    assert spans[("B:2", "Empathie")] == [(0, 2, False)]
    drivers, _ = driving_sentences(c, a, b, method="lexicon", per_cluster=1)
    assert b.calls[-1] == ("Kwaliteit", "lexicon") and len(a.calls) == 1
    assert drivers["sentence_id"].tolist() == ["B:0"]


def test_driving_sentences_keep_the_comparison_order_on_ties():
    """Clusters with the same difference keep their comparison order (a stable sort; numpy's
    default sort is not stable on every CPU), so drivers.csv is the same everywhere."""
    diffs = [0.1, -0.2, 0.1, 0.1, -0.2, 0.3, 0.1, -0.2, 0.1]
    c = _comparison([("cluster", f"c{i}", "both", 0.5, 0.5 + d, True) for i, d in enumerate(diffs)])
    drivers, _ = driving_sentences(c, _Report("A"), _Report("B"), per_cluster=1)
    assert drivers["cluster"].tolist() == ["c1", "c4", "c7", "c0", "c2", "c3", "c6", "c8", "c5"]


def test_driving_sentences_skip_a_side_without_report_data():
    c = _comparison([("cluster", "Kwaliteit", "both", 0.3, 0.1, True), ("cluster", "Empathie", "both", 0.1, 0.4, True)])
    drivers, _ = driving_sentences(c, None, _Report("B"))
    assert drivers["cluster"].tolist() == ["Empathie"] * 3
    drivers, _ = driving_sentences(_comparison([("cluster", "Nut", "both", 0.1, 0.1, False)]), None, None)
    assert drivers.empty and list(drivers.columns) == DRIVER_COLUMNS


# -------------------------------------------------------------------------------- evidence


def test_rank_counts_labels_then_score_then_position():
    rows = [("s1", "lexicon", "Nut", False, 1.0),  # s1 first seen with another cluster
            ("s2", "classifier", "Kwaliteit", False, 0.3), ("s2", "classifier", "Kwaliteit", False, 0.3),
            ("s3", "lexicon", "Kwaliteit", False, 1.0),
            ("s1", "lexicon", "Kwaliteit", False, 1.0),
            ("s4", "lexicon", "Kwaliteit", True, 1.0),  # negated: no evidence
            ("s5", "classifier", "Kwaliteit", False, None), ("s5", "classifier", "Kwaliteit", False, float("nan")),
            ("s5", "classifier", "Kwaliteit", False, "n/a")]
    assert rank(rows, "Kwaliteit") == [("s5", 3, 0.0), ("s2", 2, 0.6), ("s1", 1, 1.0), ("s3", 1, 1.0)]
    assert rank(rows, "Kwaliteit", order={"s3": 0, "s1": 1}) == [("s5", 3, 0.0), ("s2", 2, 0.6), ("s3", 1, 1.0),
                                                                 ("s1", 1, 1.0)]
    assert rank(rows, "Kwaliteit", order={"s3": 0})[2:] == [("s3", 1, 1.0), ("s1", 1, 1.0)]
    assert rank(rows, "Kwaliteit", method="lexicon") == [("s1", 1, 1.0), ("s3", 1, 1.0)]
    assert rank(rows, "Kwaliteit", method="classifier", order={"s2": 0}) == [("s5", 3, 0.0), ("s2", 2, 0.6)]
    # sentences the order does not know come after those it knows, in the order they gained evidence
    assert rank(rows, "Kwaliteit", order={"s5": 0}) == [("s5", 3, 0.0), ("s2", 2, 0.6), ("s3", 1, 1.0), ("s1", 1, 1.0)]
    assert rank([("s1", "lexicon", "Nut", False, 0.25), ("s1", "lexicon", "Nut", False, 0.5)], "Nut") == [("s1", 2, 0.75)]


def test_evidence_ids_keep_the_best_per_cluster_and_method():
    rows = [("s0", "lexicon", "Nut", False, 1.0), ("s1", "classifier", "Kwaliteit", False, 0.9),
            ("s2", "lexicon", "Kwaliteit", False, 1.0), ("s3", "lexicon", "Kwaliteit", False, 1.0),
            ("s2", "classifier", "Nut", True, 0.9), ("s4", "classifier", "Kwaliteit", False, 0.8)]
    assert evidence_ids(rows, ["lexicon", "classifier"], keep=1) == {"s0", "s2", "s1"}
    assert evidence_ids(rows, [], keep=1) == {"s0", "s2"}
    assert evidence_ids(rows, ["classifier"], keep=2) == {"s0", "s2", "s3", "s1", "s4"}
    assert evidence_ids(rows, ["lexicon"]) == {"s0", "s1", "s2", "s3", "s4"}
    # ties go to the sentence that comes first in the document, whatever cluster it first shows
    rows = [("s3", "lexicon", "Nut", False, 1.0), ("s2", "lexicon", "Kwaliteit", False, 1.0),
            ("s3", "lexicon", "Kwaliteit", False, 1.0)]
    assert evidence_ids(rows, ["lexicon"], keep=1) == {"s3"}


def _section_rows(n: int, *, heading: str = "H") -> list[dict]:
    return [{"doc_id": "d", "section_index": i, "section": heading if i % 2 else "", "page": 10 - i % 3,
             "cluster": "Nut", "method": "lexicon", "n_sentences": i % 2, "n_hits": 2 * (i % 2),
             "n_sentences_total": 2, "group": "praktisch", "share": 0.0} for i in range(n)]


def test_bin_sections_merges_consecutive_sections():
    binned = bin_sections(_section_rows(7), max_rows=3)
    assert [(b["section_index"], b["section"], b["row"], b["n_sections"]) for b in binned] == [
        (0, "(no heading) (+2)", 0, 3), (3, "H (+1)", 1, 2), (5, "H (+1)", 2, 2)]
    assert [(b["page"], b["n_sentences"], b["n_hits"], b["n_sentences_total"], b["share"]) for b in binned] == [
        (8, 1, 2, 6, 1 / 6), (9, 1, 2, 4, 0.25), (8, 1, 2, 4, 0.25)]
    assert set(binned[0]) == {"doc_id", "section_index", "section", "page", "cluster", "method", "n_sentences", "share",
                              "group", "n_hits", "n_sentences_total", "row", "n_sections"}
    assert (binned[0]["doc_id"], binned[0]["method"], binned[0]["group"]) == ("d", "lexicon", "praktisch")
    single = bin_sections(_section_rows(2), max_rows=3)
    assert [b["section"] for b in single] == ["(no heading)", "H"]
    assert bin_sections([{**_section_rows(1)[0], "n_sentences": 1, "n_sentences_total": 1}])[0]["share"] == 1.0
    assert bin_sections([{**_section_rows(1)[0], "n_sentences_total": 0}])[0]["share"] == 0.0
    assert bin_sections([]) == []


def test_bin_sections_draws_at_most_sixty_rows_by_default():
    assert REPORT_SECTION_ROWS == 60
    assert len(bin_sections(_section_rows(61))) == 60 and len(bin_sections(_section_rows(60))) == 60
