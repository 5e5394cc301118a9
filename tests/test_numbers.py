"""Figures, not shapes: every number of the batch tables recomputed from the per-sentence
outputs of real runs, with independent oracles (scikit-learn, scipy, statsmodels).

Each test scores real documents itself (``use_cache=False``), so a test sees every
aggregation step of its own run; only the spaCy pipeline and the classifier (which hold
no aggregation code) are loaded once per process. The oracles read the CSV files a run
writes (``sentences.csv`` and ``matches.csv`` in, the batch tables out) with plain pandas.
"""

from __future__ import annotations

import contextlib
import copy
import csv
import io
import math
import warnings
from collections import defaultdict
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.stats import false_discovery_control, fisher_exact, hypergeom
from sklearn.metrics import cohen_kappa_score

from analyzer.api import compare, score
from analyzer.demo import example_paths

from .conftest import ROOT

try:  # a test-only oracle (the dev extra installs it)
    from statsmodels.stats.proportion import confint_proportions_2indep, proportion_confint
except ImportError:  # pragma: no cover - without statsmodels those checks skip
    confint_proportions_2indep = proportion_confint = None

SCORED = ("prose", "list_item")
ROWS = ("lexicon", "classifier", "both")  # the methods that write rows of matches.csv
CSV_ABS = 1e-6  # floats are written with 6 decimals
EXACT = 1e-9  # in-memory frames hold the unrounded figure

BATCH = ["coalitieakkoorden-gemeenten/AaenHunze_coalitieakkoord_2018.pdf",
         "tk-kamervragen-learninglion/kamervragen_1b650dd7-71d6-4b8f-8625-36c000046742.pdf",
         "openraadsinformatie-testfixture/Besluitenlijst-raadsvergadering-29-juni-2015.pdf",
         "wetsuite-testfiles/cvdr_example1.xml"]
"""Small real documents of four kinds (with the bundled Bibob rules: five)."""
COMPARE_A = "coalitieakkoorden-gemeenten/AaenHunze_coalitieakkoord_2018.pdf"
COMPARE_B = "regelrecht-rotterdam-cvdr/beleidsregels_bijzondere_bijstand_rotterdam_2024_2025-05-16.txt"
NO_VALUES = "regelrecht-rotterdam-cvdr/beleidsregels_giften_en_kostenvoordelen_participatiewet_rotterdam_2023_2023-10-11.txt"
"""31 scored sentences: the lexicon finds one cluster, the classifier none (kappa undefined for eight)."""


@cache
def _nlp():
    from analyzer.nlp import build_pipeline

    return build_pipeline()


@cache
def _model():
    from analyzer.scoring.classifier.model import load_model

    return load_model()


def _read(path: Path) -> pd.DataFrame:
    """A CSV file as text cells (the oracles convert what they use)."""
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def _num(frame: pd.DataFrame, *columns: str) -> pd.DataFrame:
    frame = frame.copy()
    for c in columns:
        frame[c] = pd.to_numeric(frame[c].replace("", np.nan))
    return frame


def _run(paths: list[Path], out: Path, **kwargs):
    """Score real documents (no cache), write the CSV files and read them back."""
    kwargs.setdefault("nlp", _nlp())
    kwargs.setdefault("model", _model())
    result = score([str(p) for p in paths], use_cache=False, **kwargs)
    assert set(result.documents["status"]) == {"ok"}
    result.write(out, report=False)
    files = {name: _read(out / f"{name}.csv")
             for name in ("sentences", "matches", "profiles", "sections", "cooccurrence", "agreement")}
    return result, files


def _scored_sentences(sentences: pd.DataFrame) -> pd.DataFrame:
    s = sentences[sentences["kind"].isin(SCORED)].copy()
    s["words"] = s["words"].astype(int)
    return s


def _support(matches: pd.DataFrame, *, count_negated: bool = False) -> pd.DataFrame:
    """The match rows that count: not negated (unless ``count_negated``)."""
    m = matches if count_negated else matches[matches["negated"] == "false"]
    m = m.copy()
    m["score"] = m["score"].astype(float)
    return m


def _cluster_sets(matches: pd.DataFrame, *, count_negated: bool = False) -> dict[tuple[str, str, str], set[str]]:
    """(doc_id, method, cluster) -> sentence ids (``both`` writes its own rows: the learned
    combination of model 2.1.0)."""
    sets: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    for r in _support(matches, count_negated=count_negated).itertuples(index=False):
        sets[(r.doc_id, r.method, r.cluster)].add(r.sentence_id)
    return sets


