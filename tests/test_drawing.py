"""Drawings: DOT text pinned by golden files, edge gradients, constants, clusters, collapsing,
skip paths, escaping, the size guard and a missing `dot`. Only test_render_writes_one_file runs `dot`."""

import os
import re
import sys
from pathlib import Path

import pytest

graphviz = pytest.importorskip("graphviz")  # the imports below need it; `dot` is the fixture's job

from autograd import (  # noqa: E402
    DotNotFoundError,
    GraphTooLargeError,
    Value,
    draw,
    grad_table,
    render,
    sum_of,
)
from nn import MLP, ResidualBlock  # noqa: E402
from tests.drawing_examples import residual_block_graph, seed_circuit_graph  # noqa: E402

GOLDEN = Path(__file__).parent / "golden"
EXAMPLES = {"seed_circuit": seed_circuit_graph, "residual_block": residual_block_graph}


@pytest.mark.parametrize("name", EXAMPLES)
def test_dot_text_matches_the_golden_file(name):
    root, options = EXAMPLES[name]()
    source = draw(root, **options).source
    golden = GOLDEN / f"{name}.dot"
    if os.environ.get("UPDATE_GOLDEN") == "1":
        golden.write_text(source)
    assert source == golden.read_text(), f"regenerate with UPDATE_GOLDEN=1 if the change is intended: {golden}"


def test_dot_text_is_the_same_on_every_run():
    first, options = seed_circuit_graph()
    second, options2 = seed_circuit_graph()
    assert draw(first, **options).source == draw(second, **options2).source


def edge_lines(source, head):
    return [line for line in source.splitlines() if f"-> {head} " in line]


def test_add_sends_the_same_gradient_to_both_inputs():
    a, b = Value(1.5, "a"), Value(3.5, "b")
    s = a + b
    s.backward()
    lines = edge_lines(draw(s).source, "n2")
    assert len(lines) == 2 and all('color="#cf222e">1</font>' in line for line in lines)


def test_fan_out_shows_the_gradient_as_a_sum_of_edges():
    a = Value(2.0, "a")
    out = a + a * -1.2
    out.backward()
    assert "grad -0.2 = (-1.2) + 1" in draw(out).source  # edges in topological order of their parents


def test_reused_node_draws_both_edges():
    x = Value(3.0, "x")
    for y in (x * x, x + x):
        y.backward()
        assert draw(y).source.count("n0 -> n1") == 2


def test_constants_are_drawn_though_they_are_not_nodes():
    x = Value(3.0, "x")
    y = 2.5 - x
    source = draw(y).source
    assert "n1c [label=2.5" in source and "n1c -> n1" in source


def test_module_clusters_and_collapsing():
    model = MLP(2, [3, 1], seed=0)
    out = model([1.0, -1.0])
    out.backward()
    source = draw(out).source
    assert "subgraph cluster_layer0 {" in source and "subgraph cluster_layer0_n2 {" in source
    collapsed = draw(out, collapse=1).source
    assert "m_layer0" in collapsed and "m_layer1" in collapsed and "cluster_layer0" not in collapsed
    assert "3 wires" in collapsed  # layer0's three outputs feed layer1
    partly = draw(out, collapse=["layer0"]).source
    assert "m_layer0" in partly and "cluster_layer1_n0" in partly
    assert "cluster_" not in draw(out, clusters=False).source
    with pytest.raises(ValueError, match="collapse must be"):
        draw(out, collapse=0)


def test_skip_path_is_drawn_in_its_own_colour():
    root, _ = residual_block_graph()
    source = draw(root).source
    skip = [line for line in source.splitlines() if "->" in line and "#7c3aed" in line]
    assert len(skip) == 2  # x0 -> sum0 and x1 -> sum1
    assert not any("#7c3aed" in line for line in source.splitlines() if "->" in line and "fc2" in line)
    assert "#7c3aed" not in "".join(l for l in draw(root, skip_paths=False).source.splitlines() if "->" in l)
    block = ResidualBlock(2, 3, seed=0, name="b")
    out = sum_of(block([Value(0.3, "x0"), Value(0.6, "x1")]))
    out.backward()
    projected = [l for l in draw(out).source.splitlines() if "->" in l and "#7c3aed" in l]
    assert len(projected) == 3 + 6  # proj -> sum for 3 outputs, x -> proj for 3 x 2 inputs


def test_highlight_takes_nodes_and_edges():
    a, b = Value(1.0, "a"), Value(2.0, "b")
    c = a * b
    source = draw(c, highlight=[a, (b, c)]).source
    assert source.count("#f97316") == 2
    with pytest.raises(TypeError, match=r"^draw\(highlight\): expected a list of nodes"):
        draw(c, highlight=["a"])


def test_labels_are_escaped():
    label = 'odd | { } < > \\ " & label'
    a = Value(1.0, label)
    b = a * 2
    source = draw(b).source
    assert "&lt; &gt;" in source and "&quot;" in source and "&amp;" in source
    assert "| { }" in source and "\\" in source


