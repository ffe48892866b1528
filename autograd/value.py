"""Value: a scalar that remembers the op that made it and that op's local derivatives.

Read it top to bottom: the Value class and its ops, each op's forward value and local derivatives
side by side (the `@table_row` line above an op is its row in the op table, autograd/ops.py); then the
backward pass, which is the chain rule, in the order that the walk (autograd/walk.py) gives.

Design, for speed and memory: an op stores its local derivatives instead of a closure, so graphs hold
no reference cycles and are freed without the cyclic garbage collector. A node keeps its one or two
inputs and their local derivatives in slots named as in the docstrings' math (`_a, _da` and `_b, _db`);
n-ary ops (dot, sum_of) keep tuples in `_a, _da`. A plain-number operand is not made into a leaf but
kept in `_number` for pictures and tables. Other modules read the public view: `children`,
`local_grads`, `operands`. Pure standard library.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Iterable, Sequence
from typing import Any, cast

from .checks import as_float, shown, text
from .compiling import mypyc_attr
from .domain import UndefinedDerivative, d_base, d_exponent, finite, nonzero_divisor, not_finite, overflow, power
from .fields import Fields, written, zero_grads
from .guards import all_or_nothing, collector_paused, graph_lock
from .micrograd_compat import MicrogradNames, constructor_arguments, run_closure
from .operand import Left
from .ops import ANY_NUMBER, table_row
from .walk import topological_order

# What the ops accept, checked by the ops themselves with messages that name the problem. They are
# `object` to the type checker because a compiled build checks annotations when called, with its own
# terse message, and would refuse what the ops read (numpy scalars, and anything to name in an error).
Number = object  # a real number: int, float, bool or a numpy real scalar
Operand = object  # a Value or a Number
_isfinite = math.isfinite


@mypyc_attr(allow_interpreted_subclasses=True)
class Value(MicrogradNames):
    """A scalar in a computation graph, with the gradient of some output with respect to it. Its fields
    (data, grad, label, op, its inputs) are those of `Fields` (autograd/fields.py); `MicrogradNames`
    adds micrograd's names for them.

    Args:
        data: a real number (int, float, bool or a numpy real scalar); stored as a float.
        _children, _op: micrograd's constructor (see autograd/micrograd_compat.py).
        label: a name shown in tables and drawings. `Value(2.0, "a")` is short for label="a".

    >>> x, y = Value(3.0, "x"), Value(-4.0, "y")
    >>> out = x * y + x
    >>> out.backward()
    >>> x.grad, y.grad
    (-3.0, 3.0)
    """

    __slots__ = ()  # the fields are declared in autograd/fields.py, where their public view is

    def __init__(self, data: Number, _children: object = (), _op: object = "", label: object = "") -> None:
        label, children = constructor_arguments(data, _children, _op, label)
        self._data = as_float(data, "Value(data)", "a real number")
        self._grad = 0.0
        self._label = text(label, "Value", "label")
        self.op = text(_op, "Value", "_op")
        self.role = None
        self._a = children or None  # micrograd's form: an n-ary node whose _backward closure comes later
        self._da = self._b = self._db = self._number = self._walk = None

    # ---------------------------------------------------------------- ops written with an operator
    # `c` is a plain-number operand; `Left(c)` records that it stood on the left (2 - a).
    @table_row("+", 2, syntax="+")
    def __add__(self, other: Operand) -> Value:
        """a + b;  d/da = 1, d/db = 1: addition hands its gradient unchanged to both inputs."""
        if isinstance(other, Value):
            return _binary("+", self._data + other._data, self, 1.0, other, 1.0)
        c = as_float(other, "+")
        return _unary("+", self._data + c, self, 1.0, c)

    def __radd__(self, other: Number) -> Value:
        c = as_float(other, "+")
        return _unary("+", c + self._data, self, 1.0, Left(c))

    @table_row("-", 2, syntax="-")
    def __sub__(self, other: Operand) -> Value:
        """a - b;  d/da = 1, d/db = -1."""
        if isinstance(other, Value):
            return _binary("-", self._data - other._data, self, 1.0, other, -1.0)
        c = as_float(other, "-")
        return _unary("-", self._data - c, self, 1.0, c)

    def __rsub__(self, other: Number) -> Value:
        c = as_float(other, "-")
        return _unary("-", c - self._data, self, -1.0, Left(c))

    @table_row("*", 2, syntax="*")
    def __mul__(self, other: Operand) -> Value:
        """a * b;  d/da = b, d/db = a: multiplication swaps its inputs' values into their gradients."""
        if isinstance(other, Value):
            a, b = self._data, other._data
            return _binary("*", a * b, self, b, other, a)
        c = as_float(other, "*")
        return _unary("*", self._data * c, self, c, c)

    def __rmul__(self, other: Number) -> Value:
        c = as_float(other, "*")
        return _unary("*", c * self._data, self, c, Left(c))

    @table_row("/", 2, syntax="/")
    def __truediv__(self, other: Operand) -> Value:
        """a / b;  d/da = 1/b, d/db = -a/b**2.  Raises ZeroDivisionError when b == 0."""
        if isinstance(other, Value):
            a, b = self._data, nonzero_divisor(other._data, self._data)
            q = finite(a / b, "/", a, b)
            return _binary("/", q, self, 1.0 / b, other, -q / b)
        c = nonzero_divisor(as_float(other, "/"), self._data)
        return _unary("/", self._data / c, self, 1.0 / c, c)

    def __rtruediv__(self, other: Number) -> Value:
        c = as_float(other, "/")
        a = nonzero_divisor(self._data, c)
        q = finite(c / a, "/", c, a)
        return _unary("/", q, self, -q / a, Left(c))

    @table_row("**", 2, syntax="**")
    def __pow__(self, other: Operand) -> Value:
        """a ** b;  d/da = b * a**(b-1), d/db = a**b * ln(a).

        Conventions: d/da a**0 = 0 (also at a = 0); d/db 0**b = 0 for b > 0. Where a local derivative
        is infinite (a = 0 with 0 < b < 1) or does not exist (d/db for a < 0), backward raises.
        """
        a = self._data
        if isinstance(other, Value):
            b = other._data
            out = power(a, b)
            return _binary("**", out, self, d_base(a, b), other, d_exponent(a, b, out))
        c = as_float(other, "**")
        return _unary("**", power(a, c), self, d_base(a, c), c)

    def __rpow__(self, other: Number) -> Value:
        c = as_float(other, "**")
        out = power(c, self._data)
        return _unary("**", out, self, d_exponent(c, self._data, out), Left(c))

    @table_row("neg", 1, syntax="-", picture="−x")
    def __neg__(self) -> Value:
        """-a;  d/da = -1."""
        return _unary("neg", -self._data, self, -1.0)

    def __pos__(self) -> Value:
        return self

    @table_row("abs", 1)
    def __abs__(self) -> Value:
        """|a|;  d/da = sign(a), and 0 at a = 0 (as PyTorch)."""
        a = self._data
        return _unary("abs", abs(a), self, 1.0 if a > 0 else -1.0 if a < 0 else 0.0)

    # ---------------------------------------------------------------- ops written as a call
    @table_row("exp", 1)
    def exp(self) -> Value:
        """e**a;  d/da = e**a, read from the output.  Raises OverflowError above a ~ 709.78."""
        try:
            out = math.exp(self._data)
        except OverflowError:  # math.exp knows the exact limit; 709.78 is only its first digits
            raise OverflowError(f"exp({self._data!r}) overflows a float (largest argument is about 709.78)") from None
        return _unary("exp", out, self, out)

    @table_row("log", 1)
    def log(self) -> Value:
        """ln(a);  d/da = 1/a.  Raises ValueError for a <= 0."""
        a = self._data
        if a <= 0.0:
            raise ValueError(f"log({a!r}): the logarithm is only defined for positive numbers")
        return _unary("log", math.log(a), self, 1.0 / a)

    @table_row("tanh", 1)
    def tanh(self) -> Value:
        """tanh(a);  d/da = 1 - tanh(a)**2, read from the output (stable: tanh(1000) = 1, grad 0)."""
        t = math.tanh(self._data)
        return _unary("tanh", t, self, 1.0 - t * t)

    @table_row("relu", 1)
    def relu(self) -> Value:
        """max(a, 0);  d/da = 1 for a > 0, else 0 (relu'(0) = 0, as PyTorch)."""
        a = self._data
        return _unary("relu", a, self, 1.0) if a > 0.0 else _unary("relu", 0.0, self, 0.0)

    @table_row("sigmoid", 1)
    def sigmoid(self) -> Value:
        """1 / (1 + e**-a);  d/da = s * (1 - s), read from the output. Stable: exp is only taken of a
        number <= 0, so sigmoid(-800) = 0 and sigmoid(-40) keeps full relative precision."""
        a = self._data
        e = math.exp(-abs(a))
        s = 1.0 / (1.0 + e) if a >= 0.0 else e / (1.0 + e)
        return _unary("sigmoid", s, self, s * (1.0 - s))

    @table_row("sqrt", 1)
    def sqrt(self) -> Value:
        """sqrt(a);  d/da = 1/(2 sqrt(a)), read from the output. Raises ValueError for a < 0; at a = 0 the
        derivative is infinite, and backward raises ZeroDivisionError rather than produce inf."""
        a = self._data
        if a < 0.0:
            raise ValueError(f"sqrt({a!r}): the square root is only defined for numbers >= 0")
        out = math.sqrt(a)
        local = 0.5 / out if out > 0.0 else UndefinedDerivative(ZeroDivisionError, "d/da sqrt(a) is infinite at a = 0")
        return _unary("sqrt", out, self, local)

    @table_row("softplus", 1)
    def softplus(self) -> Value:
        """ln(1 + e**a), computed stably as max(a, 0) + ln(1 + e**-|a|);  d/da = sigmoid(a)."""
        a = self._data
        e = math.exp(-abs(a))
        slope = 1.0 / (1.0 + e) if a >= 0.0 else e / (1.0 + e)
        return _unary("softplus", max(a, 0.0) + math.log1p(e), self, slope)

    @table_row("max", 2)
    def max(self, other: Operand) -> Value:
        """max(a, b);  the larger input gets d = 1, the other 0; a tie splits it 0.5/0.5 (as PyTorch)."""
        return self._select("max", other, operator.gt)

    @table_row("min", 2)
    def min(self, other: Operand) -> Value:
        """min(a, b);  the smaller input gets d = 1, the other 0; a tie splits it 0.5/0.5 (as PyTorch)."""
        return self._select("min", other, operator.lt)

    def _select(self, name: str, other: Operand, wins: Callable[[float, float], bool]) -> Value:
        a = self._data
        b = other._data if isinstance(other, Value) else as_float(other, name)
        da = 1.0 if wins(a, b) else 0.0 if wins(b, a) else 0.5
        if isinstance(other, Value):
            return _binary(name, a if da else b, self, da, other, 1.0 - da)
        return _unary(name, a if da else b, self, da, b)

    def detach(self) -> Value:
        """A new leaf with the same data and no history: gradient stops here (e.g. to measure what the
        skip path of a residual block contributes).

        >>> x = Value(2.0, "x")
        >>> y = x * x.detach()
        >>> y.backward(); x.grad
        2.0
        """
        return Value(self._data, f"{self._label} (detached)" if self._label else "")

    # ---------------------------------------------------------------- gradients
    def backward(self) -> None:
        """Add d(self)/d(node) to `node.grad` for every node of the graph, intermediates included.

        Gradients accumulate, as in PyTorch: a second call without `zero_grad()` adds the same again.
        All or nothing: if the pass raises (an undefined derivative such as sqrt'(0), a gradient that
        becomes inf or nan, a KeyboardInterrupt), every `grad` is left as it was before the call.
        Thread-safe: calls on graphs that share nodes run one after another.

        >>> a, b = Value(1.5), Value(3.5)
        >>> s = a + b
        >>> s.backward(); [a.grad, b.grad]
        [1.0, 1.0]
        """
        with graph_lock, collector_paused():
            order = topological_order(self)
            with all_or_nothing(order):
                _chain_rule(self, order)

    def zero_grad(self) -> None:
        """Set `grad` to 0.0 on every node of this Value's graph."""
        with graph_lock, collector_paused():
            zero_grads(topological_order(self))

    def __repr__(self) -> str:
        label = f", label={self._label!r}" if self._label else ""
        return f"Value(data={self._data!r}, grad={self._grad!r}{label})"


