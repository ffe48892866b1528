"""Random computation graphs for tests/test_fuzz.py.

A graph is a `Recipe`: leaf values and a list of `Step`s, each one engine op applied to earlier nodes
and plain numbers. A recipe can be replayed on skipgrad Values (at its own leaves, or at shifted
leaves for central differences) and on PyTorch tensors, so that the same graph is built both ways.

`build_graph` makes recipes whose every node is well behaved, so that comparisons are fair: values
within VALUE_BOUND, operands away from a domain boundary (log, sqrt, division, powers) by
DOMAIN_MARGIN and from a kink (relu, abs, max/min) by KINK_MARGIN, and a bounded derivative. Exact
kinks and ties are still built on purpose (relu(x - x), x.max(x), (2*x).max(x + x)): every IEEE
engine computes those operands bit for bit alike, so both sides take the same branch.

Alongside each node the builder records, for the tolerances of the tests:
  scale[i]: a first-order bound on the rounding error of the node's value, divided by the machine
    epsilon: |value| (the op's own rounding) + sum over its inputs of |local derivative| * scale(input)
    (the running error bound of forward error analysis). Two correct float64 implementations of a
    graph differ by a few epsilon times this.
  local[k], error[k]: for step k, each operand's local derivative and a bound on that derivative's
    own rounding error (its value's rounding plus its sensitivity to the operands' errors);
    `grad_scales` turns them into the same kind of bound for every node's gradient.
  tangent[i]: the sum over leaves of |d node / d leaf| along every path, which bounds the gradients.

`wild_number` and `wild_args` choose operands without any such care (zeros, subnormals, 1e308, any
node), for the tests of the engine's errors; `outcome` says which error the engine must raise.
"""

from __future__ import annotations

import math
import operator
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Union

import autograd.value as engine  # n-ary ops looked up at call time, so that a test can wrap them
from autograd.value import Value

Arg = Union[int, float]  # in a Step: an int is the index of an earlier node, a float a plain number
Floats = Sequence[float]

VALUE_BOUND = 1e4  # |value| of every node (the output: OUTPUT_BOUND)
OUTPUT_BOUND = 1e7
TANGENT_BOUND = 1e6  # sum over leaves of |d node / d leaf|
SCALE_BOUND = 1e10  # rounding-error scale of a value: keeps the margins below far above rounding
DOMAIN_MARGIN = 0.05  # log, sqrt, 1/x, x**-n, x**0.5: operands at least this far from the singularity
KINK_MARGIN = 1e-3  # relu, abs, max, min: operands at least this far from the kink (unless exact ties)


# ---------------------------------------------------------------------------------------------- ops
@dataclass(frozen=True)
class FuzzOp:
    """One way of calling the engine, with its PyTorch twin, its plain-float reference and its math.

    `pattern` has one letter per operand, in operand order: v for a Value, c for a plain number;
    "*" marks an n-ary op (sum_of, dot) whose operands are chosen per step.
    """

    name: str
    pattern: str
    template: str  # how a step reads in a reproduction: "{0} - {1}"
    ours: Callable[..., Value]
    torch: Callable[..., Any]  # (torch, *operands) -> tensor
    math: Callable[..., Any]  # plain floats -> float; Python's error, inf/nan or a complex out of domain
    diff: Callable[[Floats, float, Floats], tuple[Floats, Floats]]  # (xs, out, scales) -> (locals, errors)
    ok: Callable[[Floats, Sequence[bool], bool], bool] = lambda xs, exact, same: True  # margins
    branch: Callable[[Floats], object] | None = None  # which side of a kink the operands are on
    const: Callable[[random.Random], float] = lambda rng: _any_const(rng)
    exact: bool = False  # IEEE basic ops only: PyTorch computes the value bit for bit alike
    rounding: Callable[[Floats, float], float] = lambda xs, out: abs(out)


def _any_const(rng: random.Random) -> float:
    if rng.random() < 0.4:
        return rng.choice([0.0, 1.0, -1.0, 2.0, 0.5, -3.0, 10.0])
    return round(rng.uniform(-4.0, 4.0), rng.choice([1, 3, 17]))


def _nonzero_const(rng: random.Random) -> float:
    c = _any_const(rng)
    return c if abs(c) >= 0.1 else rng.choice([2.0, -0.5, 3.0, 0.25])


