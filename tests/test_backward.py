"""Backward semantics: the seed circuit, fan-out and fan-in, accumulation, zero_grad, deep graphs."""

import subprocess
import sys
import textwrap

import pytest

from autograd import Value, topological_order
from autograd.examples import seed_circuit


def test_seed_residual_circuit_gradients():
    nodes = seed_circuit()
    nodes["cost"].backward()
    grads = {name: node.grad for name, node in nodes.items()}
    assert grads == {
        "x": -16.0,
        "y": 12.0,
        "z": 2.0,
        "w": 0.0,
        "xy": 4.0,
        "m": 2.0,
        "s": 2.0,
        "r": 2.0,
        "out": 1.0,
        "cost": 1.0,
    }
    assert nodes["cost"].data == 1.0


def test_addition_sends_the_same_gradient_to_both_inputs():
    a, b = Value(1.5), Value(3.5)
    (a + b).backward()
    assert [a.grad, b.grad] == [1.0, 1.0]


def test_children_keep_operand_order():
    a, b, x = Value(1.0), Value(2.0), Value(3.0)
    assert (a * b).children == (a, b)
    assert (b * a).children == (b, a)
    assert (x * x).children == (x, x)
    assert (a**b).children == (a, b)
    assert a.op == "" and a.children == ()


def test_reuse_accumulates():
    x = Value(3.0)
    (x * x).backward()
    assert x.grad == 6.0
    x = Value(3.0)
    (x + x).backward()
    assert x.grad == 2.0


def test_diamond_sums_both_paths():
    x = Value(2.0)
    a = x * 3.0
    b = x.exp()
    top = a * b
    top.backward()
    # d/dx (3x * e^x) = 3 e^x + 3x e^x
    import math

    assert x.grad == pytest.approx(3 * math.exp(2) + 6 * math.exp(2), rel=1e-15)


def test_intermediate_nodes_get_gradients():
    x, y = Value(2.0), Value(5.0)
    h = x * y
    out = h.tanh()
    out.backward()
    assert h.grad == pytest.approx(1 - out.data**2)
    assert out.grad == 1.0


def test_topological_order_puts_inputs_first():
    nodes = seed_circuit()
    order = topological_order(nodes["cost"])
    position = {id(n): i for i, n in enumerate(order)}
    for node in order:
        for child in node.children:
            assert position[id(child)] < position[id(node)]
    assert order[-1] is nodes["cost"]
    assert len(order) == len(nodes)


def test_backward_twice_doubles_every_gradient():
    nodes = seed_circuit()
    cost = nodes["cost"]
    cost.backward()
    first = {k: v.grad for k, v in nodes.items()}
    cost.backward()
    assert {k: v.grad for k, v in nodes.items()} == {k: 2 * g for k, g in first.items()}


def test_zero_grad_zeroes_every_node():
    nodes = seed_circuit()
    nodes["cost"].backward()
    nodes["cost"].zero_grad()
    assert all(node.grad == 0.0 for node in nodes.values())
    nodes["cost"].backward()
    assert nodes["x"].grad == -16.0


def test_detach_stops_the_gradient():
    x = Value(2.0, "x")
    y = x * x.detach()
    y.backward()
    assert x.grad == 2.0
    d = x.detach()
    assert d.op == "" and d.children == () and d.data == 2.0 and d is not x


def test_backward_of_a_leaf():
    x = Value(4.0)
    x.backward()
    assert x.grad == 1.0


@pytest.mark.slow
def test_million_op_chain_at_default_recursion_limit():
    script = textwrap.dedent("""
        import sys
        assert sys.getrecursionlimit() == 1000, sys.getrecursionlimit()
        from autograd import Value
        x0 = Value(1.0)
        x = x0
        for _ in range(1_000_000):
            x = x * 1.0001 + 0.001
        x.backward()
        expected = 1.0001 ** 1_000_000
        assert abs(x0.grad - expected) <= 1e-8 * expected, (x0.grad, expected)
        x.zero_grad()
        assert x0.grad == 0.0
        print("ok")
    """)
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=str(__import__("pathlib").Path(__file__).resolve().parents[1]),
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "ok"


@pytest.mark.slow
def test_graph_is_freed_without_the_cyclic_gc():
    """Nodes hold no closures, so a dropped graph is freed by reference counting alone."""
    import gc

    def live_values():
        return sum(1 for o in gc.get_objects() if type(o) is Value)

    gc.collect()
    gc.disable()
    try:
        before = live_values()
        x = Value(1.0)
        y = x
        for _ in range(1000):
            y = (y * 1.5 - 0.25).tanh() + x
        y.backward()
        assert live_values() >= before + 3000
        del x, y
        assert live_values() == before
    finally:
        gc.enable()


def test_n_ary_ops_of_plain_numbers_are_constant_leaves():
    from autograd import dot, sum_of

    for leaf in (sum_of([1.0, 2.0]), dot([1.0], [2.0], 0.5)):
        assert leaf.children == () and leaf.op == ""
        leaf.backward()
        assert leaf.grad == 1.0
