"""Value: a scalar that remembers the op that made it and that op's local derivatives.
Pure standard library; never imports graphviz, numpy or torch.

Design, for speed and memory: each op stores its local derivatives instead of a closure, so graphs
hold no reference cycles and are freed without the cyclic garbage collector. A node keeps its one or
two inputs and their local derivatives in slots named as in the docstrings' math (`_a, _da` and
`_b, _db`), so building a node allocates one garbage-collected object, not three; n-ary ops (dot,
sum_of) keep tuples in `_a, _da`. A plain-number operand is not made into a leaf node but kept in
`_number` for drawings and tables. This layout is private: other modules read `children`,
`local_grads` and `operands`.
"""

from __future__ import annotations

import gc
import math
import operator
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from functools import reduce
from numbers import Real
from typing import Any, Union

Number = Union[int, float]
Operand = Union["Value", int, float]

_isfinite = math.isfinite


class Value:
    """A scalar in a computation graph, with the gradient of some output with respect to it.

    Args:
        data: a real number (int, float, bool or a numpy real scalar); stored as a float.
        _children, _op: micrograd's constructor, for ops written the micrograd way: the inputs of
            the op and its name; give the node a `_backward` closure that adds to the inputs' grads.
        label: a name shown in tables and drawings. `Value(2.0, "a")` is short for label="a".

    >>> x, y = Value(3.0, "x"), Value(-4.0, "y")
    >>> out = x * y + x
    >>> out.backward()
    >>> x.grad, y.grad
    (-3.0, 3.0)
    """

    __slots__ = ("_data", "_grad", "_label", "op", "role", "_a", "_da", "_b", "_db", "_number", "_walk")
    _data: float  # read and set through the properties data, grad and label below
    _grad: float
    _label: str  # the user's name for this node; "" when unnamed
    op: str  # "" for a leaf
    role: Any  # what this node is inside a model (an autograd.structure.Role), set by nn or by you; or None
    _a: Any  # the first input; the tuple of every input for an n-ary op; None for a leaf
    _da: Any  # d self / d _a: a float, an _UndefinedDerivative, or a tuple for an n-ary op
    _b: Value | None  # the second input of a binary op, else None
    _db: Any  # d self / d _b
    _number: Any  # the plain-number operand, kept for display: a float, a _Left, or a tuple (n-ary ops)
    _walk: object  # the token of the last graph walk that visited this node

    def __init__(self, data: Number, _children: Iterable[Value] | str = (), _op: str = "", label: str = "") -> None:
        if isinstance(_children, str):  # Value(2.0, "a"): the second argument is the label
            if _op or label:
                raise TypeError(
                    "Value(data, label) takes a label only; for micrograd's form use Value(data, children, op)"
                )
            label, _children = _children, ()
        if isinstance(data, Value):
            raise TypeError(
                f"Value(data): data is already a Value ({_short(data)}); use it, or Value(v.data) for a new leaf"
            )
        self._data = _real(data, "Value(data)", "a real number")
        self._grad = 0.0
        self._label = _text(label)
        self.op = _text(_op, "Value(_op)")
        self.role = None
        self._a = self._b = None  # a leaf has no inputs
        self._da = self._db = None
        self._number = None
        self._walk = None
        if not isinstance(_children, (tuple, list, set, frozenset)):
            raise TypeError(
                f"Value(_children): expected a tuple of Values (or a str: the label), got {type(_children).__name__} "
                f"{_short(_children)}"
            )
        children = tuple(_children)
        if children:  # micrograd's way: inputs now, a _backward closure later
            for child in children:
                if not isinstance(child, Value):
                    raise TypeError(f"Value(_children): expected Values, got {type(child).__name__}")
            self._a = children  # kept as an n-ary node whose local derivatives are unknown

    # ---------------------------------------------------------------- the node's fields, checked when set
    # The ops and backward() read and write the slots directly; these properties are the public view,
    # and their setters keep the promise that data and grad are finite floats and label a str.
    @property
    def data(self) -> float:
        """The node's value, a finite float."""
        return self._data

    @data.setter
    def data(self, value: Number) -> None:
        if type(value) is float and value - value == 0.0:  # a finite float: the common case, kept short
            self._data = value
            return
        self._data = _set_number(value, "Value.data")

    @property
    def grad(self) -> float:
        """d(output)/d(this node) after the output's backward(), a finite float (0.0 before)."""
        return self._grad

    @grad.setter
    def grad(self, value: Number) -> None:
        if type(value) is float and value - value == 0.0:
            self._grad = value
            return
        if type(value) is float:  # inf or nan: what a micrograd-style _backward closure may compute
            raise _NotFiniteGrad(self, value)
        self._grad = _set_number(value, "Value.grad")

    @property
    def label(self) -> str:
        """The user's name for this node; "" when unnamed."""
        return self._label

    @label.setter
    def label(self, value: str) -> None:
        self._label = _text(value, "Value.label")

    # ---------------------------------------------------------------- reading a node (the public view)
    @property
    def children(self) -> tuple[Value, ...]:
        """The input Values in operand order: `a*b` -> (a, b), `x*x` -> (x, x), a leaf -> ()."""
        a = self._a
        if a is None:
            return ()
        if type(a) is tuple:
            return a
        return (a,) if self._b is None else (a, self._b)

    @property
    def local_grads(self) -> tuple:
        """d self / d child for each child, in the order of `children`: `a*b` -> (b, a).

        A node with a `_backward` closure does not know its local derivatives; after a backward
        they are what the closure sent per unit of gradient, and None before (or where it
        cannot be told: a child listed twice).
        """
        a = self._a
        if a is None:
            return ()
        if type(a) is tuple:
            da = self._da
            if type(da) is tuple:
                return da
            return self._db if self._db is not None else (None,) * len(a)
        return (self._da,) if self._b is None else (self._da, self._db)

    # ---------------------------------------------------------------- micrograd's closures
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

    @property
    def operands(self) -> tuple[Value | float, ...]:
        """The inputs as written, plain numbers included: `2 - a` -> (2.0, a), `a * 3` -> (a, 3.0).

        An n-ary op (dot, sum_of) lists its Values, then its plain numbers.
        """
        return _written(self.children, self._number)

    # ---------------------------------------------------------------- arithmetic operators
    def __add__(self, other: Operand) -> Value:
        """a + b;  d/da = 1, d/db = 1: addition hands its gradient unchanged to both inputs."""
        if isinstance(other, Value):
            return _binary("+", self._data + other._data, self, 1.0, other, 1.0)
        c = _real(other, "+")
        return _unary("+", self._data + c, self, 1.0, c)

    def __radd__(self, other: Number) -> Value:
        """c + a;  d/da = 1."""
        c = _real(other, "+")
        return _unary("+", c + self._data, self, 1.0, _Left(c))

    def __sub__(self, other: Operand) -> Value:
        """a - b;  d/da = 1, d/db = -1."""
        if isinstance(other, Value):
            return _binary("-", self._data - other._data, self, 1.0, other, -1.0)
        c = _real(other, "-")
        return _unary("-", self._data - c, self, 1.0, c)

    def __rsub__(self, other: Number) -> Value:
        """c - a;  d/da = -1."""
        c = _real(other, "-")
        return _unary("-", c - self._data, self, -1.0, _Left(c))

    def __mul__(self, other: Operand) -> Value:
        """a * b;  d/da = b, d/db = a: multiplication swaps its inputs' values into their gradients."""
        if isinstance(other, Value):
            a, b = self._data, other._data
            return _binary("*", a * b, self, b, other, a)
        c = _real(other, "*")
        return _unary("*", self._data * c, self, c, c)

    def __rmul__(self, other: Number) -> Value:
        """c * a;  d/da = c."""
        c = _real(other, "*")
        return _unary("*", c * self._data, self, c, _Left(c))

    def __truediv__(self, other: Operand) -> Value:
        """a / b;  d/da = 1/b, d/db = -a/b**2.  Raises ZeroDivisionError when b == 0."""
        if isinstance(other, Value):
            a, b = self._data, _nonzero_divisor(other._data, self, other)
            q = _finite(a / b, "/", self, other)
            return _binary("/", q, self, 1.0 / b, other, -q / b)
        c = _nonzero_divisor(_real(other, "/"), self, other)
        return _unary("/", self._data / c, self, 1.0 / c, c)

    def __rtruediv__(self, other: Number) -> Value:
        """c / a;  d/da = -c/a**2.  Raises ZeroDivisionError when a == 0."""
        c = _real(other, "/")
        a = _nonzero_divisor(self._data, c, self)
        q = _finite(c / a, "/", c, self)
        return _unary("/", q, self, -q / a, _Left(c))

    def __pow__(self, other: Operand) -> Value:
        """a ** b;  d/da = b * a**(b-1), d/db = a**b * ln(a).

        Conventions: d/da a**0 = 0 (also at a = 0); d/db 0**b = 0 for b > 0. A local derivative that
        is infinite (a**b at a = 0 with 0 < b < 1) raises ZeroDivisionError during backward; the
        exponent's derivative for a negative base does not exist and raises ValueError in backward.
        """
        if isinstance(other, Value):
            a, b = self._data, other._data
            out = _power(a, b, self, other)
            return _binary("**", out, self, _d_base(a, b, self), other, _d_exponent(a, b, out, other))
        c = _real(other, "**")
        a = self._data
        return _unary("**", _power(a, c, self, c), self, _d_base(a, c, self), c)

    def __rpow__(self, other: Number) -> Value:
        """c ** a;  d/da = c**a * ln(c)."""
        c = _real(other, "**")
        b = self._data
        out = _power(c, b, c, self)
        return _unary("**", out, self, _d_exponent(c, b, out, self), _Left(c))

    def __neg__(self) -> Value:
        """-a;  d/da = -1."""
        return _unary("neg", -self._data, self, -1.0)

    def __pos__(self) -> Value:
        return self

    def __abs__(self) -> Value:
        """|a|;  d/da = sign(a), and 0 at a = 0 (as PyTorch)."""
        a = self._data
        return _unary("abs", abs(a), self, 1.0 if a > 0 else -1.0 if a < 0 else 0.0)

    # ---------------------------------------------------------------- functions
    def exp(self) -> Value:
        """e**a;  d/da = e**a, read from the output.  Raises OverflowError above a ~ 709.78."""
        try:
            out = math.exp(self._data)
        except OverflowError:
            raise OverflowError(f"exp({self._data!r}) overflows a float (largest argument is about 709.78)") from None
        return _unary("exp", out, self, out)

    def log(self) -> Value:
        """ln(a);  d/da = 1/a.  Raises ValueError for a <= 0."""
        a = self._data
        if a <= 0.0:
            raise ValueError(f"log({a!r}): the logarithm is only defined for positive numbers")
        return _unary("log", math.log(a), self, 1.0 / a)

    def sqrt(self) -> Value:
        """sqrt(a);  d/da = 1/(2 sqrt(a)), read from the output.

        Raises ValueError for a < 0. At a = 0 the derivative is infinite: backward raises
        ZeroDivisionError rather than producing inf.
        """
        a = self._data
        if a < 0.0:
            raise ValueError(f"sqrt({a!r}): the square root is only defined for numbers >= 0")
        out = math.sqrt(a)
        local = 0.5 / out if out > 0.0 else _UndefinedDerivative(ZeroDivisionError, "d/da sqrt(a) is infinite at a = 0")
        return _unary("sqrt", out, self, local)

    def tanh(self) -> Value:
        """tanh(a);  d/da = 1 - tanh(a)**2, read from the output (stable: tanh(1000) = 1, grad 0)."""
        t = math.tanh(self._data)
        return _unary("tanh", t, self, 1.0 - t * t)

    def sigmoid(self) -> Value:
        """1 / (1 + e**-a);  d/da = s * (1 - s), read from the output.

        Stable at any input: exp is only ever taken of a non-positive number, so sigmoid(-800) = 0
        and sigmoid(-40) keeps full relative precision.
        """
        a = self._data
        if a >= 0.0:
            s = 1.0 / (1.0 + math.exp(-a))
        else:
            e = math.exp(a)
            s = e / (1.0 + e)
        return _unary("sigmoid", s, self, s * (1.0 - s))

    def softplus(self) -> Value:
        """ln(1 + e**a), computed stably as max(a, 0) + ln(1 + e**-|a|);  d/da = sigmoid(a)."""
        a = self._data
        e = math.exp(-abs(a))
        out = max(a, 0.0) + math.log1p(e)
        slope = 1.0 / (1.0 + e) if a >= 0.0 else e / (1.0 + e)
        return _unary("softplus", out, self, slope)

    def relu(self) -> Value:
        """max(a, 0);  d/da = 1 for a > 0, else 0 (relu'(0) = 0, as PyTorch)."""
        a = self._data
        if a > 0.0:
            return _unary("relu", a, self, 1.0)
        return _unary("relu", 0.0, self, 0.0)

    def max(self, other: Operand) -> Value:
        """max(a, b);  the larger input gets d = 1, the other 0; a tie splits it 0.5/0.5 (as PyTorch),
        so x.max(x) gives x.grad 1.0."""
        return self._select("max", other, operator.gt)

    def min(self, other: Operand) -> Value:
        """min(a, b);  the smaller input gets d = 1, the other 0; a tie splits it 0.5/0.5 (as PyTorch)."""
        return self._select("min", other, operator.lt)

    def _select(self, op: str, other: Operand, wins) -> Value:
        a = self._data
        if isinstance(other, Value):
            b = other._data
            da = 1.0 if wins(a, b) else 0.0 if wins(b, a) else 0.5
            return _binary(op, a if da else b, self, da, other, 1.0 - da)
        c = _real(other, op)
        local = 1.0 if wins(a, c) else 0.0 if wins(c, a) else 0.5
        return _unary(op, a if local else c, self, local, c)

    def detach(self) -> Value:
        """A new leaf with the same data and no history: gradient stops here.

        Used to measure what one path contributes, e.g. the skip path of a residual block.

        >>> x = Value(2.0, "x")
        >>> y = x * x.detach()
        >>> y.backward(); x.grad
        2.0
        """
        return Value(self._data, f"{self._label} (detached)" if self._label else "")

    # ---------------------------------------------------------------- gradients
    def backward(self) -> None:
        """Add d(self)/d(node) to `node.grad` for every node of the graph, intermediates included.

        Walks the graph once in reverse topological order, applying the chain rule
        `child.grad += local * node.grad`. Gradients accumulate, as in PyTorch: calling backward
        twice without `zero_grad()` doubles every gradient (each call adds the same amount).

        All or nothing: if the pass raises (an undefined derivative such as sqrt'(0), a gradient that
        becomes inf or nan, which raises OverflowError naming the node, or a KeyboardInterrupt),
        every `grad` is left exactly as it was before the call. Thread-safe: calls from several
        threads on graphs that share nodes run one after another.

        >>> a, b = Value(1.5), Value(3.5)
        >>> s = a + b
        >>> s.backward(); [a.grad, b.grad]
        [1.0, 1.0]
        """
        with _graph_lock, _collector_paused():
            # _grad is the slot behind `grad`: written here directly, without the setter's check per edge
            order = topological_order(self)
            # Gradients from earlier calls are set aside: this pass computes only its own
            # contribution, then adds them back, or puts them back untouched if it fails.
            earlier = [(node, node._grad) for node in order if node._grad]
            for node, _ in earlier:
                node._grad = 0.0
            try:
                self._grad = 1.0
                for node in reversed(order):
                    grad = node._grad
                    if grad - grad:  # nan only for inf or nan (and nan is true): a cheap finiteness test
                        raise _not_finite(node, grad)
                    a = node._a
                    if a is None:
                        continue  # a leaf passes nothing back
                    if type(a) is tuple:  # an n-ary op: one local derivative per input
                        da = node._da
                        if type(da) is tuple:
                            for child, local in zip(a, da):
                                child._grad += local * grad
                        elif da is not None:  # a micrograd-style closure adds to its inputs itself
                            _call_closure(node, a, da, grad)
                        continue
                    # chain rule: d out / d input = (d node / d input) * (d out / d node); += because an
                    # input that feeds several nodes (or the same node twice) sums what each sends back
                    a._grad += node._da * grad
                    b = node._b
                    if b is not None:
                        b._grad += node._db * grad
                for node, grad in earlier:
                    total = node._grad + grad
                    if total - total:
                        raise _not_finite(node, total)
                    node._grad = total
            except BaseException as failure:
                for node in order:
                    node._grad = 0.0
                for node, grad in earlier:
                    node._grad = grad
                if isinstance(failure, (ZeroDivisionError, ValueError)) and str(failure).startswith("backward:"):
                    raise type(failure)(f"{failure} (at {_described(node)}, value {node._data!r})") from None
                raise

    def zero_grad(self) -> None:
        """Set `grad` to 0.0 on every node of this Value's graph."""
        with _graph_lock, _collector_paused():
            for node in topological_order(self):
                node._grad = 0.0

    # ---------------------------------------------------------------- copying and pickling
    def __reduce_ex__(self, protocol: Any) -> tuple:
        """Pickle and deep-copy a graph of any depth without recursion.

        A leaf pickles by itself. Any other node carries its whole graph as a flat list in
        topological order, inputs given by position, so nothing nests deeper than one level. Leaves
        stay shared with other references to them in the same pickle or deepcopy.
        """
        if self._a is None:
            return (_leaf, (self._data, self._grad, self._label, self.role))
        order = topological_order(self)
        position = {id(node): i for i, node in enumerate(order)}
        entries: list = []
        for node in order:
            a, b = node._a, node._b
            if a is None:
                entries.append(node)
                continue
            inputs = tuple(position[id(c)] for c in a) if type(a) is tuple else position[id(a)]
            entries.append(
                (
                    node.op,
                    node._data,
                    node._grad,
                    node._label,
                    node.role,
                    inputs,
                    node._da,
                    None if b is None else position[id(b)],
                    None if b is None else node._db,
                    node._number,
                )
            )
        return (_graph, (entries,))

    # ---------------------------------------------------------------- micrograd names and display
    @property
    def _prev(self) -> set[Value]:
        """The inputs as a set, under micrograd's name (its drawing code reads it)."""
        return set(self.children)

    @property
    def _op(self) -> str:
        """The op, under micrograd's name."""
        return self.op

    def __repr__(self) -> str:
        label = f", label={self._label!r}" if self._label else ""
        return f"Value(data={self._data!r}, grad={self._grad!r}{label})"


