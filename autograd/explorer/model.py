"""The explorer's data: one graph as a compact JSON-ready dict of flat arrays, built from the objects.
Imports the Value module, naming, steps and (for boxes and skip paths) drawing's readers of roles.

Nodes are indices in topological order (inputs first), so every array below is indexed by them:

- `name` (as in grad_table), `op` (the node's op, "" for a leaf), `data`, `grad`, `kind` (0 input,
  1 parameter, 2 op, 3 output), `box` (the innermost box the node sits in, or -1); `pictures` maps
  an op to its text in pictures where they differ, `many_numbers` lists the ops that take any
  number of plain numbers (shown in the node, not as constants);
- edges child -> parent as `src`, `dst`, `local` (d parent / d child, null when unknown) and `skip`
  (the indices of the edges on a skip path); an edge carries `data[src]` forward and
  `local * grad[dst]` back;
- `consts`: [node, number, on a skip path] for each plain-number operand;
- `boxes`: `name` (qualified, unique), `title`, `parent` (-1 at the top), `residual` (1 when one of
  its own nodes adds a skip operand: its frame is purple, as in pictures);
- `steps`: the node of each frame of `backward_steps`, the seed first;
- `optimizer`: per-parameter state when an optimizer was given, else null.

Optional, added by render_steps: `captions` (each frame's `Frame.caption`, written as they are
instead of by the page) and `frame` (the step the page opens at; without it, the finished backward).

Everything is made in a few passes over the nodes and edges (no recursion, nothing quadratic), and a
graph larger than `max_nodes` is refused after walking only that many nodes.

>>> from autograd import Value
>>> a, b = Value(2.0, "a"), Value(3.0, "b")
>>> c = a * b; c.label = "c"; c.backward()
>>> m = graph_model(c, names=False)
>>> m["name"], m["src"], m["dst"], m["local"], m["steps"]
(['a', 'b', 'c'], [0, 1], [2, 2], [3.0, 2.0], [2, 2])
"""

from __future__ import annotations

import math
from typing import Any

from ..limits import GraphTooLargeError, check_max_nodes, refuse_above
from ..naming import Names, node_names, variable_names
from ..ops import picture_text, takes_any_number
from ..steps import backward_steps
from ..structure import on_skip_path, value_inputs
from ..value import Value, topological_order

DEFAULT_MAX_NODES = 200_000  # the plain-ops GPT step (57,000 nodes) opens; a million is refused up front
INPUT, PARAMETER, OP, OUTPUT = range(4)
_HINT = "the explorer shows graphs up to max_nodes: explore a smaller graph, or raise max_nodes"


def graph_model(root: Value, *, names: Names = True, optimizer: Any = None, max_nodes: int = DEFAULT_MAX_NODES) -> dict:
    """The dict described in the module's docstring, for `root`'s graph (its grads as they are now)."""
    if not isinstance(root, Value):
        several = "; for several outputs, explore their sum: autograd.sum_of(outputs)"
        raise TypeError(
            f"explore: expected a Value, got {type(root).__name__}"
            + (several if isinstance(root, (list, tuple)) else "")
        )
    check_max_nodes(max_nodes)
    refuse_above(root, max_nodes, f" to explore, more than max_nodes={max_nodes}", _HINT)
    # drawing's readers of roles decide what is a box and what is a skip path, so that the explorer
    # and the pictures agree; importing drawing needs the graphviz package, not the dot program.
    from ..drawing import BoxLayout

    order = topological_order(root)
    index = {id(node): i for i, node in enumerate(order)}
    variables = variable_names(names, order)
    shown = node_names(order, variables)
    layout = BoxLayout(order)
    boxes, box_of_group = _boxes(layout)

    model: dict[str, Any] = {"version": 1, "root": index[id(root)]}
    model["name"] = [shown[id(node)] for node in order]
    model["op"] = [node.op for node in order]
    ops = set(model["op"]) - {""}
    model["pictures"] = {op: picture_text(op) for op in sorted(ops) if picture_text(op) != op}
    model["many_numbers"] = sorted(op for op in ops if takes_any_number(op))
    model["data"] = [node.data for node in order]
    model["grad"] = [node.grad for node in order]
    model["kind"] = [_kind(node, root) for node in order]
    model["box"] = [_box_index(node, box_of_group) for node in order]
    for node, box in zip(order, model["box"], strict=True):
        if box >= 0 and node.role.skip_operands:
            boxes["residual"][box] = 1
    src: list[int] = []
    dst: list[int] = []
    local: list[float | None] = []
    skip: list[int] = []
    consts: list[list] = []
    for i, node in enumerate(order):
        for child, derivative, position in value_inputs(node):
            if on_skip_path(node, child, position):
                skip.append(len(src))
            src.append(index[id(child)])
            dst.append(i)
            local.append(_finite(derivative))
        if node.children:
            for position, operand in enumerate(node.operands):
                if not isinstance(operand, Value):
                    consts.append([i, float(operand), int(on_skip_path(node, None, position))])
    model.update(src=src, dst=dst, local=local, skip=skip, consts=consts, boxes=boxes)
    # The same frames as backward_steps, named alike; only which node each frame is at is kept (the
    # page writes the captions from the numbers it already has).
    given = {node: variables[id(node)] for node in order if id(node) in variables}
    frames = backward_steps(root, names=given, max_nodes=max(len(order), 1))
    model["steps"] = [index[id(frame.node)] for frame in frames]
    model["optimizer"] = _optimizer_state(optimizer, index)
    return model


