"""Sentence labels -> value profiles (document, section, batch), co-occurrence, coverage.

The unit is the sentence: a document's *share* for a cluster is the fraction of its
scored sentences (prose and list items) that express the cluster. Confidence
intervals are Wilson score intervals on that fraction, so a 3-page document gets wide
intervals and a 200-page one narrow ones. They treat sentences as independent, which
they are not quite (neighbouring sentences share topics), so read them as a lower
bound on the real uncertainty.

Methods: ``lexicon`` (non-negated lexicon hits), ``classifier`` (clusters predicted
above threshold) and ``both`` (a sentence counts when either method finds the
cluster). Value-level rows exist for the lexicon only, since the classifier predicts
clusters.
"""

from __future__ import annotations

import math
from itertools import combinations

import numpy as np
import pandas as pd

from .scoring.lexicon import Lexicon
from .schemas import (
    AGREEMENT,
    ALL_DOCS,
    COOCCURRENCE,
    COVERAGE,
    PROFILES,
    SCORED_KINDS,
    SECTIONS,
    UNUSED_TERMS,
)
from .aggregate.stats import hypergeom_sf
from .tables import methods_for, scheme_names

Z = 1.959963984540054


def wilson(k: int | np.ndarray, n: int | np.ndarray, z: float = Z) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval for k successes out of n (vectorised; n=0 gives 0..1)."""
    k = np.asarray(k, dtype=float)
    n = np.asarray(n, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = np.where(n > 0, k / n, 0.0)
        denom = 1 + z * z / n
        centre = (p + z * z / (2 * n)) / denom
        half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
        low = np.where(n > 0, np.clip(centre - half, 0, 1), 0.0)
        high = np.where(n > 0, np.clip(centre + half, 0, 1), 1.0)
    return low, high


def sentence_labels(matches: pd.DataFrame, lexicon: Lexicon, *, count_negated: bool = False) -> pd.DataFrame:
    """Unique (sentence_id, doc_id, method, level, name, n_hits) rows for all methods and levels."""
    cols = ["doc_id", "sentence_id", "method", "level", "name", "n_hits"]
    if matches.empty:
        return pd.DataFrame(columns=cols)
    m = matches if count_negated else matches[~matches["negated"].astype(bool)]
    parts = []
    lex = m[m["method"] == "lexicon"]
    clf = m[m["method"] == "classifier"]
    for level, column in (("value", "value"), ("cluster", "cluster"), ("group", "group")):
        if not lex.empty:
            g = lex.groupby(["doc_id", "sentence_id", column]).size().reset_index(name="n_hits")
            parts.append(g.rename(columns={column: "name"}).assign(method="lexicon", level=level))
        if not clf.empty and level != "value":
            g = clf.groupby(["doc_id", "sentence_id", column]).size().reset_index(name="n_hits")
            parts.append(g.rename(columns={column: "name"}).assign(method="classifier", level=level))
    if not parts:
        return pd.DataFrame(columns=cols)
    labels = pd.concat(parts, ignore_index=True)
    both = labels[labels["level"] != "value"]
    if not both.empty:
        union = both.groupby(["doc_id", "sentence_id", "level", "name"], as_index=False)["n_hits"].sum()
        labels = pd.concat([labels, union.assign(method="both")], ignore_index=True)
    return labels[cols]


def profiles(documents: pd.DataFrame, sentences: pd.DataFrame, matches: pd.DataFrame, lexicon: Lexicon,
             *, method: str = "both", count_negated: bool = False) -> pd.DataFrame:
    """profiles.csv: one row per document (and ALL) x level x name x method."""
    doc_rows = document_profiles(documents, sentences, matches, lexicon, method=method, count_negated=count_negated)
    return finish_profiles(pd.concat([doc_rows, batch_profile(doc_rows)], ignore_index=True))


def document_profiles(documents: pd.DataFrame, sentences: pd.DataFrame, matches: pd.DataFrame,
                      lexicon: Lexicon, *, method: str = "both", count_negated: bool = False) -> pd.DataFrame:
    """The additive counts of profiles.csv for each scorable document (no ALL rows)."""
    scored = sentences[sentences["kind"].isin(SCORED_KINDS)]
    docs = documents[(documents["status"].isin(["ok", "warning"])) & (documents["sentences_scored"] > 0)]
    labels = sentence_labels(matches, lexicon, count_negated=count_negated)
    methods = methods_for(method)
    n_sent = scored.groupby("doc_id").size()
    n_words = scored.groupby("doc_id")["words"].sum()
    count = labels.groupby(["doc_id", "method", "level", "name"]).agg(
        n_sentences=("sentence_id", "nunique"), n_hits=("n_hits", "sum"))
    rows = []
    for doc_id in [d for d in docs["doc_id"] if d in n_sent.index]:
        big_n, words = int(n_sent[doc_id]), int(n_words[doc_id])
        for level in ("group", "cluster", "value"):
            for m in methods:
                if level == "value" and m != "lexicon":
                    continue
                for name, group, cluster in scheme_names(lexicon, level):
                    key = (doc_id, m, level, name)
                    k, hits = (int(x) for x in count.loc[key]) if key in count.index else (0, 0)
                    rows.append((doc_id, level, name, m, k, big_n, hits, words, group, cluster))
    return pd.DataFrame(rows, columns=_COUNT_COLUMNS)


_COUNT_COLUMNS = ["doc_id", "level", "name", "method", "n_sentences", "n_sentences_total", "n_hits", "n_words",
                  "group", "cluster"]


def batch_profile(doc_rows: pd.DataFrame) -> pd.DataFrame:
    """The ALL rows: counts summed over documents (sentences belong to one document each)."""
    if doc_rows.empty:
        return pd.DataFrame(columns=_COUNT_COLUMNS)
    key = ["level", "name", "method", "group", "cluster"]
    first_doc = doc_rows["doc_id"].iloc[0]
    order = doc_rows[doc_rows["doc_id"] == first_doc][key]
    sums = doc_rows.groupby(key, sort=False)[["n_sentences", "n_sentences_total", "n_hits", "n_words"]].sum()
    out = order.join(sums, on=key).assign(doc_id=ALL_DOCS)
    return out[_COUNT_COLUMNS].reset_index(drop=True)


def finish_profiles(counts: pd.DataFrame) -> pd.DataFrame:
    """Shares, rates and Wilson intervals from the counts."""
    frame = counts.copy()
    n = frame["n_sentences_total"].to_numpy(dtype=float)
    k = frame["n_sentences"].to_numpy(dtype=float)
    low, high = wilson(k, n)
    frame["share"] = np.where(n > 0, k / np.maximum(n, 1), 0.0)
    words = frame["n_words"].to_numpy(dtype=float)
    frame["per_1000_words"] = np.where(words > 0, 1000 * frame["n_hits"].to_numpy(dtype=float) / np.maximum(words, 1), 0.0)
    frame["ci_low"], frame["ci_high"] = low, high
    for col in ("n_sentences", "n_sentences_total", "n_hits", "n_words"):
        frame[col] = frame[col].astype(int)
    return frame[PROFILES].reset_index(drop=True)


def sections(sentences: pd.DataFrame, matches: pd.DataFrame, lexicon: Lexicon, *, method: str = "both",
             count_negated: bool = False) -> pd.DataFrame:
    """sections.csv: per document and section (in document order) the cluster shares."""
    scored = sentences[sentences["kind"].isin(SCORED_KINDS)]
    if scored.empty:
        return pd.DataFrame(columns=SECTIONS)
    labels = sentence_labels(matches, lexicon, count_negated=count_negated)
    labels = labels[labels["level"] == "cluster"]
    methods = methods_for(method)
    info = scored.groupby(["doc_id", "section_index"]).agg(
        section=("section", "first"), page=("page", "min"), N=("sentence_id", "size")).reset_index()
    sec_of = scored.set_index("sentence_id")["section_index"]
    labels = labels.assign(section_index=labels["sentence_id"].map(sec_of))
    counts = labels.groupby(["doc_id", "section_index", "method", "name"]).agg(
        n=("sentence_id", "nunique"), hits=("n_hits", "sum"))
    rows = []
    clusters = list(lexicon.clusters.items())
    doc_order = list(dict.fromkeys(scored["doc_id"]))
    info["order"] = info["doc_id"].map({d: i for i, d in enumerate(doc_order)})
    for rec in info.sort_values(["order", "section_index"]).itertuples(index=False):
        for m in methods:
            for cluster, group in clusters:
                key = (rec.doc_id, rec.section_index, m, cluster)
                n, hits = (int(x) for x in counts.loc[key]) if key in counts.index else (0, 0)
                rows.append((rec.doc_id, int(rec.section_index), rec.section, int(rec.page), cluster, m,
                             n, n / rec.N if rec.N else 0.0, group, hits, int(rec.N)))
    return pd.DataFrame(rows, columns=SECTIONS)


def cooccurrence(sentences: pd.DataFrame, matches: pd.DataFrame, lexicon: Lexicon, *, method: str = "both",
                 count_negated: bool = False) -> pd.DataFrame:
    """Cluster pairs that share sentences, with lift over chance and a one-sided p-value.

    The p-value is the hypergeometric probability of at least ``n_both`` shared sentences
    if the two clusters were spread over the document's sentences independently.
    """
    counts = cooccurrence_counts(sentences, matches, lexicon, method=method, count_negated=count_negated)
    return finish_cooccurrence(counts, methods_for(method))


_COOC_COUNTS = ["doc_id", "method", "cluster_a", "cluster_b", "n_sentences", "n_a", "n_b", "n_both"]


def cooccurrence_counts(sentences: pd.DataFrame, matches: pd.DataFrame, lexicon: Lexicon, *,
                        method: str = "both", count_negated: bool = False) -> pd.DataFrame:
    """Additive per-document counts for every cluster pair (zeros included)."""
    scored = sentences[sentences["kind"].isin(SCORED_KINDS)]
    labels = sentence_labels(matches, lexicon, count_negated=count_negated)
    labels = labels[labels["level"] == "cluster"]
    clusters = list(lexicon.clusters)
    n_sent = scored.groupby("doc_id", sort=False).size()
    rows = []
    for doc_id, big_n in n_sent.items():
        mine = labels[labels["doc_id"] == doc_id]
        for m in methods_for(method):
            lab = mine[mine["method"] == m]
            sets = {c: set(lab["sentence_id"][lab["name"] == c]) for c in clusters}
            for a, b in combinations(clusters, 2):
                rows.append((doc_id, m, a, b, int(big_n), len(sets[a]), len(sets[b]), len(sets[a] & sets[b])))
    return pd.DataFrame(rows, columns=_COOC_COUNTS)


def finish_cooccurrence(counts: pd.DataFrame, methods: list[str], *, min_both: int = 1) -> pd.DataFrame:
    """Per-document and ALL rows with expected counts, lift and p-values, pairs that co-occur."""
    if counts.empty:
        return pd.DataFrame(columns=COOCCURRENCE)
    pair = ["method", "cluster_a", "cluster_b"]
    total = counts.groupby(pair, sort=False)[["n_a", "n_b", "n_both"]].sum().reset_index()
    total["n_sentences"] = int(counts.drop_duplicates("doc_id")["n_sentences"].sum())
    total["doc_id"] = ALL_DOCS
    docs = list(dict.fromkeys(counts["doc_id"]))
    allrows = pd.concat([counts, total[_COOC_COUNTS]], ignore_index=True)
    allrows["_m"] = allrows["method"].map({m: i for i, m in enumerate(methods)})
    allrows["_d"] = allrows["doc_id"].map({d: i for i, d in enumerate([*docs, ALL_DOCS])})
    allrows = allrows[allrows["n_both"] >= min_both].sort_values(["_m", "_d"], kind="mergesort")
    rows = []
    for r in allrows.itertuples(index=False):
        expected = r.n_a * r.n_b / r.n_sentences
        p = hypergeom_sf(int(r.n_both) - 1, int(r.n_sentences), int(r.n_a), int(r.n_b))
        rows.append((r.doc_id, r.cluster_a, r.cluster_b, r.method, r.n_sentences, r.n_a, r.n_b, r.n_both,
                     expected, r.n_both / expected if expected else math.nan, p))
    return pd.DataFrame(rows, columns=COOCCURRENCE)


def coverage(sentences: pd.DataFrame, matches: pd.DataFrame, lexicon: Lexicon, *, top: int = 8
             ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Lexicon coverage per document and the lexicon terms that never fired in the batch."""
    scored = sentences[sentences["kind"].isin(SCORED_KINDS)]
    lex = matches[(matches["method"] == "lexicon") & (~matches["negated"].astype(bool))] if not matches.empty else matches
    rows = []
    for doc_id, group in scored.groupby("doc_id", sort=False):
        mine = lex[lex["doc_id"] == doc_id] if not lex.empty else lex
        hit_sentences = mine["sentence_id"].nunique() if not mine.empty else 0
        terms = mine["term"].value_counts().head(top) if not mine.empty else pd.Series(dtype=int)
        top_terms = "; ".join(f"{t} ({n})" for t, n in terms.items())
        rows.append((doc_id, len(group), hit_sentences, hit_sentences / len(group) if len(group) else 0.0, top_terms))
    fired = set(lex["term"]) if not lex.empty else set()
    unused = [(t.value, t.term, t.match) for t in lexicon.terms if t.term not in fired]
    return pd.DataFrame(rows, columns=COVERAGE), pd.DataFrame(unused, columns=UNUSED_TERMS)


