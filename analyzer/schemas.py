"""Every output table: its file, its columns and their types, declared once.

The writer and the reader (:func:`analyzer.output.io.write_table` / ``read_table``), the
per-document store, the report and the tests all use these declarations; ``docs/outputs.md``
describes every column (``tests/test_docs.py`` checks that). The CSV files always have
exactly these columns in exactly this order. Columns may be added at the end in a new minor
version; existing names never change (users' scripts rely on them).

Types: ``str`` (text, empty allowed), ``int``, ``Int64`` (a whole number that may be empty),
``float`` (empty = missing), ``bool`` (``true``/``false``).
"""

from __future__ import annotations

from dataclasses import dataclass

_PANDAS = {"str": "object", "int": "int64", "Int64": "Int64", "float": "float64", "bool": "bool"}
_READ = {"str": str, "int": "int64", "Int64": "Int64", "float": "float64", "bool": "object"}


@dataclass(frozen=True)
class Table:
    """An output table: name, file name and ``(column, type)`` pairs in file order."""

    name: str
    file: str
    columns: tuple[tuple[str, str], ...]

    @property
    def names(self) -> list[str]:
        return [c for c, _ in self.columns]

    @property
    def dtypes_list(self) -> list[str]:
        return [d for _, d in self.columns]

    def dtype(self, column: str) -> str:
        return dict(self.columns).get(column, "str")

    def pandas_dtype(self, column: str) -> str:
        return _PANDAS[self.dtype(column)]

    def read_dtypes(self, present: list[str]) -> dict[str, object]:
        return {c: _READ[self.dtype(c)] for c in present}

    def empty(self):  # type: ignore[no-untyped-def]
        """An empty DataFrame with the table's columns and dtypes."""
        import pandas as pd

        return pd.DataFrame({c: pd.Series(dtype=self.pandas_dtype(c)) for c in self.names})


def _t(name: str, spec: str) -> Table:
    cols = tuple(tuple(item.split(":")) for item in spec.split())
    return Table(name, f"{name}.csv", cols)  # type: ignore[arg-type]


DOCUMENTS = _t("documents", """doc_id:str path:str sha256:str status:str error:str pages:int words:int
    sentences:int text_quality:str pipeline:str file_type:str title:str pages_no_text:int
    pages_broken_font:int pages_low_text:int sentences_scored:int duplicate_of:str seconds:float""")

SENTENCES = _t("sentences", """doc_id:str sentence_id:str page:int section:str text:str kind:str
    section_level:int section_index:int words:int""")

MATCHES = _t("matches", """doc_id:str sentence_id:str page:int method:str group:str cluster:str
    value:str term:str start:Int64 end:Int64 negated:bool score:float level:str cue:str""")

PROFILES = _t("profiles", """doc_id:str level:str name:str method:str n_sentences:int share:float
    per_1000_words:float ci_low:float ci_high:float group:str cluster:str n_hits:int n_words:int
    n_sentences_total:int share_adjusted:float adj_ci_low:float adj_ci_high:float""")

SECTIONS = _t("sections", """doc_id:str section_index:int section:str page:int cluster:str method:str
    n_sentences:int share:float group:str n_hits:int n_sentences_total:int""")

COOCCURRENCE = _t("cooccurrence", """doc_id:str cluster_a:str cluster_b:str method:str n_sentences:int
    n_a:int n_b:int n_both:int expected:float lift:float p_value:float""")

COVERAGE = _t("coverage", "doc_id:str n_sentences:int n_with_hit:int share_with_hit:float top_terms:str")

UNUSED_TERMS = _t("unused_terms", "value:str term:str match:str")

AGREEMENT = _t("agreement", """cluster:str n_sentences:int both:int lexicon_only:int classifier_only:int
    neither:int agreement:float kappa:float example_lexicon_only:str example_classifier_only:str""")

COMPARISON = _t("comparison", """level:str name:str method:str share_a:float share_b:float diff:float
    ci_low:float ci_high:float p_value:float q_value:float n_a:int n_b:int group:str cluster:str
    hits_a:int hits_b:int significant:bool adj_share_a:float adj_share_b:float diff_adjusted:float
    adj_diff_ci_low:float adj_diff_ci_high:float adj_p_value:float adj_q_value:float adj_significant:bool""")

DRIVERS = _t("drivers", "cluster:str diff:float side:str doc_id:str sentence_id:str page:int terms:str text:str")

SCORE_TABLES = (DOCUMENTS, SENTENCES, MATCHES, PROFILES, SECTIONS, COOCCURRENCE, COVERAGE,
                UNUSED_TERMS, AGREEMENT)
"""The tables of a ``score`` folder, in the order they are written."""
PER_DOCUMENT = (SENTENCES, MATCHES, SECTIONS)
"""Tables whose rows each document contributes whole (streamed to disk as documents finish)."""
COMPARE_TABLES = (COMPARISON, DRIVERS)
ALL_TABLES = SCORE_TABLES + COMPARE_TABLES
BY_NAME = {t.name: t for t in ALL_TABLES}

ALL_DOCS = "ALL"
"""doc_id of the batch-level rows in profiles.csv and cooccurrence.csv."""

LEVELS = ("group", "cluster", "value")
STATUSES = ("ok", "warning", "error", "duplicate")
SCORED_KINDS = ("prose", "list_item")
