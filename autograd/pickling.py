"""Pickling and deep-copying a graph of any depth, without recursion.

pickle and copy.deepcopy would follow a node's inputs one level of recursion per node, and a chain of
a few thousand nodes would exceed Python's limit. Here a leaf pickles by itself, and any other node
carries its whole graph as a flat list in topological order, inputs given by position, so nothing
nests deeper than one level. Leaves stay shared with other references to them in the same pickle or
deepcopy. Registered with `copyreg` when the package is imported.

>>> import copy
>>> from autograd import Value
>>> x = Value(2.0, "x")
>>> y = copy.deepcopy(x * x + 1.0)
>>> y.data, [c.label for c in y.children[0].children]
(5.0, ['x', 'x'])
"""

from __future__ import annotations

import copyreg
from typing import Any

from .value import Value, build_node, topological_order


def reduce_value(node: Value) -> tuple:
    """What pickle stores for `node`: its leaf fields, or its whole graph as a flat list."""
    if node._a is None:
        return (_leaf, (node._data, node._grad, node._label, node.role))
    order = topological_order(node)
    position = {id(n): i for i, n in enumerate(order)}
    entries: list = []
    for n in order:
        a, b = n._a, n._b
        if a is None:
            entries.append(n)
            continue
        inputs = tuple(position[id(c)] for c in a) if type(a) is tuple else position[id(a)]
        second = None if b is None else (position[id(b)], n._db)
        entries.append((n.op, n._data, n._grad, n._label, n.role, inputs, n._da, second, n._number))
    return (_graph, (entries,))


def _leaf(data: float, grad: float, label: str, role: Any) -> Value:
    leaf = Value(data, label)
    leaf._grad = grad
    leaf.role = role
    return leaf


def _graph(entries: list) -> Value:
    """Rebuild a pickled graph (see reduce_value) and return its last node, the root."""
    built: list[Value] = []
    for entry in entries:
        if isinstance(entry, Value):
            built.append(entry)
            continue
        op, data, grad, label, role, a, da, second, number = entry
        inputs = tuple(built[i] for i in a) if type(a) is tuple else built[a]
        b, db = (None, None) if second is None else (built[second[0]], second[1])
        node = build_node(op, data, inputs, da, b, db, number)
        node._grad, node._label, node.role = grad, label, role
        built.append(node)
    return built[-1]


copyreg.pickle(Value, reduce_value)
