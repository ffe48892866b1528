"""Ops of your own (custom_op) and the exercise mode that finds a wrong local derivative."""

import math

import pytest

from autograd import Value, custom_op, find_wrong_derivative, grad_table, gradcheck, sum_of


def softsign_op(derivative=lambda a: 1 / (1 + abs(a)) ** 2):
    return custom_op("softsign", lambda a: a / (1 + abs(a)), derivative)


def test_a_custom_op_matches_central_differences_and_torch():
    softsign = softsign_op()
    assert gradcheck(lambda x: softsign(x * 2.0) + x, [0.3])
    assert gradcheck(lambda x: softsign(x), [-1.7])
    torch = pytest.importorskip("torch")
    t = torch.tensor(-1.7, dtype=torch.float64, requires_grad=True)
    torch.nn.functional.softsign(t).backward()
    x = Value(-1.7)
    softsign(x).backward()
    assert math.isclose(x.grad, t.grad.item(), rel_tol=1e-12)


def test_two_inputs_numbers_on_either_side_and_errors():
    hypot = custom_op("hypot", math.hypot, lambda a, b: a / math.hypot(a, b), lambda a, b: b / math.hypot(a, b))
    a, b = Value(3.0, "a"), Value(4.0, "b")
    h = hypot(a, b)
    h.backward()
    assert (h.data, a.grad, b.grad) == (5.0, 0.6, 0.8)
    left = hypot(3.0, b)
    assert left.operands == (3.0, b) and left.children == (b,)
    right = hypot(a, 4.0)
    assert right.operands == (a, 4.0) and right.local_grads == (0.6,)
    assert hypot(3.0, 4.0).children == ()  # numbers only: a constant
    with pytest.raises(TypeError, match="takes 2 inputs, got 1"):
        hypot(a)
    with pytest.raises(TypeError, match="str"):
        hypot(a, "4")  # type: ignore[arg-type]
    bad = custom_op("bad", lambda a: "x", lambda a: 1.0)  # type: ignore[arg-type, return-value]
    with pytest.raises(TypeError, match="bad: forward must return a real number, got str"):
        bad(a)
    huge = custom_op("huge", lambda a: math.inf, lambda a: 1.0)
    with pytest.raises(OverflowError, match="huge: forward gave inf"):
        huge(a)
    steep = custom_op("steep", lambda a: a, lambda a: math.inf)
    with pytest.raises(OverflowError, match="gradient of a"):
        steep(a).backward()


def test_a_custom_op_reads_like_a_built_in_in_tables_and_pictures(request):
    softsign = softsign_op()
    x = Value(3.0, "x")
    y = softsign(x)
    y.label = "y"
    y.backward()
    assert grad_table(y).splitlines()[-1].split() == ["y", "softsign", "x", "0.75", "1"]
    request.getfixturevalue("graphviz")
    from autograd import draw

    source = draw(y).source
    assert "<b>y  (softsign)</b>" in source and '<font color="#cf222e">0.0625</font>' in source


def test_the_check_names_the_first_wrong_derivative_in_backward_order_and_how_far_off():
    wrong = softsign_op(derivative=lambda a: 1 / (1 + abs(a)))  # forgot the square
    x = Value(3.0, "x")
    hidden = wrong(x * 0.5)
    hidden.label = "hidden"
    out = sum_of([wrong(hidden) * 2.0, hidden])
    out.label = "out"
    out.backward()
    found = find_wrong_derivative(out)
    assert found is not None
    top = out.children[0].children[0]  # wrong(hidden): the first softsign met walking backwards
    assert found.node is top and found.child is hidden
    s = hidden.data
    assert found.stored == pytest.approx(1 / (1 + s)) and found.numeric == pytest.approx(1 / (1 + s) ** 2, rel=1e-8)
    assert found.highlight == [top, (hidden, top)]
    text = str(found)
    assert text.startswith("the softsign node (value ") and "d/d(hidden (softsign)) is " in text
    assert "as stored, but " in text and "by central differences (off by " in text
    fixed = softsign_op()
    y = sum_of([fixed(fixed(Value(3.0) * 0.5)) * 2.0])
    y.backward()
    assert find_wrong_derivative(y) is None


def test_the_check_skips_kinks_and_closures_and_draws_the_highlight(request):
    x = Value(0.0, "x")
    assert find_wrong_derivative(x.relu() + abs(x)) is None  # conventions at kinks are not errors
    broken = custom_op("double", lambda a: 2 * a, lambda a: 3.0)
    y = broken(Value(1.0, "u"))
    found = find_wrong_derivative(y)
    assert found is not None and (found.stored, round(found.numeric, 6)) == (3.0, 2.0)
    request.getfixturevalue("graphviz")
    from autograd import draw

    assert draw(y, highlight=found.highlight).source.count("#f97316") == 2
