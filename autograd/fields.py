"""The public view of a node's fields, which `Value` inherits: `data`, `grad` and `label`, checked when
set, and `children`, `local_grads` and `operands`, read from the slots that the ops fill; and the data
and grads of many nodes at once (`set_data`, `zero_grads`), for optimizers.

The ops and backward() read and write the slots (`_data`, `_grad`, `_a`, `_da`, ...) directly, for
speed; everything else goes through these properties. Their setters keep the promise that data and
grad are finite floats and a label is a str, with an error that names the field.

>>> from autograd import Value
>>> a = Value(2.0)
>>> (3 - a).operands, (a * a).children == (a, a)
((3.0, Value(data=2.0, grad=0.0)), True)
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any

from .checks import as_float, shown, text
from .compiling import mypyc_attr
from .domain import NotFiniteGrad
from .operand import Left

Number = object  # a real number, checked by the setters (see autograd/value.py on why `object`)


@mypyc_attr(allow_interpreted_subclasses=True)
class Fields:
    """What a node holds, and the public view of it (see the module's docstring). Value inherits it."""

    __slots__ = ("_data", "_grad", "_label", "op", "role", "_a", "_da", "_b", "_db", "_number", "_walk")
    _data: float  # read and set through the properties data, grad and label below
    _grad: float
    _label: str  # the user's name for this node; "" when unnamed
    op: str  # "" for a leaf
    role: Any  # what this node is inside a model (an autograd.structure.Role), set by nn or by you; or None
    _a: Any  # the first input; the tuple of every input for an n-ary op; None for a leaf
    _da: Any  # d self / d _a: a float, an UndefinedDerivative, or a tuple for an n-ary op
    _b: Fields | None  # the second input of a binary op, else None
    _db: Any  # d self / d _b
    _number: Any  # the plain-number operand, kept for display: a float, a Left, or a tuple (n-ary ops)
    _walk: object  # the token of the last graph walk that visited this node

    @property
    def data(self) -> float:
        """The node's value, a finite float."""
        return self._data

    @data.setter
    def data(self, value: Number) -> None:
        self._data = value if type(value) is float and value - value == 0.0 else _set_number(value, "Value.data")

    @property
    def grad(self) -> float:
        """d(output)/d(this node) after the output's backward(), a finite float (0.0 before)."""
        return self._grad

    @grad.setter
    def grad(self, value: Number) -> None:
        if type(value) is float and value - value != 0.0:  # inf or nan: what a micrograd closure may compute
            raise NotFiniteGrad(self, value)
        self._grad = value if type(value) is float else _set_number(value, "Value.grad")

    @property
    def label(self) -> str:
        """The user's name for this node; "" when unnamed."""
        return self._label

    @label.setter
    def label(self, value: object) -> None:
        self._label = text(value, "Value.label", "")

    @property
    def children(self) -> tuple:
        """The input Values in operand order: `a*b` -> (a, b), `x*x` -> (x, x), a leaf -> ()."""
        a = self._a
        if a is None:
            return ()
        return a if type(a) is tuple else (a,) if self._b is None else (a, self._b)

    @property
    def local_grads(self) -> tuple:
        """d self / d child for each child, in the order of `children`: `a*b` -> (b, a). A micrograd
        closure's node gives what the closure sent per unit of gradient in its last backward, else None."""
        a = self._a
        if a is None:
            return ()
        if type(a) is tuple:
            da = self._da
            return da if type(da) is tuple else self._db if self._db is not None else (None,) * len(a)
        return (self._da,) if self._b is None else (self._da, self._db)

    @property
    def operands(self) -> tuple:
        """The inputs as written, plain numbers included: `2 - a` -> (2.0, a), `a * 3` -> (a, 3.0).
        An n-ary op (dot, sum_of) lists its Values, then its plain numbers."""
        return written(self.children, self._number)


def set_data(nodes: Sequence[Fields], values: Iterable[float]) -> None:
    """`node.data = value` for each pair, checked as that setter checks, and all or none: what an
    optimizer step does to thousands of parameters, without a property call for each."""
    values = list(values)
    if len(values) != len(nodes):
        raise ValueError(f"set_data: {len(nodes)} nodes but {len(values)} values")
    if not (set(map(type, values)) <= {float} and all(map(math.isfinite, values))):  # else the setter's checks
        values = [as_float(v, "set_data", "a real number", ValueError) for v in values]
    for node, value in zip(nodes, values, strict=True):
        node._data = value


def zero_grads(nodes: Iterable[Fields]) -> None:
    """`node.grad = 0.0` for each node (a model's or an optimizer's parameters)."""
    for node in nodes:
        node._grad = 0.0


def written(children: tuple, number: Any) -> tuple:
    """Inputs and the plain-number operand(s) in the order they were written (see Fields.operands)."""
    if number is None:
        return children
    if type(number) is tuple:  # an n-ary op's plain-number terms
        return children + number
    if type(number) is Left:
        return (float(number), *children)
    return (*children, number)


def _set_number(value: object, field: str) -> float:
    """What a data or grad setter stores: a finite float, or a one-line error naming the field."""
    if isinstance(value, Fields):
        raise TypeError(f"{field}: expected a real number, got a Value ({shown(value)}); use v.data")
    return as_float(value, field, "a real number", overflow=ValueError)