def method_agreement(sentences: pd.DataFrame, matches: pd.DataFrame, lexicon: Lexicon, *,
                     method: str = "both", count_negated: bool = False) -> pd.DataFrame:
    """How often lexicon and classifier agree per cluster over the whole batch.

    For every scored sentence and cluster: found by both, by the lexicon only, by the
    classifier only, or by neither; raw agreement, Cohen's kappa between the two methods,
    and the first example sentence_id (in document order) of each kind of disagreement.
    """
    return finish_agreement(agreement_counts(sentences, matches, lexicon, method=method,
                                             count_negated=count_negated))


_AGREE_COUNTS = ["doc_id", "cluster", "n_sentences", "both", "lexicon_only", "classifier_only",
                 "example_lexicon_only", "example_classifier_only"]


def agreement_counts(sentences: pd.DataFrame, matches: pd.DataFrame, lexicon: Lexicon, *,
                     method: str = "both", count_negated: bool = False) -> pd.DataFrame:
    """Additive per-document counts of lexicon/classifier (dis)agreement per cluster.

    Only a run with both methods (``method="both"``) has rows: with one method there is
    nothing to agree with. A document where the classifier predicted nothing still counts.
    """
    scored = sentences[sentences["kind"].isin(SCORED_KINDS)]
    labels = sentence_labels(matches, lexicon, count_negated=count_negated)
    labels = labels[(labels["level"] == "cluster") & labels["method"].isin(["lexicon", "classifier"])]
    if scored.empty or method != "both":
        return pd.DataFrame(columns=_AGREE_COUNTS)
    rows = []
    for doc_id, doc_sents in scored.groupby("doc_id", sort=False):
        ids = list(doc_sents["sentence_id"])
        mine = labels[labels["doc_id"] == doc_id]
        for cluster in lexicon.clusters:
            lex = set(mine[(mine["method"] == "lexicon") & (mine["name"] == cluster)]["sentence_id"])
            clf = set(mine[(mine["method"] == "classifier") & (mine["name"] == cluster)]["sentence_id"])
            first_lex = next((i for i in ids if i in lex and i not in clf), "")
            first_clf = next((i for i in ids if i in clf and i not in lex), "")
            rows.append((doc_id, cluster, len(ids), len(lex & clf), len(lex - clf), len(clf - lex), first_lex, first_clf))
    return pd.DataFrame(rows, columns=_AGREE_COUNTS)


def finish_agreement(counts: pd.DataFrame) -> pd.DataFrame:
    if counts.empty:
        return pd.DataFrame(columns=AGREEMENT)
    rows = []
    for cluster, g in counts.groupby("cluster", sort=False):
        n = int(g["n_sentences"].sum())
        both, lex_only, clf_only = (int(g[c].sum()) for c in ("both", "lexicon_only", "classifier_only"))
        neither = n - both - lex_only - clf_only
        po = (both + neither) / n if n else 1.0
        pe = ((both + lex_only) * (both + clf_only) + (clf_only + neither) * (lex_only + neither)) / (n * n) if n else 1.0
        kappa = (po - pe) / (1 - pe) if pe < 1 else 1.0
        ex_lex = next((x for x in g["example_lexicon_only"] if x), "")
        ex_clf = next((x for x in g["example_classifier_only"] if x), "")
        rows.append((cluster, n, both, lex_only, clf_only, neither, po, kappa, ex_lex, ex_clf))
    return pd.DataFrame(rows, columns=AGREEMENT)