@pytest.fixture
def batch(raw):
    return [example_paths()["bibob"], *(raw / p for p in BATCH)]


# --------------------------------------------------------------------------- agreement.csv


def test_agreement_counts_and_kappa_equal_sklearn(batch, tmp_path):
    result, t = _run(batch, tmp_path)
    scored = _scored_sentences(t["sentences"])
    ids = scored["sentence_id"].tolist()
    lex_of, clf_of = defaultdict(set), defaultdict(set)
    for r in _support(t["matches"]).itertuples(index=False):
        if r.method in ("lexicon", "classifier"):
            (lex_of if r.method == "lexicon" else clf_of)[r.cluster].add(r.sentence_id)
    agreement = _num(t["agreement"], "n_sentences", "both", "lexicon_only", "classifier_only", "neither",
                     "agreement", "kappa")
    assert len(agreement) == 9
    memory = result.agreement.set_index("cluster")
    defined = 0
    for row in agreement.itertuples(index=False):
        lex = np.array([i in lex_of[row.cluster] for i in ids], dtype=int)
        clf = np.array([i in clf_of[row.cluster] for i in ids], dtype=int)
        assert row.n_sentences == len(ids)
        assert (row.both, row.lexicon_only, row.classifier_only, row.neither) == (
            int((lex & clf).sum()), int((lex & (1 - clf)).sum()), int(((1 - lex) & clf).sum()),
            int(((1 - lex) & (1 - clf)).sum())), row.cluster
        raw_agreement = float((lex == clf).mean())
        assert row.agreement == pytest.approx(raw_agreement, abs=CSV_ABS)
        assert memory.loc[row.cluster, "agreement"] == pytest.approx(raw_agreement, rel=EXACT)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            expected = cohen_kappa_score(lex, clf)
        if math.isnan(expected):
            assert math.isnan(row.kappa)
        else:
            defined += 1
            assert row.kappa == pytest.approx(expected, abs=CSV_ABS), row.cluster
            assert memory.loc[row.cluster, "kappa"] == pytest.approx(expected, rel=EXACT, abs=1e-12)
        # the first disagreement of each kind, in input and document order
        first_lex = next((i for i, a, b in zip(ids, lex, clf, strict=True) if a and not b), "")
        first_clf = next((i for i, a, b in zip(ids, lex, clf, strict=True) if b and not a), "")
        assert (row.example_lexicon_only, row.example_classifier_only) == (first_lex, first_clf)
    assert defined >= 7  # real disagreement to measure, not a table of constants
    # kappa is not raw agreement: they differ by more than rounding on this batch
    assert (agreement["agreement"] - agreement["kappa"]).abs().max() > 0.1


def test_agreement_kappa_is_empty_where_undefined(raw, tmp_path):
    _, t = _run([raw / NO_VALUES], tmp_path)
    agreement = t["agreement"].set_index("cluster")
    fired = _support(t["matches"]).groupby("cluster").size()
    silent = [c for c in agreement.index if c not in fired.index]
    assert len(silent) >= 5  # neither method fires for these clusters in this document
    for cluster in silent:
        row = agreement.loc[cluster]
        assert (row["both"], row["lexicon_only"], row["classifier_only"]) == ("0", "0", "0")
        assert row["agreement"] == "1" and row["kappa"] == "", cluster  # empty cell, not 1 or 0
    for cluster in fired.index:  # one method fires, the other never: kappa is defined and 0
        assert float(agreement.loc[cluster, "kappa"]) == pytest.approx(0.0, abs=CSV_ABS)


# ----------------------------------------------------------------------- cooccurrence.csv


def _check_cooccurrence(frame: pd.DataFrame, tol: dict, expected_counts: dict, sizes: dict) -> None:
    for r in frame.itertuples(index=False):
        key = (r.doc_id, r.method, r.cluster_a, r.cluster_b)
        n_a, n_b, n_both = expected_counts[key]
        big_n = sizes[r.doc_id]
        assert (int(r.n_sentences), int(r.n_a), int(r.n_b), int(r.n_both)) == (big_n, n_a, n_b, n_both), key
        expected = n_a * n_b / big_n
        assert float(r.expected) == pytest.approx(expected, **tol), key
        assert float(r.lift) == pytest.approx(n_both / expected, **tol), key
        p = float(hypergeom.sf(n_both - 1, big_n, n_a, n_b))
        assert float(r.p_value) == pytest.approx(p, **tol), key


