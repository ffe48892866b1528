"""Differential fuzzing: random graphs of every op, against PyTorch (float64), against central
differences, and against the engine's documented errors.

The graphs come from tests/fuzz_graphs.py (see its docstring): every op in all its forms (a + b,
a + 2, 2 + a, ...), shared subexpressions (a node used by several later nodes, x * x, x.max(x)),
n-ary sum_of and dot nodes, detach, exact kinks and ties, and chains thousands of ops deep.
A failing graph is printed as Python that rebuilds it.

Tolerances. PyTorch and the engine are two correct float64 implementations that round differently
(libm vs PyTorch's exp/tanh/pow, 1/b * g vs g / b, ...), so their results differ by a few machine
epsilons times how much the graph amplifies rounding. For every node the builder keeps a first-order
bound on that amplification (`Recipe.scale` for values, `grad_scales` for gradients; both at least
|value| or |gradient|), and the comparison allows REL = 1e-9 of it: a relative error of 1e-9 for a
well-conditioned node, looser only in proportion to the node's own condition (a cancellation x - y
with x ~ y, a saturated tanh, or a chain of thousands of ops, whose rounding adds up along the chain).
Over 20,000 graphs the largest discrepancy seen was 1.1 eps times that scale for a value and 0.5 eps
for a gradient, so REL leaves a margin of about a million while a wrong derivative (even one off by
1e-8 relative, or 1e-12 absolute) still fails.
Central differences use autograd.gradcheck's step (1e-6) and tolerances ten times tighter than its
defaults (atol 1e-6, rtol 1e-4, the rtol of tests/test_ops.py), plus the rounding of the difference
quotient itself, 8 eps * scale / h: the graphs are tame (values up to 1e4, derivatives up to 1e6,
singularities at least 0.05 away), and over 20,000 graphs the largest discrepancy was 0.2% of that.

Two engine guarantees have tests of their own: test_backward_overflow_* (backward raises
OverflowError instead of producing an infinite or NaN gradient) and test_failed_backward_* (a
backward that raises leaves every grad as it was).
"""

from __future__ import annotations

import ast
import inspect
import math
import random
import sys
import textwrap
import typing
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd.value as engine
from autograd import Value, compiling, ops, topological_order
from tests.fuzz_graphs import (
    BY_NAME,
    OPS,
    GraphParams,
    Recipe,
    branches,
    build_graph,
    grad_scales,
    outcome,
    replay,
    replay_torch,
    wild_args,
    wild_number,
)
from tests.op_table import OPS as TABLE

REL = 1e-9  # of the rounding-error scale of each value and gradient (see the module docstring)
TINY = 1e-300  # gradients that underflow to subnormals differently in the two engines
EPS = sys.float_info.epsilon
H = 1e-6  # central differences: autograd.gradcheck's step; its tolerances tightened tenfold (see below)
ATOL, RTOL = 1e-6, 1e-4
DOCUMENTED = (ValueError, ZeroDivisionError, OverflowError)

graphs = st.builds(
    GraphParams,
    seed=st.integers(0, 2**32 - 1),
    leaves=st.integers(1, 6),
    ops=st.integers(1, 40),
    chain=st.sampled_from([0.0, 0.3, 0.8]),
    share=st.sampled_from([0.0, 0.15, 0.4]),
    ties=st.sampled_from([0.0, 0.05, 0.2]),
)
seeds = st.integers(0, 2**32 - 1)

# A few graphs thousands of ops deep: several times Python's recursion limit.
# Their values are kept small and their gradients moderate, so that the rounding that adds up along
# thousands of ops does not swamp the comparison.
DEEP = [
    GraphParams(seed=s, leaves=3, ops=n, chain=1.0, share=0.1, ties=0.02, deep=True, bound=10.0, tangent=100.0)
    for s, n in [(1, 3000), (2, 5000)]
]