def _exponent(rng: random.Random) -> float:
    return rng.choice([0.0, 1.0, 2.0, 3.0, 4.0, -1.0, -2.0, 0.5, 1.5, 2.5, -0.5, 1.0 / 3.0])


def _base(rng: random.Random) -> float:
    return rng.choice([2.0, 0.5, math.e, 10.0, 1.5, 0.0])


def _sign(x: float) -> int:
    return (x > 0.0) - (x < 0.0)


def _sigmoid(x: float) -> float:
    if x >= 0.0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


def _softplus(x: float) -> float:
    return max(x, 0.0) + math.log1p(math.exp(-abs(x)))


def _term(coefficient: float, a: float, p: float) -> float:
    """coefficient * a**p, 0 when the coefficient is; inf where that power is infinite or complex."""
    if coefficient == 0.0:
        return 0.0
    if (a == 0.0 and p < 0.0) or (a < 0.0 and not float(p).is_integer()):
        return math.inf
    try:
        return coefficient * a**p
    except OverflowError:
        return math.inf


# Local derivatives (d out / d operand, for every operand, numbers included) and a bound on each
# one's rounding error: |local| + sum over operands of |d local / d operand| * scale(operand), plus
# the rounding of the op's output where the engine reads the derivative from it (exp, tanh, ...).
def _d_add(x: Floats, out: float, s: Floats) -> tuple[Floats, Floats]:
    return (1.0, 1.0), (1.0, 1.0)


def _d_sub(x: Floats, out: float, s: Floats) -> tuple[Floats, Floats]:
    return (1.0, -1.0), (1.0, 1.0)


def _d_mul(x: Floats, out: float, s: Floats) -> tuple[Floats, Floats]:
    a, b = x
    return (b, a), (abs(b) + s[1], abs(a) + s[0])


def _d_div(x: Floats, out: float, s: Floats) -> tuple[Floats, Floats]:
    a, b = x
    b2 = b * b
    return (1.0 / b, -a / b2), (
        1.0 / abs(b) + s[1] / b2,
        (abs(a) + s[0]) / b2 + 2.0 * abs(a) * s[1] / (b2 * abs(b)),
    )


def _d_pow(x: Floats, out: float, s: Floats) -> tuple[Floats, Floats]:
    a, b = x
    da = 0.0 if b == 0.0 else _term(b, a, b - 1.0)
    dda = _term(b * (b - 1.0), a, b - 2.0)
    if a > 0.0:
        ln = math.log(a)
        db = out * ln
        cross = _term(1.0 + b * ln, a, b - 1.0)  # d/da of d/db, and d/db of d/da
        ddb = out * ln * ln
    else:  # a negative base has only integer (plain-number) exponents; 0**b has d/db = 0 for b > 0
        db = cross = ddb = 0.0
    return (da, db), (
        abs(da) + abs(dda) * s[0] + abs(cross) * s[1],
        abs(db) + abs(cross) * s[0] + abs(ddb) * s[1],
    )


def _d_neg(x: Floats, out: float, s: Floats) -> tuple[Floats, Floats]:
    return (-1.0,), (1.0,)


def _d_pos(x: Floats, out: float, s: Floats) -> tuple[Floats, Floats]:
    return (1.0,), (1.0,)


def _d_abs(x: Floats, out: float, s: Floats) -> tuple[Floats, Floats]:
    d = float(_sign(x[0]))
    return (d,), (abs(d),)


def _d_relu(x: Floats, out: float, s: Floats) -> tuple[Floats, Floats]:
    d = 1.0 if x[0] > 0.0 else 0.0
    return (d,), (d,)


def _d_exp(x: Floats, out: float, s: Floats) -> tuple[Floats, Floats]:
    return (out,), (out * (2.0 + s[0]),)


def _d_log(x: Floats, out: float, s: Floats) -> tuple[Floats, Floats]:
    a = x[0]
    return (1.0 / a,), (1.0 / a + s[0] / (a * a),)


def _d_sqrt(x: Floats, out: float, s: Floats) -> tuple[Floats, Floats]:
    d = 0.5 / out
    return (d,), (2.0 * d + 0.25 * x[0] ** -1.5 * s[0],)


def _d_tanh(x: Floats, out: float, s: Floats) -> tuple[Floats, Floats]:
    d = 1.0 - out * out
    return (d,), (d + 2.0 * abs(out) * (d * s[0] + abs(out)),)