def test_cooccurrence_counts_lift_and_hypergeometric_p(batch, tmp_path):
    result, t = _run(batch, tmp_path)
    scored = _scored_sentences(t["sentences"])
    sizes = scored.groupby("doc_id").size().to_dict()
    sizes["ALL"] = len(scored)
    sets = _cluster_sets(t["matches"])
    clusters = list(dict.fromkeys(t["agreement"]["cluster"]))
    doc_ids = list(dict.fromkeys(scored["doc_id"]))
    counts = {}
    for method in ("lexicon", "classifier", "both"):
        for i, a in enumerate(clusters):
            for b in clusters[i + 1:]:
                total = [0, 0, 0]
                for d in doc_ids:
                    sa, sb = sets[(d, method, a)], sets[(d, method, b)]
                    counts[(d, method, a, b)] = (len(sa), len(sb), len(sa & sb))
                    total = [x + y for x, y in zip(total, counts[(d, method, a, b)], strict=True)]
                counts[("ALL", method, a, b)] = tuple(total)
    co = t["cooccurrence"]
    # exactly the pairs that co-occur at least once, per document and for the batch: by
    # method, then document (input order, the batch last), then pair (scheme order)
    expected_rows = [(d, m, a, b) for m in ("lexicon", "classifier", "both") for d in [*doc_ids, "ALL"]
                     for i, a in enumerate(clusters) for b in clusters[i + 1:] if counts[(d, m, a, b)][2] >= 1]
    assert list(zip(co["doc_id"], co["method"], co["cluster_a"], co["cluster_b"], strict=True)) == expected_rows
    assert {"ALL", *doc_ids} >= set(co["doc_id"]) and (co["doc_id"] == "ALL").sum() >= 10
    _check_cooccurrence(co, {"abs": CSV_ABS}, counts, sizes)
    _check_cooccurrence(result.cooccurrence, {"rel": EXACT, "abs": 1e-300}, counts, sizes)
    # a real mix: small p-values and large ones, lifts spread widely
    lift = co["lift"].astype(float)
    assert lift.max() > 5 and lift.max() / lift.min() > 4
    p = result.cooccurrence["p_value"]
    assert (p < 0.01).any() and (p > 0.2).any()


# ---------------------------------------------------------------------------- profiles.csv


