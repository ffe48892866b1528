"""The table of ops every op test reads: our op, the same op in `math`, and in PyTorch.

Adding an op to the engine means adding one row here. Each row gives the op's domain as hypothesis
strategies, kept away from kinks (relu, abs, max at a tie) where derivatives are conventions,
which tests/test_conventions.py pins separately.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from hypothesis import strategies as st

from autograd import Value, dot, sum_of


def reals(lo: float, hi: float, *, away_from: float | None = None) -> st.SearchStrategy[float]:
    s = st.floats(lo, hi, allow_nan=False, allow_infinity=False)
    if away_from is not None:
        s = s.filter(lambda x: abs(x - away_from) > 1e-3)
    return s


@dataclass(frozen=True)
class Op:
    name: str
    ours: Callable[..., Value]  # takes Values
    math: Callable[..., float]  # takes floats
    torch: Callable  # takes (torch, *tensors)
    domain: tuple  # one strategy per input
    distinct: bool = False  # inputs must differ (max/min away from ties)


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x)) if x >= 0 else math.exp(x) / (1.0 + math.exp(x))


ANY = reals(-5, 5)
POS = reals(0.1, 5)

OPS = [
    Op("add", lambda a, b: a + b, lambda a, b: a + b, lambda t, a, b: a + b, (ANY, ANY)),
    Op("add const", lambda a: a + 2.5, lambda a: a + 2.5, lambda t, a: a + 2.5, (ANY,)),
    Op("radd", lambda a: 2.5 + a, lambda a: 2.5 + a, lambda t, a: 2.5 + a, (ANY,)),
    Op("sub", lambda a, b: a - b, lambda a, b: a - b, lambda t, a, b: a - b, (ANY, ANY)),
    Op("sub const", lambda a: a - 1.5, lambda a: a - 1.5, lambda t, a: a - 1.5, (ANY,)),
    Op("rsub", lambda a: 1.5 - a, lambda a: 1.5 - a, lambda t, a: 1.5 - a, (ANY,)),
    Op("mul", lambda a, b: a * b, lambda a, b: a * b, lambda t, a, b: a * b, (ANY, ANY)),
    Op("mul const", lambda a: a * -3.0, lambda a: a * -3.0, lambda t, a: a * -3.0, (ANY,)),
    Op("rmul", lambda a: -3.0 * a, lambda a: -3.0 * a, lambda t, a: -3.0 * a, (ANY,)),
    Op("div", lambda a, b: a / b, lambda a, b: a / b, lambda t, a, b: a / b, (ANY, POS)),
    Op("div const", lambda a: a / 4.0, lambda a: a / 4.0, lambda t, a: a / 4.0, (ANY,)),
    Op("rdiv", lambda a: 4.0 / a, lambda a: 4.0 / a, lambda t, a: 4.0 / a, (POS,)),
    Op("pow int", lambda a: a**3, lambda a: a**3, lambda t, a: a**3, (ANY,)),
    Op("pow negative int", lambda a: a**-2, lambda a: a**-2, lambda t, a: a**-2, (POS,)),
    Op("pow fraction", lambda a: a**2.5, lambda a: a**2.5, lambda t, a: a**2.5, (POS,)),
    Op("pow value", lambda a, b: a**b, lambda a, b: a**b, lambda t, a, b: a**b, (POS, reals(-2, 2))),
    Op("rpow", lambda a: 2.0**a, lambda a: 2.0**a, lambda t, a: 2.0**a, (ANY,)),
    Op("neg", lambda a: -a, lambda a: -a, lambda t, a: -a, (ANY,)),
    Op("abs", lambda a: abs(a), abs, lambda t, a: t.abs(a), (reals(-5, 5, away_from=0.0),)),
    Op("exp", lambda a: a.exp(), math.exp, lambda t, a: t.exp(a), (ANY,)),
    Op("log", lambda a: a.log(), math.log, lambda t, a: t.log(a), (POS,)),
    Op("sqrt", lambda a: a.sqrt(), math.sqrt, lambda t, a: t.sqrt(a), (POS,)),
    Op("tanh", lambda a: a.tanh(), math.tanh, lambda t, a: t.tanh(a), (ANY,)),
    Op("sigmoid", lambda a: a.sigmoid(), _sigmoid, lambda t, a: t.sigmoid(a), (reals(-30, 30),)),
    Op(
        "softplus",
        lambda a: a.softplus(),
        lambda a: math.log1p(math.exp(a)),
        lambda t, a: t.nn.functional.softplus(a, threshold=50),
        (reals(-30, 30),),
    ),
    Op("relu", lambda a: a.relu(), lambda a: max(a, 0.0), lambda t, a: t.relu(a), (reals(-5, 5, away_from=0.0),)),
    Op("max", lambda a, b: a.max(b), max, lambda t, a, b: t.maximum(a, b), (ANY, ANY), distinct=True),
    Op("min", lambda a, b: a.min(b), min, lambda t, a, b: t.minimum(a, b), (ANY, ANY), distinct=True),
    Op(
        "max const",
        lambda a: a.max(0.5),
        lambda a: max(a, 0.5),
        lambda t, a: t.clamp(a, min=0.5),
        (reals(-5, 5, away_from=0.5),),
    ),
    Op(
        "min const",
        lambda a: a.min(0.5),
        lambda a: min(a, 0.5),
        lambda t, a: t.clamp(a, max=0.5),
        (reals(-5, 5, away_from=0.5),),
    ),
    Op(
        "sum_of",
        lambda a, b, c: sum_of([a, b, 1.0, c]),
        lambda a, b, c: a + b + 1.0 + c,
        lambda t, a, b, c: a + b + 1.0 + c,
        (ANY, ANY, ANY),
    ),
    Op(
        "dot",
        lambda w0, w1, x1, b: dot([w0, w1], [2.0, x1], b),
        lambda w0, w1, x1, b: b + w0 * 2.0 + w1 * x1,
        lambda t, w0, w1, x1, b: b + w0 * 2.0 + w1 * x1,
        (ANY, ANY, ANY, ANY),
    ),
]
