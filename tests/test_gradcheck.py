"""gradcheck compares backward() with central differences and says which input disagrees."""

import pytest

from autograd import GradcheckError, Value, gradcheck
from autograd.value import build_node as _node


def test_passes_on_a_correct_function():
    assert gradcheck(lambda x, y: (x * y).tanh() + x.exp() / y, [0.3, 1.7]) is True


def wrong_square(x: Value) -> Value:
    """x**2 with a deliberately wrong local derivative (x instead of 2x)."""
    return _node("square", x.data**2, x, x.data)


def test_names_the_failing_input_with_both_numbers():
    with pytest.raises(GradcheckError, match=r"input 1 .*analytic 3\.0.*numeric 6\.0") as caught:
        gradcheck(lambda a, b: a + wrong_square(b), [1.0, 3.0])
    assert isinstance(caught.value, AssertionError)


def test_returns_false_when_asked_not_to_raise():
    assert gradcheck(lambda a: wrong_square(a), [3.0], raise_exception=False) is False


def test_tolerance_follows_pytorchs_rule():
    # analytic 3, numeric 6: fails at rtol 0.1, passes at rtol 0.5 (3 <= 1e-5 + 0.5 * 6)
    assert not gradcheck(wrong_square, [3.0], rtol=0.1, raise_exception=False)
    assert gradcheck(wrong_square, [3.0], rtol=0.5)


def test_fn_must_return_a_value():
    with pytest.raises(TypeError, match="must return a Value"):
        gradcheck(lambda x: 3.0, [1.0])  # type: ignore[arg-type, return-value]


def test_inputs_must_be_real_numbers():
    with pytest.raises(TypeError, match="str"):
        gradcheck(lambda x: x * 2, ["3"])  # type: ignore[list-item]
