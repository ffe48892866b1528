"""Every op in tests/op_table.py: its value against `math`, its gradient against central
differences and against PyTorch (float64), on hypothesis-generated inputs."""

import math

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from autograd import Value, gradcheck, ops
from tests.op_table import OPS

ids = [op.name for op in OPS]


def inputs_for(op):
    return st.tuples(*op.domain)


def usable(op, xs):
    return not op.distinct or abs(xs[0] - xs[1]) > 1e-3


@pytest.mark.parametrize("op", OPS, ids=ids)
def test_value_matches_math(op):
    @given(inputs_for(op))
    def check(xs):
        assume(usable(op, xs))
        out = op.ours(*[Value(x) for x in xs])
        assert isinstance(out, Value)
        assert out.data == pytest.approx(op.math(*xs), rel=1e-12, abs=1e-12)

    check()


@pytest.mark.parametrize("op", OPS, ids=ids)
def test_gradient_matches_central_differences(op):
    @given(inputs_for(op))
    def check(xs):
        assume(usable(op, xs))
        assert gradcheck(op.ours, xs, eps=1e-6, atol=1e-5, rtol=1e-4)

    check()


@pytest.mark.parametrize("op", OPS, ids=ids)
def test_value_and_gradient_match_torch(op):
    torch = pytest.importorskip("torch")

    @given(inputs_for(op))
    def check(xs):
        assume(usable(op, xs))
        values = [Value(x) for x in xs]
        out = op.ours(*values)
        out.backward()
        tensors = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in xs]
        reference = op.torch(torch, *tensors)
        reference.backward()
        assert out.data == pytest.approx(reference.item(), rel=1e-12, abs=1e-12)
        for v, t in zip(values, tensors, strict=True):
            expected = 0.0 if t.grad is None else t.grad.item()
            assert math.isclose(v.grad, expected, rel_tol=1e-9, abs_tol=1e-12), (v.grad, expected)

    check()


NOT_OPS = {"__init__", "__repr__", "__reduce_ex__", "__pos__", "backward", "zero_grad", "detach"}
NOT_OPS |= {"__new__", "__getstate__", "__setstate__", "__internal_mypyc_setup"}  # what mypyc adds when compiled
OPERATORS = {
    "__add__": "add",
    "__radd__": "radd",
    "__sub__": "sub",
    "__rsub__": "rsub",
    "__mul__": "mul",
    "__rmul__": "rmul",
    "__truediv__": "div",
    "__rtruediv__": "rdiv",
    "__pow__": "pow",
    "__rpow__": "rpow",
    "__neg__": "neg",
    "__abs__": "abs",
}


def test_every_value_method_is_in_the_table():
    """Every op Value defines, read from the class itself: a new one without a row here fails."""
    ops = set()
    for name, member in vars(Value).items():
        if not callable(member) or name in NOT_OPS or (name.startswith("_") and not name.startswith("__")):
            continue
        ops.add(OPERATORS.get(name, name))
    covered = {op.name.split()[0] for op in OPS}
    assert ops - covered == set()
    assert {"exp", "tanh", "max", "rpow", "neg"} <= ops  # the reading finds methods and operators


def test_every_op_of_the_engine_has_a_row_here():
    """Every row of the engine's op table (autograd/ops.py) is tested by a row of tests/op_table.py."""
    tested = {row.ours(*[Value(1.25) for _ in row.domain]).op for row in OPS}
    assert set(ops.TABLE) - tested == set()