# -------------------------------------------------------------------- the chain rule
def _chain_rule(root: Value, order: list[Value]) -> None:
    """Outputs first, each node sends its gradient back to its inputs, by the chain rule:

        d root / d input  +=  (d node / d input) * (d root / d node)
                                 local derivative      node.grad

    A node's gradient is complete when it is reached: every node that uses it comes before it in the
    reversed order. `+=` because an input that feeds several nodes (or one node twice) sums what each
    sends back.
    """
    root._grad = 1.0
    for node in reversed(order):
        grad = node._grad
        if grad - grad:  # nan only for inf or nan: a cheap finiteness test
            raise not_finite(node, grad)
        a = node._a
        if a is None:
            continue  # a leaf passes nothing back
        if type(a) is tuple:  # an n-ary op: one local derivative per input
            da = node._da
            if type(da) is not tuple:
                run_closure(node, grad)  # micrograd's way: the node's closure adds to its inputs itself
                continue
            child: Fields  # types declared for the compiled build (it then adds native floats); Python ignores them
            local: float
            # zip without strict=: the tuples are built together; the keyword costs 2.4% of W1's instructions
            for child, local in zip(a, da):  # noqa: B905
                child._grad += local * grad
            continue
        first: Fields = a  # the one input (typed, for the compiled build)
        first._grad += node._da * grad  # the chain rule as above
        b = node._b
        if b is not None:  # a second input
            b._grad += node._db * grad


