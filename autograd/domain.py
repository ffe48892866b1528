"""Where an op has no answer, and the clear error that says so.

Float arithmetic carries on silently with inf and nan, and Python's own messages do not say which op
failed; the ops of value.py call these helpers instead. A local derivative that does not exist at a
point (sqrt at 0) is stored as an `UndefinedDerivative`, which raises only if a gradient reaches it.
Imports only `describe`, to name a node.

>>> finite(1e308 * 10, "*", 1e308, 10.0)
Traceback (most recent call last):
...
OverflowError: 1e+308 * 10.0 overflows a float
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from .describe import describe


class UndefinedDerivative:
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


def finite(result: float, op: str, a: float, b: float) -> float:
    """result, unless the op `a op b` overflowed to inf."""
    if math.isfinite(result):
        return result
    raise OverflowError(f"{a!r} {op} {b!r} overflows a float")


def overflow(op: str, operands: tuple[float, ...]) -> OverflowError:
    """The error for an op whose result is too large for a float: '1e+308 * 10.0 overflows a float'."""
    shown = [repr(x) for x in operands]
    written = f" {op} ".join(shown) if len(shown) > 1 else f"{op}({', '.join(shown)})"
    return OverflowError(f"{written} overflows a float")


def nonzero_divisor(b: float, numerator: float) -> float:
    if b == 0.0:
        raise ZeroDivisionError(f"division by zero: {numerator!r} / {b!r}")
    return b


def power(a: float, b: float) -> float:
    """a ** b with Python's exception classes and no complex results."""
    if a < 0.0 and not b.is_integer():
        raise ValueError(f"{a!r} ** {b!r}: a negative base needs an integer exponent (the result is complex)")
    if a == 0.0 and b < 0.0:
        raise ZeroDivisionError(f"{a!r} ** {b!r}: zero cannot be raised to a negative power")
    try:
        out = a**b
    except OverflowError:
        raise OverflowError(f"{a!r} ** {b!r} overflows a float") from None
    return finite(out, "**", a, b)


def d_base(a: float, b: float) -> float | UndefinedDerivative:
    """d/da a**b = b * a**(b-1), with d/da a**0 = 0 everywhere."""
    if b == 0.0:
        return 0.0
    if a == 0.0 and b < 1.0:
        return UndefinedDerivative(ZeroDivisionError, f"d/da a**{b!r} is infinite at a = 0")
    try:
        return finite(b * a ** (b - 1.0), "**", a, b - 1.0)
    except OverflowError:
        return UndefinedDerivative(OverflowError, f"d/da a**{b!r} at a = {a!r} overflows a float")


def d_exponent(a: float, b: float, out: float) -> float | UndefinedDerivative:
    """d/db a**b = a**b * ln(a), with d/db 0**b = 0 for b > 0."""
    if a > 0.0:
        return out * math.log(a)
    if a == 0.0:
        if b > 0.0:
            return 0.0
        return UndefinedDerivative(ZeroDivisionError, "d/db 0**b is infinite at b = 0")
    return UndefinedDerivative(ValueError, f"d/db a**b needs ln(a), which is undefined for a = {a!r} < 0")


def not_finite(node: Any, grad: float) -> OverflowError:
    """The error for a gradient that became inf or nan during backward, naming the node."""
    return OverflowError(
        f"backward: the gradient of {describe(node)} (value {node.data!r}) became {grad!r}; "
        "every grad was left as it was before this call. A local derivative or a product of them is "
        "too large (or 0 * inf): rescale the inputs or use a more stable op."
    )


def located(failure: BaseException, order: Sequence[Any]) -> BaseException | None:
    """An undefined derivative's error from backward, reworded to name the node where it was met; None
    for any other error. That node is the first, outputs first, whose gradient is nonzero and meets an
    undefined local derivative: every node before it in that order had a zero gradient there."""
    if not isinstance(failure, (ZeroDivisionError, ValueError)) or not str(failure).startswith("backward:"):
        return None
    for node in reversed(order):
        if node._grad and any(isinstance(local, UndefinedDerivative) for local in node.local_grads):
            return type(failure)(f"{failure} (at {describe(node)}, value {node.data!r})")
    return None


class NotFiniteGrad(ValueError):
    """A grad set to inf or nan (what a closure may compute); inside backward() it becomes the
    OverflowError that names the node."""

    def __init__(self, node: Any, grad: float) -> None:
        super().__init__(f"Value.grad: {grad!r} is not a finite number")
        self.node, self.grad = node, grad