def _kind(node: Value, root: Value) -> int:
    if node is root:
        return OUTPUT
    if node.children:
        return OP
    return PARAMETER if node.role is not None and node.role.parameter else INPUT


def _boxes(layout: Any) -> tuple[dict[str, list], dict[int, int]]:  # a drawing.BoxLayout
    """The boxes, parents before children, and id(group) -> the index of the box it is drawn as."""
    paths = sorted({tuple(id(g) for g in p): p for p in layout.boxes.values() if p}.values(), key=len)
    at: dict[tuple[int, ...], int] = {}
    boxes: dict[str, list] = {"name": [], "title": [], "parent": [], "residual": []}
    for path in paths:
        key = tuple(id(g) for g in path)
        at[key] = len(boxes["name"])
        boxes["name"].append(layout.key[key])
        boxes["title"].append(path[-1].title)
        boxes["parent"].append(at.get(key[:-1], -1))
        boxes["residual"].append(0)
    box_of_group = {gid: at[tuple(id(g) for g in path)] for gid, path in layout.boxes.items() if path}
    return boxes, box_of_group


def _box_index(node: Value, box_of_group: dict[int, int]) -> int:
    role = node.role
    if role is None or role.group is None:
        return -1
    return box_of_group.get(id(role.group), -1)


def _finite(derivative: object) -> float | None:
    """A local derivative as a JSON number; None when it is not a number (undefined, or a closure's
    that has not run yet), which the page shows as '?'."""
    if isinstance(derivative, (int, float)) and math.isfinite(derivative):
        return float(derivative)
    return None


def _optimizer_state(optimizer: Any, index: dict[int, int]) -> dict | None:
    """Per-parameter state of an optimizer: every list attribute as long as its `params` (Adam's `m`
    and `v`, SGD's `velocity`), for the parameters in this graph; None without an optimizer."""
    if optimizer is None:
        return None
    params = getattr(optimizer, "params", None)
    if not isinstance(params, list):
        raise TypeError(f"explore(optimizer=): expected an optimizer with a list `params`, got {optimizer!r:.60}")
    fields = {
        name: values
        for name, values in vars(optimizer).items()
        if name != "params" and isinstance(values, list) and len(values) == len(params)
    }
    where = [(k, index[id(p)]) for k, p in enumerate(params) if id(p) in index]
    return {
        "type": type(optimizer).__name__,
        "steps": getattr(optimizer, "steps", None),
        "node": [i for _, i in where],
        "fields": {name: [_finite(values[k]) for k, _ in where] for name, values in fields.items()},
    }


__all__ = ["graph_model", "GraphTooLargeError", "DEFAULT_MAX_NODES"]
