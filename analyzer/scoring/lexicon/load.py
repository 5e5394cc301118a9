"""Load and validate a lexicon: the value scheme, the terms and the negation cues.

A lexicon is a folder with ``lexicon.toml`` (name, version, file names), a scheme TSV
(group, cluster, value), a terms TSV (value, term, match, source, example, exclude[,
polarity]) and optionally a negation TSV. A user lexicon can also be one self-contained
TSV with the columns group, cluster, value, term, match. Files are data: they are
parsed, never evaluated. Every problem is reported with file and line number.
"""

from __future__ import annotations

import csv
import hashlib
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from ...errors import LexiconError

MATCH_TYPES = ("lemma", "phrase", "prefix", "suffix", "compound", "separable")
MIN_COMPOUND_PART = 5
POLARITIES = ("value", "problem")


@dataclass(frozen=True, slots=True)
class Term:
    """One lexicon row."""

    value: str
    term: str
    match: str
    source: str = ""
    example: str = ""
    exclude: tuple[str, ...] = ()
    polarity: str = "value"
    line: int = 0

    @property
    def words(self) -> tuple[str, ...]:
        return tuple(self.term.split())


@dataclass(frozen=True, slots=True)
class NegationCue:
    cue: tuple[str, ...]
    scope: str  # before | after
    kind: str  # negation | reduction | exception


@dataclass(slots=True)
class Lexicon:
    """A value scheme with its terms. Value and cluster names are data, read from the files."""

    name: str
    version: str
    values: dict[str, tuple[str, str]]  # value -> (group, cluster)
    terms: list[Term]
    negation: list[NegationCue] = field(default_factory=list)
    sha256: str = ""
    source: str = ""

    @property
    def clusters(self) -> dict[str, str]:
        """cluster -> group, in scheme order."""
        out: dict[str, str] = {}
        for group, cluster in self.values.values():
            out.setdefault(cluster, group)
        return out

    @property
    def groups(self) -> list[str]:
        return list(dict.fromkeys(g for g, _ in self.values.values()))

    def cluster_of(self, value: str) -> str:
        return self.values[value][1]

    def group_of(self, value: str) -> str:
        return self.values[value][0]

    def label(self) -> str:
        return f"{self.name}-{self.version}"


def _read_tsv(path: Path, required: list[str]) -> list[tuple[int, dict[str, str]]]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise LexiconError(f"{path}: file not found") from None
    except UnicodeDecodeError as exc:
        raise LexiconError(f"{path}: not UTF-8 ({exc})") from None
    lines = text.splitlines()
    if not lines:
        raise LexiconError(f"{path}: empty file; expected a header with {', '.join(required)}")
    reader = csv.reader(lines, delimiter="\t", quoting=csv.QUOTE_NONE)
    header = [h.strip() for h in next(reader)]
    missing = [c for c in required if c not in header]
    if missing:
        raise LexiconError(f"{path}:1: missing column(s) {', '.join(missing)}; header is {header}")
    rows = []
    for lineno, cells in enumerate(reader, start=2):
        if not any(c.strip() for c in cells) or cells[0].startswith("#"):
            continue
        if len(cells) > len(header):
            raise LexiconError(f"{path}:{lineno}: {len(cells)} cells but the header has {len(header)} columns")
        row = {h: (cells[i].strip() if i < len(cells) else "") for i, h in enumerate(header)}
        rows.append((lineno, row))
    return rows


def _parse_terms(path: Path, values: dict[str, tuple[str, str]]) -> list[Term]:
    terms: list[Term] = []
    seen: dict[tuple[str, str], int] = {}
    for lineno, row in _read_tsv(path, ["value", "term", "match"]):
        where = f"{path}:{lineno}"
        value, term, match = row["value"], row["term"].lower(), row["match"].lower()
        if not term:
            raise LexiconError(f"{where}: empty term")
        if value not in values:
            raise LexiconError(f"{where}: unknown value {value!r}; known values: {', '.join(values)}")
        if match not in MATCH_TYPES:
            raise LexiconError(f"{where}: bad match type {match!r} for {term!r}; use one of {', '.join(MATCH_TYPES)}")
        n_words = len(term.split())
        if match in ("lemma", "prefix", "suffix", "compound") and n_words != 1:
            raise LexiconError(f"{where}: match type {match} needs one word, got {term!r}; use phrase")
        if match == "phrase" and n_words < 2:
            raise LexiconError(f"{where}: phrase {term!r} has one word; use lemma")
        if match == "separable" and n_words != 2:
            raise LexiconError(f"{where}: separable term {term!r} must be two words 'particle verb'")
        if match in ("prefix", "suffix", "compound") and len(term) < MIN_COMPOUND_PART:
            raise LexiconError(f"{where}: {match} term {term!r} is shorter than {MIN_COMPOUND_PART} letters")
        polarity = (row.get("polarity") or "value").lower()
        if polarity not in POLARITIES:
            raise LexiconError(f"{where}: bad polarity {polarity!r}; use value or problem")
        key = (term, "phrase" if match == "phrase" else match)
        if key in seen:
            raise LexiconError(f"{where}: duplicate term {term!r} ({match}); first on line {seen[key]}")
        seen[key] = lineno
        exclude = tuple(w.strip().lower() for w in row.get("exclude", "").split("|") if w.strip())
        terms.append(Term(value=value, term=term, match=match, source=row.get("source", ""),
                          example=row.get("example", ""), exclude=exclude, polarity=polarity, line=lineno))
    if not terms:
        raise LexiconError(f"{path}: no terms")
    return terms


