"""No module of autograd imports, at the top or inside a function, a module that imports it back
(directly or through others): each dependency goes one way, so any module can be read, loaded and
replaced knowing only what is below it. Read from the source, so a lazy import counts too."""

import ast
from pathlib import Path

import autograd

PACKAGE = Path(autograd.__file__).resolve().parent
MODULES = {path.stem for path in PACKAGE.glob("*.py")}


def imports_of(path: Path) -> set[str]:
    """The autograd modules `path` imports anywhere in its code ("__init__" for the package itself);
    imports under `if TYPE_CHECKING:` are for the type checker only and never run."""
    found: set[str] = set()
    todo: list[ast.AST] = [ast.parse(path.read_text(encoding="utf-8"))]
    while todo:
        node = todo.pop()
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
            todo.extend(node.orelse)
            continue
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            if node.module:
                found.add(node.module.split(".")[0])
            else:  # from . import checks (a module), from . import __version__ (the package's name)
                found.update(a.name if a.name in MODULES else "__init__" for a in node.names)
        todo.extend(ast.iter_child_nodes(node))
    return found


def import_graph() -> dict[str, set[str]]:
    graph = {path.stem: imports_of(path) for path in PACKAGE.glob("*.py")}
    graph["__init__"] |= set(autograd._LAZY.values())  # imported by name on first use
    return graph


def cycle_through(graph: dict[str, set[str]], start: str) -> list[str] | None:
    """A path start -> ... -> start, if there is one (breadth first, so the shortest)."""
    came_from: dict[str, str] = {}
    frontier = [start]
    while frontier:
        following = []
        for module in frontier:
            for imported in sorted(graph.get(module, ())):
                if imported == start:
                    path = [module]  # back to start through the modules that led here
                    while path[-1] != start:
                        path.append(came_from[path[-1]])
                    return [*reversed(path), start]
                if imported not in came_from:
                    came_from[imported] = module
                    following.append(imported)
        frontier = following
    return None


def test_no_autograd_module_imports_one_that_imports_it_back():
    graph = import_graph()
    cycles = {}
    for module in sorted(graph):
        cycle = cycle_through(graph, module)
        if cycle is not None:
            cycles[module] = " -> ".join(cycle)
    assert cycles == {}


def test_the_step_through_sits_below_what_draws_and_writes_it():
    graph = import_graph()
    assert graph["steps"] & {"animation", "step_page"} == set()
    assert graph["drawing"] & {"steps", "animation", "step_page"} == set()
    assert graph["animation"] & {"step_page"} == set()
    assert {"steps", "drawing", "animation"} <= graph["step_page"]
