"""No module of nn imports, at the top or lazily inside a function, a module that imports it back,
directly or through others: the imports are read from the source with ast, so a lazy import counts."""

from __future__ import annotations

import ast
from pathlib import Path

NN = Path(__file__).resolve().parent.parent / "nn"


def nn_imports() -> dict[str, set[str]]:
    """{nn module: the nn modules it imports anywhere in its source}, by file name without .py."""
    graph: dict[str, set[str]] = {}
    for path in sorted(NN.glob("*.py")):
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.level == 1:
                found |= {node.module.split(".")[0]} if node.module else {a.name for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "nn":
                found.add((node.module.split(".") + ["__init__"])[1])  # `from nn import X`: the package
            elif isinstance(node, ast.Import):
                found |= {(a.name.split(".") + ["__init__"])[1] for a in node.names if a.name.split(".")[0] == "nn"}
        graph[path.stem] = found - {path.stem}
    return graph


def reachable(graph: dict[str, set[str]], start: str) -> set[str]:
    seen: set[str] = set()
    todo = list(graph.get(start, ()))
    while todo:
        name = todo.pop()
        if name not in seen:
            seen.add(name)
            todo += graph.get(name, ())
    return seen


def test_no_module_of_nn_imports_one_that_imports_it_back():
    graph = nn_imports()  # the package (__init__) imports every module: none may import the package
    cycles = sorted(name for name in graph if name in reachable(graph, name))
    assert not cycles, {name: sorted(graph[name]) for name in cycles}


def test_the_graph_is_read():
    graph = nn_imports()
    assert "module" in graph["io"] and "torch_twins" in graph["torch_export"]
    assert graph["module"] == {"state"} and graph["torch_twins"] == {"transformer"}
