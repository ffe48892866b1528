"""Pictures from structure: boxes, parameters and skip paths come from the objects that made the
nodes (roles and groups), never from label text. Renaming a node changes only its own text."""

import inspect
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

pytest.importorskip("graphviz")  # the imports below need it

from autograd import Group, Value, draw, grad_table, mark_skip, sum_of  # noqa: E402
from autograd.expression import build  # noqa: E402
from nn import MLP, Layer, Module, ResidualBlock, Sequential  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "tests" / "golden"
SKIP_EDGE = re.compile(r"->.*#7c3aed")


def headings_removed(source: str) -> str:
    """The DOT text without each node's own name (the bold heading)."""
    return re.sub(r"<b>.*?</b>", "<b></b>", source)


# ------------------------------------------------------------------------ plain graphs: labels are only text
NN_LIKE_LABELS = ["x.y.z", "checksum2", "w1", "b", "block0.fc1.n2.w0", "block0.sum1", "proj.n0.z", "5) (tanh"]


def test_nn_like_labels_on_a_plain_graph_draw_no_boxes_no_skip_and_no_parameter_fill():
    leaves = [Value(0.5 + i, label) for i, label in enumerate(NN_LIKE_LABELS)]
    total = sum_of([v * 2.0 for v in leaves])
    total.label = "block0.sum0"
    total.backward()
    source = draw(total, legend=False).source
    assert "subgraph" not in source
    assert not SKIP_EDGE.search(source) and "#7c3aed" not in source
    assert "#fef3c7" not in source  # the parameter fill
    for label in NN_LIKE_LABELS:
        assert f"<b>{label}</b>".replace(")", ")") in source.replace("&#x27;", "'")


def test_the_cli_expression_from_the_trial_draws_as_the_golden_file():
    """`skipgrad grad "tanh(x*0.5 + y*1.5)" x=1 y=2`: nodes named by their text, no boxes."""
    out, _ = build("tanh(x*0.5 + y*1.5)", {"x": 1.0, "y": 2.0})
    out.backward()
    source = draw(out).source
    golden = GOLDEN / "tanh_expression.dot"
    if __import__("os").environ.get("UPDATE_GOLDEN") == "1":
        golden.write_text(source)
    assert source == golden.read_text()
    assert (
        "subgraph" not in source and "<b>x * 0.5  (*)</b>" in source and "<b>tanh(x * 0.5 + y * 1.5)  (tanh)" in source
    )
    assert (ROOT / "docs" / "tanh_expression.png").stat().st_size > 1000  # the committed picture


OPS = {
    "+": lambda a, b, c: a + b,
    "*": lambda a, b, c: a * b,
    "-": lambda a, b, c: a - b,
    "max": lambda a, b, c: a.max(b),
    "tanh": lambda a, b, c: a.tanh(),
    "relu": lambda a, b, c: a.relu(),
    "num+": lambda a, b, c: c + a,
    "num*": lambda a, b, c: a * c,
}


# A recipe for a random plain graph: each step combines two earlier nodes (or a node and a number).
STEP = st.tuples(
    st.sampled_from(["+", "*", "-", "max", "tanh", "relu", "num+", "num*"]),
    st.integers(0, 10_000),
    st.integers(0, 10_000),
    st.floats(-2, 2),
)
LABEL = st.text(alphabet=st.sampled_from(list("abwxyz0123456789._ sumproj\n()<>&\"'")), min_size=1, max_size=12)


def build_graph(recipe, leaf_count):
    nodes = [Value(0.3 * (i + 1) - 1.0) for i in range(leaf_count)]
    for op, i, j, c in recipe:
        nodes.append(OPS[op](nodes[i % len(nodes)], nodes[j % len(nodes)], c))
    return nodes


@pytest.mark.slow
@given(st.lists(STEP, min_size=1, max_size=25), st.integers(1, 4), st.data())
def test_renaming_nodes_of_a_plain_graph_changes_only_their_text(recipe, leaf_count, data):
    nodes = build_graph(recipe, leaf_count)
    root = nodes[-1]
    root.backward()
    first = data.draw(st.lists(LABEL, min_size=len(nodes), max_size=len(nodes)))
    second = data.draw(st.lists(LABEL, min_size=len(nodes), max_size=len(nodes)))
    for node, label in zip(nodes, first, strict=True):
        node.label = label
    before = draw(root).source
    for node, label in zip(nodes, second, strict=True):
        node.label = label
    after = draw(root).source
    assert headings_removed(before) == headings_removed(after)
    assert "subgraph" not in after and "#7c3aed" not in after and "#fef3c7" not in after