# -------------------------------------------------------------------- ops of any number of inputs
@table_row("sum", ANY_NUMBER, picture="Σ")
def sum_of(values: Iterable[Operand]) -> Value:
    """The sum of many Values (and numbers) as ONE node;  d/dv_i = 1 for each. Faster than a chain of
    `+`, and drawn as one node.

    >>> a, b, c = Value(1.0), Value(2.0), Value(3.0)
    >>> sum_of([a, b, c, 0.5]).data
    6.5
    """
    try:
        values = iter(values)  # a 0-d numpy array is Iterable, but refuses here
    except TypeError:
        raise TypeError(
            f"sum_of: expected a list of numbers or Values, got {type(values).__name__} {shown(values)}"
        ) from None
    children: list[Value] = []
    constants: list[float] = []
    total = 0.0
    for v in values:
        if isinstance(v, Value):
            children.append(v)
            total += v._data
        else:
            constants.append(as_float(v, "sum_of"))
            total += constants[-1]
    return _nary("sum", total, tuple(children), (1.0,) * len(children), tuple(constants) or None)


@table_row("dot", ANY_NUMBER, picture="w·x + b")
def dot(weights: Sequence[Operand], inputs: Sequence[Operand], bias: Operand = 0.0) -> Value:
    """w . x + b as ONE node (a neuron's pre-activation);  d/dw_i = x_i, d/dx_i = w_i, d/db = 1.

    Children are the Values among the weights, then among the inputs, then the bias; plain numbers are
    kept for display. The sum is taken as b + w0*x0 + w1*x1 + ..., micrograd's neuron's order, so the
    results agree with it to the last bit.

    >>> w = [Value(0.5), Value(-1.0)]
    >>> out = dot(w, [2.0, 3.0], Value(0.25)); out.data
    -1.75
    >>> out.backward(); [wi.grad for wi in w]
    [2.0, 3.0]
    """
    try:
        same_length = len(weights) == len(inputs)
    except TypeError:  # no len(): a number, None, a generator
        raise _not_a_list(weights if not hasattr(weights, "__len__") else inputs, weights) from None
    if not same_length:
        raise ValueError(f"dot: {len(weights)} weights but {len(inputs)} inputs; they must match")
    start = bias._data if type(bias) is Value else as_float(bias, "dot(bias)")
    tail = (bias,) if type(bias) is Value else ()
    w_data = [w._data for w in weights if type(w) is Value]
    if len(w_data) == len(weights):  # the two cases of nn's layers: Value weights, Value or float inputs
        x_data = [x._data for x in inputs if type(x) is Value]
        if len(x_data) == len(inputs):
            total = _weighted_sum(start, w_data, x_data)
            return _nary("dot", total, (*weights, *inputs, *tail), (*x_data, *w_data, *(1.0,) * len(tail)))
        if not x_data and all(type(x) is float and x - x == 0.0 for x in inputs):
            total = _weighted_sum(start, w_data, cast(Sequence[float], inputs))  # all floats, just checked
            return _nary("dot", total, (*weights, *tail), (*inputs, *(1.0,) * len(tail)), tuple(inputs))
    # Any mix of Values and numbers: each Value among the weights and among the inputs is an input.
    w_read = [w._data if isinstance(w, Value) else as_float(w, "dot(weights)") for w in weights]
    x_read = [x._data if isinstance(x, Value) else as_float(x, "dot(inputs)") for x in inputs]
    total = _weighted_sum(start, w_read, x_read)
    w_in = [(w, x) for w, x in zip(weights, x_read, strict=True) if isinstance(w, Value)]
    x_in = [(x, w) for x, w in zip(inputs, w_read, strict=True) if isinstance(x, Value)]
    pairs = [*w_in, *x_in, *((bias, 1.0) for _ in tail)]
    constants = tuple(x for x, given in zip(x_read, inputs, strict=True) if not isinstance(given, Value))
    return _nary("dot", total, tuple(p[0] for p in pairs), tuple(p[1] for p in pairs), constants or None)


