"""waardenscan: which values of the Waardenkaart sociaal domein do Dutch policy documents express?

Importing the package loads no model and reads no file; the public functions are
imported on first use so that ``waardenscan --help`` stays fast.
"""

from __future__ import annotations

from typing import Any

__version__ = "0.3.0"

__all__ = ["__version__", "build_pipeline", "compare", "extract", "load_lexicon", "load_model",
           "load_result", "score"]

_LAZY = {
    "score": ("analyzer.api", "score"),
    "compare": ("analyzer.api", "compare"),
    "extract": ("analyzer.api", "extract"),
    "load_result": ("analyzer.api", "load_result"),
    "load_lexicon": ("analyzer.scoring.lexicon", "load_lexicon"),
    "load_model": ("analyzer.scoring.classifier.model", "load_model"),
    "build_pipeline": ("analyzer.nlp", "build_pipeline"),
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        module, attr = _LAZY[name]
        return getattr(importlib.import_module(module), attr)
    raise AttributeError(f"module 'analyzer' has no attribute {name!r}")
