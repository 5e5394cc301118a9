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

from .lexicon import Lexicon
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
    if set(both["method"]) == {"lexicon", "classifier"}:
        union = both.groupby(["doc_id", "sentence_id", "level", "name"], as_index=False)["n_hits"].sum()
        labels = pd.concat([labels, union.assign(method="both")], ignore_index=True)
    return labels[cols]


def _names(lexicon: Lexicon, level: str) -> list[tuple[str, str, str]]:
    """(name, group, cluster) for every name of a level, in scheme order."""
    if level == "value":
        return [(v, g, c) for v, (g, c) in lexicon.values.items()]
    if level == "cluster":
        return [(c, g, c) for c, g in lexicon.clusters.items()]
    return [(g, g, "") for g in lexicon.groups]


def _methods(labels: pd.DataFrame, requested: str) -> list[str]:
    present = [m for m in ("lexicon", "classifier", "both") if m in set(labels["method"])]
    if requested in ("lexicon", "classifier"):
        return [requested]
    return present or ["lexicon"]


def profiles(documents: pd.DataFrame, sentences: pd.DataFrame, matches: pd.DataFrame, lexicon: Lexicon,
             *, method: str = "both", count_negated: bool = False) -> pd.DataFrame:
    """profiles.csv: one row per document (and ALL) x level x name x method."""
    scored = sentences[sentences["kind"].isin(SCORED_KINDS)]
    docs = documents[(documents["status"].isin(["ok", "warning"])) & (documents["sentences_scored"] > 0)]
    labels = sentence_labels(matches, lexicon, count_negated=count_negated)
    methods = _methods(labels, method)
    n_sent = scored.groupby("doc_id").size()
    n_words = scored.groupby("doc_id")["words"].sum()
    doc_ids = [d for d in docs["doc_id"] if d in n_sent.index]
    rows = []
    count = labels.groupby(["doc_id", "method", "level", "name"]).agg(
        n_sentences=("sentence_id", "nunique"), n_hits=("n_hits", "sum"))
    count_all = labels[labels["doc_id"].isin(doc_ids)].groupby(["method", "level", "name"]).agg(
        n_sentences=("sentence_id", "nunique"), n_hits=("n_hits", "sum"))
    total_sent = int(sum(n_sent[d] for d in doc_ids))
    total_words = int(sum(n_words[d] for d in doc_ids))
    for doc_id in [*doc_ids, ALL_DOCS]:
        big_n = total_sent if doc_id == ALL_DOCS else int(n_sent[doc_id])
        words = total_words if doc_id == ALL_DOCS else int(n_words[doc_id])
        for level in ("group", "cluster", "value"):
            for m in methods:
                if level == "value" and m != "lexicon":
                    continue
                for name, group, cluster in _names(lexicon, level):
                    key = (m, level, name) if doc_id == ALL_DOCS else (doc_id, m, level, name)
                    table = count_all if doc_id == ALL_DOCS else count
                    if key in table.index:
                        k, hits = (int(x) for x in table.loc[key])
                    else:
                        k, hits = 0, 0
                    rows.append((doc_id, level, name, m, k, big_n, hits, words, group, cluster))
    frame = pd.DataFrame(rows, columns=["doc_id", "level", "name", "method", "n_sentences", "N",
                                        "n_hits", "n_words", "group", "cluster"])
    low, high = wilson(frame["n_sentences"].to_numpy(), frame["N"].to_numpy())
    frame["share"] = np.where(frame["N"] > 0, frame["n_sentences"] / frame["N"].clip(lower=1), 0.0)
    frame["per_1000_words"] = np.where(frame["n_words"] > 0, 1000 * frame["n_hits"] / frame["n_words"].clip(lower=1), 0.0)
    frame["ci_low"], frame["ci_high"] = low, high
    frame["n_sentences_total"] = frame["N"]
    return frame[PROFILES].reset_index(drop=True)


