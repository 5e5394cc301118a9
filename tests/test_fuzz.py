"""Fuzzing the batch with mutated real PDFs: whatever the bytes, every file gets one row.

Three small PDFs from the shared corpus are mutated with a seeded ``random.Random``
(truncations, byte flips, chunk deletions and duplications) into a few hundred
variants, and one :func:`analyzer.api.score` batch runs over all of them with worker
processes and a per-document time limit. The batch must not raise, must account for
every variant, and must give every failed variant a reason.

Run with ``pytest -s tests/test_fuzz.py`` to see the summary line.
"""

from __future__ import annotations

import random
from collections import Counter
from pathlib import Path

import pytest

from analyzer import api, schemas

TOY_LEXICON = Path(__file__).parent / "data" / "toy_lexicon.tsv"
SEED = 20261123
VARIANTS_PER_SOURCE = 70  # x 3 sources = 210 variants


def _sources(raw: Path) -> list[Path]:
    kamervragen = sorted((raw / "tk-kamervragen-learninglion").glob("*.pdf"))[:2]
    paths = [raw / "coalitieakkoorden-gemeenten" / "AaenHunze_coalitieakkoord_2018.pdf", *kamervragen]
    missing = [p for p in paths if not p.is_file()]
    if missing or len(kamervragen) < 2:
        pytest.skip(f"fuzz sources missing from the shared corpus: {missing or 'kamervragen'}")
    return paths


def truncate(rng: random.Random, data: bytes) -> bytes:
    return data[: rng.randrange(1, len(data))]


def flip_bytes(rng: random.Random, data: bytes) -> bytes:
    out = bytearray(data)
    for _ in range(rng.randint(1, 50)):
        out[rng.randrange(len(out))] = rng.randrange(256)
    return bytes(out)


def delete_chunk(rng: random.Random, data: bytes) -> bytes:
    size = rng.randint(1, max(1, len(data) // 10))
    start = rng.randrange(0, len(data) - size)
    return data[:start] + data[start + size:]


def duplicate_chunk(rng: random.Random, data: bytes) -> bytes:
    size = rng.randint(1, max(1, len(data) // 10))
    start = rng.randrange(0, len(data) - size)
    at = rng.randrange(0, len(data))
    return data[:at] + data[start:start + size] + data[at:]


MUTATIONS = {"trunc": truncate, "flip": flip_bytes, "del": delete_chunk, "dup": duplicate_chunk}


def make_variants(sources: list[Path], folder: Path, *, seed: int = SEED) -> list[Path]:
    """Write VARIANTS_PER_SOURCE mutated copies of each source; every fifth gets two mutations."""
    rng = random.Random(seed)
    folder.mkdir(parents=True)
    names = sorted(MUTATIONS)
    paths = []
    for n, source in enumerate(sources):
        data = source.read_bytes()
        for i in range(VARIANTS_PER_SOURCE):
            ops = [names[i % len(names)]] + ([rng.choice(names)] if i % 5 == 4 else [])
            mutated = data
            for op in ops:
                mutated = MUTATIONS[op](rng, mutated)
            path = folder / f"src{n}-{i:03d}-{'+'.join(ops)}.pdf"
            path.write_bytes(mutated)
            paths.append(path)
    return paths


def test_fuzzed_pdfs_batch(raw, tmp_path, nlp):
    variants = make_variants(_sources(raw), tmp_path / "variants")
    assert len(variants) >= 200
    result = api.score([tmp_path / "variants"], lexicon=TOY_LEXICON, model=None, method="lexicon", nlp=nlp,
                       jobs=2, timeout=20, use_cache=False)
    docs = result.documents
    counts = Counter(docs["status"])
    print(f"\nfuzz: {len(variants)} variants, {counts['ok']} ok, {counts['warning']} warning, "
          f"{counts['error']} error, {counts['duplicate']} duplicate")
    assert len(docs) == len(variants)
    assert sorted(docs["path"]) == sorted(str(p) for p in variants)  # each variant exactly once
    assert set(docs["status"]) <= set(schemas.STATUSES)
    failed = docs[docs["status"] != "ok"]
    for r in failed.itertuples():
        assert isinstance(r.error, str) and r.error.strip(), f"{r.path}: {r.status} without a reason"
        assert "\n" not in r.error, f"{r.path}: reason spans lines: {r.error!r}"
    errors = docs[docs["status"] == "error"]
    assert not errors["error"].str.contains("worker crashed").any(), errors["error"].tolist()
    dups = docs[docs["status"] == "duplicate"]
    assert dups["duplicate_of"].isin(docs["doc_id"]).all()
    # sanity: the mutations leave a good share readable and break a good share
    assert counts["ok"] >= 20 and counts["error"] >= 20, counts
