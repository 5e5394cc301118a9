"""What a scoring method is, and where methods are found.

A scorer labels sentences: ``score(sentences, context)`` returns, for each sentence, its
:class:`~analyzer.types.Label` objects. ``context`` holds the labels of the scorers named in
``needs`` (which always run first), so a method can build on others: the classifier reads
the lexicon's hits as features, and ``both`` combines the two.

Scorers are registered by name in :data:`scorers`, in the manner of spaCy's ``catalogue``
registries: a method is one class with ``@scorers.register("name")`` and a
``build(resources, settings)`` classmethod. Built-in methods are listed in :data:`BUILTIN`
(name -> module) and imported only when a run needs them, so that ``waardenscan --help``
loads no scorer (``catalogue`` itself costs ~50 ms to import, more than ``--help`` takes).
Every method name the tool knows comes from this registry; nothing else in the code spells
them out, except where a method's own meaning is used (the agreement table compares the
lexicon with the classifier).
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from ..errors import WaardenscanError

if TYPE_CHECKING:  # pragma: no cover
    from ..segment import Sentence
    from ..types import Label

class Registry:
    """Scorer classes by name; names known in advance (``lazy``) load their module on use.
    Registration order is the order methods run and are written."""

    def __init__(self) -> None:
        self._classes: dict[str, Any] = {}
        self._modules: dict[str, str] = {}

    def register(self, name: str) -> Any:
        def add(cls: Any) -> Any:
            if getattr(cls, "name", name) != name:
                raise WaardenscanError(f"scorer {cls.__name__} is registered as {name!r} but named {cls.name!r}")
            self._classes[name] = cls
            return cls

        return add

    def lazy(self, name: str, module: str) -> None:
        self._modules[name] = module

    def names(self) -> list[str]:
        return list(dict.fromkeys([*self._modules, *self._classes]))

    def get(self, name: str) -> Any:
        if name not in self._classes and name in self._modules:
            importlib.import_module(self._modules[name])
        if name not in self._classes:
            raise WaardenscanError(f"unknown method {name!r}; use one of {', '.join(self.names())}")
        return self._classes[name]


scorers = Registry()
BUILTIN = {"lexicon": "lexicon_scorer", "classifier": "classifier_scorer", "both": "combine"}
"""The built-in methods and their modules, in the order they run and are written."""
for _name, _module in BUILTIN.items():
    scorers.lazy(_name, f"{__package__}.{_module}")

Labels = list[list["Label"]]


class Scorer(Protocol):
    """A scoring method."""

    name: ClassVar[str]
    levels: ClassVar[tuple[str, ...]]
    """The levels it labels (``value``, ``cluster``, ``group``); a value-level label also
    counts for its cluster and group, a cluster-level one for its group."""
    needs: ClassVar[tuple[str, ...]]
    """Scorers whose labels it reads (they run before it)."""
    reports: ClassVar[tuple[str, ...]]
    """The methods whose rows a run of this method writes and profiles (a combination
    reports its parts too; the classifier needs the lexicon's hits but reports only itself)."""
    writes_rows: ClassVar[bool]
    """Its labels are rows of matches.csv (a derived method's are only counted)."""
    needs_model: ClassVar[bool]
    """It needs a trained classifier."""
    fallback: ClassVar[str | None]
    """The method a run uses instead when no classifier is installed (None: refuse)."""

    def score(self, sentences: Sequence[Sentence], context: Mapping[str, Labels]) -> Labels: ...


def method_names() -> list[str]:
    """Every registered method, in registration (and output) order (loads no scorer)."""
    return scorers.names()


def methods_for(method: str) -> list[str]:
    """The methods a run of ``method`` writes and profiles, in registration order. Decided
    by the settings, never by the data, so every document (and a document scored alone)
    gets the same rows."""
    names = method_names()
    if not method:  # extraction only: no scoring method
        return []
    if method not in names:
        raise WaardenscanError(f"unknown method {method!r}; use one of {', '.join(names)}")
    wanted = set(scorer_class(method).reports)
    return [n for n in names if n in wanted]


def methods_to_run(method: str) -> list[str]:
    """The methods reported and everything they need, in registration order."""
    names = method_names()
    wanted: set[str] = set()

    def visit(name: str) -> None:
        if name not in wanted:
            wanted.add(name)
            for dep in scorer_class(name).needs:
                visit(dep)

    for name in methods_for(method):
        visit(name)
    return [n for n in names if n in wanted]


def levels_of(methods: Sequence[str]) -> dict[str, tuple[str, ...]]:
    """method -> the levels it labels, in the given order."""
    return {m: scorer_class(m).levels for m in methods}


def writes_rows(method: str) -> bool:
    return bool(scorer_class(method).writes_rows)


def scorer_class(name: str) -> Any:
    return scorers.get(name)


def build_scorers(method: str, resources: Any, settings: Any) -> list[Scorer]:
    """The scorers of a run, built from its loaded resources (lexicon, classifier)."""
    return [scorer_class(n).build(resources, settings) for n in methods_to_run(method)]


def run_scorers(built: Sequence[Scorer], sentences: Sequence[Sentence]) -> dict[str, Labels]:
    """Every scorer's labels for these sentences, in order; later scorers see earlier ones."""
    context: dict[str, Labels] = {}
    for scorer in built:
        context[scorer.name] = scorer.score(sentences, context) if sentences else []
    return context