def _parse_scheme(path: Path) -> dict[str, tuple[str, str]]:
    values: dict[str, tuple[str, str]] = {}
    for lineno, row in _read_tsv(path, ["group", "cluster", "value"]):
        where = f"{path}:{lineno}"
        if not all(row[c] for c in ("group", "cluster", "value")):
            raise LexiconError(f"{where}: group, cluster and value must all be filled")
        if row["value"] in values:
            raise LexiconError(f"{where}: value {row['value']!r} listed twice")
        values[row["value"]] = (row["group"], row["cluster"])
    clusters: dict[str, str] = {}
    for group, cluster in values.values():
        if clusters.setdefault(cluster, group) != group:
            raise LexiconError(f"{path}: cluster {cluster!r} is in two groups ({clusters[cluster]}, {group})")
    if not values:
        raise LexiconError(f"{path}: no values")
    return values


def _parse_negation(path: Path) -> list[NegationCue]:
    cues = []
    for lineno, row in _read_tsv(path, ["cue", "scope", "kind"]):
        if row["scope"] not in ("before", "after") or row["kind"] not in ("negation", "reduction", "exception"):
            raise LexiconError(f"{path}:{lineno}: scope must be before/after and kind negation/reduction/exception")
        cues.append(NegationCue(tuple(row["cue"].lower().split()), row["scope"], row["kind"]))
    return cues


def _digest(paths: list[Path]) -> str:
    digest = hashlib.sha256()
    for p in paths:
        digest.update(p.read_bytes())
    return digest.hexdigest()


def default_lexicon_path() -> Path:
    """The lexicon shipped with the package (works from a wheel and from a checkout)."""
    base = resources.files("analyzer") / "resources" / "lexicon"
    return Path(str(base))


def load_lexicon(path: str | Path | None = None) -> Lexicon:
    """Load and validate a lexicon.

    Args:
        path: a lexicon folder, its ``lexicon.toml``, or one self-contained TSV with
            group, cluster, value, term and match columns. ``None`` loads the packaged
            Waardenkaart sociaal domein lexicon.

    Raises:
        LexiconError: with file and line number for any malformed entry.
    """
    path = Path(path) if path is not None else default_lexicon_path()
    if path.is_dir():
        path = path / "lexicon.toml"
    if not path.exists():
        raise LexiconError(f"{path}: lexicon not found (give a folder with lexicon.toml, or a TSV)")
    if path.suffix == ".toml":
        try:
            meta = tomllib.loads(path.read_text(encoding="utf-8")).get("lexicon", {})
        except tomllib.TOMLDecodeError as exc:
            raise LexiconError(f"{path}: invalid TOML: {exc}") from None
        for key in ("name", "version", "scheme", "terms"):
            if key not in meta:
                raise LexiconError(f"{path}: [lexicon] needs '{key}'")
        scheme_path = path.parent / meta["scheme"]
        terms_path = path.parent / meta["terms"]
        values = _parse_scheme(scheme_path)
        terms = _parse_terms(terms_path, values)
        files = [path, scheme_path, terms_path]
        negation: list[NegationCue] = []
        if meta.get("negation"):
            neg_path = path.parent / meta["negation"]
            negation = _parse_negation(neg_path)
            files.append(neg_path)
        missing = [v for v in values if not any(t.value == v for t in terms)]
        if missing:
            raise LexiconError(f"{terms_path}: no terms for value(s) {', '.join(missing)}")
        return Lexicon(name=meta["name"], version=str(meta["version"]), values=values, terms=terms,
                       negation=negation, sha256=_digest(files), source=str(path))
    # one self-contained TSV
    rows = _read_tsv(path, ["group", "cluster", "value", "term", "match"])
    values: dict[str, tuple[str, str]] = {}
    for lineno, row in rows:
        if not (row["group"] and row["cluster"] and row["value"]):
            raise LexiconError(f"{path}:{lineno}: group, cluster and value must all be filled")
        known = values.setdefault(row["value"], (row["group"], row["cluster"]))
        if known != (row["group"], row["cluster"]):
            raise LexiconError(f"{path}:{lineno}: value {row['value']!r} was in {known} before")
    terms = _parse_terms(path, values)
    default_neg = default_lexicon_path() / "negation.tsv"
    negation = _parse_negation(default_neg) if default_neg.exists() else []
    return Lexicon(name=path.stem, version="user", values=values, terms=terms, negation=negation,
                   sha256=_digest([path]), source=str(path))