@pytest.mark.parametrize("count_negated", [False, True])
def test_profile_shares_rates_and_wilson_intervals(batch, tmp_path, lexicon, count_negated):
    result, t = _run(batch, tmp_path, count_negated=count_negated)
    scored = _scored_sentences(t["sentences"])
    assert (t["matches"]["negated"] == "true").sum() >= 2  # so that the option changes the counts
    support = _support(t["matches"], count_negated=count_negated)
    hits: dict[tuple, int] = defaultdict(int)  # (doc, method, level, name) -> hits
    carriers: dict[tuple, set] = defaultdict(set)  # -> sentence ids
    for r in support.itertuples(index=False):
        names = [("cluster", r.cluster), ("group", r.group)] + ([("value", r.value)] if r.method == "lexicon" else [])
        for method in (r.method,):
            for level, name in names:
                for doc in (r.doc_id, "ALL"):
                    hits[(doc, method, level, name)] += 1
                    carriers[(doc, method, level, name)].add(r.sentence_id)
    big_n = scored.groupby("doc_id").size().to_dict()
    words = scored.groupby("doc_id")["words"].sum().to_dict()
    big_n["ALL"], words["ALL"] = len(scored), int(scored["words"].sum())
    prof = _num(t["profiles"], "n_sentences", "share", "per_1000_words", "ci_low", "ci_high", "n_hits", "n_words",
                "n_sentences_total")
    memory = result.profiles.set_index(["doc_id", "method", "level", "name"])
    # every name of the scheme, for every document and the batch, by every method
    for method, levels in (("lexicon", ("value", "cluster", "group")), ("classifier", ("cluster", "group")),
                           ("both", ("cluster", "group"))):
        mine = prof[prof["method"] == method]
        assert sorted(set(mine["level"])) == sorted(levels)
        assert len(mine[mine["level"] == "cluster"]) == 9 * len(big_n)
        assert len(mine[mine["level"] == "value"]) == (len(lexicon.values) * len(big_n) if "value" in levels else 0)
    nonzero = 0
    for r in prof.itertuples(index=False):
        key = (r.doc_id, r.method, r.level, r.name)
        k, n, h, w = len(carriers.get(key, ())), big_n[r.doc_id], hits.get(key, 0), words[r.doc_id]
        nonzero += k > 0
        assert (r.n_sentences, r.n_sentences_total, r.n_hits, r.n_words) == (k, n, h, w), key
        assert r.share == pytest.approx(k / n, abs=CSV_ABS), key
        assert r.per_1000_words == pytest.approx(1000 * h / w, abs=CSV_ABS), key
        m = memory.loc[key]
        assert m["share"] == pytest.approx(k / n, rel=EXACT) and m["per_1000_words"] == pytest.approx(1000 * h / w, rel=EXACT)
        if proportion_confint is not None:
            low, high = proportion_confint(k, n, alpha=0.05, method="wilson")
            assert (r.ci_low, r.ci_high) == (pytest.approx(low, abs=CSV_ABS), pytest.approx(high, abs=CSV_ABS)), key
            assert (m["ci_low"], m["ci_high"]) == (pytest.approx(low, rel=EXACT, abs=1e-15),
                                                   pytest.approx(high, rel=EXACT, abs=1e-15)), key
    assert nonzero > 150
    # a sentence counts once per name however many hits it has: hits outnumber sentences somewhere
    assert (prof["n_hits"] > prof["n_sentences"]).any()
    # each row names its place in the scheme: a value its group and cluster, a cluster its
    # group (and itself), a group only itself
    scheme = {("value", v): (g, c) for v, (g, c) in lexicon.values.items()}
    scheme.update({("cluster", c): (g, c) for c, g in lexicon.clusters.items()})
    scheme.update({("group", g): (g, "") for g in lexicon.groups})
    assert all((r.group, r.cluster) == scheme[(r.level, r.name)] for r in prof.itertuples(index=False))
    # documents in input order, then the batch; per document group, cluster and value levels
    docs = list(dict.fromkeys(t["sentences"]["doc_id"]))
    assert list(dict.fromkeys(prof["doc_id"])) == [*docs, "ALL"]
    first = prof[prof["doc_id"] == docs[0]]
    assert list(dict.fromkeys(first["level"])) == ["group", "cluster", "value"]


# ---------------------------------------------------------------------------- sections.csv


def test_section_shares_follow_the_sentences(batch, tmp_path, lexicon):
    result, t = _run(batch, tmp_path)
    scored = _scored_sentences(t["sentences"])
    scored["page"] = scored["page"].astype(int)
    scored["section_index"] = scored["section_index"].astype(int)
    sets = _cluster_sets(t["matches"])
    hits: dict[tuple, int] = defaultdict(int)
    for r in _support(t["matches"]).itertuples(index=False):
        hits[(r.sentence_id, r.method, r.cluster)] += 1
    expected = []
    for doc_id, sents in scored.groupby("doc_id", sort=False):
        for index, sec in sents.groupby("section_index", sort=True):
            ids = set(sec["sentence_id"])
            for method in ("lexicon", "classifier", "both"):
                for cluster, group in lexicon.clusters.items():
                    mine = sets[(doc_id, method, cluster)] & ids
                    expected.append((doc_id, index, sec["section"].iloc[0], int(sec["page"].min()), cluster, method,
                                     len(mine), len(mine) / len(ids), group,
                                     sum(hits[(i, method, cluster)] for i in mine), len(ids)))
    sections = _num(t["sections"], "section_index", "page",
                    "n_sentences", "share", "n_hits", "n_sentences_total")
    assert len(sections) == len(expected)
    for row, want in zip(sections.itertuples(index=False), expected, strict=True):
        got = tuple(row)
        assert got[:7] + got[8:] == want[:7] + want[8:], want
        assert got[7] == pytest.approx(want[7], abs=CSV_ABS)
    assert sections["n_sentences"].sum() > 100 and (sections["page"] > 1).any()
    # a section's page is its first page: some sections run over a page break
    spans = scored.groupby(["doc_id", "section_index"])["page"].agg(["min", "max"])
    assert (spans["max"] > spans["min"]).sum() >= 3
    # the report draws the combined method's rows (no document here has more sections than
    # the heatmap has rows, so none are merged)
    assert result.report.method == "both"
    drawn = [(r["doc_id"], r["section_index"], r["section"], r["page"], r["cluster"], r["method"], r["n_sentences"],
              r["n_hits"], r["n_sentences_total"], r["n_sections"]) for r in result.report.sections]
    both = sections[sections["method"] == "both"]
    assert drawn == [(r.doc_id, r.section_index, r.section or "(no heading)", r.page, r.cluster, r.method,
                      r.n_sentences, r.n_hits, r.n_sentences_total, 1) for r in both.itertuples(index=False)]
    assert [r["share"] for r in result.report.sections] == pytest.approx(both["share"].tolist(), abs=CSV_ABS)


