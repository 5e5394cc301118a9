"""Adjusted shares (analyzer/aggregate/adjust.py, analyzer/scoring/rates.py): properties of
the estimators, the error-rate estimation, and recovery of known shares from simulated
labelling with known error rates."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analyzer.aggregate.adjust import ESTIMATORS, adjust_diff, adjust_share, point
from analyzer.scoring.rates import MIN_SEPARATION, ErrorRates, Rate, document_priors, estimate_rates


def _rate(tpr: float, fpr: float, *, spread: float = 0.0, n_pos: int = 200, seed: int = 1) -> Rate:
    rng = np.random.default_rng(seed)
    t = np.clip(tpr + spread * rng.standard_normal(200), 0, 1)
    f = np.clip(fpr + spread / 4 * rng.standard_normal(200), 0, 1)
    return Rate(tpr, fpr, n_pos, 5000, t, f)


counts = st.integers(min_value=1, max_value=3000).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n)))
rates_st = st.tuples(st.floats(0.3, 1.0), st.floats(0.0, 0.15), st.floats(0.0, 0.08))


@settings(max_examples=60, deadline=None)
@given(counts, rates_st, st.sampled_from(ESTIMATORS))
def test_adjusted_share_and_interval_lie_in_0_1_and_hold_the_estimate(kn, r, estimator):
    (k, n), (tpr, fpr, spread) = kn, r
    a = adjust_share(k, n, _rate(tpr, fpr, spread=spread), prior=(1.0, 20.0), estimator=estimator)
    assert 0.0 <= a.low <= a.share <= a.high <= 1.0


@pytest.mark.parametrize("k,n", [(0, 50), (7, 50), (130, 400), (400, 400)])
def test_a_perfect_method_leaves_the_share_unchanged(k, n):
    perfect = _rate(1.0, 0.0)
    assert adjust_share(k, n, perfect, estimator="acc").share == pytest.approx(k / n, abs=1e-12)
    # bayes: the posterior mean of a binomial share under a Beta(a, b) prior, (k + a) / (n + a + b),
    # on a grid: it moves from k/n only by the prior's pull
    a, b = 0.5, 0.5
    got = adjust_share(k, n, perfect, prior=(a, b), estimator="bayes").share
    assert got == pytest.approx((k + a) / (n + a + b), abs=2e-3)


@settings(max_examples=40, deadline=None)
@given(counts, counts, rates_st, st.sampled_from(ESTIMATORS))
def test_swapping_sides_negates_the_adjusted_difference_and_mirrors_its_interval(a, b, r, estimator):
    rate = _rate(r[0], r[1], spread=r[2])
    ab = adjust_diff(*a, *b, rate, prior=(1.0, 10.0), estimator=estimator, key=("x",))
    ba = adjust_diff(*b, *a, rate, prior=(1.0, 10.0), estimator=estimator, key=("x",))
    assert ab.diff == pytest.approx(-ba.diff, abs=1e-12)
    assert ab.low == pytest.approx(-ba.high, abs=1e-12) and ab.high == pytest.approx(-ba.low, abs=1e-12)
    assert ab.p_value == pytest.approx(ba.p_value, abs=1e-12)
    assert ab.low <= ab.diff <= ab.high


@pytest.mark.parametrize("estimator", ESTIMATORS)
def test_a_text_compared_with_itself_has_zero_adjusted_difference(estimator):
    d = adjust_diff(40, 500, 40, 500, _rate(0.5, 0.03, spread=0.05), estimator=estimator)
    assert (d.diff, d.low, d.high, d.p_value) == (0.0, 0.0, 0.0, 1.0)


def test_not_identifiable_when_the_method_barely_separates_or_rests_on_few_positives():
    assert math.isnan(adjust_share(10, 100, _rate(0.10 + MIN_SEPARATION / 2, 0.10)).share)
    assert math.isnan(adjust_share(10, 100, _rate(0.8, 0.01, n_pos=3)).share)
    assert math.isnan(adjust_diff(10, 100, 20, 100, _rate(0.12, 0.1)).diff)
    assert math.isnan(adjust_share(10, 100, None).share)
    assert not math.isnan(adjust_share(10, 100, _rate(0.8, 0.01)).share)


def test_acc_inverts_the_measurement_model():
    # q = tpr p + fpr (1 - p): with tpr 0.4, fpr 0.02 and p 0.25, q = 0.115
    assert float(point(0.115, 0.4, 0.02)) == pytest.approx(0.25)
    assert float(point(0.0, 0.4, 0.02)) == 0.0 and float(point(0.9, 0.4, 0.02)) == 1.0


def _simulate(rng, p, n, tpr, fpr):
    truth = rng.random(n) < p
    labelled = np.where(truth, rng.random(n) < tpr, rng.random(n) < fpr)
    return int(truth.sum()), int(labelled.sum())


@pytest.mark.parametrize("estimator", ESTIMATORS)
def test_recovers_known_shares_that_classify_and_count_misses(estimator):
    """A method with recall 0.35 and 2% false positives, its rates known up to their
    bootstrap spread: over 200 simulated texts of 2,000 sentences with true shares from 2%
    to 30%, the adjusted share is far closer to the truth than the raw one, and its 95%
    interval covers the truth at least 90% of the time."""
    rng = np.random.default_rng(7)
    rate = _rate(0.35, 0.02, spread=0.02)
    raw_err, adj_err, covered = [], [], []
    for i in range(200):
        p = rng.uniform(0.02, 0.30)
        n_true, k = _simulate(rng, p, 2000, 0.35, 0.02)
        a = adjust_share(k, 2000, rate, prior=(1.0, 8.0), estimator=estimator, key=(i,))
        truth = n_true / 2000
        raw_err.append(abs(k / 2000 - truth))
        adj_err.append(abs(a.share - truth))
        covered.append(a.low <= truth <= a.high)
    assert np.mean(adj_err) < 0.5 * np.mean(raw_err)
    assert np.mean(covered) >= 0.90


@pytest.mark.parametrize("estimator", ESTIMATORS)
def test_the_adjusted_difference_recovers_a_shift_that_the_raw_one_shrinks(estimator):
    rng = np.random.default_rng(11)
    rate = _rate(0.35, 0.02, spread=0.02)
    raw, adj, covered = [], [], []
    for i in range(100):
        ta, ka = _simulate(rng, 0.15, 1500, 0.35, 0.02)
        tb, kb = _simulate(rng, 0.05, 1500, 0.35, 0.02)
        d = adjust_diff(ka, 1500, kb, 1500, rate, prior=(1.0, 8.0), estimator=estimator, key=(i,))
        true = (tb - ta) / 1500
        raw.append((kb - ka) / 1500)
        adj.append(d.diff)
        covered.append(d.low <= true <= d.high)
    assert np.mean(raw) == pytest.approx(-0.10 * 0.33, abs=0.01)  # shrunk to a third
    assert np.mean(adj) == pytest.approx(-0.10, abs=0.015)
    assert np.mean(covered) >= 0.90


def test_estimate_rates_counts_true_and_false_positives_and_bootstraps_documents():
    gold = np.array([[1], [1], [1], [1], [0], [0], [0], [0], [0], [0]])
    pred = np.array([[1], [1], [0], [0], [1], [0], [0], [0], [0], [0]])
    docs = ["a"] * 5 + ["b"] * 5
    rates = estimate_rates(gold, {"m": pred}, [("cluster", "X")], docs, replicates=50, seed=3)
    r = rates.get("m", "cluster", "X")
    assert (r.tpr, r.fpr, r.n_pos, r.n_neg) == (0.5, pytest.approx(1 / 6), 4, 6)
    assert r.tpr_draws.shape == (50,) and np.all((r.tpr_draws >= 0) & (r.tpr_draws <= 1))
    # a replicate that draws document b twice has no positives: its TPR falls back to the point rate
    assert set(np.round(r.tpr_draws, 6)) <= {0.5, 2 / 3, 0.0, 1.0, 0.4, 0.25, 1 / 3}


def test_rates_round_trip_through_json():
    gold = np.random.default_rng(0).integers(0, 2, size=(300, 2))
    pred = np.where(np.random.default_rng(1).random((300, 2)) < 0.8, gold, 1 - gold)
    rates = estimate_rates(gold, {"m": pred}, [("cluster", "X"), ("cluster", "Y")], [str(i % 10) for i in range(300)],
                           replicates=20, meta={"model": "x-1"})
    again = ErrorRates.from_json(rates.to_json())
    for key, r in rates.rates.items():
        s = again.get(*key)
        assert s.tpr == pytest.approx(r.tpr, abs=1e-6) and np.allclose(s.tpr_draws, r.tpr_draws, atol=1e-5)
    with pytest.raises(ValueError, match="format"):
        ErrorRates.from_json({"format": "other", "rates": []})


def test_document_priors_follow_the_spread_of_document_shares():
    rng = np.random.default_rng(5)
    docs, rows = [], []
    for d in range(40):
        p = rng.beta(2, 38)  # mean 5%
        rows += list((rng.random(100) < p).astype(int))
        docs += [f"d{d}"] * 100
    prior = document_priors(np.array(rows)[:, None], [("cluster", "X")], docs)["cluster|X"]
    assert prior[0] / (prior[0] + prior[1]) == pytest.approx(0.05, abs=0.015)


# --- through the tool: real documents, the packaged model and its measured rates ---------------

import json  # noqa: E402
from pathlib import Path  # noqa: E402

from analyzer import api  # noqa: E402
from analyzer.output.io import read_table  # noqa: E402
from analyzer.schemas import COMPARISON, PROFILES  # noqa: E402
from analyzer.scoring.classifier.model import default_model_path  # noqa: E402
from analyzer.scoring.rates import FILE  # noqa: E402

EXAMPLES = Path(api.__file__).parent / "resources" / "examples"
needs_rates = pytest.mark.skipif(default_model_path() is None or not (default_model_path() / FILE).exists(),
                                 reason="the packaged model has no quantification.json")


@pytest.fixture(scope="module")
def bibob(tmp_path_factory):
    out = tmp_path_factory.mktemp("bibob")
    result = api.score([EXAMPLES / "someren-beleidsregel-bibob-2019.xml"], stream_to=out, use_cache=False)
    return result, out


@needs_rates
def test_profiles_carry_adjusted_shares_for_every_method_and_run_json_names_the_rates(bibob):
    result, out = bibob
    p = result.profiles
    assert list(p.columns) == PROFILES.names
    rows = p[(p["level"] == "cluster")]
    assert set(rows["method"]) == {"lexicon", "classifier", "both"}
    adjusted = rows.dropna(subset=["share_adjusted"])
    assert set(adjusted["method"]) == {"lexicon", "classifier", "both"}  # the lexicon is adjusted too
    assert ((adjusted["adj_ci_low"] <= adjusted["share_adjusted"] + 1e-12)
            & (adjusted["share_adjusted"] <= adjusted["adj_ci_high"] + 1e-12)).all()
    assert adjusted["share_adjusted"].between(0, 1).all()
    info = result.run["adjustment"]
    assert info["estimator"] == "acc" and set(info["methods"]) == {"lexicon", "classifier", "both"}
    rates_file = Path(info["file"])
    import hashlib

    assert hashlib.sha256(rates_file.read_bytes()).hexdigest() == info["sha256"]
    # the streamed CSV holds the same adjusted numbers (types from the schema)
    result.write(out)
    again = read_table(out / "profiles.csv", PROFILES)
    assert np.allclose(again["share_adjusted"].to_numpy(dtype=float), p["share_adjusted"].to_numpy(dtype=float),
                       equal_nan=True, atol=1e-6)  # the CSV keeps 6 decimals
    assert json.loads((out / "run.json").read_text())["adjustment"]["sha256"] == info["sha256"]


@needs_rates
def test_adjust_none_and_a_foreign_lexicon_leave_the_columns_empty_with_a_reason(tmp_path):
    doc = EXAMPLES / "someren-beleidsregel-bibob-2019.xml"
    off = api.score([doc], adjustment="none", use_cache=False, method="lexicon")
    assert off.profiles["share_adjusted"].isna().all()
    assert "lexicon" in off.run["adjustment"]["not_adjusted"]
    import shutil

    lex_dir = tmp_path / "lexicon"
    shutil.copytree(Path(api.__file__).parent / "resources" / "lexicon", lex_dir)
    with open(lex_dir / "terms.tsv", "a", encoding="utf-8") as fh:  # one more term: another lexicon
        fh.write("Doeltreffendheid\tproductiviteitswinstpunt\tlemma\ttest\t\t\tvalue\n")
    other = api.score([doc], lexicon=lex_dir, use_cache=False, method="lexicon")
    assert other.lexicon.sha256 != off.lexicon.sha256
    assert other.profiles["share_adjusted"].isna().all()
    assert "another lexicon" in other.run["adjustment"]["not_adjusted"]["lexicon"]


@needs_rates
def test_compare_gives_adjusted_differences_zero_with_itself_and_negated_when_swapped(bibob):
    result, _ = bibob
    wmo = api.score([EXAMPLES / "wmo-2015.md"], use_cache=False)
    same = api.compare(result, result).comparison
    assert list(same.columns) == COMPARISON.names
    got = same.dropna(subset=["diff_adjusted"])
    assert len(got) and (got["diff_adjusted"] == 0).all() and (got["adj_p_value"] == 1).all()
    ab = api.compare(result, wmo).comparison.set_index(["level", "name", "method"])
    ba = api.compare(wmo, result).comparison.set_index(["level", "name", "method"])
    both = ab.dropna(subset=["diff_adjusted"]).index
    assert len(both)
    assert np.allclose(ab.loc[both, "diff_adjusted"], -ba.loc[both, "diff_adjusted"], atol=1e-12)
    assert np.allclose(ab.loc[both, "adj_diff_ci_low"], -ba.loc[both, "adj_diff_ci_high"], atol=1e-12)
    # the adjusted difference is the difference of the two sides' adjusted shares
    assert np.allclose(ab.loc[both, "diff_adjusted"], ab.loc[both, "adj_share_b"] - ab.loc[both, "adj_share_a"],
                       atol=1e-9)
