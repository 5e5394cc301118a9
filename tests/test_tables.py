"""The worker's plain-Python summary rows equal the DataFrame functions of analyzer.profile."""

from __future__ import annotations

import pandas as pd
import pytest

from analyzer import profile, schemas
from analyzer.api import score
from analyzer.demo import example_paths
from analyzer.tables import document_tables, evidence_ids


@pytest.fixture(scope="module")
def scored(raw):
    paths = [str(p) for p in example_paths().values()]
    paths.append(str(raw / "coalitieakkoorden-gemeenten/AaenHunze_coalitieakkoord_2018.pdf"))
    return score(paths, use_cache=False, profile=False)


def _frame(records, columns=None):
    return pd.DataFrame(records, columns=columns).reset_index(drop=True)


def _per_document(result):
    for doc in result.documents.to_dict("records"):
        sents = result.sentences[result.sentences["doc_id"] == doc["doc_id"]]
        matches = result.matches[result.matches["doc_id"] == doc["doc_id"]]
        yield doc, sents, matches


@pytest.mark.parametrize("method", ["both", "lexicon"])
@pytest.mark.parametrize("count_negated", [False, True])
def test_plain_tables_equal_pandas_tables(scored, lexicon, method, count_negated):
    kw = {"method": method, "count_negated": count_negated}
    checked = 0
    for doc, sents, matches in _per_document(scored):
        if method == "lexicon":
            matches = matches[matches["method"] == "lexicon"]
        docs = scored.documents[scored.documents["doc_id"] == doc["doc_id"]]
        fast = document_tables(doc, sents.to_dict("records"), matches.to_dict("records"), scored.lexicon, **kw)
        slow = {
            "profiles": profile.document_profiles(docs, sents, matches, lexicon, **kw),
            "sections": profile.sections(sents, matches, lexicon, **kw),
            "cooccurrence": profile.cooccurrence_counts(sents, matches, lexicon, **kw),
            "coverage": profile.coverage(sents, matches, lexicon)[0],
            "agreement": profile.agreement_counts(sents, matches, lexicon, **kw),
        }
        for name, frame in slow.items():
            got = _frame(fast[name], list(frame.columns))
            pd.testing.assert_frame_equal(got, frame.reset_index(drop=True), check_dtype=False, obj=name)
        assert len(fast["profiles"]) > 0 and len(fast["sections"]) > 0
        checked += 1
    assert checked == len(scored.documents) == 4


def test_agreement_rows_need_both_methods(scored, lexicon):
    doc, sents, matches = next(_per_document(scored))
    records = sents.to_dict("records"), matches.to_dict("records")
    assert len(document_tables(doc, *records, lexicon, method="both", count_negated=False)["agreement"]) == 9
    assert document_tables(doc, *records, lexicon, method="lexicon", count_negated=False)["agreement"] == []


def test_evidence_ranks_by_matches_then_score_then_order():
    def m(sid, cluster, method="lexicon", score=1.0, negated=False):
        return {"sentence_id": sid, "cluster": cluster, "method": method, "score": score, "negated": negated}

    matches = [m("s1", "Nut"), m("s2", "Nut"), m("s2", "Nut"), m("s3", "Nut", "classifier", 0.9),
               m("s4", "Nut", "classifier", 0.95), m("s5", "Nut", negated=True), m("s5", "Nut", negated=True)]
    assert evidence_ids(matches, keep=1) == {"s2", "s4"}  # all+lexicon -> s2 (2 hits), classifier -> s4
    assert evidence_ids(matches, keep=2) == {"s2", "s1", "s4", "s3"}
    assert "s5" not in evidence_ids(matches, keep=10)  # negated matches are no evidence


def _pandas_binning(sections: pd.DataFrame, *, max_rows: int) -> pd.DataFrame:
    """The binning written with pandas groupby (0.1.0's implementation), as an oracle."""
    order = list(dict.fromkeys(sections["section_index"]))
    if len(order) <= max_rows:
        return sections
    row_of = {s: (i * max_rows) // len(order) for i, s in enumerate(order)}
    frame = sections.assign(_row=sections["section_index"].map(row_of))
    first = frame.drop_duplicates("_row").set_index("_row")
    size = frame.groupby("_row")["section_index"].nunique()
    agg = frame.groupby(["_row", "method", "cluster"], sort=False).agg(
        n_sentences=("n_sentences", "sum"), n_hits=("n_hits", "sum"), n_sentences_total=("n_sentences_total", "sum"),
        group=("group", "first"), page=("page", "min")).reset_index()
    agg["doc_id"] = sections["doc_id"].iloc[0]
    agg["section_index"] = agg["_row"].map(first["section_index"])
    agg["section"] = [f"{first.loc[r, 'section'] or '(no heading)'} (+{size[r] - 1})" if size[r] > 1
                      else first.loc[r, "section"] for r in agg["_row"]]
    agg["share"] = agg["n_sentences"] / agg["n_sentences_total"].clip(lower=1)
    return agg[schemas.SECTIONS]


@pytest.mark.parametrize("max_rows", [3, 7, 60])
def test_binned_sections_equal_the_pandas_binning(scored, lexicon, max_rows):
    from analyzer.schemas import SECTIONS
    from analyzer.tables import binned_sections

    binned = 0
    for _doc, sents, matches in _per_document(scored):
        rows = profile.sections(sents, matches, lexicon).to_dict("records")
        mine = [r for r in rows if r["method"] == "both"]
        expected = _pandas_binning(pd.DataFrame(mine, columns=SECTIONS), max_rows=max_rows)
        got = pd.DataFrame(binned_sections(rows, "both", max_rows=max_rows), columns=SECTIONS)
        pd.testing.assert_frame_equal(got, expected.reset_index(drop=True), check_dtype=False)
        if len({r["section_index"] for r in mine}) > max_rows:
            assert len(got) == max_rows * len(lexicon.clusters)
            binned += 1
    assert binned >= (3 if max_rows == 3 else 0)