# ------------------------------------------------------------- coverage.csv, unused_terms.csv


def test_coverage_and_unused_terms_from_the_matches(batch, tmp_path, lexicon):
    result, t = _run(batch, tmp_path)
    scored = _scored_sentences(t["sentences"])
    lexical = _support(t["matches"])
    lexical = lexical[(lexical["method"] == "lexicon") & (lexical["term"] != "")]
    coverage = _read(tmp_path / "coverage.csv")
    assert list(coverage["doc_id"]) == list(dict.fromkeys(t["sentences"]["doc_id"]))
    for row in coverage.itertuples(index=False):
        n = int((scored["doc_id"] == row.doc_id).sum())
        mine = lexical[lexical["doc_id"] == row.doc_id]
        with_hit = mine["sentence_id"].nunique()
        assert (int(row.n_sentences), int(row.n_with_hit)) == (n, with_hit)
        assert float(row.share_with_hit) == pytest.approx(with_hit / n, abs=CSV_ABS)
        counts: dict[str, int] = {}
        for term in mine["term"]:  # first appearance breaks ties
            counts[term] = counts.get(term, 0) + 1
        top = sorted(counts.items(), key=lambda kv: -kv[1])[:8]
        assert row.top_terms == "; ".join(f"{term} ({k})" for term, k in top)
    assert coverage["top_terms"].str.count(";").max() == 7  # some document has more than 8 terms
    unused = _read(tmp_path / "unused_terms.csv")
    fired = set(lexical["term"])
    assert list(zip(unused["value"], unused["term"], unused["match"], strict=True)) == [
        (term.value, term.term, term.match) for term in lexicon.terms if term.term not in fired]
    assert 0 < len(fired) < len(lexicon.terms) - len(unused) + 1


# -------------------------------------------------------------------------- comparison.csv


@pytest.fixture
def compared(raw, tmp_path):
    """comparison.csv and drivers.csv of two real documents, and each side's own tables."""
    result = compare([str(raw / COMPARE_A)], [str(raw / COMPARE_B)], use_cache=False, nlp=_nlp(), model=_model())
    result.write(tmp_path / "compare", report=False)
    sides = {}
    for name, side in (("A", result.a), ("B", result.b)):
        side.write(tmp_path / name, report=False, tables=("sentences", "matches", "profiles"))
        sides[name] = {t: _read(tmp_path / name / f"{t}.csv") for t in ("sentences", "matches", "profiles")}
    return result, _read(tmp_path / "compare" / "comparison.csv"), _read(tmp_path / "compare" / "drivers.csv"), sides