# -------------------------------------------------------------------- n-ary ops
def sum_of(values: Iterable[Operand]) -> Value:
    """The sum of many Values (and numbers) as ONE node;  d/dv_i = 1 for each.

    Faster than a chain of `+` and draws as a single node.

    >>> a, b, c = Value(1.0), Value(2.0), Value(3.0)
    >>> s = sum_of([a, b, c, 0.5]); s.data
    6.5
    """
    children: list[Value] = []
    constants: list[float] = []
    total = 0.0
    try:
        values = iter(values)
    except TypeError:
        raise TypeError(
            f"sum_of: expected a list of numbers or Values, got {type(values).__name__} {_short(values)}"
        ) from None
    for v in values:
        if isinstance(v, Value):
            children.append(v)
            total += v._data
        else:
            c = _real(v, "sum_of")
            constants.append(c)
            total += c
    kids = tuple(children)
    return _nary("sum", _finite_sum(total, "sum_of"), kids, (1.0,) * len(kids), tuple(constants) or None)


def dot(weights: Sequence[Operand], inputs: Sequence[Operand], bias: Operand = 0.0) -> Value:
    """w . x + b as ONE node (a neuron's pre-activation);  d/dw_i = x_i, d/dx_i = w_i, d/db = 1.

    Children are the Values among the weights, then among the inputs, then the bias; plain numbers
    are kept for display. The sum is taken in the order b + w0*x0 + w1*x1 + ..., the same order as
    micrograd's neuron, so results agree with it to the last bit.

    >>> w = [Value(0.5), Value(-1.0)]
    >>> out = dot(w, [2.0, 3.0], Value(0.25)); out.data
    -1.75
    >>> out.backward(); [wi.grad for wi in w]
    [2.0, 3.0]
    """
    try:
        if len(weights) != len(inputs):
            raise ValueError(f"dot: {len(weights)} weights but {len(inputs)} inputs; they must match")
    except TypeError:  # no len(): a number, None, a generator
        sized = not hasattr(weights, "__len__")
        raise TypeError(
            f"dot({'weights' if sized else 'inputs'}): expected a list of numbers or Values, got "
            f"{type(weights if sized else inputs).__name__} {_short(weights if sized else inputs)}"
        ) from None
    # Two short ways for what nn layers do: Value weights times Value inputs, or times plain floats
    # (a first layer's data). The sum is b + w0*x0 + w1*x1 + ..., in that order, as below.
    w_data = [w._data for w in weights if type(w) is Value]
    if len(w_data) == len(weights):
        start = bias._data if type(bias) is Value else _real(bias, "dot(bias)")
        tail = (bias,) if type(bias) is Value else ()
        x_data = [x._data for x in inputs if type(x) is Value]
        if len(x_data) == len(inputs):
            total = reduce(operator.add, map(operator.mul, w_data, x_data), start)
            return _nary(
                "dot", _finite_sum(total, "dot"), (*weights, *inputs, *tail), (*x_data, *w_data, *(1.0,) * len(tail))
            )
        if not x_data and all(type(x) is float and x - x == 0.0 for x in inputs):
            total = reduce(operator.add, map(operator.mul, w_data, inputs), start)
            return _nary(
                "dot", _finite_sum(total, "dot"), (*weights, *tail), (*inputs, *(1.0,) * len(tail)), tuple(inputs)
            )
    w_nodes: list[Value] = []
    w_locals: list[float] = []
    x_nodes: list[Value] = []
    x_locals: list[float] = []
    constants: list[float] = []
    if isinstance(bias, Value):
        total = bias._data
    else:
        total = _real(bias, "dot(bias)")
    for w, x in zip(weights, inputs):
        if isinstance(w, Value):
            wd = w._data
        else:
            wd = _real(w, "dot(weights)")
        if isinstance(x, Value):
            xd = x._data
            x_nodes.append(x)
            x_locals.append(wd)
        else:
            xd = _real(x, "dot(inputs)")
            constants.append(xd)
        if isinstance(w, Value):
            w_nodes.append(w)
            w_locals.append(xd)
        total += wd * xd
    children = w_nodes + x_nodes
    local_grads = w_locals + x_locals
    if isinstance(bias, Value):
        children.append(bias)
        local_grads.append(1.0)
    return _nary("dot", _finite_sum(total, "dot"), tuple(children), tuple(local_grads), tuple(constants) or None)