def _d_sigmoid(x: Floats, out: float, s: Floats) -> tuple[Floats, Floats]:
    d = out * (1.0 - out)
    return (d,), (d + abs(1.0 - 2.0 * out) * (d * s[0] + out),)


def _d_softplus(x: Floats, out: float, s: Floats) -> tuple[Floats, Floats]:
    d = _sigmoid(x[0])
    return (d,), (d + d * (1.0 - d) * s[0],)


def _d_detach(x: Floats, out: float, s: Floats) -> tuple[Floats, Floats]:
    return (0.0,), (0.0,)


def _d_select(wins: Callable[[float, float], bool]) -> Callable[[Floats, float, Floats], tuple[Floats, Floats]]:
    def diff(x: Floats, out: float, s: Floats) -> tuple[Floats, Floats]:
        a, b = x
        d = (1.0, 0.0) if wins(a, b) else (0.0, 1.0) if wins(b, a) else (0.5, 0.5)
        return d, d

    return diff


def _d_sum(x: Floats, out: float, s: Floats) -> tuple[Floats, Floats]:
    ones = (1.0,) * len(x)
    return ones, ones


def _d_dot(x: Floats, out: float, s: Floats) -> tuple[Floats, Floats]:
    n = (len(x) - 1) // 2
    w, xs = x[:n], x[n : 2 * n]
    local = (*xs, *w, 1.0)
    error = (
        *(abs(xs[i]) + s[n + i] for i in range(n)),
        *(abs(w[i]) + s[i] for i in range(n)),
        1.0,
    )
    return local, error


def _sum_rounding(x: Floats, out: float) -> float:
    return len(x) * sum(abs(v) for v in x) + abs(out)


def _dot_rounding(x: Floats, out: float) -> float:
    n = (len(x) - 1) // 2
    terms = [abs(x[-1])] + [abs(x[i] * x[n + i]) for i in range(n)]
    return (n + 2) * sum(terms) + abs(out)


# Plain-float references, in the engine's order of operations (sums left to right from the bias).
def _pow_math(a: float, b: float) -> float:
    if a < 0.0 and not float(b).is_integer():  # the result is complex, however large: a domain error
        raise ValueError(f"{a!r} ** {b!r}")
    return a**b


def _sum_math(*x: float) -> float:
    total = 0.0
    for v in x:
        total += v
    return total


def _dot_math(*x: float) -> float:
    n = (len(x) - 1) // 2
    total = x[-1]
    for i in range(n):
        total += x[i] * x[n + i]
    return total


def _sum_torch(t: Any, *x: Any) -> Any:
    total: Any = 0.0
    for v in x:
        total = total + v
    return total


def _dot_torch(t: Any, *x: Any) -> Any:
    n = (len(x) - 1) // 2
    total: Any = x[-1]
    for i in range(n):
        total = total + x[i] * x[n + i]
    return total


def _dot_ours(*x: Any) -> Value:
    n = (len(x) - 1) // 2
    return engine.dot(list(x[:n]), list(x[n : 2 * n]), x[-1])


def _far(x: float, kink: float) -> bool:
    return abs(x - kink) >= KINK_MARGIN


def _kink_ok(xs: Floats, exact: Sequence[bool], same: bool) -> bool:
    return _far(xs[0], 0.0) or (xs[0] == 0.0 and exact[0])


def _tie_ok(xs: Floats, exact: Sequence[bool], same: bool) -> bool:
    return same or _far(xs[0], xs[1]) or (xs[0] == xs[1] and all(exact))


def _const_tie_ok(xs: Floats, exact: Sequence[bool], same: bool) -> bool:
    return _far(xs[0], xs[1])  # never a tie: torch.clamp gives a tie all the gradient, the engine half


def _positive(i: int) -> Callable[[Floats, Sequence[bool], bool], bool]:
    return lambda xs, exact, same: xs[i] >= DOMAIN_MARGIN


def _nonzero(i: int) -> Callable[[Floats, Sequence[bool], bool], bool]:
    return lambda xs, exact, same: abs(xs[i]) >= DOMAIN_MARGIN