def test_comparison_fisher_p_bh_q_and_newcombe_interval(compared):
    result, comparison, _, sides = compared
    cmp = _num(comparison, "share_a", "share_b", "diff", "ci_low", "ci_high", "p_value", "q_value", "n_a", "n_b",
               "hits_a", "hits_b")
    # the counts are each side's ALL row of profiles.csv
    for side, k_col, n_col, share_col in (("A", "hits_a", "n_a", "share_a"), ("B", "hits_b", "n_b", "share_b")):
        prof = sides[side]["profiles"]
        prof = prof[prof["doc_id"] == "ALL"].set_index(["level", "name", "method"])
        for r in cmp.itertuples(index=False):
            row = prof.loc[(r.level, r.name, r.method)]
            assert getattr(r, k_col) == int(row["n_sentences"]) and getattr(r, n_col) == int(row["n_sentences_total"])
            assert getattr(r, share_col) == pytest.approx(getattr(r, k_col) / getattr(r, n_col), abs=CSV_ABS)
    memory = result.comparison
    assert len(memory) == len(cmp) > 50
    p = np.array([fisher_exact([[k_a, n_a - k_a], [k_b, n_b - k_b]]).pvalue
                  for k_a, n_a, k_b, n_b in zip(cmp.hits_a, cmp.n_a, cmp.hits_b, cmp.n_b, strict=True)])
    assert cmp["p_value"].to_numpy() == pytest.approx(p, abs=CSV_ABS)
    assert memory["p_value"].to_numpy() == pytest.approx(p, rel=EXACT, abs=1e-300)
    assert cmp["diff"].to_numpy() == pytest.approx((cmp.hits_b / cmp.n_b - cmp.hits_a / cmp.n_a).to_numpy(), abs=CSV_ABS)
    q = np.empty(len(memory))
    for _, idx in memory.groupby(["level", "method"]).indices.items():
        q[idx] = false_discovery_control(p[idx], method="bh")
    assert memory.groupby(["level", "method"]).ngroups == 7
    assert cmp["q_value"].to_numpy() == pytest.approx(q, abs=CSV_ABS)
    assert memory["q_value"].to_numpy() == pytest.approx(q, rel=EXACT, abs=1e-300)
    assert (comparison["significant"] == np.where(q < 0.05, "true", "false")).all()
    assert 10 <= (q < 0.05).sum() < len(q) - 10  # real shifts and real non-shifts
    if confint_proportions_2indep is None:
        pytest.skip("statsmodels is not installed: the Newcombe interval is not checked")
    for i, r in enumerate(cmp.itertuples(index=False)):
        low, high = confint_proportions_2indep(r.hits_b, r.n_b, r.hits_a, r.n_a, method="newcomb", compare="diff")
        assert (r.ci_low, r.ci_high) == (pytest.approx(low, abs=CSV_ABS), pytest.approx(high, abs=CSV_ABS)), r
        assert (memory["ci_low"].iloc[i], memory["ci_high"].iloc[i]) == (pytest.approx(low, rel=1e-9, abs=1e-12),
                                                                         pytest.approx(high, rel=1e-9, abs=1e-12))


def _evidence(side: dict, cluster: str, methods: tuple[str, ...] = ROWS) -> list[tuple[str, int, float]]:
    """A side's sentences carrying ``cluster``, strongest evidence first: number of
    non-negated match rows of the cluster (of ``methods``: by default every method that
    writes rows), then their summed score, then document order."""
    order = {sid: i for i, sid in enumerate(side["sentences"]["sentence_id"])}
    m = _support(side["matches"])
    m = m[(m["cluster"] == cluster) & m["method"].isin(methods)]
    tally = m.groupby("sentence_id")["score"].agg(["size", "sum"])
    ranked = sorted(tally.itertuples(), key=lambda r: (-r.size, -round(r.sum, 6), order[r.Index]))
    return [(r.Index, int(r.size), float(r.sum)) for r in ranked]


def test_drivers_are_the_strongest_evidence_first(compared):
    result, comparison, drivers, sides = compared
    cmp = comparison[(comparison["level"] == "cluster") & (comparison["method"] == "both")]
    significant = cmp[cmp["significant"] == "true"].set_index("name")
    assert len(significant) >= 4
    assert list(dict.fromkeys(drivers["cluster"])) == list(
        significant.assign(d=significant["diff"].astype(float)).sort_values("d", kind="mergesort").index)
    strengths = 0
    for cluster, rows in drivers.groupby("cluster", sort=False):
        diff = float(significant.loc[cluster, "diff"])
        side = "B" if diff > 0 else "A"
        assert set(rows["side"]) == {side}
        assert rows["diff"].astype(float).to_numpy() == pytest.approx(diff, abs=CSV_ABS)
        ranked = _evidence(sides[side], cluster, ("both",))  # the comparison's own method
        assert rows["sentence_id"].tolist() == [sid for sid, _, _ in ranked[:3]], cluster
        keys = [next((n, s) for sid, n, s in ranked if sid == r) for r in rows["sentence_id"]]
        assert keys == sorted(keys, reverse=True), cluster  # strongest first
        strengths += len(set(keys)) > 1
        text = sides[side]["sentences"].set_index("sentence_id")
        support = _support(sides[side]["matches"])
        for r in rows.itertuples(index=False):
            assert (r.doc_id, r.text, r.page) == tuple(text.loc[r.sentence_id, ["doc_id", "text", "page"]])
            terms = support[(support["sentence_id"] == r.sentence_id) & (support["cluster"] == cluster)]["term"]
            assert r.terms == ", ".join(sorted(set(terms) - {""}))
    assert strengths >= 3  # the order is decided by the evidence, not by ties