# ------------------------------------------------------------------------ groups and skips by hand
def test_a_plain_graph_can_be_grouped_and_marked_on_purpose():
    x = Value(2.0, "x")
    block = Group("my block", residual=True)
    inner = Group("branch", parent=block)
    h = inner.mark(x * 3.0, "h")
    y = block.mark(h.tanh() + x, "y", skip=[x])
    y.backward()
    source = draw(y).source
    assert (
        'subgraph cluster_my_block {\n\tlabel=<my block> fontsize=10 style="rounded,filled" fillcolor="#faf5ff"'
        in source
    )
    assert "subgraph cluster_my_block_branch {" in source
    skip = [line for line in source.splitlines() if SKIP_EDGE.search(line)]
    assert len(skip) == 1 and skip[0].startswith("\tn0 -> ")  # x -> y, and only that edge
    assert y.role.qualified_name == "my block.y" and h.role.qualified_name == "my block.branch.h"
    assert "my block.y" in grad_table(y)
    z = mark_skip(x.relu() + 1.0, [1.0])  # a plain number through the skip: its dashed edge is purple
    assert re.search(r'n\d+c -> n\d+ \[color="#7c3aed"', draw(z).source)
    with pytest.raises(ValueError, match="not an operand"):
        block.mark(x * 2.0, "bad", skip=[y])


def test_your_own_module_gets_its_box():
    class Twice(Module):
        """y = fc(x) + x, written as a learner would, with the addition marked as the skip."""

        def __init__(self):
            self.fc = Layer(2, 2, activation="tanh", seed=0)

        def __call__(self, x):
            return [self.mark(h + xi, f"y{i}", skip=[xi]) for i, (h, xi) in enumerate(zip(self.fc(x), x, strict=True))]

        def parameters(self):
            return self.fc.parameters()

    model = Sequential(Twice(), Layer(2, 1, activation="linear", seed=1))
    x = [Value(0.5, "x0"), Value(-1.0, "x1")]
    out = model(x)
    out.backward()
    source = draw(out).source
    assert "subgraph cluster_twice0 {" in source and "subgraph cluster_twice0_fc {" in source
    assert "subgraph cluster_layer1 {" in source
    assert len([line for line in source.splitlines() if SKIP_EDGE.search(line)]) == 2
    root_only = Twice()
    y = sum_of(root_only(x))
    y.backward()
    assert "subgraph cluster_Twice {" in draw(y).source  # unnamed, but it made nodes: titled by its class


def test_renaming_a_module_renames_its_box_and_its_nodes():
    block = ResidualBlock(2, seed=5)
    out = sum_of(block([0.5, 1.0]))
    out.backward()
    assert "subgraph cluster_ResidualBlock {" in draw(out).source  # unnamed: still a block box, purple
    assert (
        'label=<ResidualBlock> fontsize=10 style="rounded,filled" fillcolor="#faf5ff" color="#7c3aed"'
        in draw(out).source
    )
    block.rename("first")
    source = draw(out).source
    assert "subgraph cluster_first {" in source and "subgraph cluster_first_fc1_n0 {" in source
    assert "first.sum0" in grad_table(out)


# ------------------------------------------------------------------------ boxes, collapse and labels in pictures
def test_neuron_boxes_are_in_numeric_order():
    model = MLP(1, [12, 1], seed=0)
    out = model([0.5])
    out.backward()
    order = re.findall(r"subgraph cluster_layer0_(n\d+) \{", draw(out).source)
    assert order == [f"n{i}" for i in range(12)]


def test_collapse_takes_a_name_a_list_or_a_depth_and_refuses_unknown_names():
    model = MLP(2, [3, 2, 1], seed=0)
    out = model([1.0, -1.0])
    out.backward()
    one = draw(out, collapse="layer1").source
    assert one == draw(out, collapse=["layer1"]).source
    assert "m_layer1" in one and "cluster_layer0_n2" in one and "cluster_layer1" not in one
    with pytest.raises(ValueError, match=r"no group named 'layer9'.*its groups are: layer0, layer0\.n0"):
        draw(out, collapse="layer9")
    with pytest.raises(ValueError, match="collapse must be"):
        draw(out, collapse=0)
    with pytest.raises(ValueError, match="none"):
        draw(Value(1.0) * 2, collapse="layer0")


