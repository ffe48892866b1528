"""backward() is all or nothing, never leaves a silent inf or nan, is safe from several threads, and
graphs of any depth copy and pickle."""

import copy
import math
import pickle
import re
import sys
import threading

import pytest

from autograd import Value, topological_order
from nn import MLP, ResidualBlock


def grads_of(root):
    return [node.grad for node in topological_order(root)]


# ------------------------------------------------------------------ all or nothing
def test_a_failing_backward_keeps_every_gradient_of_the_trial():
    w = Value(2.0)
    b = w * w
    (b * 5).backward()
    assert (b.grad, w.grad) == (5.0, 20.0)
    bad = b + Value(0.0).sqrt()
    with pytest.raises(ZeroDivisionError, match="sqrt"):
        bad.backward()
    assert (b.grad, w.grad, bad.grad) == (5.0, 20.0, 0.0)  # the 5 set aside at the start is back


@pytest.mark.slow
def test_a_failure_deep_in_a_big_graph_changes_no_gradient():
    x = Value(0.7, "x")
    y = x
    for _ in range(3000):
        y = (y * 1.0001 + x * 0.5).tanh() + 0.1
    root = y + Value(0.0).sqrt()  # the undefined derivative is reached only after every other node
    y.backward()  # earlier gradients on every node, leaves and intermediates
    before = grads_of(root)
    with pytest.raises(ZeroDivisionError):
        root.backward()
    assert grads_of(root) == before


def test_an_interrupt_in_the_middle_changes_no_gradient(monkeypatch):
    """Even a KeyboardInterrupt (raised here by a local derivative) leaves the grads as they were."""

    class Interrupting(float):
        def __mul__(self, other):
            raise KeyboardInterrupt

        __rmul__ = __mul__

    x = Value(2.0, "x")
    y = x * 3.0
    z = y * y
    z.backward()
    before = grads_of(z)
    w = x * 3.0
    w._da = Interrupting(3.0)  # test-only: a local derivative that interrupts the pass
    top = z + w
    with pytest.raises(KeyboardInterrupt):
        top.backward()
    assert grads_of(z) == before and x.grad == before[0]


# ------------------------------------------------------------------ no silent inf or nan
@pytest.mark.parametrize(
    "build, words",
    [
        (lambda: (lambda x: ([x], x / 1e-320))(Value(1e-300, "x")), "gradient of x (value 1e-300) became inf"),
        (lambda: (lambda x: ([x], (x / 1e-320) * 0))(Value(1e-300, "x")), "gradient of x (value 1e-300) became nan"),
        (lambda: (lambda a, b: ([a, b], a * b * 1e10))(Value(1e300, "a"), Value(1e-300, "b")), "gradient of b"),
    ],
    ids=["inf", "nan", "product"],
)
def test_a_non_finite_gradient_raises_naming_the_node_and_changes_nothing(build, words):
    leaves, root = build()
    for leaf in leaves:
        leaf.grad = 0.25  # something to keep
    with pytest.raises(OverflowError, match=re.escape(words)):
        root.backward()
    assert all(leaf.grad == 0.25 for leaf in leaves)
    assert all(math.isfinite(n.grad) for n in topological_order(root))


def test_adding_to_an_earlier_gradient_may_not_overflow_either():
    x = Value(1.0, "x")
    y = x * 1e308
    y.backward()
    with pytest.raises(OverflowError, match="gradient of x"):
        y.backward()  # 1e308 + 1e308
    assert x.grad == 1e308 and y.grad == 1.0


# ------------------------------------------------------------------ threads
def shared_graphs(count=4, length=1500):
    """Graphs that all use one intermediate node, as every sample uses a shared scale."""
    scale = Value(0.5, "scale")
    shared = scale * 1.5
    roots = []
    for k in range(count):
        y = Value(0.1 * k)
        for _ in range(length):
            y = y * 0.999 + shared * 0.001
        roots.append(y)
    return scale, roots


def in_threads(work, items):
    errors = []

    def run(item):
        try:
            work(item)
        except BaseException as failure:  # pragma: no cover - reported by the assert below
            errors.append(failure)

    threads = [threading.Thread(target=run, args=(item,)) for item in items]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors


@pytest.mark.slow
def test_backward_and_zero_grad_from_several_threads_equal_running_them_one_after_another():
    """4 threads, graphs of 3,000 nodes sharing one node, a thread switch every microsecond."""
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        for _ in range(5):
            scale, roots = shared_graphs()
            for root in roots:
                root.backward()
            expected = scale.grad
            for root in roots:
                root.zero_grad()
            assert scale.grad == 0.0
            in_threads(lambda root: root.backward(), roots)
            assert math.isclose(scale.grad, expected, rel_tol=1e-12), (scale.grad, expected)
            in_threads(lambda root: root.zero_grad(), roots)
            assert all(n.grad == 0.0 for root in roots for n in topological_order(root))
    finally:
        sys.setswitchinterval(interval)


# ------------------------------------------------------------------ deep copies
def deep_chain(n):
    x = Value(1.0, "x")
    y = x
    for _ in range(n):
        y = (y * 1.000001 + 0.001).relu()
    return x, y


@pytest.mark.slow
@pytest.mark.parametrize("copier", [copy.deepcopy, lambda v: pickle.loads(pickle.dumps(v))], ids=["deepcopy", "pickle"])
def test_a_graph_of_100000_ops_copies_with_equal_values_and_gradients(copier):
    x, y = deep_chain(33_334)  # 100,002 op nodes
    y.backward()
    twin = copier(y)
    mine, theirs = topological_order(y), topological_order(twin)
    assert len(theirs) == len(mine) > 100_000
    assert [(n.data, n.grad, n.op, n.label) for n in theirs] == [(n.data, n.grad, n.op, n.label) for n in mine]
    assert twin is not y and not set(map(id, theirs)) & set(map(id, mine))
    twin.zero_grad()
    twin.backward()
    assert theirs[0].grad == x.grad


def test_copies_keep_shared_leaves_shared_and_roles():
    block = ResidualBlock(2, seed=0, name="b")
    x = [Value(0.5, "x0"), Value(-0.5, "x1")]
    out = block(x)[0]
    out.backward()
    x_copy, out_copy = pickle.loads(pickle.dumps((x[0], out)))
    assert any(n is x_copy for n in topological_order(out_copy))  # the same leaf, not a second one
    names = [n.role.qualified_name for n in topological_order(out_copy) if n.role is not None]
    assert names == [n.role.qualified_name for n in topological_order(out) if n.role is not None]
    model = MLP(2, [3, 1], seed=0)
    assert [p.data for p in copy.deepcopy(model).parameters()] == [p.data for p in model.parameters()]


def test_an_infinite_local_derivative_names_its_node_and_sends_nothing_when_nothing_arrives():
    x = Value(0.0, "x")
    root = x.sqrt()
    root.label = "root of x"
    with pytest.raises(ZeroDivisionError, match=r"at root of x \(sqrt\), value 0\.0|at root of x, value 0\.0"):
        root.backward()
    cut = (x.sqrt() - 1.0).relu()  # relu(-1): no gradient reaches the sqrt
    cut.backward()
    assert x.grad == 0.0


def test_numbers_too_large_for_a_float_are_named_briefly():
    with pytest.raises(OverflowError, match=r"Value\(data\): 1000000000.*\(401 characters\) is too large"):
        Value(10**400)