def _pow_const_ok(xs: Floats, exact: Sequence[bool], same: bool) -> bool:
    a, c = xs
    if c.is_integer():
        return c >= 0.0 or abs(a) >= DOMAIN_MARGIN
    return a >= DOMAIN_MARGIN


def _pow_ok(xs: Floats, exact: Sequence[bool], same: bool) -> bool:
    return xs[0] >= DOMAIN_MARGIN and abs(xs[1]) <= 4.0


def _rpow_ok(xs: Floats, exact: Sequence[bool], same: bool) -> bool:
    return xs[0] != 0.0 or xs[1] >= DOMAIN_MARGIN  # 0 ** a only for a > 0 (d/da = 0 there)


def _cmp(xs: Floats) -> object:
    return _sign(xs[0] - xs[1])


def _arith(
    symbol: str,
    fn: Callable[[Any, Any], Any],
    diff: Any,
    oks: dict[str, Any],
    consts: Any,
    reference: Callable[[Any, Any], Any] | None = None,
) -> list[FuzzOp]:
    """The three forms of a binary operator: a OP b, a OP c, c OP a."""
    ops = []
    for pattern, name in (("vv", "a {} b"), ("vc", "a {} c"), ("cv", "c {} a")):
        ops.append(
            FuzzOp(
                name=name.format(symbol),
                pattern=pattern,
                template=f"{{0}} {symbol} {{1}}",
                ours=fn,
                torch=lambda t, a, b, fn=fn: fn(a, b),
                math=reference or fn,
                diff=diff,
                ok=oks.get(pattern, lambda xs, exact, same: True),
                const=consts.get(pattern, _any_const),
                exact=symbol != "**",
            )
        )
    return ops


def _unary(
    name: str,
    template: str,
    ours: Callable[[Any], Any],
    torch: Callable[[Any, Any], Any],
    math_: Callable[[float], Any],
    diff: Any,
    **more: Any,
) -> FuzzOp:
    return FuzzOp(name, "v", template, ours, torch, math_, diff, **more)


def _select(name: str, pattern: str, wins: Callable[[float, float], bool]) -> FuzzOp:
    method = name.split("(")[0][2:]  # "max" or "min"
    if pattern == "vv":
        torch_fn: Callable[..., Any] = lambda t, a, b: (t.maximum if method == "max" else t.minimum)(a, b)  # noqa: E731
        ok, branch = _tie_ok, _cmp
    else:
        torch_fn = lambda t, a, c: t.clamp(a, min=c) if method == "max" else t.clamp(a, max=c)  # noqa: E731
        ok, branch = _const_tie_ok, _cmp
    return FuzzOp(
        name,
        pattern,
        f"{{0}}.{method}({{1}})",
        ours=lambda a, b: getattr(a, method)(b),
        torch=torch_fn,
        math=max if method == "max" else min,
        diff=_d_select(wins),
        ok=ok,
        branch=branch,
        const=lambda rng: rng.choice([0.0, 0.5, -1.0]) if rng.random() < 0.3 else round(rng.uniform(-3.0, 3.0), 3),
        exact=True,
    )


