"""The packages' import graph has no cycle: no module of autograd or nn imports, directly or through
others, a module that imports it back. Read from the source, every import counted: at the top of a
module, inside a function (a lazy import), under `if TYPE_CHECKING:`.
"""

from __future__ import annotations

import ast
import functools
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("autograd", "nn")


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@functools.cache
def modules() -> dict[str, Path]:
    """Every module of the packages, subpackages included (autograd.explorer.page)."""
    return {module_name(p): p for package in PACKAGES for p in sorted((ROOT / package).rglob("*.py"))}


def imported(name: str, path: Path, known: dict[str, Path]) -> set[str]:
    """The modules of the packages that the module `name` imports anywhere in its source."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*anchor, *([base] if base else [])])
            # `from . import steps` imports the module autograd.steps; `from .value import Value` imports autograd.value
            submodules = {f"{base}.{alias.name}" for alias in node.names} & set(known)
            found.update(submodules or {base})
    return {m for m in found if m in known and m != name}


@functools.cache
def import_graph() -> dict[str, set[str]]:
    import autograd

    known = modules()
    graph = {name: imported(name, path, known) for name, path in known.items()}
    graph["autograd"] |= {f"autograd.{module}" for module in autograd._LAZY.values()}  # imported on first use
    return graph


def cycle_through(graph: dict[str, set[str]], start: str) -> list[str] | None:
    """A path start -> ... -> start, if there is one (iterative depth-first search)."""
    stack: list[tuple[str, list[str]]] = [(start, [start])]
    seen: set[str] = set()
    while stack:
        name, path = stack.pop()
        for target in sorted(graph[name]):
            if target == start:
                return [*path, start]
            if target not in seen:
                seen.add(target)
                stack.append((target, [*path, target]))
    return None


def test_the_reader_finds_the_imports_it_must() -> None:
    graph = import_graph()
    assert "autograd.value" in graph["autograd.custom"]  # from .value import ...
    assert "autograd.ops" in graph["autograd.value"]
    assert "autograd" in graph["nn.diagnostics"]  # from autograd import Value, ...
    assert "nn.module" in graph["nn.io"] and "nn.torch_twins" in graph["nn.torch_export"]  # a lazy import
    assert cycle_through({"a": {"b"}, "b": {"c"}, "c": {"a"}}, "a") == ["a", "b", "c", "a"]
    assert cycle_through({"a": {"b"}, "b": set()}, "a") is None


def test_no_module_imports_one_that_imports_it_back() -> None:
    graph = import_graph()
    cycles = [" -> ".join(path) for name in graph if (path := cycle_through(graph, name))]
    assert not cycles, "import cycles:\n" + "\n".join(cycles)


def test_the_engine_core_imports_nothing_that_draws() -> None:
    """value.py and what it imports stay pure Python: no graphviz, numpy or torch, at any depth."""
    graph = import_graph()
    core, todo = set(), ["autograd.value"]
    while todo:
        name = todo.pop()
        if name not in core:
            core.add(name)
            todo.extend(graph[name])
    third_party = {"graphviz", "numpy", "torch", "matplotlib", "IPython"}
    for name in core:
        tree = ast.parse(modules()[name].read_text(encoding="utf-8"))
        names = {a.name.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
        names |= {(n.module or "").split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
        assert not names & third_party, (name, names & third_party)


def test_the_step_through_sits_below_what_draws_and_writes_it() -> None:
    graph = import_graph()
    assert graph["autograd.steps"] & {"autograd.animation", "autograd.step_page"} == set()
    assert graph["autograd.drawing"] & {"autograd.steps", "autograd.animation", "autograd.step_page"} == set()
    assert "autograd.step_page" not in graph["autograd.animation"]
    assert {"autograd.steps", "autograd.explorer.model", "autograd.explorer.page", "autograd.animation"} <= graph[
        "autograd.step_page"
    ]
    assert all("autograd.step_page" not in graph[name] for name in graph if name.startswith("autograd.explorer"))