def test_collapsed_boxes_show_their_outputs_values_and_gradients():
    model = MLP(2, [3, 1], seed=0)
    out = model([1.0, -1.0])
    out.backward()
    source = draw(out, collapse=1).source
    box = next(line for line in source.splitlines() if line.startswith("\tm_layer0 ["))
    activations = [n for n in __import__("autograd").topological_order(out) if n.role in model.layers[0].output_roles()]
    values = ", ".join(f"{n.data:.4g}" for n in activations)
    grads = ", ".join(f"{n.grad:.4g}" for n in activations)
    assert "15 nodes, 9 parameters" in box  # 3 neurons: 2 weights, a bias, z and a each
    assert f"3 outputs: {values}</font>" in box and f"grad in: {grads}</font>" in box
    head = next(line for line in source.splitlines() if line.startswith("\tm_layer1 ["))
    assert f"output: {out.data:.4g}</font>" in head and "grad in: 1</font>" in head
    assert 'm_layer0 -> m_layer1 [label="3 wires"]' in source


def test_a_newline_in_a_label_stays_a_line_break_in_pictures_and_keeps_tables_aligned():
    a = Value(1.0, "two\nlines")
    b = a * 2.0
    b.label = "out"
    b.backward()
    assert "<b>two<br/>lines</b>" in draw(b).source
    table = grad_table(b).splitlines()
    assert len(table) == 4 and "two\\nlines" in table[2]
    assert len({line.index("data") if "data" in line else None for line in table[:1]}) == 1
    assert table[2].index("1") > 0 and len(table[2].rstrip()) == len(table[3].rstrip())


def test_draw_has_no_step_through_arguments():
    parameters = inspect.signature(draw).parameters
    assert not {"grads", "pushed", "current"} & set(parameters)


# The engine's core: Value and its ops, and the modules that value.py's docstring says Value inherits or
# is wrapped by. Only these know the slots a node keeps its inputs in.
ENGINE_CORE = {"value.py", "fields.py", "walk.py", "micrograd_compat.py", "pickling.py"}


def test_only_the_engine_core_reads_the_node_layout():
    """Other modules go through children, local_grads and operands."""
    private = re.compile(r"\._(a|da|b|db|number|walk)\b")
    for path in [*ROOT.glob("autograd/*.py"), *ROOT.glob("nn/*.py")]:
        if path.name in ENGINE_CORE:
            continue
        assert not private.search(path.read_text()), path


# ------------------------------------------------------------------------ a user's own modules and mistakes
def test_drawing_a_list_of_outputs_says_to_sum_them():
    outputs = ResidualBlock(2, seed=0)([1.0, 2.0])
    with pytest.raises(TypeError, match=r"got list; .*sum_of\(outputs\)"):
        draw(outputs)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="got list"):
        grad_table(outputs)  # type: ignore[arg-type]


def test_names_must_be_text_and_skip_may_be_one_operand():
    block = ResidualBlock(2, seed=0)
    with pytest.raises(TypeError, match="name must be a str, got int"):
        block.rename(5)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="a name must be a str"):
        Group("g").mark(Value(1.0) * 2, 5)  # type: ignore[arg-type]
    x = Value(1.0, "x")
    assert Group("g").mark(x.tanh() + x, "y", skip=x).role.skip_operands == (1,)


def test_collapse_names_are_the_names_tables_print():
    block = ResidualBlock(2, seed=0)  # unnamed: its parts are fc1 and fc2, as in the table
    out = sum_of(block([1.0, 2.0]))
    out.backward()
    assert "fc1.n0.z" in grad_table(out)
    assert "m_fc1" in draw(out, collapse="fc1").source
    assert "m_ResidualBlock" in draw(out, collapse="ResidualBlock").source


def test_modules_in_dicts_and_lists_filled_later_are_parts():
    class Net(Module):
        def __init__(self):
            self.parts = {"enc": Layer(2, 2, seed=0), "dec": Layer(2, 1, activation="linear", seed=1)}
            self.extra = []
            self.extra.append(Layer(1, 1, seed=2))  # appended after the assignment

        def __call__(self, x):
            return self.extra[0](self.parts["dec"](self.parts["enc"](x)))

        def parameters(self):
            return [p for m in (*self.parts.values(), *self.extra) for p in m.parameters()]

    net = Net()
    assert [m.name for m in net.children()] == ["enc", "dec", "layer0"]  # the appended one is adopted here
    out = net([1.0, -1.0])
    out.backward()
    source = draw(out).source
    assert "subgraph cluster_enc {" in source and "subgraph cluster_dec {" in source
    assert [n for n, _ in net.named_parameters()][:2] == ["parts.enc.neurons.0.w.0", "parts.enc.neurons.0.w.1"]


def test_rendering_leaves_no_source_file_behind(tmp_path, monkeypatch):
    from autograd import DotNotFoundError, render

    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    with pytest.raises(DotNotFoundError):
        render(Value(1.0, "a") * 2, tmp_path / "nd.png")
    assert list(tmp_path.iterdir()) == []
