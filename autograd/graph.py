"""Walking a graph of Values without recursion: used by backward, zero_grad, drawing and reports.
Reads a node's inputs from its `_x`/`_y` slots (see value.py) and marks it in `_mark`; imports nothing."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .value import Value


def topological_order(root: Value) -> list[Value]:
    """Every node reachable from `root`, each after all of its children (inputs first, root last).

    Iterative depth-first search: a graph may be millions of nodes deep. Each walk marks the nodes it
    has seen with a fresh token instead of keeping a set, which is faster and allocates nothing.

    >>> from autograd import Value
    >>> a, b = Value(2.0, "a"), Value(3.0, "b")
    >>> [n.label or n.op for n in topological_order(a * b + a)]
    ['a', 'b', '*', '+']
    """
    seen = object()  # this walk's mark
    order: list[Value] = []
    stack: list[Value | None] = [root]
    while stack:
        node = stack.pop()
        if node is None:  # the node under this marker has all of its children placed
            order.append(stack.pop())  # type: ignore[arg-type]
            continue
        if node._mark is seen:
            continue
        node._mark = seen
        stack.append(node)
        stack.append(None)
        # Inputs pushed last-first so that they are placed in operand order: a*b lists a before b.
        x = node._x
        if x is None:
            continue
        if type(x) is tuple:  # an n-ary op
            stack.extend(reversed(x))
            continue
        if node._y is not None:
            stack.append(node._y)
        stack.append(x)
    return order