OPS: list[FuzzOp] = [
    *_arith("+", operator.add, _d_add, {}, {}),
    *_arith("-", operator.sub, _d_sub, {}, {}),
    *_arith("*", operator.mul, _d_mul, {}, {}),
    *_arith("/", operator.truediv, _d_div, {"vv": _nonzero(1), "cv": _nonzero(1)}, {"vc": _nonzero_const}),
    *_arith(
        "**",
        operator.pow,
        _d_pow,
        {"vv": _pow_ok, "vc": _pow_const_ok, "cv": _rpow_ok},
        {"vc": _exponent, "cv": _base},
        _pow_math,
    ),
    _unary("-a", "-{0}", operator.neg, lambda t, a: -a, operator.neg, _d_neg, exact=True),
    _unary("+a", "+{0}", operator.pos, lambda t, a: +a, operator.pos, _d_pos, exact=True),
    _unary(
        "abs(a)",
        "abs({0})",
        abs,
        lambda t, a: t.abs(a),
        abs,
        _d_abs,
        ok=_kink_ok,
        branch=lambda xs: _sign(xs[0]),
        exact=True,
    ),
    _unary("a.exp()", "{0}.exp()", lambda a: a.exp(), lambda t, a: t.exp(a), math.exp, _d_exp),
    _unary("a.log()", "{0}.log()", lambda a: a.log(), lambda t, a: t.log(a), math.log, _d_log, ok=_positive(0)),
    _unary(
        "a.sqrt()",
        "{0}.sqrt()",
        lambda a: a.sqrt(),
        lambda t, a: t.sqrt(a),
        math.sqrt,
        _d_sqrt,
        ok=_positive(0),
        exact=True,
    ),
    _unary("a.tanh()", "{0}.tanh()", lambda a: a.tanh(), lambda t, a: t.tanh(a), math.tanh, _d_tanh),
    _unary("a.sigmoid()", "{0}.sigmoid()", lambda a: a.sigmoid(), lambda t, a: t.sigmoid(a), _sigmoid, _d_sigmoid),
    # threshold=50: above it torch returns a itself, which is what ln(1 + e**a) rounds to beyond a ~ 37
    _unary(
        "a.softplus()",
        "{0}.softplus()",
        lambda a: a.softplus(),
        lambda t, a: t.nn.functional.softplus(a, threshold=50.0),
        _softplus,
        _d_softplus,
    ),
    _unary(
        "a.relu()",
        "{0}.relu()",
        lambda a: a.relu(),
        lambda t, a: t.relu(a),
        lambda a: max(a, 0.0),
        _d_relu,
        ok=_kink_ok,
        branch=lambda xs: xs[0] > 0.0,
        exact=True,
    ),
    _unary("a.detach()", "{0}.detach()", lambda a: a.detach(), lambda t, a: a.detach(), float, _d_detach, exact=True),
    _select("a.max(b)", "vv", operator.gt),
    _select("a.min(b)", "vv", operator.lt),
    _select("a.max(c)", "vc", operator.gt),
    _select("a.min(c)", "vc", operator.lt),
    FuzzOp(
        "sum_of",
        "*",
        "sum_of([{all}])",
        ours=lambda *x: engine.sum_of(list(x)),
        torch=_sum_torch,
        math=_sum_math,
        diff=_d_sum,
        exact=True,
        rounding=_sum_rounding,
    ),
    FuzzOp(
        "dot",
        "*",
        "dot([{w}], [{x}], {b})",
        ours=_dot_ours,
        torch=_dot_torch,
        math=_dot_math,
        diff=_d_dot,
        exact=True,
        rounding=_dot_rounding,
    ),
]
BY_NAME = {op.name: op for op in OPS}
assert len(BY_NAME) == len(OPS)
DETACH = BY_NAME["a.detach()"]


def outcome(op: FuzzOp, xs: Floats) -> type[Exception] | None:
    """The error that the engine must raise for these operands, by the plain-float reference: Python's
    own error, ValueError for a complex result, OverflowError for inf or nan; None if the result is a
    finite float."""
    try:
        result = op.math(*xs)
    except (ValueError, ZeroDivisionError, OverflowError) as error:
        return type(error)
    if isinstance(result, complex):
        return ValueError
    if not math.isfinite(result):
        return OverflowError
    return None


# ---------------------------------------------------------------------------------------------- recipes
@dataclass(frozen=True)
class Step:
    op: str  # a key of BY_NAME
    args: tuple[Arg, ...]  # in operand order: node indices (int) and plain numbers (float)


@dataclass(frozen=True)
class GraphParams:
    """What `build_graph` makes; the seed drives every other choice."""

    seed: int
    leaves: int = 3
    ops: int = 20
    chain: float = 0.3  # chance that a step's first Value operand is the newest node (1.0: a chain)
    share: float = 0.15  # chance that a second Value operand is the first one again (x * x)
    ties: float = 0.05  # chance of a move that builds an exact kink or tie (relu(x - x), x.max(x))
    deep: bool = False  # one long chain: no detach, and the chain's own local derivative in [1/4, 4]
    bound: float = VALUE_BOUND  # of every node's |value|
    tangent: float = TANGENT_BOUND  # of every node's sum over leaves of |d node / d leaf|