# ---------------------------------------------------------------------------------------------- checks
def check_against_torch(torch: Any, recipe: Recipe, values: list[Value]) -> None:
    """The output value and every node's gradient (leaves and intermediates) match PyTorch."""
    out = values[-1]
    out.backward()
    nodes = replay_torch(torch, recipe)
    top = nodes[-1]
    if top.requires_grad:
        top.backward()
    assert abs(out.data - top.item()) <= REL * recipe.scale[-1] + TINY, (
        f"value {out.data!r}, torch {top.item()!r}\n{recipe.describe()}"
    )
    bounds = grad_scales(recipe)
    seen: set[int] = set()
    for i, (v, t) in enumerate(zip(values, nodes, strict=True)):
        assert math.isfinite(v.grad), f"n{i}.grad = {v.grad!r}\n{recipe.describe()}"
        if id(v) in seen or not t.requires_grad:
            continue  # +a is a itself; a detached node or a constant has no gradient in torch
        seen.add(id(v))
        expected = 0.0 if t.grad is None else t.grad.item()
        assert abs(v.grad - expected) <= REL * bounds[i] + TINY, (
            f"n{i}.grad = {v.grad!r}, torch {expected!r} (allowed {REL * bounds[i]:.3g})\n{recipe.describe()}"
        )


def shifted_output(recipe: Recipe, leaf: int, step: float, taken: list[object]) -> float | None:
    """The output with one leaf moved by `step`; None when that crosses a kink or leaves a domain."""
    leaves = list(recipe.leaves)
    leaves[leaf] += step
    try:
        values = replay(recipe, leaves)
    except DOCUMENTED:
        return None
    if branches(recipe, values) != taken:
        return None
    return values[-1].data


def check_central_differences(recipe: Recipe, values: list[Value], how_many: int = 3) -> int:
    """Up to `how_many` leaves' gradients match central differences; returns how many were checked."""
    out = values[-1]
    out.backward()
    taken = branches(recipe, values)
    rng = random.Random(recipe.params.seed if recipe.params else 0)
    leaves = rng.sample(range(len(recipe.leaves)), min(how_many, len(recipe.leaves)))
    checked = 0
    for i in leaves:
        plus = shifted_output(recipe, i, H, taken)
        minus = shifted_output(recipe, i, -H, taken)
        if plus is None or minus is None:
            continue  # near a kink or a domain boundary
        numeric = (plus - minus) / (2 * H)
        analytic = values[i].grad
        allowed = ATOL + RTOL * abs(numeric) + 8 * EPS * recipe.scale[-1] / H
        assert abs(analytic - numeric) <= allowed, (
            f"d out / d n{i}: backward {analytic!r}, central difference {numeric!r}\n{recipe.describe()}"
        )
        checked += 1
    return checked


def every_node(*roots: Value) -> list[Value]:
    nodes: dict[int, Value] = {}
    for root in roots:
        for node in topological_order(root):
            nodes[id(node)] = node
    return list(nodes.values())


def assert_all_finite(nodes: list[Value], context: str) -> None:
    for node in nodes:
        assert math.isfinite(node.data) and math.isfinite(node.grad), f"{node!r} after {context}"


# ---------------------------------------------------------------------------------------------- against torch
@pytest.mark.slow
@settings(max_examples=1200)
@given(graphs)
def test_random_graphs_match_torch(params: GraphParams) -> None:
    torch = pytest.importorskip("torch")
    recipe, values = build_graph(params)
    check_against_torch(torch, recipe, values)


@pytest.mark.slow
@pytest.mark.parametrize("params", DEEP, ids=lambda p: f"seed{p.seed}-{p.ops}ops")
def test_deep_chains_match_torch(params: GraphParams) -> None:
    torch = pytest.importorskip("torch")
    recipe, values = build_graph(params)
    depth = recipe.depth()
    assert depth > 2 * sys.getrecursionlimit(), f"only {depth} ops deep"
    check_against_torch(torch, recipe, values)


