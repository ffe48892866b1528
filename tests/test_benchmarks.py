"""The benchmark harness runs (tiny sizes; no timing is asserted) and the README shows its latest tables."""

import doctest
import importlib.util
import math
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_quick_run_checks_gradients_and_prints_every_workload():
    import autograd

    done = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--quick"], capture_output=True, text=True, cwd=ROOT, timeout=300
    )
    assert done.returncode == 0, done.stderr[-2000:]
    out = done.stdout
    titles = ["**W1:", "**W2: a chain", "**W2: the largest chain", "**W3:", "**W4:"]
    titles += ["**W5:", "**W5: where the time of a step goes", "**The targets, against this run**"]
    for title in titles:
        assert title in out
    sections = {name: _section(out, f"**{name}:") for name in ("W1", "W2", "W3", "W4", "W5")}
    for name in ("W1", "W2", "W3", "W5"):  # every engine's time per edge of its own graph
        assert re.search(r"^\|.*\| edges \|.*ns per edge \|$", sections[name], flags=re.M), name
        assert re.search(r"\| [\d,.]+ ns \|$", sections[name], flags=re.M), name
    for engine in ("| local-gradient design |", "| skipgrad, plain ops (", "| skipgrad nn.GPT ("):
        assert engine in sections["W5"]
    targets = out.split("**The targets, against this run**", 1)[1]
    assert len(re.findall(r"^\| W\d.*\| (yes|no) \|$", targets, flags=re.M)) == 5  # every target measured
    # skipgrad's engines in both builds when the compiled one is here (this test runs in each build)
    builds = ["compiled", "pure Python"] if autograd.COMPILED else ["pure Python"]
    expected = {
        "W1": ["skipgrad", "skipgrad, binary ops"],
        "W2": ["skipgrad"],
        "W3": ["skipgrad", "skipgrad, binary ops"],
        "W4": ["skipgrad"],
        "W5": ["skipgrad, plain ops", "skipgrad nn.GPT"],
    }
    for name, engines in expected.items():
        shown = re.findall(r"^\| (?:[\d,]+ \| )?(skipgrad[^|]*?) \|", sections[name], flags=re.M)
        assert set(shown) == {f"{engine} ({build})" for engine in engines for build in builds}, name
    assert ("this run, compiled" in targets) == autograd.COMPILED and "this run, pure Python" in targets
    if not autograd.COMPILED:
        assert "The compiled build is not in use" in out.splitlines()[0]


def _section(text: str, title: str) -> str:
    """One workload's part of the run's output: from its first title to the next workload's."""
    start = text.index(title)
    following = [text.find(f"**W{i}:", start + len(title)) for i in range(1, 6)] + [text.find("**Explorer", start)]
    return text[start : min(i for i in following if i > start)]


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


def test_each_engine_counts_the_edges_of_its_own_graph():
    """x * 1.0001 + 0.001 three times: skipgrad and torch keep the numbers in the node, micrograd and the
    local-gradient design make each one a leaf; x * x is two edges, except in micrograd's set."""
    from benchmarks import edges, local_gradient
    from benchmarks.engines import ENGINES

    expected = {"skipgrad": 6, "micrograd 0.1.0": 12, "torch scalar": 6}
    for engine in (e for e in ENGINES if e.name in expected and e.available()):
        build, _ = engine.chain(3)
        assert engine.edges(build()[1]) == expected[engine.name], engine.name
    x = y = local_gradient.Value(1.0)
    for _ in range(3):
        y = y * 1.0001 + 0.001
    assert edges.local_gradient_edges(y) == 12 and edges.local_gradient_edges(x * x) == 2
    square = next(e for e in ENGINES if e.name == "skipgrad").chain(0)[0]()[0]
    assert edges.skipgrad_edges(square * square) == 2
    if importlib.util.find_spec("micrograd") is not None:
        from micrograd.engine import Value

        leaf = Value(1.0)
        assert edges.micrograd_edges(leaf * leaf) == 1


def test_pure_rows_check_their_answers_against_the_given_reference():
    """The pure-Python child times nothing whose gradient differs from the parent's reference."""
    from benchmarks.pure_rows import rows_of

    request = {"workload": "W2", "sizes": {"chain": [10], "chain_repeats": 1}, "against": "the parent"}
    right = 1.0001**10
    rows = rows_of({**request, "reference": [right]})
    assert list(rows[0]) == ["skipgrad"] and rows[0]["skipgrad"]["edges"] == 20
    with pytest.raises(AssertionError, match="differs from the parent's"):
        rows_of({**request, "reference": [right * 1.001]})


def test_the_child_is_asked_to_import_the_other_engines_packages_this_process_has():
    """So that its cyclic GC scans a heap of the parent's size (torch's objects are most of it)."""
    from benchmarks.pure_rows import child_request

    request = child_request("W3", {"products": 10}, None, "the parent")
    assert ("torch" in request["imports"]) == ("torch" in sys.modules)
    assert ("micrograd.engine" in request["imports"]) == ("micrograd.engine" in sys.modules)


def test_rows_of_both_builds_sit_side_by_side(monkeypatch: pytest.MonkeyPatch):
    from benchmarks import builds

    monkeypatch.setattr(builds, "this_build", lambda: builds.COMPILED)
    here = {"skipgrad": 1, "skipgrad, binary ops": 2, "micrograd 0.1.0": 3}
    pure = {"skipgrad": 4, "skipgrad, binary ops": 5}
    merged = builds.side_by_side({builds.COMPILED: here, builds.PURE: pure})
    assert list(merged.items()) == [
        ("skipgrad (compiled)", 1),
        ("skipgrad (pure Python)", 4),
        ("skipgrad, binary ops (compiled)", 2),
        ("skipgrad, binary ops (pure Python)", 5),
        ("micrograd 0.1.0", 3),
    ]


def test_targets_are_judged_on_the_compiled_build_and_show_the_pure_one_beside():
    from benchmarks.targets import targets

    numbers = {"W1": 120.0, "W2": 16.0, "W4": 150.0, "W5 plain ops": 3.0, "W5 nn.GPT": 9.0}
    pure = {"W1": 40.0, "W2": 12.0, "W4": 140.0, "W5 plain ops": 2.5, "W5 nn.GPT": 12.0}
    both = targets({"compiled": numbers, "pure Python": pure}, {})
    assert "| target | goal | this run, compiled | this run, pure Python | met |" in both
    assert "| W2 backward at the largest N, x faster than micrograd | >= 15x | 16.0x | 12.0x | yes |" in both
    assert "| W5 nn.GPT, x faster than the local-gradient design | >= 10x | 9.0x | 12.0x | no |" in both
    alone = targets({"pure Python": pure}, {})
    assert "| target | goal | this run, pure Python | met |" in alone and "compiled build was not in use" in alone
    assert "| W1 step, x faster than micrograd | >= 100x | 40.0x | no |" in alone


@pytest.mark.slow
def test_counting_a_deep_torch_graph_leaves_it_safe_to_free():
    """Reading next_functions once made freeing a 100,000-node torch chain crash Python (a segfault), so
    torch_edges frees it from the output back; in a child process, so that a crash fails this test alone."""
    pytest.importorskip("torch")
    code = (
        "from benchmarks.engines import TorchScalar\n"
        "engine = TorchScalar()\n"
        "build, backward = engine.chain(100_000)\n"
        "graph = build()\n"
        "backward(graph)\n"
        "print(engine.chain_edges(graph))\n"
        "del graph\n"
        "print('freed')\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == ["200000", "freed"]