@dataclass
class Recipe:
    params: GraphParams | None
    leaves: list[float]
    steps: list[Step] = field(default_factory=list)
    data: list[float] = field(default_factory=list)  # every node's value, leaves first
    scale: list[float] = field(default_factory=list)
    tangent: list[float] = field(default_factory=list)
    exact: list[bool] = field(default_factory=list)
    local: list[Floats] = field(default_factory=list)  # per step
    error: list[Floats] = field(default_factory=list)  # per step

    @property
    def size(self) -> int:
        return len(self.data)

    def depth(self) -> int:
        """The longest path from the output down to a leaf, in ops (detach starts afresh)."""
        depth = [0] * self.size
        n = len(self.leaves)
        for k, step in enumerate(self.steps):
            if step.op != DETACH.name:
                depth[n + k] = 1 + max((depth[a] for a in step.args if type(a) is int), default=0)
        return depth[-1]

    def describe(self, limit: int = 120) -> str:
        """The graph as Python that rebuilds it with the engine (the first `limit` lines)."""
        lines = ["from autograd import Value, dot, sum_of"]
        lines += [f"n{i} = Value({x!r})" for i, x in enumerate(self.leaves)]
        n = len(self.leaves)
        for k, step in enumerate(self.steps):
            lines.append(f"n{n + k} = {render(step)}")
        lines.append(f"n{self.size - 1}.backward()")
        if len(lines) > limit:
            lines = lines[: limit // 2] + [f"# ... {len(lines) - limit} lines ..."] + lines[-limit // 2 :]
        params = f"# {self.params}\n" if self.params else ""
        return params + "\n".join(lines)


def render(step: Step) -> str:
    def show(a: Arg) -> str:
        if type(a) is int:
            return f"n{a}"
        text = repr(a)
        return f"({text})" if text.startswith("-") else text

    parts = [show(a) for a in step.args]
    op = BY_NAME[step.op]
    if op.name == "sum_of":
        return op.template.format(all=", ".join(parts))
    if op.name == "dot":
        n = (len(parts) - 1) // 2
        return op.template.format(w=", ".join(parts[:n]), x=", ".join(parts[n : 2 * n]), b=parts[-1])
    return op.template.format(*parts)


class _Builder:
    def __init__(self, params: GraphParams) -> None:
        self.params = params
        self.rng = random.Random(params.seed)
        self.recipe = Recipe(params, [])
        self.values: list[Value] = []
        self.ops = [op for op in OPS if not (params.deep and op is DETACH)]

    # -- nodes
    def leaf(self, x: float) -> None:
        r = self.recipe
        r.leaves.append(x)
        self.values.append(Value(x))
        r.data.append(x)
        r.scale.append(abs(x))
        r.tangent.append(1.0)
        r.exact.append(True)

    def add(self, name: str, args: tuple[Arg, ...], bound: float | None = None, trusted: bool = False) -> bool:
        """Append the step if its operands are in range and its result is; False (and nothing added)
        otherwise. `trusted`: the operands of a kink are equal in every IEEE engine (x*2 and x+x)."""
        op, r = BY_NAME[name], self.recipe
        bound = self.params.bound if bound is None else bound
        xs = [r.data[a] if type(a) is int else a for a in args]
        exact_in = [r.exact[a] if type(a) is int else True for a in args]
        refs = [a for a in args if type(a) is int]  # none: sum_of or dot of plain numbers, a constant leaf
        same = len(refs) >= 2 and refs[0] == refs[1]
        if self.params.deep and not refs:
            return False  # the chain would restart from a constant
        if not trusted and not op.ok(xs, exact_in, same):
            return False
        if outcome(op, xs) is not None or not abs(op.math(*xs)) <= bound:
            return False
        # In range by the reference: the engine must not raise here (if it does, the test fails).
        out = op.ours(*[self.values[a] if type(a) is int else a for a in args])
        y = out.data
        scales = [r.scale[a] if type(a) is int else 0.0 for a in args]
        local, error = op.diff(xs, y, scales)
        scale = op.rounding(xs, y) + sum(abs(d) * s for d, s in zip(local, scales, strict=True))
        tangent = sum(abs(d) * r.tangent[a] for d, a in zip(local, args, strict=True) if type(a) is int)
        if not (tangent <= self.params.tangent and scale <= SCALE_BOUND and abs(y) <= bound):
            return False
        if self.params.deep and refs and refs[0] == r.size - 1:  # keep the gradient alive along the chain
            first = next(d for d, a in zip(local, args, strict=True) if type(a) is int)
            if not 0.25 <= abs(first) <= 4.0:
                return False
        exact = op.exact and all(exact_in)
        exact |= name == "a - b" and same  # x - x is 0 whatever x is
        exact |= name in ("a * c", "c * a") and any(type(a) is float and a == 0.0 for a in args)  # x * 0
        r.steps.append(Step(name, args))
        self.values.append(out)
        r.data.append(y)
        r.scale.append(scale)
        r.tangent.append(tangent)
        r.exact.append(exact)
        r.local.append(tuple(local))
        r.error.append(tuple(error))
        return True

    def truncate(self, size: int) -> None:
        r = self.recipe
        n = size - len(r.leaves)
        del r.steps[n:], r.local[n:], r.error[n:]
        del self.values[size:], r.data[size:], r.scale[size:], r.tangent[size:], r.exact[size:]

    # -- random choices
    def node(self, first: bool, earlier: int | None) -> int:
        rng, size = self.rng, self.recipe.size
        if first and rng.random() < self.params.chain:
            return size - 1
        if earlier is not None and rng.random() < self.params.share:
            return earlier
        return rng.randrange(size)

    def args_for(self, op: FuzzOp) -> tuple[Arg, ...]:
        rng = self.rng
        pattern = op.pattern
        if op.name == "sum_of":
            pattern = "".join(rng.choice("vvvc") for _ in range(rng.randint(1, 5)))
        elif op.name == "dot":
            pattern = "".join(rng.choice("vvvc") for _ in range(2 * rng.randint(1, 3) + 1))
        if self.params.deep and "v" in pattern and pattern[0] == "c" and op.pattern == "*":
            pattern = "v" + pattern[1:]
        args: list[Arg] = []
        first: int | None = None
        for kind in pattern:
            if kind == "c":
                args.append(op.const(rng))
            else:
                i = self.node(first is None, first)
                first = i if first is None else first
                args.append(i)
        return tuple(args)

    def step(self) -> bool:
        if self.rng.random() < self.params.ties:
            return self.tie()
        op = self.rng.choice(self.ops)
        return self.add(op.name, self.args_for(op))

    def tie(self) -> bool:
        """An exact kink or tie: relu(x - x), abs(x - x), x.max(x), (x*2).max(x + x), (x-x).min(y-y)."""
        rng, mark = self.rng, self.recipe.size
        x = self.node(True, None)
        kind = rng.randrange(4)
        if kind == 0:
            ok = self.add("a - b", (x, x)) and self.add(rng.choice(["a.relu()", "abs(a)"]), (mark,))
        elif kind == 1:
            ok = self.add(rng.choice(["a.max(b)", "a.min(b)"]), (x, x))
        elif kind == 2:
            ok = (
                self.add("a * c", (x, 2.0))
                and self.add("a + b", (x, x))
                and self.add(rng.choice(["a.max(b)", "a.min(b)"]), (mark, mark + 1), trusted=True)
            )
        else:
            y = self.node(False, None)
            ok = (
                self.add("a - b", (x, x))
                and self.add("a - b", (y, y))
                and self.add(rng.choice(["a.max(b)", "a.min(b)"]), (mark, mark + 1))
            )
        if not ok:
            self.truncate(mark)
        return ok

    def finish(self) -> None:
        """Gather the nodes that nothing uses into one sum_of, so that they all reach the output."""
        r = self.recipe
        used = {a for s in r.steps for a in s.args if type(a) is int}
        dangling: list[Arg] = [i for i in range(len(r.leaves), r.size - 1) if i not in used]
        if dangling and not self.params.deep:
            extra: list[Arg] = [self.rng.choice([0.5, -2.0])] if self.rng.random() < 0.3 else []
            self.add("sum_of", (*dangling, r.size - 1, *extra), bound=OUTPUT_BOUND)


def leaf_value(rng: random.Random) -> float:
    if rng.random() < 0.1:
        return rng.choice([0.0, 1.0, -1.0, 0.5, 2.0, -2.5])
    return rng.uniform(-3.0, 3.0)


def build_graph(params: GraphParams) -> tuple[Recipe, list[Value]]:
    """A random well-behaved graph, and the Values it was built with (not yet back-propagated)."""
    b = _Builder(params)
    for _ in range(params.leaves):
        b.leaf(leaf_value(b.rng))
    for _ in range(params.ops):
        for _attempt in range(40):
            if b.step():
                break
    if b.recipe.size == len(b.recipe.leaves):  # every attempt failed: one op that always fits
        b.add("a + c", (len(b.recipe.leaves) - 1, 1.0))
    b.finish()
    return b.recipe, b.values


# ---------------------------------------------------------------------------------------------- replaying
def replay(recipe: Recipe, leaves: Sequence[float] | None = None) -> list[Value]:
    """The recipe's graph built again with the engine, at `leaves` (default: the recipe's own).

    At other leaves a detached node keeps its recorded value (its gradient is zero by definition)."""
    values = [Value(x) for x in (recipe.leaves if leaves is None else leaves)]
    n = len(recipe.leaves)
    for k, step in enumerate(recipe.steps):
        op = BY_NAME[step.op]
        if op is DETACH and leaves is not None:
            values.append(Value(recipe.data[n + k]))
            continue
        values.append(op.ours(*[values[a] if type(a) is int else a for a in step.args]))
    return values


def branches(recipe: Recipe, values: Sequence[Value]) -> list[object]:
    """For every kink op (relu, abs, max, min), which side its operands fell on."""
    taken = []
    for step in recipe.steps:
        op = BY_NAME[step.op]
        if op.branch is not None:
            taken.append(op.branch([values[a].data if type(a) is int else a for a in step.args]))
    return taken


def replay_torch(torch: Any, recipe: Recipe) -> list[Any]:
    """The recipe's graph with float64 PyTorch tensors; every tensor that needs a gradient keeps it."""
    nodes: list[Any] = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in recipe.leaves]
    for step in recipe.steps:
        out = BY_NAME[step.op].torch(torch, *[nodes[a] if type(a) is int else a for a in step.args])
        if not isinstance(out, torch.Tensor):  # sum_of or dot of plain numbers only
            out = torch.tensor(float(out), dtype=torch.float64)
        elif out.requires_grad:
            out.retain_grad()
        nodes.append(out)
    return nodes