# ---------------------------------------------------------------------------------------------- central differences
@pytest.mark.slow
@settings(max_examples=1200)
@given(graphs)
def test_random_graphs_match_central_differences(params: GraphParams) -> None:
    recipe, values = build_graph(params)
    check_central_differences(recipe, values)


@pytest.mark.slow
@pytest.mark.parametrize("params", DEEP, ids=lambda p: f"seed{p.seed}-{p.ops}ops")
def test_deep_chains_match_central_differences(params: GraphParams) -> None:
    recipe, values = build_graph(params)
    depth = recipe.depth()
    assert depth > 2 * sys.getrecursionlimit(), f"only {depth} ops deep"
    assert check_central_differences(recipe, values) >= 1


@pytest.mark.slow
@settings(max_examples=200)
@given(graphs)
def test_backward_twice_doubles_every_gradient_and_zero_grad_resets(params: GraphParams) -> None:
    """A second backward adds the same gradients again (up to rounding: a leaf with several
    consumers adds them one by one to what it already holds, (g + c1) + c2 rather than g + (c1 + c2));
    after zero_grad, backward gives bit for bit the first result."""
    recipe, values = build_graph(params)
    out = values[-1]
    out.backward()
    once = [v.grad for v in values]
    out.backward()
    bounds = grad_scales(recipe)
    seen: set[int] = set()
    for i, (v, g) in enumerate(zip(values, once, strict=True)):
        if id(v) in seen:
            continue  # +a is a itself, whose bound is at its first index
        seen.add(id(v))
        assert abs(v.grad - 2 * g) <= REL * 2 * bounds[i] + TINY, f"n{i}: {v.grad!r} vs 2 * {g!r}\n{recipe.describe()}"
    out.zero_grad()
    assert all(v.grad == 0.0 for v in topological_order(out))
    out.backward()
    assert [v.grad for v in values] == once, recipe.describe()


# ---------------------------------------------------------------------------------------------- every op
def returns_value(fn: Callable[..., Any]) -> bool:
    if inspect.isfunction(fn):
        return typing.get_type_hints(fn).get("return") is Value
    try:  # compiled: no annotations at run time, so they are read from the source
        definition = ast.parse(textwrap.dedent(compiling.source(fn))).body[0]
    except TypeError:  # not in the source: what mypyc adds to a compiled class (__getstate__, ...)
        return False
    return isinstance(definition, ast.FunctionDef) and ast.unparse(definition.returns or ast.Constant(None)) == "Value"


def value_ops() -> tuple[set[str], set[str]]:
    """The public methods and operators of Value that return a Value, and the module's functions that are
    ops (rows of the op table, autograd/ops.py)."""
    methods = {
        name
        for name, attr in vars(Value).items()
        if callable(attr)
        and (not name.startswith("_") or (name.startswith("__") and name.endswith("__")))
        and returns_value(attr)
    }
    functions = {
        name
        for name, obj in vars(engine).items()
        if callable(obj)
        and getattr(obj, "__module__", None) == engine.__name__
        and not name.startswith("_")
        and any(row.function is obj for row in ops.TABLE.values())
    }
    return methods, functions


