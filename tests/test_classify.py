"""The classifier: training on a tiny real fixture, persistence, safe loading, label order, determinism."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest

from analyzer.errors import ModelError
from analyzer.scoring.classifier.model import ESTIMATOR_FILE, META_FILE, load_model, save_model
from analyzer.scoring.classifier.train import to_sentences, train
from analyzer.scoring.lexicon import Matcher, load_lexicon

from .conftest import DATA

ROOT = Path(__file__).resolve().parents[1]
LEX = load_lexicon(DATA / "toy_lexicon.tsv")


@pytest.fixture(scope="module")
def tiny_corpus(tmp_path_factory):
    """~300 real annotated sentences from 8 documents of the committed corpus (train/dev only)."""
    out = tmp_path_factory.mktemp("corpus")
    with open(ROOT / "corpus" / "sentences.tsv", encoding="utf-8") as fh:
        sentences = list(csv.DictReader(fh, delimiter="\t"))
    with open(ROOT / "corpus" / "labels.tsv", encoding="utf-8") as fh:
        labels = {r["sentence_id"]: r for r in csv.DictReader(fh, delimiter="\t")}
    docs = ["rijk-coalitieakkoord-2021", "hervormingsagenda-jeugd", "wassenaar-begroting-2021", "jeugdwet",
            "aaenhunze-coalitieakkoord", "wmo2015", "kamervragen-1a52", "kamervragen-1bca"]
    picked = []
    for d in docs:
        rows = [s for s in sentences if s["doc_key"] == d]
        positives = [s for s in rows if labels[s["sentence_id"]]["clusters"]][:25]
        negatives = [s for s in rows if not labels[s["sentence_id"]]["clusters"]][:15]
        picked += positives + negatives
    for name, rows, fields in (("sentences.tsv", picked, list(picked[0])),
                               ("labels.tsv", [labels[s["sentence_id"]] for s in picked],
                                list(next(iter(labels.values()))))):
        with open(out / name, "w", encoding="utf-8", newline="") as fh:
            w = csv.DictWriter(fh, fieldnames=fields, delimiter="\t", lineterminator="\n")
            w.writeheader()
            w.writerows(rows)
    (out / "documents.tsv").write_text((ROOT / "corpus" / "documents.tsv").read_text(encoding="utf-8"), encoding="utf-8")
    return out


@pytest.fixture(scope="module")
def trained(tiny_corpus, nlp, tmp_path_factory):
    clf = train(tiny_corpus, nlp=nlp, lexicon=LEX, candidates=("logreg",), n_folds=3)
    folder = save_model(clf, tmp_path_factory.mktemp("model") / "m")
    return clf, folder


def test_training_records_label_order_seed_and_scores(trained):
    clf, folder = trained
    meta = json.loads((folder / META_FILE).read_text(encoding="utf-8"))
    assert meta["labels"] == list(LEX.clusters) == clf.labels
    assert meta["seed"] == 20261123 and len(meta["corpus_sha256"]) == 64
    assert set(meta["thresholds"]) == set(meta["labels"])
    assert 0 <= meta["cv"]["logreg"]["macro_f1"] <= 1
    # one binary estimator per label, in label order (tests/test_numbers.py ties columns to names)
    est = clf.estimator.named_steps["clf"]
    assert len(est.estimators_) == len(clf.labels)


def test_persistence_round_trip_gives_identical_probabilities(trained, tiny_corpus, nlp):
    from analyzer.scoring.classifier.corpus import load_corpus

    clf, folder = trained
    loaded = load_model(folder, lexicon=LEX, engine="sklearn")
    gold = load_corpus(tiny_corpus)[:40]
    sents = to_sentences(gold, nlp)
    hits = [Matcher(LEX).match(s) for s in sents]
    a = clf.predict_proba(sents, hits)
    b = loaded.predict_proba(sents, hits)
    assert a.shape == (40, len(LEX.clusters)) and np.array_equal(a, b)
    assert loaded.predict(sents, hits) == clf.predict(sents, hits)
    # the exported arrays (inference.npz) give the same probabilities without scikit-learn
    exported = load_model(folder, lexicon=LEX)
    assert exported.estimator is None and exported.inference is not None
    assert np.allclose(exported.predict_proba(sents, hits), a, rtol=0, atol=1e-12)
    def rounded(predictions):
        return [[(label, round(p, 12), negated) for label, p, negated in row] for row in predictions]

    assert rounded(exported.predict(sents, hits)) == rounded(clf.predict(sents, hits))


def test_tampered_inference_file_is_refused(trained, tmp_path):
    import shutil

    from analyzer.scoring.classifier.model import INFERENCE_FILE

    _, folder = trained
    bad = tmp_path / "bad"
    shutil.copytree(folder, bad)
    data = bytearray((bad / INFERENCE_FILE).read_bytes())
    data[200] ^= 0xFF
    (bad / INFERENCE_FILE).write_bytes(bytes(data))
    with pytest.raises(ModelError, match="inference.npz"):
        load_model(bad, lexicon=LEX)
    assert load_model(bad, lexicon=LEX, engine="sklearn").estimator is not None  # the estimator is untouched


def test_a_pipeline_that_cannot_be_exported_is_scored_by_sklearn(trained, tmp_path):
    import copy

    from analyzer.scoring.classifier.inference import Unsupported, export
    from analyzer.scoring.classifier.model import INFERENCE_FILE

    clf, _ = trained
    other = copy.deepcopy(clf)
    other.estimator.steps[0][1].transformers_[1][1].strip_accents = "unicode"
    with pytest.raises(Unsupported, match="strip_accents"):
        export(other.estimator, other.labels)
    folder = save_model(other, tmp_path / "m")
    assert not (folder / INFERENCE_FILE).exists()
    assert "inference_sha256" not in json.loads((folder / META_FILE).read_text(encoding="utf-8"))
    assert load_model(folder, lexicon=LEX).estimator is not None


def test_training_is_deterministic(tiny_corpus, nlp, trained):
    clf, _ = trained
    again = train(tiny_corpus, nlp=nlp, lexicon=LEX, candidates=("logreg",), n_folds=3)
    assert again.thresholds == clf.thresholds and again.meta["cv"] == clf.meta["cv"]


def test_version_mismatch_fails_loudly(trained, tmp_path):
    _, folder = trained
    bad = tmp_path / "old"
    bad.mkdir()
    (bad / ESTIMATOR_FILE).write_bytes((folder / ESTIMATOR_FILE).read_bytes())
    meta = json.loads((folder / META_FILE).read_text(encoding="utf-8"))
    meta["versions"]["scikit-learn"] = "0.24.2"
    (bad / META_FILE).write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(ModelError, match="trained with scikit-learn 0.24.2"):
        load_model(bad, lexicon=LEX)


def test_tampered_estimator_is_refused(trained, tmp_path):
    _, folder = trained
    bad = tmp_path / "tampered"
    bad.mkdir()
    data = bytearray((folder / ESTIMATOR_FILE).read_bytes())
    data[-10] ^= 0xFF
    (bad / ESTIMATOR_FILE).write_bytes(bytes(data))
    (bad / META_FILE).write_text((folder / META_FILE).read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(ModelError, match="sha256 does not match"):
        load_model(bad, lexicon=LEX)


def test_packaged_model_loads_and_predicts(nlp):
    """The model committed in models/ loads with the packaged lexicon and gives probabilities."""
    from analyzer.segment import Sentence, Token

    clf = load_model()
    doc = nlp("Wij bestrijden armoede en bieden maatwerk aan kwetsbare inwoners.")
    s = Sentence("t", "t:1", 0, 1, "", 0, 0, "prose", doc.text,
                 [Token(t.text, t.lower_, t.lemma_, t.idx) for t in doc])
    proba = clf.predict_proba([s], [Matcher(clf.lexicon).match(s)])
    assert proba.shape == (1, 9) and ((0 <= proba) & (proba <= 1)).all()
    assert not clf.meta.get("lexicon_mismatch"), "the packaged model must be trained with the packaged lexicon"


def test_untrusted_types_in_a_model_file_are_refused(trained, tmp_path):
    """A model file that carries a type outside the trusted list (here a function) never loads."""
    import hashlib

    import skops.io as sio
    from sklearn.preprocessing import FunctionTransformer

    _, folder = trained
    bad = tmp_path / "untrusted"
    bad.mkdir()
    sio.dump(FunctionTransformer(func=print), bad / ESTIMATOR_FILE)
    meta = json.loads((folder / META_FILE).read_text(encoding="utf-8"))
    meta["estimator_sha256"] = hashlib.sha256((bad / ESTIMATOR_FILE).read_bytes()).hexdigest()
    (bad / META_FILE).write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(ModelError, match="untrusted types"):
        load_model(bad, lexicon=LEX, engine="sklearn")


def test_exported_inference_gives_sklearns_probabilities(nlp):
    """inference.npz (no scikit-learn at run time) changes speed, not numbers."""
    from analyzer.segment import Sentence, Token

    with open(Path(__file__).resolve().parents[1] / "corpus" / "sentences.tsv", encoding="utf-8", newline="") as f:
        texts = [r["text"] for r in csv.DictReader(f, delimiter="\t") if r["split"] == "test"][:400]
    texts += ["", "   ", "a", "één ÉÉN  twee\tdrie\nvier", "zorg-en welzijn, zorg—welzijn!"]
    plain = load_model(engine="sklearn")
    sentences = []
    for i, text in enumerate(texts):
        doc = nlp(text)
        sentences.append(Sentence("t", f"t:{i}", i, 1, "", 0, 0, "prose", text,
                                  [Token(t.text, t.lower_, t.lemma_.lower() or t.lower_, t.idx) for t in doc]))
    matcher = Matcher(plain.lexicon)
    hits = [matcher.match(s) for s in sentences]
    expected_proba = plain.predict_proba(sentences, hits)
    exported = load_model()  # the packaged inference.npz
    assert exported.inference is not None
    assert np.allclose(exported.predict_proba(sentences, hits), expected_proba, rtol=0, atol=1e-12)


# ------------------------------------------------------------------ calibration and learned both


def test_platt_calibration_keeps_the_ranking_and_fits_observed_rates():
    """Platt scaling is increasing in the raw probability (the model's ranking stays) and maps
    over-confident raw probabilities to the rate at which the label occurs."""
    from analyzer.scoring.classifier.stack import fit_platt

    rng = np.random.default_rng(3)
    true_p = rng.uniform(0.0, 0.4, size=(4000, 2))
    y = (rng.random(true_p.shape) < true_p).astype(int)
    raw = np.clip(true_p * 2.2, 0, 0.999)  # balanced class weights inflate probabilities like this
    cal = fit_platt(raw, y)
    grid = np.linspace(0.001, 0.999, 200)[:, None].repeat(2, axis=1)
    out = cal.apply(grid)
    assert (np.diff(out, axis=0) > 0).all()
    for j in range(2):
        band = (raw[:, j] > 0.5) & (raw[:, j] < 0.7)
        calibrated = cal.apply(raw)[band, j].mean()
        assert abs(calibrated - y[band, j].mean()) < 0.05
        assert raw[band, j].mean() - y[band, j].mean() > 0.2  # it was far off before


def test_a_decreasing_calibration_in_meta_json_is_refused(trained, tmp_path):
    import shutil

    _, folder = trained
    copy = tmp_path / "m"
    shutil.copytree(folder, copy)
    meta = json.loads((copy / META_FILE).read_text(encoding="utf-8"))
    assert meta.get("calibration"), "training writes a calibration"
    meta["calibration"]["a"][0] = -1.0
    (copy / META_FILE).write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(ModelError, match="calibration"):
        load_model(copy, lexicon=LEX)


def test_stacker_is_fitted_out_of_fold_and_falls_back_where_it_does_not_help():
    """The stacker's out-of-fold probability of a sentence never comes from a model that saw
    it; a label whose lexicon evidence is noise falls back to the classifier, one whose
    evidence carries signal the classifier lacks uses the stacker."""
    from analyzer.scoring.classifier.stack import fit_stacker
    from analyzer.scoring.classifier.train import f1_scores, tune_thresholds

    rng = np.random.default_rng(7)
    n = 3000
    y = (rng.random((n, 2)) < 0.15).astype(int)
    calibrated = np.clip(0.1 + 0.5 * y + rng.normal(0, 0.18, size=(n, 2)), 0.01, 0.99)
    evidence = np.zeros((n, 2, 3))
    evidence[:, 0, 0] = rng.random(n) < 0.3  # label 0: hits unrelated to the label
    evidence[:, 1, 0] = (y[:, 1] == 1) & (rng.random(n) < 0.8)  # label 1: hits on most positives
    groups = np.repeat(np.arange(30), n // 30)
    folds = [(np.flatnonzero(groups % 5 != k), np.flatnonzero(groups % 5 == k)) for k in range(5)]
    labels = ["a", "b"]
    thresholds = tune_thresholds(y, calibrated, labels)

    stacker, oof, report = fit_stacker(calibrated, evidence, y, folds,
                                       classifier_thresholds=[thresholds[c] for c in labels],
                                       tune=lambda yy, pp: [tune_thresholds(yy, pp, labels)[c] for c in labels],
                                       f1=lambda yy, pp: f1_scores(yy, pp)[2])
    assert stacker.fallback[1] is False and report["f1_stack"][1] > report["f1_classifier"][1] + 0.05
    assert abs(report["f1_stack"][0] - report["f1_classifier"][0]) < 0.02  # noise evidence adds nothing
    for j, c in enumerate(labels):
        assert stacker.fallback[j] == (report["f1_stack"][j] <= report["f1_classifier"][j])
        if stacker.fallback[j]:  # the fallback keeps the classifier's numbers and threshold
            assert np.array_equal(oof[:, j], calibrated[:, j]) and stacker.thresholds[j] == thresholds[c]
    # out-of-fold: changing the labels of one fold's sentences leaves that fold's predictions alone
    flipped = y.copy()
    test0 = folds[0][1]
    flipped[test0, 1] = 1 - flipped[test0, 1]
    _, oof2, _ = fit_stacker(calibrated, evidence, flipped, folds,
                             classifier_thresholds=[thresholds[c] for c in labels],
                             tune=lambda yy, pp: [tune_thresholds(yy, pp, labels)[c] for c in labels],
                             f1=lambda yy, pp: f1_scores(yy, pp)[2])
    if not stacker.fallback[1]:
        assert np.allclose(oof2[test0, 1], oof[test0, 1])


def test_trained_model_gives_calibrated_and_stacked_probabilities_in_unit_range(trained, tiny_corpus, nlp):
    from analyzer.scoring.classifier.corpus import load_corpus

    clf, folder = trained
    loaded = load_model(folder, lexicon=LEX)
    assert loaded.calibration is not None and loaded.stacker is not None
    gold = load_corpus(tiny_corpus)[:60]
    sentences = to_sentences(gold, nlp)
    matcher = Matcher(LEX)
    hits = [matcher.match(s) for s in sentences]
    proba = loaded.predict_proba(sentences, hits)
    cluster_of = {v: c for v, (_, c) in LEX.values.items()}
    stacked = loaded.stack_proba(proba, [[(cluster_of[h.term.value], h.negated) for h in hs] for hs in hits])
    assert proba.shape == stacked.shape == (len(gold), len(loaded.labels))
    assert ((proba >= 0) & (proba <= 1)).all() and ((stacked >= 0) & (stacked <= 1)).all()
    again = load_model(folder, lexicon=LEX).predict_proba(sentences, hits)
    assert np.array_equal(proba, again)