def test_each_sides_best_sentences_per_method(compared, lexicon):
    """The evidence a report shows and a comparison by one method names as drivers: per
    cluster and method (``all``: every method that writes rows) the three strongest
    sentences, with that method's terms."""
    result, _, _, sides = compared
    lists = 0
    for name, report in (("A", result.a.report), ("B", result.b.report)):
        side = sides[name]
        support = _support(side["matches"])
        for cluster in lexicon.clusters:
            for method, methods in (("all", ROWS), ("lexicon", ("lexicon",)), ("classifier", ("classifier",)),
                                    ("both", ("both",))):
                want = _evidence(side, cluster, methods)[:3]
                got = report.best_sentences(cluster, method)
                assert [(b["sentence_id"], b["n"]) for b in got] == [(sid, n) for sid, n, _ in want], (cluster, method)
                assert [b["score"] for b in got] == pytest.approx([s for _, _, s in want], abs=1e-6)
                for b in got:
                    # the combination's rows name no term: it shows the terms of its parts
                    named = ROWS if method == "both" else methods
                    mine = support[(support["sentence_id"] == b["sentence_id"]) & (support["cluster"] == cluster)
                                   & support["method"].isin(named)]
                    assert b["terms"] == ", ".join(sorted(set(mine["term"]) - {""}))
                lists += bool(want)
    assert lists >= 30


# --------------------------------------------------------------- classifier columns -> names


def _clear_gold_sentences(nlp, lexicon):
    """Annotated sentences with exactly one cluster, not negated, that state it in words of
    the lexicon (a term of that cluster matches, not negated)."""
    from analyzer.scoring.lexicon import Matcher
    from analyzer.segment import Sentence, Token

    corpus = ROOT / "corpus"
    with open(corpus / "sentences.tsv", encoding="utf-8", newline="") as fh:
        texts = {r["sentence_id"]: r["text"] for r in csv.DictReader(fh, delimiter="\t")}
    with open(corpus / "labels.tsv", encoding="utf-8", newline="") as fh:
        gold = [(r["sentence_id"], r["clusters"]) for r in csv.DictReader(fh, delimiter="\t")
                if r["clusters"] and "|" not in r["clusters"] and not r["negated"].strip()]
    docs = nlp.pipe([texts[sid] for sid, _ in gold], batch_size=256)
    sentences = [Sentence("gold", sid, i, 1, "", 0, 0, "prose", texts[sid],
                          [Token(t.text, t.lower_, t.lemma_.lower() or t.lower_, t.idx) for t in doc if not t.is_space])
                 for i, ((sid, _), doc) in enumerate(zip(gold, docs, strict=True))]
    matcher = Matcher(lexicon)
    cluster_of = {v: c for v, (_, c) in lexicon.values.items()}
    keep = []
    for s, (_, cluster) in zip(sentences, gold, strict=True):
        hits = matcher.match(s)
        if any(cluster_of[h.term.value] == cluster and not h.negated for h in hits):
            keep.append((s, hits, cluster))
    return keep


def _top_label_accuracy(clf, clear) -> tuple[float, dict[str, float]]:
    proba = clf.predict_proba([s for s, _, _ in clear], [h for _, h, _ in clear])
    top = [clf.labels[j] for j in proba.argmax(axis=1)]
    gold = [c for _, _, c in clear]
    right = [t == g for t, g in zip(top, gold, strict=True)]
    per = {c: float(np.mean([r for r, g in zip(right, gold, strict=True) if g == c])) for c in set(gold)
           if gold.count(c) >= 10}
    return float(np.mean(right)), per