@pytest.mark.slow  # 0.24 s of CPU in the compiled build, where every method is reached through a spy
def test_every_value_op_is_fuzzed(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every Value method and operator that returns a Value, and sum_of and dot, is called by the
    random graphs: a new op in value.py fails here until tests/fuzz_graphs.py builds it."""
    methods, functions = value_ops()
    assert {"__add__", "__radd__", "__rpow__", "__neg__", "__abs__", "exp", "softplus", "max", "detach"} <= methods
    assert {"dot", "sum_of"} <= functions
    called: set[str] = set()

    def spy(name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            called.add(name)
            return fn(*args, **kwargs)

        return wrapper

    for name in methods:
        monkeypatch.setattr(Value, name, spy(name, getattr(Value, name)))
    for name in functions:
        monkeypatch.setattr(engine, name, spy(name, getattr(engine, name)))
    used_ops: set[str] = set()
    engine_ops: set[str] = set()
    for seed in range(150):
        recipe, values = build_graph(GraphParams(seed=seed, leaves=3, ops=30, ties=0.1))
        used_ops.update(step.op for step in recipe.steps)
        engine_ops.update(v.op for v in topological_order(values[-1]))
    monkeypatch.undo()
    assert methods | functions <= called, f"never called by the fuzzer: {sorted((methods | functions) - called)}"
    assert used_ops == set(BY_NAME), f"never built: {sorted(set(BY_NAME) - used_ops)}"
    # ... and every op of the op table (tests/op_table.py) is among the ops of the fuzzed graphs.
    table_ops = {row.ours(*[Value(1.25) for _ in row.domain]).op for row in TABLE}
    assert table_ops <= engine_ops, f"op-table ops missing from the fuzzed graphs: {table_ops - engine_ops}"
    # ... and so is every op of the engine's own op table.
    assert set(ops.TABLE) <= engine_ops, f"engine ops missing from the fuzzed graphs: {set(ops.TABLE) - engine_ops}"


# ---------------------------------------------------------------------------------------------- domain errors
@dataclass(frozen=True)
class Violation:
    """An input outside an op's domain; `make(v, w, c)` builds the helper nodes from two nodes of a
    random graph and a positive number, and returns them with the call that must raise `error`
    (in `when`: the op itself, or a backward() through the result)."""

    name: str
    error: type[Exception]
    when: str  # "forward" or "backward"
    make: Callable[[Value, Value, float], tuple[list[Value], Callable[[], Value]]]


def _big(v: Value) -> Value:
    return (v - v) + 1e308


def _neg(v: Value, c: float) -> Value:
    return -abs(v) - c


def _val(w: Value, x: float) -> Value:
    return (w - w) + x  # a Value of exactly x


VIOLATIONS = [
    # log, sqrt
    Violation("log(0)", ValueError, "forward", lambda v, w, c: ([z := v - v], lambda: z.log())),
    Violation("log(-x)", ValueError, "forward", lambda v, w, c: ([n := _neg(v, c)], lambda: n.log())),
    Violation("sqrt(-x)", ValueError, "forward", lambda v, w, c: ([n := _neg(v, c)], lambda: n.sqrt())),
    # division by zero
    Violation("a / (w - w)", ZeroDivisionError, "forward", lambda v, w, c: ([z := w - w], lambda: v / z)),
    Violation("a / 0", ZeroDivisionError, "forward", lambda v, w, c: ([], lambda: v / 0)),
    Violation("a / -0.0", ZeroDivisionError, "forward", lambda v, w, c: ([], lambda: v / -0.0)),
    Violation("c / (w - w)", ZeroDivisionError, "forward", lambda v, w, c: ([z := w - w], lambda: c / z)),
    # 0 ** negative
    Violation("0 ** -c", ZeroDivisionError, "forward", lambda v, w, c: ([z := v - v], lambda: z**-c)),
    Violation("0 ** -2", ZeroDivisionError, "forward", lambda v, w, c: ([z := v - v], lambda: z**-2)),
    Violation(
        "0 ** Value(-x)",
        ZeroDivisionError,
        "forward",
        lambda v, w, c: ([z := v - v, n := _neg(w, c)], lambda: z**n),
    ),
    Violation("0.0 ** Value(-x)", ZeroDivisionError, "forward", lambda v, w, c: ([n := _neg(w, c)], lambda: 0.0**n)),
    # negative ** fraction
    Violation("(-x) ** 0.5", ValueError, "forward", lambda v, w, c: ([n := _neg(v, c)], lambda: n**0.5)),
    Violation("(-x) ** -1.5", ValueError, "forward", lambda v, w, c: ([n := _neg(v, c)], lambda: n**-1.5)),
    Violation(
        "(-x) ** Value(1/3)",
        ValueError,
        "forward",
        lambda v, w, c: ([n := _neg(v, c), f := _val(w, 1 / 3)], lambda: n**f),
    ),
    Violation("-c ** Value(2.5)", ValueError, "forward", lambda v, w, c: ([f := _val(w, 2.5)], lambda: (-c) ** f)),
    # overflow
    Violation("exp(710 + |x|)", OverflowError, "forward", lambda v, w, c: ([b := abs(v) + 710.0], lambda: b.exp())),
    Violation("1e308 * 10", OverflowError, "forward", lambda v, w, c: ([b := _big(v)], lambda: b * 10)),
    Violation("10 * 1e308", OverflowError, "forward", lambda v, w, c: ([b := _big(v)], lambda: (10.0 + c) * b)),
    Violation(
        "1e308 * Value", OverflowError, "forward", lambda v, w, c: ([b := _big(v), t := _val(w, 2.0)], lambda: b * t)
    ),
    Violation("1e308 + 1e308", OverflowError, "forward", lambda v, w, c: ([b := _big(v)], lambda: b + b)),
    Violation("1e308 + c", OverflowError, "forward", lambda v, w, c: ([b := _big(v)], lambda: b + 1e308)),
    Violation("-1e308 - 1e308", OverflowError, "forward", lambda v, w, c: ([b := _big(v)], lambda: -1e308 - b)),
    Violation("1e308 - -1e308", OverflowError, "forward", lambda v, w, c: ([b := _big(v), n := -b], lambda: b - n)),
    Violation("1e308 / 0.1", OverflowError, "forward", lambda v, w, c: ([b := _big(v)], lambda: b / 0.1)),
    Violation(
        "1e308 / Value(1e-5)",
        OverflowError,
        "forward",
        lambda v, w, c: ([b := _big(v), t := _val(w, 1e-5)], lambda: b / t),
    ),
    Violation("c / Value(1e-320)", OverflowError, "forward", lambda v, w, c: ([t := _val(w, 1e-320)], lambda: c / t)),
    Violation("Value(10) ** 400", OverflowError, "forward", lambda v, w, c: ([t := _val(v, 10.0)], lambda: t**400)),
    Violation("Value(1e-200) ** -2", OverflowError, "forward", lambda v, w, c: ([t := _val(v, 1e-200)], lambda: t**-2)),
    Violation(
        "Value(10) ** Value(400)",
        OverflowError,
        "forward",
        lambda v, w, c: ([t := _val(v, 10.0), e := _val(w, 400.0)], lambda: t**e),
    ),
    Violation("10 ** Value(400)", OverflowError, "forward", lambda v, w, c: ([e := _val(w, 400.0)], lambda: 10.0**e)),
    Violation(
        "sum_of overflow",
        OverflowError,
        "forward",
        lambda v, w, c: ([b := _big(v)], lambda: engine.sum_of([b, w, b])),
    ),
    Violation(
        "dot overflow",
        OverflowError,
        "forward",
        lambda v, w, c: ([b := _big(v)], lambda: engine.dot([b, w], [10.0, w], 0.0)),
    ),
    Violation(
        "dot 1e308 * 1e308", OverflowError, "forward", lambda v, w, c: ([b := _big(v)], lambda: engine.dot([b], [b]))
    ),
    # infinite or undefined local derivatives: the op works, backward() raises
    Violation("sqrt(0)", ZeroDivisionError, "backward", lambda v, w, c: ([z := v - v], lambda: z.sqrt())),
    Violation("0 ** 0.5", ZeroDivisionError, "backward", lambda v, w, c: ([z := v - v], lambda: z**0.5)),
    Violation("0 ** 0.25", ZeroDivisionError, "backward", lambda v, w, c: ([z := v - v], lambda: z**0.25)),
    Violation(
        "0 ** Value(0.5)",
        ZeroDivisionError,
        "backward",
        lambda v, w, c: ([z := v - v, f := _val(w, 0.5)], lambda: z**f),
    ),
    Violation(
        "0 ** Value(0)",
        ZeroDivisionError,
        "backward",
        lambda v, w, c: ([z := v - v, f := w - w], lambda: z**f),
    ),
    Violation("0.0 ** Value(0)", ZeroDivisionError, "backward", lambda v, w, c: ([f := w - w], lambda: 0.0**f)),
    Violation(
        "(-x) ** Value(3)",
        ValueError,
        "backward",
        lambda v, w, c: ([n := _neg(v, c), f := _val(w, 3.0)], lambda: n**f),
    ),
    Violation("-c ** Value(2)", ValueError, "backward", lambda v, w, c: ([f := _val(w, 2.0)], lambda: (-c) ** f)),
    Violation(
        "Value(1e-200) ** -1.5 (d/da overflows)",
        OverflowError,
        "backward",
        lambda v, w, c: ([t := _val(v, 1e-200)], lambda: t**-1.5),
    ),
]


def violation_setup(seed: int, violation: Violation) -> tuple[Recipe, list[Value], list[Value], Callable[[], Value]]:
    rng = random.Random(seed)
    recipe, values = build_graph(GraphParams(seed=seed, leaves=rng.randint(1, 4), ops=rng.randint(0, 10)))
    v, w = rng.choice(values), rng.choice(values)
    helpers, call = violation.make(v, w, round(rng.uniform(0.1, 5.0), rng.choice([1, 17])))
    return recipe, values, helpers, call


def on_top(node: Value, values: list[Value], rng: random.Random) -> Value:
    """A few more ops that use `node`, so that backward reaches it through other nodes, with a nonzero
    gradient: `other` is chosen where sigmoid does not underflow to 0, which would stop every gradient
    (and rightly raise nothing at an undefined derivative; found by the random search)."""
    other = rng.choice([v for v in values if v.data > -700.0])  # the leaves lie in [-3, 3]
    return (engine.sum_of([node * 0.5, other]).tanh() + node) * other.sigmoid()


def test_violations_cover_every_restricted_op() -> None:
    """Every kind of bad input of the brief is here, for Values and plain numbers on either side."""
    names = " | ".join(v.name for v in VIOLATIONS)
    for words in ["log(0)", "log(-x)", "sqrt(-x)", "a / 0", "c / (w - w)", "0 ** -c", "0.0 ** Value(-x)"]:
        assert words in names
    for words in ["(-x) ** 0.5", "-c ** Value(2.5)", "exp(710", "1e308 * 10", "sqrt(0)", "0 ** 0.5"]:
        assert words in names
    assert {v.error for v in VIOLATIONS} == set(DOCUMENTED)


@pytest.mark.parametrize("violation", VIOLATIONS, ids=lambda v: v.name)
@settings(max_examples=12)
@given(seeds)
def test_input_outside_the_domain_raises_and_leaves_the_graph_finite(violation: Violation, seed: int) -> None:
    recipe, values, helpers, call = violation_setup(seed, violation)
    everything = every_node(*values, *helpers)
    if violation.when == "forward":
        with pytest.raises(violation.error):
            call()
        assert_all_finite(everything, f"{violation.name}\n{recipe.describe()}")
        return
    node = call()
    assert math.isfinite(node.data)
    top = on_top(node, values, random.Random(seed))
    with pytest.raises(violation.error):
        top.backward()
    assert_all_finite(every_node(top, *everything), f"backward through {violation.name}\n{recipe.describe()}")


@pytest.mark.slow
@settings(max_examples=400)
@given(seeds)
def test_wild_graphs_raise_documented_errors_or_stay_finite(seed: int) -> None:
    """Extreme inputs (0, -0.0, subnormals, 1e308, ...) into random ops: each op raises the error of
    its plain-float reference (Python's own; ValueError for a complex result; OverflowError for inf or
    nan) or returns the reference's finite value; no Value ever holds inf or nan."""
    rng = random.Random(seed)
    values = [Value(wild_number(rng)) for _ in range(rng.randint(1, 4))]
    for _ in range(30):
        op = rng.choice(OPS)
        args = wild_args(rng, op, len(values))
        xs = [values[a].data if type(a) is int else a for a in args]
        expected = outcome(op, xs)
        shown = f"{op.name} with operands {xs!r}"
        try:
            out = op.ours(*[values[a] if type(a) is int else a for a in args])
        except DOCUMENTED as error:
            assert type(error) is expected, f"{shown} raised {error!r}; expected {expected}"
            assert_all_finite(values, f"{shown} raised {error!r}")
            continue
        assert expected is None, f"{shown} returned {out.data!r}; expected {expected.__name__}"
        reference = op.math(*xs)
        assert out.data == reference or math.isclose(out.data, reference, rel_tol=1e-12), f"{shown}: {out.data!r}"
        values.append(out)
    assert_all_finite(values, "the wild graph")


# ---------------------------------------------------------------------------------------------- failed backward
# Two guarantees of backward:
#   1. it raises OverflowError when a gradient would become inf or nan, so that after a successful
#      backward every grad is finite;
#   2. a backward that raises leaves every grad exactly as it was before the call.


def grads(nodes: list[Value]) -> list[float]:
    return [node.grad for node in nodes]


def overflowing_backward_cases() -> list[tuple[str, Callable[[], tuple[Value, list[Value]]]]]:
    def divide_by_tiny() -> tuple[Value, list[Value]]:
        x = Value(1e-300)
        return x / 1e-320, [x]  # 1e20, but d/dx = 1e320

    def product() -> tuple[Value, list[Value]]:
        a, b = Value(1e300), Value(1e-300)
        return a * b * 1e10, [a, b]  # 1e10, but d/db = 1e310

    def log_of_tiny() -> tuple[Value, list[Value]]:
        x = Value(5e-324)
        return x.log(), [x]  # -744.4, but d/dx = 1/5e-324

    def number_over_tiny() -> tuple[Value, list[Value]]:
        x = Value(1e-160)
        return 2.0 / x, [x]  # 2e160, but d/dx = -2e320

    def exponent_of_huge_base() -> tuple[Value, list[Value]]:
        a, b = Value(1e308), Value(1.0)
        return a**b, [a, b]  # 1e308, but d/db = 1e308 * ln(1e308)

    def two_finite_paths() -> tuple[Value, list[Value]]:
        x = Value(1e-300)
        return x * 1e308 + x * 1e308, [x]  # each path sends 1e308; together inf

    def dot_of_two_paths() -> tuple[Value, list[Value]]:
        x = Value(1e-300)
        return engine.dot([x, x], [1e308, 1e308]), [x]

    return [
        (f.__name__, f)
        for f in (
            divide_by_tiny,
            product,
            log_of_tiny,
            number_over_tiny,
            exponent_of_huge_base,
            two_finite_paths,
            dot_of_two_paths,
        )
    ]


@pytest.mark.parametrize("name, make", overflowing_backward_cases(), ids=[n for n, _ in overflowing_backward_cases()])
def test_backward_overflow_raises_OverflowError(name: str, make: Callable[[], tuple[Value, list[Value]]]) -> None:
    """a gradient that would overflow raises OverflowError, and every grad is left as before."""
    out, leaves = make()
    assert math.isfinite(out.data)
    for leaf in leaves:
        leaf.grad = 0.25  # an earlier gradient, which must survive the failed call
    nodes = topological_order(out)
    before = grads(nodes)
    with pytest.raises(OverflowError):
        out.backward()
    assert grads(nodes) == before


@pytest.mark.slow
@settings(max_examples=300)
@given(seeds)
def test_backward_overflow_in_wild_graphs_gives_finite_grads_or_raises(seed: int) -> None:
    """backward through a wild graph either succeeds with every grad finite or raises a
    documented error (OverflowError when a gradient overflows); either way no grad is inf or nan."""
    root, nodes = wild_graph(seed)
    try:
        root.backward()
    except DOCUMENTED as error:
        assert_all_finite(nodes, f"backward raised {error!r} (seed {seed})")
    else:
        assert_all_finite(nodes, f"a successful backward (seed {seed})")


def test_failed_backward_leaves_grads_unchanged_examples() -> None:
    """a backward that raises (here in the middle of the walk) changes no grad."""
    x = Value(0.0)
    y = x.sqrt()
    z = y + x  # backward reaches x through z before it reaches the sqrt
    x.grad = 0.5
    with pytest.raises(ZeroDivisionError):
        z.backward()
    assert (x.grad, y.grad, z.grad) == (0.5, 0.0, 0.0)
    a, b = Value(-2.0), Value(3.0)
    c = a**b  # -8.0; d/db = c * ln(a) does not exist, so backward raises ValueError at c
    d = c * a
    a.grad = 0.25
    with pytest.raises(ValueError):
        d.backward()
    assert (a.grad, b.grad, c.grad, d.grad) == (0.25, 0.0, 0.0, 0.0)


@pytest.mark.parametrize("violation", [v for v in VIOLATIONS if v.when == "backward"], ids=lambda v: v.name)
@settings(max_examples=12)
@given(seeds)
def test_failed_backward_leaves_grads_unchanged(violation: Violation, seed: int) -> None:
    """after earlier backward calls have left gradients everywhere, a backward that raises
    leaves every grad of the graph exactly as it was."""
    recipe, values, helpers, call = violation_setup(seed, violation)
    node = call()
    top = on_top(node, values, random.Random(seed))
    values[-1].backward()  # earlier gradients on the random graph ...
    rng = random.Random(seed)
    nodes = every_node(top, *values)
    for n in nodes:
        if n.grad == 0.0 and rng.random() < 0.5:
            n.grad = rng.uniform(-1.0, 1.0)  # ... and on the new nodes
    before = grads(nodes)
    with pytest.raises(violation.error):
        top.backward()
    changed = [(n, b) for n, b in zip(nodes, before, strict=True) if n.grad != b]
    assert not changed, f"{len(changed)} grads changed, e.g. {changed[:3]}\n{recipe.describe()}"


@pytest.mark.slow
@settings(max_examples=300)
@given(seeds)
def test_failed_backward_leaves_grads_unchanged_in_wild_graphs(seed: int) -> None:
    """in wild graphs, a backward that raises changes no grad."""
    root, nodes = wild_graph(seed)
    rng = random.Random(seed)
    for n in nodes:
        n.grad = rng.choice([0.0, 1.0, rng.uniform(-2.0, 2.0)])
    before = grads(nodes)
    try:
        root.backward()
    except DOCUMENTED:
        assert grads(nodes) == before, f"seed {seed}"


def wild_graph(seed: int) -> tuple[Value, list[Value]]:
    """A random graph of extreme values, of the ops that succeed; its last node and every node."""
    rng = random.Random(seed)
    values = [Value(wild_number(rng)) for _ in range(rng.randint(1, 4))]
    for _ in range(30):
        op = rng.choice(OPS)
        args = wild_args(rng, op, len(values))
        try:
            values.append(op.ours(*[values[a] if type(a) is int else a for a in args]))
        except DOCUMENTED:
            pass
    root = values[-1]
    return root, every_node(root)


def test_failure_messages_rebuild_the_same_graph() -> None:
    """A failing graph is shown as Python (Recipe.describe); that code builds the very same graph."""
    for seed in range(40):
        recipe, values = build_graph(GraphParams(seed=seed, leaves=3, ops=25, ties=0.2))
        code = recipe.describe(limit=10**6).replace(f"n{recipe.size - 1}.backward()", "")
        scope: dict[str, Any] = {}
        exec(code, scope)
        rebuilt = [scope[f"n{i}"] for i in range(recipe.size)]
        assert [v.data for v in rebuilt] == [v.data for v in values], code
        assert [v.op for v in rebuilt] == [v.op for v in values], code