def test_rankdir_and_bad_options():
    a = Value(1.0)
    assert "rankdir=TB" in draw(a, rankdir="TB").source
    expected = r"^draw\(rankdir\): expected one of 'auto', 'LR', 'TB', 'RL', 'BT', got 'up'$"
    with pytest.raises(ValueError, match=expected):
        draw(a, rankdir="up")
    with pytest.raises(ValueError, match=r"^draw\(precision\): expected an int in 1..17, got 0$"):
        draw(a, precision=0)
    with pytest.raises(ValueError, match=r"\.png, \.svg, \.pdf"):
        render(a, "picture.jpg")


def chain(n):
    y = Value(1.0)
    for _ in range(n - 1):
        y = y * 1.01  # each step adds a node and a plain-number box
    return y


@pytest.mark.slow
def test_size_guard_counts_nodes_not_plain_number_boxes():
    assert len(draw(chain(999)).source) > 0  # 999 nodes and 998 number boxes: allowed
    with pytest.raises(GraphTooLargeError, match=r"1001 nodes to draw \(plain numbers not counted\).*collapse=1"):
        draw(chain(1001))
    assert len(draw(chain(1001), max_nodes=2000).source) > 0


@pytest.mark.slow
def test_deep_graphs_draw_without_recursion():
    limit = sys.getrecursionlimit()
    x = Value(1.0)
    y = x
    for _ in range(3 * limit):
        y = y * 1.0  # (a chain of additions would be drawn as one sum)
    assert draw(y, max_nodes=10 * limit).source.count("->") == 2 * 3 * limit


def test_missing_dot_gives_a_clear_error(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))  # no dot here
    a = Value(1.0, "a")
    graph = draw(a * 2)
    assert "digraph" in graph.source  # building and reading the source needs no dot
    with pytest.raises(DotNotFoundError) as caught:
        render(a * 2, tmp_path / "x.png")
    assert isinstance(caught.value, graphviz.ExecutableNotFound)
    message = str(caught.value)
    assert "pip install graphviz" in message and "apt-get install graphviz" in message
    assert "brew install graphviz" in message and "grad_table" in message
    with pytest.raises(DotNotFoundError):
        graph._repr_mimebundle_()
    assert grad_table(a)  # the text fallback works


@pytest.mark.usefixtures("dot")
def test_render_writes_one_file_per_format_and_keeps_labels_as_typed(tmp_path):
    root, options = seed_circuit_graph()
    for fmt in ("png", "svg", "pdf"):
        path = render(root, tmp_path / f"circuit.{fmt}", **options)
        assert path.exists() and path.stat().st_size > 1000
    assert sorted(p.name for p in tmp_path.iterdir()) == ["circuit.pdf", "circuit.png", "circuit.svg"]
    label = 'odd | { } < > \\ " label'
    path = render(Value(1.0, label) * 2, str(tmp_path / "odd.svg"))
    svg = path.read_text()
    assert "odd | { } &lt; &gt; \\ &quot; label" in svg or 'odd | { } &lt; &gt; \\ " label' in svg


def test_numbers_the_readme_quotes():
    seed, options = seed_circuit_graph()
    assert "grad 4 = 2 + 2" in draw(seed, **options).source
    block, options = residual_block_graph()
    assert "grad 1.344 = (-0.1136) + 0.4581 + 1" in draw(block, **options).source
    model = MLP(2, [16, 16, 1], seed=1337)
    out = model([0.5, -1.0])
    out.backward()
    source = draw(out, collapse=None).source
    boxes = [line for line in source.splitlines() if re.match(r"\tn\d+c? \[", line)]
    assert len(boxes) == 402
    with pytest.raises(GraphTooLargeError, match="more than 400 nodes to draw"):
        draw(out, max_nodes=400, collapse=None)


def test_missing_graphviz_package_names_the_install():
    import subprocess

    script = (
        "import sys; sys.modules['graphviz'] = None\n"  # as if it were not installed
        "import autograd\n"
        "try:\n    autograd.draw\nexcept ImportError as e:\n    print(e)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=Path(__file__).resolve().parents[1]
    )
    assert "pip install 'skipgrad[viz]'" in done.stdout and "grad_table" in done.stdout, done.stderr


def test_the_legend_explains_only_what_the_picture_shows():
    x, w = Value(2.0, "x"), Value(0.5, "w")
    plain = draw(x * w * 3, legend=True).source
    assert "input" in plain and "operation" in plain and "grey: a plain number" in plain
    assert "parameter" not in plain and "purple" not in plain and "orange" not in plain and "module" not in plain
    block = ResidualBlock(2, seed=0)
    loss = sum_of(block([x, w]))
    marked = draw(loss, legend=True, highlight=[loss]).source
    assert "parameter" in marked and "purple" in marked and "orange" in marked and "grey" not in marked
