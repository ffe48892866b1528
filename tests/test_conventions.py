"""Derivatives at non-smooth points (each op's docstring states the choice) and bad values."""

import math

import pytest

from autograd import Value


def grads(fn, *xs):
    values = [Value(x) for x in xs]
    out = fn(*values)
    out.backward()
    return [v.grad for v in values]


# ------------------------------------------------------------------ conventions, as PyTorch
def test_relu_derivative_at_zero_is_zero():
    assert grads(lambda a: a.relu(), 0.0) == [0.0]
    assert grads(lambda a: a.relu(), 1e-300) == [1.0]


def test_abs_derivative_at_zero_is_zero():
    assert grads(lambda a: abs(a), 0.0) == [0.0]
    assert grads(lambda a: abs(a), -2.0) == [-1.0]


def test_max_and_min_ties_split_the_gradient():
    assert grads(lambda a, b: a.max(b), 1.0, 1.0) == [0.5, 0.5]
    assert grads(lambda a, b: a.min(b), 1.0, 1.0) == [0.5, 0.5]
    assert grads(lambda a: a.max(1.0), 1.0) == [0.5]
    x = Value(3.0)
    x.max(x).backward()
    assert x.grad == 1.0
    assert grads(lambda a, b: a.max(b), 2.0, 1.0) == [1.0, 0.0]
    assert grads(lambda a, b: a.min(b), 2.0, 1.0) == [0.0, 1.0]


def test_power_conventions():
    assert grads(lambda a: a**0, 0.0) == [0.0]
    assert grads(lambda a: a**0, 5.0) == [0.0]
    assert grads(lambda a, b: a**b, 0.0, 2.0) == [0.0, 0.0]  # d/db 0**b = 0 for b > 0
    assert grads(lambda a: a**1, 0.0) == [1.0]
    assert grads(lambda a: a**2, -3.0) == [-6.0]


def test_stable_tanh_and_sigmoid():
    x = Value(1000.0)
    t = x.tanh()
    t.backward()
    assert t.data == 1.0 and x.grad == 0.0
    assert Value(-800.0).sigmoid().data == 0.0
    assert Value(800.0).sigmoid().data == 1.0
    exact = math.exp(-40) / (1 + math.exp(-40))
    assert abs(Value(-40.0).sigmoid().data - exact) <= 1e-12 * exact
    s = Value(-800.0)
    s.sigmoid().backward()
    assert s.grad == 0.0


# ------------------------------------------------------------------ bad values raise at the op
@pytest.mark.parametrize(
    "make, error, words",
    [
        (lambda: Value(0.0).log(), ValueError, "log(0.0)"),
        (lambda: Value(-1.0).log(), ValueError, "log(-1.0)"),
        (lambda: Value(-4.0).sqrt(), ValueError, "sqrt(-4.0)"),
        (lambda: Value(-8.0) ** (1 / 3), ValueError, "-8.0 ** 0.333"),
        (lambda: Value(-8.0) ** Value(0.5), ValueError, "negative base"),
        (lambda: (-8.0) ** Value(0.5), ValueError, "negative base"),
        (lambda: Value(1.0) / 0, ZeroDivisionError, "1.0 / 0"),
        (lambda: Value(1.0) / Value(0.0), ZeroDivisionError, "1.0 / 0.0"),
        (lambda: 1.0 / Value(0.0), ZeroDivisionError, "division by zero"),
        (lambda: Value(0.0) ** -1, ZeroDivisionError, "0.0 ** -1.0"),
        (lambda: Value(0.0) ** Value(-2.0), ZeroDivisionError, "negative power"),
        (lambda: Value(1000.0).exp(), OverflowError, "exp(1000.0)"),
        (lambda: Value(10.0) ** 400, OverflowError, "10.0 ** 400"),
        (lambda: Value(1e308) * 10, OverflowError, "overflows"),
        (lambda: Value(1e308) + Value(1e308), OverflowError, "overflows"),
    ],
)
def test_bad_values_raise_pythons_exception_naming_the_op(make, error, words):
    with pytest.raises(error, match=None) as caught:
        make()
    assert words in str(caught.value)


def test_infinite_local_derivative_raises_in_backward():
    x = Value(0.0)
    y = x.sqrt()
    assert y.data == 0.0
    with pytest.raises(ZeroDivisionError, match="sqrt"):
        y.backward()
    x = Value(0.0)
    y = x**0.5
    with pytest.raises(ZeroDivisionError, match="infinite"):
        y.backward()


def test_exponent_gradient_of_negative_base_raises_in_backward():
    a, b = Value(-2.0), Value(3.0)
    y = a**b
    assert y.data == -8.0
    with pytest.raises(ValueError, match="ln"):
        y.backward()


def test_no_silent_nan_or_inf_from_inputs():
    with pytest.raises(ValueError, match="finite"):
        Value(float("nan"))
    with pytest.raises(ValueError, match="finite"):
        Value(1.0) * float("inf")


# ------------------------------------------------------------------ types
def test_data_is_stored_as_float():
    v = Value(3)
    assert v.data == 3.0 and type(v.data) is float
    assert type(Value(True).data) is float
    assert v.grad == 0.0 and v.label == "" and v.op == "" and v.children == ()
    assert Value(2.0, "a").label == "a"


@pytest.mark.parametrize("bad", ["3.5", None, 1 + 2j, [1.0], (1.0,), b"1"])
def test_only_real_numbers_are_accepted(bad):
    with pytest.raises(TypeError, match=type(bad).__name__):
        Value(bad)
    v = Value(1.0)
    for combine in (
        lambda: v + bad,
        lambda: bad + v,
        lambda: v * bad,
        lambda: bad * v,
        lambda: v - bad,
        lambda: bad - v,
        lambda: v / bad,
        lambda: bad / v,
        lambda: v**bad,
        lambda: bad**v,
        lambda: v.max(bad),
        lambda: v.min(bad),
    ):
        with pytest.raises(TypeError, match=type(bad).__name__):
            combine()


def test_numpy_real_scalars_are_accepted():
    np = pytest.importorskip("numpy")
    assert Value(np.float32(1.5)).data == 1.5
    assert Value(np.int64(2)).data == 2.0
    assert Value(np.bool_(True)).data == 1.0
    assert (Value(1.0) * np.float64(3.0)).data == 3.0
    with pytest.raises(TypeError, match="complex"):
        Value(np.complex128(1 + 1j))


def test_repr_shows_label_data_and_grad():
    v = Value(2.0, "a")
    v.grad = 0.5
    assert repr(v) == "Value(data=2.0, grad=0.5, label='a')"
    assert repr(Value(1)) == "Value(data=1.0, grad=0.0)"


def test_exp_overflows_exactly_where_math_exp_does():
    """Found by the fuzzer: exp(709.782712893384) is finite, and the engine's cut-off was 709.78."""
    largest = 709.782712893384
    assert Value(largest).exp().data == math.exp(largest)
    above = math.nextafter(largest, math.inf)
    with pytest.raises(OverflowError):
        math.exp(above)
    with pytest.raises(OverflowError, match=r"^exp\(709.78271289338\d*\) overflows a float"):
        Value(above).exp()
