"""Shared fixtures: the Dutch pipeline (whichever is installed), the packaged lexicon, the shared corpus."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).resolve().parent / "data"


def shared_dir() -> Path | None:
    env = os.environ.get("WAARDENSCAN_SHARED")
    candidates = [Path(env)] if env else []
    candidates += [ROOT.parent / "shared", ROOT.parent.parent / "shared"]
    for c in candidates:
        if (c / "corpus" / "raw").is_dir():
            return c
    return None


@pytest.fixture(scope="session")
def nlp():
    from analyzer.nlp import build_pipeline

    return build_pipeline()


@pytest.fixture(scope="session")
def lexicon():
    from analyzer.scoring.lexicon import load_lexicon

    return load_lexicon()


@pytest.fixture(scope="session")
def raw() -> Path:
    """The shared corpus of real policy documents (beside the checkout, as on CI)."""
    base = shared_dir()
    if base is None:
        pytest.skip("shared corpus not found beside the checkout (set WAARDENSCAN_SHARED)")
    return base / "corpus" / "raw"


@pytest.fixture(autouse=True)
def cache_dir(tmp_path, monkeypatch):
    """Keep every test's cache inside its tmp folder (never the user's real cache)."""
    path = tmp_path / "cache"
    monkeypatch.setenv("WAARDENSCAN_CACHE", str(path))
    return path


def sentence(nlp, text: str, doc_id: str = "t"):
    """A Sentence object for matcher tests, tokenised by the real pipeline."""
    from analyzer.segment import Sentence, Token

    doc = nlp(text)
    return Sentence(doc_id, f"{doc_id}:00001", 0, 1, "", 0, 0, "prose", text,
                    [Token(t.text, t.lower_, t.lemma_.lower() or t.lower_, t.idx) for t in doc if not t.is_space])