def grad_scales(recipe: Recipe) -> list[float]:
    """For every node, a first-order bound (in units of the machine epsilon) on the rounding error of
    its gradient d output / d node: over every path to the output, |product of local derivatives|
    times (sum over the path's edges of each local derivative's relative error bound)."""
    n, size = len(recipe.leaves), recipe.size
    reach = [0.0] * size  # sum over paths of |product of local derivatives|
    bound = [0.0] * size
    reach[-1] = 1.0
    for k in range(len(recipe.steps) - 1, -1, -1):
        i = n + k
        if reach[i] == 0.0 and bound[i] == 0.0:
            continue
        for a, d, e in zip(recipe.steps[k].args, recipe.local[k], recipe.error[k], strict=True):
            if type(a) is int:
                reach[a] += abs(d) * reach[i]
                bound[a] += abs(d) * bound[i] + e * reach[i]
    return bound


# ---------------------------------------------------------------------------------------------- wild graphs
def wild_number(rng: random.Random) -> float:
    """Anything finite: zeros, subnormals, huge magnitudes, small integers, halves."""
    r = rng.random()
    if r < 0.15:
        return rng.choice([0.0, -0.0, 1.0, -1.0, 2.0, 0.5, -0.5, 3.0, -2.0, 10.0])
    if r < 0.3:
        return rng.uniform(-5.0, 5.0)
    if r < 0.35:
        return rng.choice([5e-324, -5e-324, 1e-320, 2.2250738585072014e-308, 1.7976931348623157e308, -1e308])
    if r < 0.4:
        return rng.choice([709.0, 709.8, 710.0, 1024.0, 0.3333333333333333, 2.5, -1.5])
    magnitude = 10.0 ** rng.uniform(-323.0, 308.2)
    return magnitude if rng.random() < 0.5 else -magnitude


def wild_args(rng: random.Random, op: FuzzOp, size: int) -> tuple[Arg, ...]:
    pattern = op.pattern
    if op.pattern == "*":
        pattern = "".join(rng.choice("vvc") for _ in range(2 * rng.randint(1, 3) + 1))
    args: list[Arg] = []
    for kind in pattern:
        if kind == "v":
            args.append(args[-1] if args and type(args[-1]) is int and rng.random() < 0.2 else rng.randrange(size))
        elif rng.random() < 0.5:
            args.append(op.const(rng))
        else:
            args.append(wild_number(rng))
    return tuple(args)
