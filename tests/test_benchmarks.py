"""The benchmark harness runs (tiny sizes; no timing is asserted) and the README shows its latest tables."""

import doctest
import math
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_quick_run_checks_gradients_and_prints_every_workload():
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--quick"], capture_output=True, text=True, cwd=ROOT, timeout=300
    )
    assert done.returncode == 0, done.stderr[-2000:]
    titles = ["**W1:", "**W2: a chain", "**W2: the largest chain", "per op node as N grows", "**W3:", "**W4:"]
    titles += ["**W5:", "**W5: where the time of a step goes", "**The targets, against this run**"]
    for title in titles:
        assert title in done.stdout
    assert "| skipgrad |" in done.stdout
    for engine in ("| local-gradient design |", "| skipgrad, plain ops |", "| skipgrad nn.GPT |"):
        assert engine in done.stdout.split("**W5:", 1)[1]
    targets = done.stdout.split("**The targets, against this run**", 1)[1]
    assert len(re.findall(r"^\| W\d.*\| (yes|no) \|$", targets, flags=re.M)) == 5  # every target measured


def test_readme_shows_the_stored_results():
    results = (ROOT / "benchmarks" / "results.md").read_text()
    readme = (ROOT / "README.md").read_text()
    block = readme.split("<!-- benchmark results: start -->\n", 1)[1].split("<!-- benchmark results: end -->")[0]
    assert block == results
    assert results.startswith("Benchmark run ") and "QUICK MODE" not in results


def test_local_gradient_value_agrees_with_skipgrad_on_every_op():
    """W5's baseline engine: values and gradients of an expression with each op it offers."""
    from autograd import Value
    from benchmarks import local_gradient

    def expression(V):
        a, b, c = V(1.5), V(-0.5), V(2.0)
        out = a * b + 3 - a / c + (2 / c) * (1 - b) - (-a) ** 3 + (a * c).log() + b.exp() + (b * c).relu() + a.relu()
        return (a, b, c), out

    (a, b, c), out = expression(Value)
    (la, lb, lc), local = expression(local_gradient.Value)
    out.backward()
    local.backward()
    assert math.isclose(local.data, out.data, rel_tol=1e-14)
    for ours, theirs in ((a, la), (b, lb), (c, lc)):
        assert math.isclose(theirs.grad, ours.grad, rel_tol=1e-14)
    assert doctest.testmod(local_gradient).failed == 0


@pytest.mark.slow
def test_local_gradient_backward_walks_a_deep_graph_without_recursion():
    from benchmarks.local_gradient import Value

    x0 = x = Value(1.0)
    for _ in range(20_000):  # 40,000 nodes deep, far past the default recursion limit of 1,000
        x = x * 1.0001 + 0.001
    x.backward()
    assert math.isclose(x0.grad, 1.0001**20_000, rel_tol=1e-12)