def sections(sentences: pd.DataFrame, matches: pd.DataFrame, lexicon: Lexicon, *, method: str = "both",
             count_negated: bool = False) -> pd.DataFrame:
    """sections.csv: per document and section (in document order) the cluster shares."""
    scored = sentences[sentences["kind"].isin(SCORED_KINDS)]
    if scored.empty:
        return pd.DataFrame(columns=SECTIONS)
    labels = sentence_labels(matches, lexicon, count_negated=count_negated)
    labels = labels[labels["level"] == "cluster"]
    methods = _methods(labels, method)
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
                 count_negated: bool = False, min_both: int = 1) -> pd.DataFrame:
    """Cluster pairs that share sentences, with lift over chance and a one-sided p-value.

    The p-value is the hypergeometric probability of at least ``n_both`` shared sentences
    if the two clusters were spread over the document's sentences independently.
    """
    from scipy.stats import hypergeom

    scored = sentences[sentences["kind"].isin(SCORED_KINDS)]
    labels = sentence_labels(matches, lexicon, count_negated=count_negated)
    labels = labels[labels["level"] == "cluster"]
    rows = []
    clusters = list(lexicon.clusters)
    n_sent = scored.groupby("doc_id").size()
    for m in _methods(labels, method):
        lab = labels[labels["method"] == m]
        groups = [(d, g) for d, g in lab.groupby("doc_id", sort=False)]
        groups.append((ALL_DOCS, lab))
        for doc_id, g in groups:
            big_n = int(n_sent.sum() if doc_id == ALL_DOCS else n_sent.get(doc_id, 0))
            if big_n == 0:
                continue
            key = g["sentence_id"] if doc_id != ALL_DOCS else g["sentence_id"]
            sets = {c: set(key[g["name"] == c]) for c in clusters}
            for a, b in combinations(clusters, 2):
                n_a, n_b = len(sets[a]), len(sets[b])
                n_both = len(sets[a] & sets[b])
                if n_both < min_both:
                    continue
                expected = n_a * n_b / big_n
                p = float(hypergeom.sf(n_both - 1, big_n, n_a, n_b))
                rows.append((doc_id, a, b, m, big_n, n_a, n_b, n_both, expected,
                             n_both / expected if expected else math.nan, p))
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
                     count_negated: bool = False) -> pd.DataFrame:
    """How often lexicon and classifier agree per cluster over the whole batch.

    For every scored sentence and cluster: found by both, by the lexicon only, by the
    classifier only, or by neither; raw agreement, Cohen's kappa between the two methods,
    and one example sentence_id of each kind of disagreement.
    """
    scored = sentences[sentences["kind"].isin(SCORED_KINDS)]
    labels = sentence_labels(matches, lexicon, count_negated=count_negated)
    labels = labels[labels["level"] == "cluster"]
    if scored.empty or not {"lexicon", "classifier"} <= set(labels["method"]):
        return pd.DataFrame(columns=AGREEMENT)
    ids = list(scored["sentence_id"])
    n = len(ids)
    rows = []
    for cluster in lexicon.clusters:
        lex = set(labels[(labels["method"] == "lexicon") & (labels["name"] == cluster)]["sentence_id"])
        clf = set(labels[(labels["method"] == "classifier") & (labels["name"] == cluster)]["sentence_id"])
        both, lex_only, clf_only = len(lex & clf), len(lex - clf), len(clf - lex)
        neither = n - both - lex_only - clf_only
        po = (both + neither) / n
        pe = ((both + lex_only) * (both + clf_only) + (clf_only + neither) * (lex_only + neither)) / (n * n)
        kappa = (po - pe) / (1 - pe) if pe < 1 else 1.0
        first = lambda ss: next((i for i in ids if i in ss), "")  # noqa: E731 - document order
        rows.append((cluster, n, both, lex_only, clf_only, neither, po, kappa, first(lex - clf), first(clf - lex)))
    return pd.DataFrame(rows, columns=AGREEMENT)