# -------------------------------------------------------------------- many parameters at once
def set_data(nodes: Sequence[Value], values: Iterable[float]) -> None:
    """`node.data = value` for each pair, checked as that setter checks, and all or none: what an
    optimizer step does to thousands of parameters, without a property call for each."""
    values = list(values)
    if len(values) != len(nodes):
        raise ValueError(f"set_data: {len(nodes)} nodes but {len(values)} values")
    if not (set(map(type, values)) <= {float} and all(map(_isfinite, values))):  # else the setter's checks
        values = [_real(v, "set_data", "a real number", ValueError) for v in values]
    for node, value in zip(nodes, values):
        node._data = value


def zero_grads(nodes: Iterable[Value]) -> None:
    """`node.grad = 0.0` for each node (a model's or an optimizer's parameters)."""
    for node in nodes:
        node._grad = 0.0


# -------------------------------------------------------------------- building nodes
_new_value = object.__new__


def _node(op: str, data: float, a, da, b: Value | None = None, db=None, number=None) -> Value:
    """The result of an op: its value, its inputs `a` (and `b`), and the local derivatives d/da, d/db.

    `number` is a plain-number operand, kept only for display. Raises OverflowError for an
    infinite result: float arithmetic would carry on silently with inf.
    """
    return _unary(op, data, a, da, number) if b is None else _binary(op, data, a, da, b, db)


