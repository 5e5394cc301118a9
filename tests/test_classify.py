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
