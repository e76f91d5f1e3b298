"""The pipeline's shape, checked: layers import one way, no import loop, small functions, no private reach.

Layers, lowest first: ``ontology`` → ``queries`` → ``kg.engine`` → ``kg.answers`` → ``kg.graph`` (the
facade) → ``kg.faces``. Every import counts, including function-level and TYPE_CHECKING ones.
"""

from __future__ import annotations

import ast as pyast
from pathlib import Path

import networkx as nx
import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("kg", "queries", "ontology")
MAX_FUNCTION_LINES = 60
LAYERS = ["ontology", "queries", "kg.engine", "kg.answers", "kg.graph", "kg.faces"]


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, pyast.Module]:
    return {_module_name(p): pyast.parse(p.read_text(encoding="utf-8"))
            for package in PACKAGES for p in (ROOT / package).rglob("*.py")}


MODULES = _modules()


def _resolve(name: str) -> str | None:
    """The project module an import names (``from kg.engine import load`` names kg.engine.load)."""
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def _imports(tree: pyast.Module) -> set[str]:
    found = set()
    for node in pyast.walk(tree):
        if isinstance(node, pyast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, pyast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names if f"{node.module}.{alias.name}" in MODULES}
    return {m for m in map(_resolve, found) if m}


def _layer(module: str) -> int:
    return max(i for i, layer in enumerate(LAYERS) if module == layer or module.startswith(layer + ".")
               or (layer == "kg.graph" and module == "kg"))


def _import_graph() -> nx.DiGraph:
    graph = nx.DiGraph()
    for name, tree in MODULES.items():
        graph.add_node(name)
        graph.add_edges_from((name, other) for other in _imports(tree) if other != name)
    return graph


def test_layers_import_downwards_only():
    upward = [f"{a} -> {b}" for a, b in _import_graph().edges if _layer(b) > _layer(a)]
    assert upward == []


def test_no_import_loops():
    graph = _import_graph()
    graph.remove_nodes_from([n for n in list(graph) if n in ("kg", "kg.engine", "kg.answers", "kg.faces")])
    loops = [" -> ".join(cycle) for cycle in nx.simple_cycles(graph)]
    assert loops == []


def _functions():
    for name, tree in MODULES.items():
        for node in pyast.walk(tree):
            if isinstance(node, (pyast.FunctionDef, pyast.AsyncFunctionDef)):
                yield name, node


def test_functions_are_short():
    long = [f"{name}.{node.name}: {node.end_lineno - node.lineno + 1} lines" for name, node in _functions()
            if node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES]
    assert long == []


def _private(name: str) -> bool:
    return name.startswith("_") and not name.endswith("__")


@pytest.mark.parametrize("name", sorted(MODULES))
def test_no_module_uses_another_modules_private_names(name):
    tree = MODULES[name]
    module_aliases = {}
    for node in pyast.walk(tree):
        if isinstance(node, pyast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                assert not (_private(alias.name) and _resolve(node.module) not in (None, name)), \
                    f"{name} imports private {node.module}.{alias.name}"
                if f"{node.module}.{alias.name}" in MODULES:
                    module_aliases[alias.asname or alias.name] = f"{node.module}.{alias.name}"
        elif isinstance(node, pyast.Import):
            for alias in node.names:
                if alias.name in MODULES and alias.asname:
                    module_aliases[alias.asname] = alias.name
    for node in pyast.walk(tree):
        if (isinstance(node, pyast.Attribute) and isinstance(node.value, pyast.Name)
                and node.value.id in module_aliases and _private(node.attr)):
            pytest.fail(f"{name} uses private {module_aliases[node.value.id]}.{node.attr}")
