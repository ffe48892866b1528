"""Gradient checking: analytic gradients from backward() against central differences.
Imports only the Value module."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from .value import Value


class GradcheckError(AssertionError):
    """An analytic gradient disagrees with its central-difference estimate."""


def gradcheck(
    fn: Callable[..., Value],
    inputs: Sequence[float],
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    raise_exception: bool = True,
) -> bool:
    """Check d fn / d input_i for every input against (f(x + eps) - f(x - eps)) / (2 eps).

    `fn(*values)` is called with one fresh Value per input and must return a Value. An input passes
    when |analytic - numeric| <= atol + rtol * |numeric| (PyTorch's rule).

    Args:
        fn: the function to check, of as many Values as there are inputs.
        inputs: plain numbers at which to check.
        eps: the step of the central difference.
        atol, rtol: absolute and relative tolerance.
        raise_exception: raise GradcheckError on the first mismatch (else return False).

    Returns:
        True when every gradient matches.

    >>> gradcheck(lambda x, y: x * y + x.tanh(), [0.5, -2.0])
    True
    """
    point = [Value(x).data for x in inputs]  # the same checks as Value: real numbers only
    values = [Value(x) for x in point]
    out = _call(fn, values)
    out.backward()
    for i, v in enumerate(values):
        analytic = v.grad
        numeric = (_at(fn, point, i, eps) - _at(fn, point, i, -eps)) / (2.0 * eps)
        if abs(analytic - numeric) > atol + rtol * abs(numeric):
            if raise_exception:
                raise GradcheckError(
                    f"gradient of input {i} (at {point[i]!r}) does not match: "
                    f"analytic {analytic!r}, numeric {numeric!r}"
                )
            return False
    return True


def _at(fn: Callable[..., Value], point: list[float], i: int, step: float) -> float:
    shifted = list(point)
    shifted[i] += step
    return _call(fn, [Value(x) for x in shifted]).data


def _call(fn: Callable[..., Value], values: list[Value]) -> Value:
    out = fn(*values)
    if not isinstance(out, Value):
        raise TypeError(f"gradcheck: fn must return a Value, got {type(out).__name__}")
    return out