# The ops call these two directly, positionally: building nodes is the hot path, and one
# constructor with keyword defaults measured 5-6% slower on W2's build (200k nodes, best of 15).


def _unary(op: str, data: float, a, da, number=None) -> Value:
    """An op with one Value input `a` (and maybe a plain-number operand `number`, for display)."""
    if not _isfinite(data):
        raise OverflowError(f"{_shown_op(op, _written((a,), number))} overflows a float")
    out = _new_value(Value)
    out._data = data
    out._grad = 0.0
    out._label = ""
    out.op = op
    out.role = None
    out._a = a
    out._da = da
    out._b = None  # _db is left unset: it is read only when _b is a Value
    out._number = number
    out._walk = None
    return out


def _binary(op: str, data: float, a: Value, da, b: Value, db) -> Value:
    """An op with two Value inputs."""
    if not _isfinite(data):
        raise OverflowError(f"{_shown_op(op, (a, b))} overflows a float")
    out = _new_value(Value)
    out._data = data
    out._grad = 0.0
    out._label = ""
    out.op = op
    out.role = None
    out._a = a
    out._da = da
    out._b = b
    out._db = db
    out._number = None
    out._walk = None
    return out


def _nary(op: str, data: float, children: tuple, local_grads: tuple, numbers=None) -> Value:
    """The result of an op with any number of inputs: the tuples sit in `_a` and `_da`."""
    if not children:  # only plain numbers went in: the result is a constant leaf
        return Value(data)
    return _unary(op, data, children, local_grads, numbers)


