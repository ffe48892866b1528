"""The walk that orders a graph for backward: every node after all of its inputs.

Iterative, so a graph may be millions of nodes deep; it reads the slots a node keeps its inputs in
(`_a`, `_b`) and marks each node it has placed (`_walk`), as the engine's core may.

>>> from autograd import Value
>>> a, b = Value(2.0, "a"), Value(3.0, "b")
>>> [n.label or n.op for n in topological_order(a * b + a)]
['a', 'b', '*', '+']
"""

from __future__ import annotations

from typing import Any, TypeVar

from .fields import Fields
from .guards import graph_lock

Node = TypeVar("Node")  # a Value; unbound, so that anything else reaches the check that names it


def topological_order(root: Node) -> list[Node]:
    """Every node reachable from `root`, each after all of its children (inputs first, root last).

    Iterative depth-first search: a graph may be millions of nodes deep. Each walk marks the nodes it
    has seen with fresh tokens instead of keeping a set, which is faster and allocates nothing.

    """
    if not isinstance(root, Fields):  # Value is the one kind of Fields
        several = "; for several outputs, draw or back-propagate their sum: autograd.sum_of(outputs)"
        raise TypeError(
            f"expected a Value, got {type(root).__name__}" + (several if isinstance(root, (list, tuple)) else "")
        )
    with graph_lock:
        return _walk(root)


def _walk(root: Any) -> list[Any]:
    # A node's mark goes from None (or an earlier walk's token) to `opened` when its inputs are pushed
    # and to `done` when it is placed. A node popped while `opened` has had all of its inputs placed:
    # the graph has no cycles, so it cannot be pushed again before then. The inner loop goes straight
    # down to a node's first input instead of pushing and popping it (a chain is walked in one pass
    # down, then one pass of pops back up).
    opened, done = object(), object()  # this walk's marks
    order: list[Any] = []
    stack: list[Fields] = [root]
    while stack:
        node: Fields = stack.pop()
        if node._walk is opened:  # its inputs are all placed
            node._walk = done
            order.append(node)
            continue
        while node._walk is not done:
            a = node._a
            if a is None:  # a leaf has no inputs to wait for
                node._walk = done
                order.append(node)
                break
            node._walk = opened
            stack.append(node)  # popped again once the inputs pushed above it are placed
            # Inputs pushed last-first so that they are placed in operand order: a*b lists a before b.
            if type(a) is tuple:  # an n-ary op: most of its inputs (weights, a shared x) are often placed
                stack.extend([child for child in reversed(a) if child._walk is not done])
                break
            b = node._b
            if b is not None:
                stack.append(b)
            node = a
    return order
