"""Columns of every output table, declared once.

Writers (:mod:`analyzer.output.io`) and tests import these lists; the CSV files always have
exactly these columns in exactly this order. Columns may be added at the end in a new
minor version; existing names never change (users' scripts rely on them).
"""

from __future__ import annotations

DOCUMENTS = [
    "doc_id",
    "path",
    "sha256",
    "status",
    "error",
    "pages",
    "words",
    "sentences",
    "text_quality",
    "pipeline",
    "file_type",
    "title",
    "pages_no_text",
    "pages_broken_font",
    "pages_low_text",
    "sentences_scored",
    "duplicate_of",
    "seconds",
]

SENTENCES = [
    "doc_id",
    "sentence_id",
    "page",
    "section",
    "text",
    "kind",
    "section_level",
    "section_index",
    "words",
]

MATCHES = [
    "doc_id",
    "sentence_id",
    "page",
    "method",
    "group",
    "cluster",
    "value",
    "term",
    "start",
    "end",
    "negated",
    "score",
    "level",
    "cue",
]

PROFILES = [
    "doc_id",
    "level",
    "name",
    "method",
    "n_sentences",
    "share",
    "per_1000_words",
    "ci_low",
    "ci_high",
    "group",
    "cluster",
    "n_hits",
    "n_words",
    "n_sentences_total",
]

SECTIONS = [
    "doc_id",
    "section_index",
    "section",
    "page",
    "cluster",
    "method",
    "n_sentences",
    "share",
    "group",
    "n_hits",
    "n_sentences_total",
]

COOCCURRENCE = [
    "doc_id",
    "cluster_a",
    "cluster_b",
    "method",
    "n_sentences",
    "n_a",
    "n_b",
    "n_both",
    "expected",
    "lift",
    "p_value",
]

COMPARISON = [
    "level",
    "name",
    "method",
    "share_a",
    "share_b",
    "diff",
    "ci_low",
    "ci_high",
    "p_value",
    "q_value",
    "n_a",
    "n_b",
    "group",
    "cluster",
    "hits_a",
    "hits_b",
    "significant",
]

COVERAGE = [
    "doc_id",
    "n_sentences",
    "n_with_hit",
    "share_with_hit",
    "top_terms",
]

UNUSED_TERMS = ["value", "term", "match"]

AGREEMENT = [
    "cluster",
    "n_sentences",
    "both",
    "lexicon_only",
    "classifier_only",
    "neither",
    "agreement",
    "kappa",
    "example_lexicon_only",
    "example_classifier_only",
]

ALL_DOCS = "ALL"
"""doc_id of the batch-level rows in profiles.csv."""

LEVELS = ("group", "cluster", "value")
METHODS = ("lexicon", "classifier", "both")
STATUSES = ("ok", "warning", "error", "duplicate")
TEXT_QUALITIES = ("ok", "no_text", "broken_font", "low_text", "not_dutch")
SENTENCE_KINDS = ("prose", "list_item", "heading", "table", "toc", "footnote")
SCORED_KINDS = ("prose", "list_item")