def _written(children: tuple, number) -> tuple:
    """Inputs and the plain-number operand(s) in the order they were written (see Value.operands)."""
    if number is None:
        return children
    if type(number) is tuple:  # an n-ary op's plain-number terms
        return children + number
    if type(number) is _Left:
        return (float(number), *children)
    return (*children, number)


def _shown_op(op: str, operands: tuple) -> str:
    shown = [repr(v._data if isinstance(v, Value) else v) for v in operands]
    return f" {op} ".join(shown) if len(shown) > 1 else f"{op}({', '.join(shown)})"


def _nothing() -> None:
    """micrograd's `_backward` of a leaf."""


def _send_back(node: Value) -> None:
    """The chain rule at one node, for code that calls `node._backward()` itself (micrograd's loop)."""
    for child, local in zip(node.children, node.local_grads):
        child._grad += local * node._grad


def _call_closure(node: Value, inputs: tuple, closure: Callable[[], None], grad: float) -> None:
    """Run a `_backward` closure and keep what it sent to each input per unit of gradient, so that
    pictures and tables can show the gradient on each edge."""
    before = [child._grad for child in inputs]
    try:
        closure()
    except _NotFiniteGrad as bad:
        raise _not_finite(bad.node, bad.grad) from None
    seen: set[int] = set()
    locals_: list[float | None] = []
    for child, old in zip(inputs, before):
        if id(child) in seen or not grad:
            locals_.append(None)  # a child listed twice: its edges cannot be told apart
            continue
        seen.add(id(child))
        locals_.append((child._grad - old) / grad)
    node._db = tuple(locals_)


