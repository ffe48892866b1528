"""micrograd's names and its way of writing an op, on skipgrad's Value.

micrograd code reads `v._prev` and `v._op`, makes a node with `Value(data, (a, b), "op")`, gives it a
`_backward` closure that adds to its inputs' grads, and may call `node._backward()` in a loop of its
own. `Value` inherits these from `MicrogradNames`, so that code runs unchanged; the engine itself uses
only `run_closure`. Imports only `Fields`, what a node holds, and the error messages of `domain`.

>>> from autograd import Value
>>> a = Value(2.0)
>>> out = Value(a.data * 3, (a,), "*3")
>>> def _backward(): a.grad += 3 * out.grad
>>> out._backward = _backward
>>> out.backward(); a.grad
3.0
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .checks import shown
from .compiling import mypyc_attr
from .domain import NotFiniteGrad, not_finite
from .fields import Fields


@mypyc_attr(allow_interpreted_subclasses=True)
class MicrogradNames(Fields):
    """micrograd's fields on a Value: `_prev`, `_op`, `_backward`, and `closure` to tell them apart."""

    __slots__ = ()

    @property
    def _prev(self) -> set:
        """The inputs as a set, under micrograd's name (its drawing code reads it)."""
        return set(self.children)

    @property
    def _op(self) -> str:
        """The op, under micrograd's name."""
        return self.op

    @property
    def closure(self) -> Callable[[], None] | None:
        """The `_backward` closure given to this node (micrograd's way of writing an op), else None."""
        da = self._da
        return da if type(self._a) is tuple and da is not None and type(da) is not tuple else None

    @property
    def _backward(self) -> Callable[[], None]:
        """What backward does at this node, as micrograd's `_backward()`: a closure you gave, or, for a
        built-in op, a function that sends `local * self.grad` to each input."""
        if type(self._a) is tuple and type(self._da) is not tuple:
            return self._da if self._da is not None else _nothing
        return lambda: _send_back(self)

    @_backward.setter
    def _backward(self, closure: Callable[[], None]) -> None:
        if not callable(closure):
            raise TypeError(f"_backward must be a function of no arguments, got {type(closure).__name__}")
        self._a = self.children  # the node now back-propagates only through the closure
        self._b = None
        self._da = closure
        self._db = None
        self._number = None


def constructor_arguments(data: object, children: object, op: object, label: object) -> tuple[object, tuple]:
    """(label, inputs) from Value's constructor, checked: `Value(data, label)`, `Value(data, label=...)` or
    micrograd's `Value(data, children, op)`."""
    if hasattr(data, "local_grads"):
        raise TypeError(
            f"Value(data): data is already a Value ({shown(data)}); use it, or Value(v.data) for a new leaf"
        )
    if isinstance(children, str):  # Value(2.0, "a"): the second argument is the label
        if op or label:
            raise TypeError("Value(data, label) takes a label only; for micrograd's form use Value(data, children, op)")
        return children, ()
    if not isinstance(children, (tuple, list, set, frozenset)):
        raise TypeError(
            f"Value(_children): expected a tuple of Values (or a str: the label), got {type(children).__name__}"
        )
    for child in children:
        if not hasattr(child, "_grad") or not hasattr(child, "local_grads"):
            raise TypeError(f"Value(_children): expected Values, got {type(child).__name__}")
    return label, tuple(children)


def run_closure(node: Any, grad: float) -> None:
    """Run a node's `_backward` closure and keep what it sent to each input per unit of gradient (in
    `_db`), so that pictures and tables can show the gradient on each edge."""
    inputs = node._a
    before = [child._grad for child in inputs]
    try:
        node._da()
    except NotFiniteGrad as bad:
        raise not_finite(bad.node, bad.grad) from None
    seen: set[int] = set()
    sent: list[float | None] = []
    for child, old in zip(inputs, before, strict=True):
        if id(child) in seen or not grad:
            sent.append(None)  # a child listed twice: its edges cannot be told apart
            continue
        seen.add(id(child))
        sent.append((child._grad - old) / grad)
    node._db = tuple(sent)


def _nothing() -> None:
    """micrograd's `_backward` of a leaf."""


def _send_back(node: Any) -> None:
    """The chain rule at one node, for code that calls `node._backward()` itself (micrograd's loop)."""
    for child, local in zip(node.children, node.local_grads, strict=True):
        child._grad += local * node._grad