def _weighted_sum(start: float, weights: Sequence[float], inputs: Sequence[float]) -> float:
    """start + w0*x0 + w1*x1 + ..., added in that order. A plain loop: faster than reduce() over map()
    on every Python from 3.10 (and compiled, a loop over native floats)."""
    total = start
    for w, x in zip(weights, inputs):  # noqa: B905  # dot() has checked that the lengths match
        total += w * x
    return total


def _not_a_list(given: object, weights: object) -> TypeError:
    which = "weights" if given is weights else "inputs"
    return TypeError(f"dot({which}): expected a list of numbers or Values, got {type(given).__name__} {shown(given)}")


# -------------------------------------------------------------------- building nodes
# The ops call _unary and _binary directly, positionally: building nodes is the hot path, and one
# constructor with keyword defaults measured 5-6% slower on W2's build (200k nodes, best of 15).
_new_value = Value.__new__  # a bare node, filled in below (object.__new__ is refused for a compiled class)


def _unary(name: str, data: float, a: Any, da: Any, number: Any = None) -> Value:
    """The node an op makes from one Value input `a` (and maybe a plain-number operand, for display)."""
    if not _isfinite(data):
        raise overflow(name, tuple(_data_of(o) for o in written((a,), number)))
    out = _new_value(Value)
    out._data = data
    out._grad = 0.0
    out._label = ""
    out.op = name
    out.role = None
    out._a = a
    out._da = da
    out._b = None  # _db is left unset: it is read only when _b is a Value
    out._number = number
    out._walk = None
    return out


