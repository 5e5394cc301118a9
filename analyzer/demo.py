"""The bundled example documents (found through importlib.resources, also from a wheel)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from .errors import InputError

EXAMPLES = {
    "coalitieakkoord": "coalitieakkoord-2021-2025.pdf",
    "wmo": "wmo-2015.md",
    "bibob": "someren-beleidsregel-bibob-2019.xml",
}


def examples_dir() -> Path:
    return Path(str(resources.files("analyzer") / "resources" / "examples"))


def example_paths() -> dict[str, Path]:
    """Paths of the bundled examples, by short name."""
    base = examples_dir()
    paths = {key: base / name for key, name in EXAMPLES.items()}
    missing = [str(p) for p in paths.values() if not p.exists()]
    if missing:
        raise InputError(f"bundled examples missing: {', '.join(missing)} (broken installation?)")
    return paths