def _leaf(data: float, grad: float, label: str, role: Any) -> Value:
    leaf = Value(data, label)
    leaf._grad = grad
    leaf.role = role
    return leaf


def _graph(entries: list) -> Value:
    """Rebuild a pickled graph (see Value.__reduce_ex__) and return its last node, the root."""
    built: list[Value] = []
    for entry in entries:
        if isinstance(entry, Value):
            built.append(entry)
            continue
        op, data, grad, label, role, a, da, b, db, number = entry
        inputs = tuple(built[i] for i in a) if type(a) is tuple else built[a]
        node = _node(op, data, inputs, da, None if b is None else built[b], db, number)
        node._grad, node._label, node.role = grad, label, role
        built.append(node)
    return built[-1]


def _described(node: Value) -> str:
    from .naming import given_name  # naming imports this module

    return given_name(node) or (f"the {node.op} node" if node.op else "a leaf")


def _not_finite(node: Value, grad: float) -> OverflowError:
    return OverflowError(
        f"backward: the gradient of {_described(node)} (value {node._data!r}) became {grad!r}; "
        "every grad was left as it was before this call. A local derivative or a product of them is "
        "too large (or 0 * inf): rescale the inputs or use a more stable op."
    )


# -------------------------------------------------------------------- walking a graph
# One graph walk, backward or zero_grad at a time: walks mark the nodes they visit, and threads
# whose graphs share nodes would otherwise overwrite each other's marks.
_graph_lock = threading.RLock()


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off for the duration. backward() makes no reference cycles,
    but it allocates as it walks, and each collection that this triggers scans the whole graph just
    built (measured: about half of backward's time on W5's GPT)."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def topological_order(root: Value) -> list[Value]:
    """Every node reachable from `root`, each after all of its children (inputs first, root last).

    Iterative depth-first search: a graph may be millions of nodes deep. Each walk marks the nodes it
    has seen with fresh tokens instead of keeping a set, which is faster and allocates nothing.

    >>> a, b = Value(2.0, "a"), Value(3.0, "b")
    >>> [n.label or n.op for n in topological_order(a * b + a)]
    ['a', 'b', '*', '+']
    """
    if not isinstance(root, Value):
        raise TypeError(
            f"expected a Value, got {type(root).__name__}"
            + (
                "; for several outputs, draw or back-propagate their sum: autograd.sum_of(outputs)"
                if isinstance(root, (list, tuple))
                else ""
            )
        )
    with _graph_lock:
        return _walk(root)