def _binary(name: str, data: float, a: Value, da: Any, b: Value, db: Any) -> Value:
    """The node an op makes from two Value inputs."""
    if not _isfinite(data):
        raise overflow(name, (a._data, b._data))
    out = _new_value(Value)
    out._data = data
    out._grad = 0.0
    out._label = ""
    out.op = name
    out.role = None
    out._a = a
    out._da = da
    out._b = b
    out._db = db
    out._number = None
    out._walk = None
    return out


def _nary(name: str, data: float, children: tuple, local_grads: tuple, numbers: tuple | None = None) -> Value:
    """The node of an op with any number of inputs: the tuples sit in `_a` and `_da`."""
    if not _isfinite(data):
        raise OverflowError(f"{name}: the sum overflows a float")
    if not children:  # only plain numbers went in: the result is a constant leaf
        return Value(data)
    return _unary(name, data, children, local_grads, numbers)


def build_node(
    name: str, data: float, a: Any, da: Any, b: Value | None = None, db: Any = None, number: Any = None
) -> Value:
    """A node from its parts, for code outside the hot path (custom ops, unpickling)."""
    return _unary(name, data, a, da, number) if b is None else _binary(name, data, a, da, b, db)


def _data_of(operand: Value | float) -> float:
    return operand._data if isinstance(operand, Value) else float(operand)
