"""A script written for micrograd's Value runs unchanged after changing its import."""

import pytest

SCRIPT = """
from micrograd.engine import Value

a = Value(-3.0)
b = Value(1.5)
c = a * b + a**2
c += 2 - c * b
d = (a + b).relu() + (b - a).relu() * c
d += 4 * d / (c - 1.0)
e = -d + 0.5 * c
f = e**2 / 3.0
g = f + 7.0 / (b + 2)
g.backward()

def trace(root):
    nodes, edges, todo = set(), set(), [root]
    while todo:
        v = todo.pop()
        if v not in nodes:
            nodes.add(v)
            for child in v._prev:
                edges.add((child, v))
                todo.append(child)
    return nodes, edges

nodes, edges = trace(g)
ops = sorted(n._op for n in nodes if n._op)
result = (g.data, a.grad, b.grad, repr(Value(1.0)))
"""


def run(script):
    namespace: dict = {}
    exec(compile(script, "<micrograd script>", "exec"), namespace)
    return namespace


def test_same_numbers_as_micrograd():
    pytest.importorskip("micrograd")
    theirs = run(SCRIPT)
    ours = run(SCRIPT.replace("from micrograd.engine import Value", "from autograd import Value"))
    for mine, reference in zip(ours["result"][:3], theirs["result"][:3]):
        assert mine == pytest.approx(reference, rel=1e-12)
    # micrograd starts grad at the int 0; ours is always a float
    assert ours["result"][3] == "Value(data=1.0, grad=0.0)"
    assert theirs["result"][3] == "Value(data=1.0, grad=0)"
    assert ours["ops"] and set(ours["ops"]) <= {"+", "-", "*", "/", "**", "neg", "relu"}
    assert len(ours["edges"]) > 0


KNOWN = (4.253333333333334, -30.281333333333333, 39.48590476190476)  # g, a.grad, b.grad


def test_same_numbers_as_known_values():
    """The numbers micrograd gives for this script, so the check runs without it installed."""
    ours = run(SCRIPT.replace("from micrograd.engine import Value", "from autograd import Value"))
    for mine, known in zip(ours["result"][:3], KNOWN):
        assert mine == pytest.approx(known, rel=1e-12)


def test_known_values_agree_with_torch():
    torch = pytest.importorskip("torch")

    def t(x):
        return torch.tensor(x, dtype=torch.float64, requires_grad=True)

    a, b = t(-3.0), t(1.5)
    c = a * b + a**2
    c = c + (2 - c * b)
    d = (a + b).relu() + (b - a).relu() * c
    d = d + 4 * d / (c - 1.0)
    e = -d + 0.5 * c
    g = e**2 / 3.0 + 7.0 / (b + 2)
    g.backward()
    for mine, known in zip((g.item(), a.grad.item(), b.grad.item()), KNOWN):
        assert mine == pytest.approx(known, rel=1e-12)