def _walk(root: Value) -> list[Value]:
    # A node's mark goes from None (or an earlier walk's token) to `opened` when its inputs are pushed
    # and to `done` when it is placed. A node popped while `opened` has had all of its inputs placed:
    # the graph has no cycles, so it cannot be pushed again before then. The inner loop goes straight
    # down to a node's first input instead of pushing and popping it (a chain is walked in one pass
    # down, then one pass of pops back up).
    opened, done = object(), object()  # this walk's marks
    order: list[Value] = []
    place = order.append
    stack: list[Value] = [root]
    push, pop, push_all = stack.append, stack.pop, stack.extend  # bound once: this loop runs per edge
    while stack:
        node = pop()
        if node._walk is opened:  # its inputs are all placed
            node._walk = done
            place(node)
            continue
        while node._walk is not done:
            a = node._a
            if a is None:  # a leaf has no inputs to wait for
                node._walk = done
                place(node)
                break
            node._walk = opened
            push(node)  # popped again once the inputs pushed above it are placed
            # Inputs pushed last-first so that they are placed in operand order: a*b lists a before b.
            if type(a) is tuple:  # an n-ary op: most of its inputs (weights, a shared x) are often placed
                push_all([child for child in reversed(a) if child._walk is not done])
                break
            b = node._b
            if b is not None:
                push(b)
            node = a
    return order


class _Left(float):
    """A plain-number operand that stood on the LEFT of the op (2 - a, 2 ** a), for display."""

    __slots__ = ()


class _UndefinedDerivative:
    """Stands in for a local derivative that does not exist; backward raises when it is used."""

    __slots__ = ("error", "message")

    def __init__(self, error: type[Exception], message: str) -> None:
        self.error = error
        self.message = message

    def __mul__(self, upstream: float) -> float:
        if upstream == 0.0:
            return 0.0  # no gradient arrives here, so this path sends none, whatever the slope
        raise self.error(f"backward: {self.message}")

    __rmul__ = __mul__

    def __repr__(self) -> str:
        return "undefined"