def test_classifier_probability_columns_are_their_clusters():
    from analyzer.run.document import Resources
    from analyzer.scoring.base import run_scorers
    from analyzer.types import RunSettings

    clf = _model()
    clear = _clear_gold_sentences(_nlp(), clf.lexicon)
    assert len(clear) > 200
    accuracy, per_cluster = _top_label_accuracy(clf, clear)
    # today 0.98 of 547 overall and at least 0.88 for each of the 8 clusters with 10+ such
    # sentences (model 2.0.0, corpus 2.0; model 1.0.0: 0.89 and 0.70). Reversed columns give
    # 0.03, and swapping any two columns sends one of those clusters to 0.
    assert accuracy >= 0.8
    assert len(per_cluster) >= 8 and min(per_cluster.values()) >= 0.5, per_cluster
    # the same check catches a label order that does not match the columns
    backwards = copy.copy(clf)
    backwards.labels = clf.labels[::-1]
    wrong, wrong_per = _top_label_accuracy(backwards, clear)
    assert wrong < 0.2 and min(wrong_per.values()) < 0.5
    # and the classifier's labels in a run (the rows of matches.csv) carry those names
    resources = Resources(lexicon=clf.lexicon, nlp=_nlp(), clf=clf).load(RunSettings(method="classifier"))
    labels = run_scorers(resources.scorers, [s for s, _, _ in clear])["classifier"]
    best = [max(ls, key=lambda lab: lab.score).cluster if ls else "" for ls in labels]
    assert np.mean([b == c for b, (_, _, c) in zip(best, clear, strict=True)]) >= 0.8


# ------------------------------------------------------------------------- the README's demo

DEMO_SUMMARY = [
    "Wmo 2015 spreekt minder van Rechtvaardigheid (−4.9 pp) en Puurheid (−1.5 pp) en meer van Vrijheid "
    "(+11.5 pp), Gezag (+7.1 pp) en Kwaliteit (+4.7 pp) dan Coalitieakkoord 2021; deze 5 verschillen zijn"
    " significant (Fisher, Benjamini-Hochberg q < 0.05, methode both).",
    "Gecorrigeerd voor wat de methode mist en ten onrechte vindt (95%-interval): Rechtvaardigheid −11.9 "
    "pp [−18.6; −5.2], Kwaliteit +9.3 pp [+3.4; +17.1], Gezag +19.9 pp [+11.3; +38.4] en Vrijheid +28.6 "
    "pp [+18.1; +41.4] (q < 0.05).",
    "Niet significant (mogelijk toeval): Continuïteit (−2.6 pp).",
    "Lost in translation: van de sterkste waarden van Coalitieakkoord 2021 draagt Wmo 2015 Preventie "
    "nauwelijks (3.4% → 1.4%), Gelijkheid nauwelijks (3.1% → 0.0%) en Eenvoud nauwelijks (3.0% → 1.2%).",
    "Wmo 2015 voegt toe: Privacy (0.3% → 3.1%), Saamhorigheid (0.8% → 3.0%), Inclusiviteit (1.7% → 4.5%),"
    " Autoriteit (3.9% → 9.6%) en Zelfredzaamheid (1.1% → 5.6%).",
]
"""What ``waardenscan demo`` prints (model 2.1.0, lexicon 1.0.0); README.md quotes it."""
DEMO_SCORED = {"coalitieakkoord-2021-2025.pdf": 1199, "wmo-2015.md": 574}
"""Scored sentences of the two compared documents (the README quotes them)."""


def test_demo_prints_the_readme_comparison(tmp_path):
    from analyzer.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        rc = main(["demo", "-o", str(tmp_path / "demo"), "-q", "--cache-dir", str(tmp_path / "cache")])
    assert rc == 0, err.getvalue()
    assert out.getvalue().splitlines() == DEMO_SUMMARY
    summary = (tmp_path / "demo" / "compare" / "summary.txt").read_text(encoding="utf-8")
    assert summary.splitlines() == DEMO_SUMMARY
    documents = _read(tmp_path / "demo" / "score" / "documents.csv")
    scored = {Path(p).name: int(n) for p, n in zip(documents["path"], documents["sentences_scored"], strict=True)}
    assert {name: scored[name] for name in DEMO_SCORED} == DEMO_SCORED


def test_readme_quotes_the_demo_summary():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## A real comparison", 1)[1].split("\n## ", 1)[0]
    quoted = " ".join(line[2:].strip() for line in section.splitlines() if line.startswith("> "))
    assert quoted == " ".join(DEMO_SUMMARY)
    a, b = DEMO_SCORED.values()
    assert f"(A, {a:,} scored sentences)" in section and f"(B, {b:,} scored sentences)" in section
