"""How a node is named and described in text: shared by tables, drawings and the command line.
Imports only the Value module and `describe` (a node's given name).

A node's name, first that applies:

1. its label (`Value(3.0, "x")`, `node.label = "x"`): explicit labels always win;
2. the name its role gives it inside a model (`layer0.n2.z`, `block.h`);
3. the caller's variable that holds it (`xy = x * y` names that node `xy`), see `variable_names`;
4. its op (or `leaf`) and topological index (`*#2`).

Roles come before variables: a role name is also given on purpose (by `Group.mark`, `Group.claim` or
an nn module), and it says where the node sits in a model, which a caller's `out` or `loss` does not;
so tables and pictures of models read as before. The variables name what had no name at all: a node
that is neither labelled, nor in a model, nor held by a variable keeps its `op#index`. Nothing is
recorded while a graph is built: the variables are read when a table or a picture is made, so
building a node costs the same as without this feature.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from types import FrameType

from .describe import given_name
from .value import Value

Names = bool | Mapping[Value, str]
"""What the public functions take as `names=`: True (the default) names the nodes that have no label
and no role after the caller's variables, False turns that off, and a dict {node: "name"} gives the
names in place of the variables (labels and roles still come first)."""

_PACKAGE = os.path.dirname(os.path.abspath(__file__)) + os.sep


def number(x: float) -> str:
    """A float, short: 3.0 -> '3', -0.20000000000000001 -> '-0.2', 1e-12 -> '1e-12', -0.0 -> '0'."""
    text = f"{x:.6g}"
    return "0" if text == "-0" else text


def node_names(order: list[Value], variables: Mapping[int, str] | None = None) -> dict[int, str]:
    """id(node) -> a stable name: `given_name` (the label, else the role's qualified name), else the
    name in `variables` (id(node) -> name, as `variable_names` gives), else the op (or 'leaf') plus
    its topological index."""
    variables = variables or {}
    return {
        id(node): given_name(node) or variables.get(id(node)) or f"{node.op or 'leaf'}#{i}"
        for i, node in enumerate(order)
    }


def variable_names(names: Names, order: list[Value]) -> dict[int, str]:
    """id(node) -> name for the nodes of `order` that `names` names (labels and roles, which come
    first, are not looked at here).

    `names=True`: the variables of the code that called the public function (a table, a picture, a
    step-through). That is the first frame, going outward, whose code is not a file of the autograd
    package, so that calls made inside the package (render_steps drawing its frames, the command line)
    look past themselves; code run by doctest or `exec` counts as the caller's. Its local variables
    are read first, then its global ones (a notebook's or a script's variables), and a node held by
    a local keeps that name. Only variables that hold a Value directly count (not Values inside lists
    or dicts), and names starting with `_` are ignored (a notebook's `_`, `__`, `_3`); when several
    variables of one scope hold the same node, the first in alphabetical order names it.
    `names=False`: {}. A mapping {node: "name"}: those names, checked to be Values and strings.
    """
    if names is True:
        return _caller_variables({id(node) for node in order})
    if names is False:
        return {}
    if not isinstance(names, Mapping):
        raise TypeError(f"names takes True, False or a dict {{node: name}}; got {type(names).__name__}")
    given: dict[int, str] = {}
    for node, name in names.items():
        if not isinstance(node, Value) or not isinstance(name, str):
            raise TypeError(f"names maps Values to strings ({{node: 'name'}}); got {node!r:.40}: {name!r:.40}")
        given[id(node)] = name
    return given


def _caller_variables(wanted: set[int]) -> dict[int, str]:
    """id(node) -> variable name, for the nodes in `wanted`, from the first frame outside the package."""
    frame: FrameType | None = sys._getframe(1)
    try:
        while frame is not None and os.path.abspath(frame.f_code.co_filename).startswith(_PACKAGE):
            frame = frame.f_back
        if frame is None:
            return {}
        found: dict[int, str] = {}
        scopes = [frame.f_locals] if frame.f_locals is frame.f_globals else [frame.f_locals, frame.f_globals]
        for scope in scopes:
            held = [(k, v) for k, v in list(scope.items()) if isinstance(v, Value) and isinstance(k, str)]
            for name, value in sorted(held, key=lambda item: item[0]):
                if id(value) in wanted and not name.startswith("_"):
                    found.setdefault(id(value), name)
        return found
    finally:
        del frame  # a frame held here would keep the caller's variables alive in a reference cycle


def operand_texts(node: Value, names: dict[int, str]) -> list[str]:
    """The node's operands in the order they were written, Values by name and numbers by value."""
    return [names[id(o)] if isinstance(o, Value) else number(o) for o in node.operands]


def one_line(text: str) -> str:
    """Text for one table cell: line breaks and tabs shown as \\n and \\t so columns stay aligned."""
    return text.replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t")