# -------------------------------------------------------------------- checks with clear messages
def _real(x: object, where: str, expected: str = "a real number or a Value", overflow: type = OverflowError) -> float:
    """x as a finite float, or TypeError/ValueError naming what was given and where.

    An int too large for a float raises `overflow`: OverflowError in the ops (as float arithmetic
    does), ValueError where it is an argument that was given (a setter, a size).
    """
    t = type(x)
    if t is float and _isfinite(x):  # type: ignore[arg-type]  # the common case, kept short
        return x  # type: ignore[return-value]
    if t is float or t is int or isinstance(x, Real) or _is_numpy_bool(x):
        try:
            value = float(x)  # type: ignore[arg-type]
        except OverflowError:
            raise overflow(f"{where}: {_short(x)} is too large for a float") from None
        except (TypeError, ValueError):  # a Real whose __float__ is broken
            raise TypeError(f"{where}: {t.__name__} {_short(x)} cannot be read as a float") from None
    else:
        raise TypeError(f"{where}: expected {expected}, got {t.__name__} {_short(x)}")
    if not _isfinite(value):
        raise ValueError(f"{where}: {_short(x)} is not a finite number")
    return value


def _short(x: object) -> str:
    """repr(x) on one line and at most about 40 characters, for messages."""
    try:
        shown = repr(x)
    except Exception:  # a broken __repr__ must not hide the message that names it
        shown = f"<{type(x).__name__}>"
    shown = " ".join(shown.split())
    return shown if len(shown) <= 40 else f"{shown[:20]}...{shown[-8:]} ({len(shown)} characters)"


def _set_number(value: object, field: str) -> float:
    """What a data or grad setter stores: a finite float, or a one-line error naming the field."""
    if isinstance(value, Value):
        raise TypeError(f"{field}: expected a real number, got a Value ({_short(value)}); use v.data")
    return _real(value, field, "a real number", overflow=ValueError)


def _is_numpy_bool(x: object) -> bool:
    t = type(x)
    return t.__module__ == "numpy" and t.__name__ in ("bool_", "bool")


def _text(label: object, where: str = "Value(label)") -> str:
    if not isinstance(label, str):
        raise TypeError(f"{where}: expected a str, got {type(label).__name__} {_short(label)}")
    return label


class _NotFiniteGrad(ValueError):
    """Setting a grad to inf or nan; inside backward() it becomes the OverflowError that names the node."""

    def __init__(self, node: Value, grad: float) -> None:
        super().__init__(f"Value.grad: {grad!r} is not a finite number")
        self.node, self.grad = node, grad


def _shown(operand: object) -> str:
    return repr(operand._data) if isinstance(operand, Value) else repr(operand)


def _finite(result: float, op: str, a: object, b: object) -> float:
    """result, unless the op overflowed to inf (float arithmetic would do so silently)."""
    if _isfinite(result):
        return result
    raise OverflowError(f"{_shown(a)} {op} {_shown(b)} overflows a float")


def _finite_sum(total: float, op: str) -> float:
    if _isfinite(total):
        return total
    raise OverflowError(f"{op}: the sum overflows a float")


def _nonzero_divisor(b: float, numerator: object, divisor: object) -> float:
    if b == 0.0:
        raise ZeroDivisionError(f"division by zero: {_shown(numerator)} / {_shown(divisor)}")
    return b


def _power(a: float, b: float, base: object, exponent: object) -> float:
    """a ** b with Python's exception classes and no complex results."""
    if a < 0.0 and not b.is_integer():
        raise ValueError(f"{a!r} ** {b!r}: a negative base needs an integer exponent (the result is complex)")
    if a == 0.0 and b < 0.0:
        raise ZeroDivisionError(f"{a!r} ** {b!r}: zero cannot be raised to a negative power")
    try:
        out = a**b
    except OverflowError:
        raise OverflowError(f"{a!r} ** {b!r} overflows a float") from None
    return _finite(out, "**", base, exponent)


def _d_base(a: float, b: float, base: object):
    """d/da a**b = b * a**(b-1), with d/da a**0 = 0 everywhere."""
    if b == 0.0:
        return 0.0
    if a == 0.0 and b < 1.0:
        return _UndefinedDerivative(ZeroDivisionError, f"d/da a**{b!r} is infinite at a = 0")
    try:
        return _finite(b * a ** (b - 1.0), "**", base, b - 1.0)
    except OverflowError:
        return _UndefinedDerivative(OverflowError, f"d/da a**{b!r} at a = {a!r} overflows a float")


def _d_exponent(a: float, b: float, out: float, exponent: object):
    """d/db a**b = a**b * ln(a), with d/db 0**b = 0 for b > 0."""
    if a > 0.0:
        return out * math.log(a)
    if a == 0.0:
        if b > 0.0:
            return 0.0
        return _UndefinedDerivative(ZeroDivisionError, "d/db 0**b is infinite at b = 0")
    return _UndefinedDerivative(ValueError, f"d/db a**b needs ln(a), which is undefined for a = {a!r} < 0")
