"""Ops of your own, and the check that finds a wrong local derivative (the exercise mode).
Reads the built-in ops from the op table (autograd/ops.py).

An op is a forward function on numbers and one derivative function per input. The op builds nodes
exactly as the built-in ones do (local derivatives stored beside the value), so it is as fast,
back-propagates, draws with a gradient on every edge, and can be checked:

>>> from autograd import Value
>>> softsign = custom_op("softsign", lambda a: a / (1 + abs(a)), lambda a: 1 / (1 + abs(a)) ** 2)
>>> x = Value(3.0, "x")
>>> y = softsign(x); y.backward()
>>> y.data, x.grad
(0.75, 0.0625)
>>> find_wrong_derivative(y) is None
True
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from .checks import as_float
from .describe import describe
from .operand import Left
from .ops import ANY_NUMBER, TABLE
from .value import Value, build_node, topological_order


class OpName(str):
    """An op's name that also carries the op, so that a check can run the op's forward again."""

    op: CustomOp


class CustomOp:
    """A user-defined op: `forward(a, b, ...)` on floats, and d forward / d input for each input.

    Call it with Values or numbers, as many as `forward` takes; at least one must be a Value.
    """

    def __init__(self, name: str, forward: Callable[..., float], *derivatives: Callable[..., float]) -> None:
        if not isinstance(name, str) or not name:
            raise TypeError("custom_op needs a name (a non-empty str), shown in tables and pictures")
        if not callable(forward) or not derivatives or not all(callable(d) for d in derivatives):
            raise TypeError("custom_op(name, forward, d_input0, d_input1, ...): functions on floats")
        if len(derivatives) > 2:
            raise ValueError("custom_op takes ops of one or two inputs (use several ops for more)")
        self.name = OpName(name)
        self.name.op = self
        self.forward = forward
        self.derivatives = derivatives

    @property
    def arity(self) -> int:
        return len(self.derivatives)

    def __call__(self, *operands: Value | float) -> Value:
        if len(operands) == 1 and self.arity == 1 and type(operands[0]) is Value:  # the usual call, kept short
            node = operands[0]
            x = node.data
            data, slope = self.forward(x), self.derivatives[0](x)
            if type(data) is not float or data - data:  # an int, a numpy number, inf or nan: checked below
                data = _number(self, "forward", data)
            if type(slope) is not float:
                slope = _number(self, "derivative 0", slope)
            return build_node(self.name, data, node, slope)
        if len(operands) != self.arity:
            raise TypeError(f"{self.name} takes {self.arity} input{'s' if self.arity > 1 else ''}, got {len(operands)}")
        values = [o.data if isinstance(o, Value) else as_float(o, str(self.name)) for o in operands]
        data = _number(self, "forward", self.forward(*values))
        slopes = [_number(self, f"derivative {i}", d(*values)) for i, d in enumerate(self.derivatives)]
        if self.arity == 1:
            a = operands[0]
            return build_node(self.name, data, a, slopes[0]) if isinstance(a, Value) else Value(data)
        a, b = operands
        if isinstance(a, Value) and isinstance(b, Value):
            return build_node(self.name, data, a, slopes[0], b, slopes[1])
        if isinstance(a, Value):
            return build_node(self.name, data, a, slopes[0], number=values[1])
        if isinstance(b, Value):
            return build_node(self.name, data, b, slopes[1], number=Left(values[0]))
        return Value(data)

    def __repr__(self) -> str:
        return f"custom_op({str(self.name)!r})"


def custom_op(name: str, forward: Callable[..., float], *derivatives: Callable[..., float]) -> CustomOp:
    """Make an op from a forward function and its local derivative(s), all on plain floats.

    Args:
        name: shown in tables and pictures.
        forward: f(a) or f(a, b).
        derivatives: d f / d a (and d f / d b), each a function of the same inputs.

    >>> hypot = custom_op("hypot", math.hypot, lambda a, b: a / math.hypot(a, b), lambda a, b: b / math.hypot(a, b))
    >>> from autograd import Value
    >>> a, b = Value(3.0), Value(4.0)
    >>> h = hypot(a, b); h.backward(); (h.data, a.grad, b.grad)
    (5.0, 0.6, 0.8)
    """
    return CustomOp(name, forward, *derivatives)


def _number(op: CustomOp, what: str, result: object) -> float:
    """What a user's function returned, as a float; the forward must be finite (a derivative may be
    inf: backward then raises, naming the node)."""
    try:
        number = float(result)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise TypeError(f"{op.name}: {what} must return a real number, got {type(result).__name__}") from None
    if what == "forward" and not math.isfinite(number):
        raise OverflowError(f"{op.name}: forward gave {number!r}, not a finite number")
    return number


# -------------------------------------------------------------------------------- the check
@dataclass(frozen=True)
class WrongDerivative:
    """A node whose stored local derivative disagrees with central differences of its own op."""

    node: Value
    child: Value
    position: int  # which input of the node, in `node.children`
    stored: float
    numeric: float

    @property
    def highlight(self) -> list:
        """What to pass to `draw(..., highlight=...)`: the node and the wrong edge into its input."""
        return [self.node, (self.child, self.node)]

    def __str__(self) -> str:
        node, child = describe(self.node), describe(self.child)
        return (
            f"{node} (value {self.node.data:.6g}): its local derivative d/d({child}) is {self.stored:.6g} as "
            f"stored, but {self.numeric:.6g} by central differences (off by {self.stored - self.numeric:.3g}). "
            f"With grad {self.node.grad:.6g} here it sends {self.stored * self.node.grad:.6g} back instead of "
            f"{self.numeric * self.node.grad:.6g}, and every gradient below inherits the error."
        )


def find_wrong_derivative(
    root: Value, *, eps: float = 1e-6, rtol: float = 1e-4, atol: float = 1e-6
) -> WrongDerivative | None:
    """Check every node's stored local derivatives against central differences of its own op, in
    backward order, and return the first that disagrees (None when all agree).

    Checks custom ops and the built-in ops of one or two inputs; n-ary ops (dot, sum_of) are exact by
    construction, and a micrograd-style `_backward` closure has no forward to run again, so neither is
    checked. A point where an op has a kink (relu at 0) is skipped: its two one-sided slopes differ.
    """
    for node in reversed(topological_order(root)):
        forward = _forward_of(node)
        if forward is None:
            continue
        operands = list(node.operands)
        value_positions = [i for i, o in enumerate(operands) if isinstance(o, Value)]
        plain = [o.data if isinstance(o, Value) else o for o in operands]
        for position, (child, stored, k) in enumerate(
            zip(node.children, node.local_grads, value_positions, strict=True)
        ):
            numeric = _slope(forward, plain, k, eps)
            if numeric is None or not isinstance(stored, (int, float)):
                continue
            if abs(stored - numeric) > atol + rtol * abs(numeric):
                return WrongDerivative(node, child, position, float(stored), numeric)
    return None


def _slope(forward: Callable[[list[float]], float], point: list[float], k: int, eps: float) -> float | None:
    """Central difference of forward in argument k, or None at a kink or outside the domain."""
    h = eps * max(1.0, abs(point[k]))
    try:
        middle = forward(point)
        up = forward(_moved(point, k, h))
        down = forward(_moved(point, k, -h))
    except (ValueError, ZeroDivisionError, OverflowError):
        return None
    right, left = (up - middle) / h, (middle - down) / h
    if abs(right - left) > 1e-2 * max(1.0, abs(right), abs(left)):
        return None  # a kink: the slope is a convention here, not a limit
    return (up - down) / (2 * h)


def _moved(point: list[float], k: int, step: float) -> list[float]:
    moved = list(point)
    moved[k] += step
    return moved


def _forward_of(node: Value) -> Callable[[list[float]], float] | None:
    """The node's op as a function of its operands' values, when it can be run again."""
    if not node.children or node.closure is not None:  # a leaf, or a closure with no forward to rerun
        return None
    op = node.op
    if isinstance(op, OpName):
        custom = op.op
        return lambda values: float(custom.forward(*values))
    row = TABLE.get(op)
    if row is None or row.arity == ANY_NUMBER:  # dot and sum_of are exact by construction
        return None
    # The op on floats: the first operand made a leaf, so that the Value method (or function) can run.
    return lambda values: row.function(Value(values[0]), *values[1:]).data
