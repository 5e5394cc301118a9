"""The layout shows the flow: stages import only earlier stages, and no module imports
itself back through others (imports inside ``if TYPE_CHECKING:`` are for types only)."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "analyzer"

# a stage may import the stages before it, never those after (run/, api, cli compose them all)
ORDER = ["errors", "i18n", "types", "schemas", "pool", "ingest", "nlp", "segment", "scoring", "aggregate", "compare",
         "output", "run", "kwic", "demo", "api", "cli"]


def _module_name(path: Path) -> str:
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _imports(path: Path) -> set[str]:
    """analyzer modules imported at run time (anywhere in the file, TYPE_CHECKING blocks aside)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skip.update(id(n) for n in ast.walk(node))
    found = set()
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.startswith("analyzer"):
                found.add(target)
                found.update(f"{target}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("analyzer"))
    return found


def _graph() -> dict[str, set[str]]:
    modules = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    graph = {}
    for name, path in modules.items():
        graph[name] = {m for m in _imports(path) if m in modules and m != name}
    return graph


def _stage(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def test_stages_import_only_earlier_stages():
    wrong = []
    for module, targets in _graph().items():
        here = _stage(module)
        if here not in ORDER:
            continue
        for target in targets:
            there = _stage(target)
            if there in ORDER and ORDER.index(there) > ORDER.index(here):
                wrong.append(f"{module} -> {target}")
    assert wrong == []


def test_no_import_cycles_between_modules():
    graph = _graph()
    cycles = []
    state: dict[str, int] = {}

    def visit(node: str, stack: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                cycles.append(" -> ".join(stack[stack.index(nxt):] + [nxt]) if nxt in stack else f"{node}->{nxt}")
            elif nxt not in state:
                visit(nxt, stack + [nxt])
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])
    # a package's __init__ re-exporting its own submodules is not a cycle of the flow
    cycles = [c for c in cycles if not all(part.startswith(c.split(" -> ")[0].rsplit(".", 1)[0])
                                           for part in c.split(" -> "))]
    assert cycles == []
