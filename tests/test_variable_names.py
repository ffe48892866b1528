"""Tables, pictures and the step-through name unlabelled nodes after the caller's variables."""

import contextlib
import io
import json
import re
import types

import pytest

import autograd.naming
from autograd import Group, Value, grad_table, print_grads
from autograd.examples import seed_circuit


def names_column(table: str) -> list[str]:
    return [line.split()[0] for line in table.splitlines()[2:]]


def test_the_readme_circuit_without_labels_prints_the_labelled_table(capsys):
    x, y, z, w = Value(3.0), Value(-4.0), Value(2.0), Value(-1.0)
    xy = x * y
    m = z.max(w)
    s = m + xy
    r = xy + s
    out = r * 2
    cost = out + 45
    cost.backward()
    print_grads(cost)
    labelled = seed_circuit()["cost"]  # the same circuit, each node labelled with the name of its variable
    labelled.backward()
    assert capsys.readouterr().out == grad_table(labelled, names=False) + "\n"


def test_labels_win_over_variables():
    a = Value(2.0, "alpha")
    b = a * 3.0
    b.label = "beta"
    assert names_column(grad_table(b)) == ["alpha", "beta"]


def test_names_false_gives_op_and_index():
    a = Value(2.0)
    out = (3.0 - a) * a
    assert names_column(grad_table(out, names=False)) == ["leaf#0", "-#1", "*#2"]
    assert names_column(grad_table(out)) == ["a", "-#1", "out"]  # (3 - a) is held by no variable


def test_a_given_mapping_names_nodes_and_nothing_else():
    a = Value(2.0)
    diff = 3.0 - a
    out = diff * a
    assert names_column(grad_table(out, names={diff: "d", a: "input"})) == ["input", "d", "*#2"]
    with pytest.raises(TypeError, match="names maps Values to strings"):
        grad_table(out, names={"d": diff})  # type: ignore[dict-item]
    with pytest.raises(TypeError, match="names takes True, False or a dict"):
        grad_table(out, names=None)  # type: ignore[arg-type]


def test_a_given_mapping_replaces_variables_but_not_labels():
    a = Value(2.0, "a")
    b = a * 2.0
    assert names_column(grad_table(b, names={a: "ignored", b: "given"})) == ["a", "given"]


def test_nodes_in_a_list_are_not_named():
    leaves = [Value(1.0), Value(2.0)]
    total = leaves[0] + leaves[1]
    assert names_column(grad_table(total)) == ["leaf#0", "leaf#1", "total"]


def test_two_variables_holding_one_node_take_the_first_name_in_alphabetical_order():
    a = Value(1.0)
    zed = alias = a * 2.0
    assert zed is alias
    assert names_column(grad_table(zed)) == ["a", "alias"]


def test_names_starting_with_an_underscore_are_ignored():
    _hidden = Value(1.0)
    shown = _hidden + 1.0
    assert names_column(grad_table(shown)) == ["leaf#0", "shown"]


def test_role_names_come_before_variables():
    x = Value(0.5, "x")
    block = Group("block")
    h = block.mark(x * 3.0, "h")
    t = h.tanh()
    assert names_column(grad_table(t)) == ["x", "block.h", "t"]


def test_globals_are_used_as_in_a_notebook():
    module = types.ModuleType("notebook_cell")
    code = (
        "from autograd import Value, grad_table\n"
        "a = Value(2.0)\n"
        "b = a * a\n"
        "def table():\n"
        "    return grad_table(b)\n"
        "table_text = table()\n"
    )
    exec(code, module.__dict__)
    assert names_column(module.__dict__["table_text"]) == ["a", "b"]


def test_locals_win_over_globals():
    module = types.ModuleType("notebook_cell")
    code = (
        "from autograd import Value, grad_table\n"
        "a = Value(2.0)\n"
        "b = a * a\n"
        "def table():\n"
        "    local_name = b\n"
        "    return grad_table(local_name)\n"
        "table_text = table()\n"
    )
    exec(code, module.__dict__)
    assert names_column(module.__dict__["table_text"]) == ["a", "local_name"]


def helper_that_prints(node):
    inside_helper = node
    print_grads(inside_helper)


def test_the_frame_that_calls_print_grads_names_the_nodes(capsys):
    a = Value(2.0)
    outer_name = a * a
    helper_that_prints(outer_name)
    assert names_column(capsys.readouterr().out) == ["leaf#0", "inside_helper"]


def test_frames_inside_autograd_are_skipped():
    # print_grads calls grad_table, and render_steps calls backward_steps and the explorer: all of them
    # look past the package's own frames to the code that called them.
    a = Value(2.0)
    b = a * a
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        print_grads(b)
    assert names_column(printed.getvalue()) == ["a", "b"]


@pytest.mark.usefixtures("graphviz")
def test_draw_shows_variable_names():
    from autograd import draw

    first = Value(2.0)
    second = first * 3.0
    second.backward()
    source = draw(second).source
    assert "<b>first</b>" in source and "<b>second  (*)</b>" in source
    plain = draw(second, names=False).source
    assert "first" not in plain and "second" not in plain and "<b>leaf#0</b>" in plain and "<b>*</b>" in plain
    assert "<b>given</b>" in draw(second, names={first: "given"}).source


def test_backward_steps_captions_and_pictures_use_the_names(request):
    from autograd import backward_steps

    a, b = Value(2.0), Value(3.0)
    c = a * b
    frames = list(backward_steps(c))
    assert [f.caption for f in frames] == [
        "seed: c is the output, so its gradient is 1",
        "c (*) sends 3 to a and 2 to b",
    ]
    assert [f.caption for f in backward_steps(c, names=False)][1] == "“*#2” (*) sends 3 to leaf#0 and 2 to leaf#1"
    request.getfixturevalue("graphviz")

    def draw_elsewhere(frame, root):  # a frame drawn later, where other variables are in scope
        return frame.draw(root).source

    source = draw_elsewhere(frames[1], c)
    assert "<b>a</b>" in source and "<b>c  (*)</b>" in source


def test_names_are_read_when_backward_steps_is_called():
    from autograd import backward_steps

    a = Value(2.0)
    doubled = a * 2.0
    steps = backward_steps(doubled)

    def iterate_elsewhere(frames):
        other = doubled  # noqa: F841  (a variable of the frame that iterates)
        return [f.caption for f in frames]

    assert iterate_elsewhere(steps)[1] == "doubled (*) sends 2 to a"


def test_building_nodes_does_not_touch_naming(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("naming was called while building a graph")

    for name in ("node_names", "variable_names", "_caller_variables", "given_name"):
        monkeypatch.setattr(autograd.naming, name, refuse)
    node = Value(0.5)
    for _ in range(10_000):
        node = (node * 1.0001 + 0.001).tanh()
    node.backward()


def test_render_steps_pages_use_the_names(tmp_path):
    from autograd import render_steps
    from autograd.explorer.page import ELK_BUNDLE

    if not ELK_BUNDLE.is_file():
        pytest.skip("elkjs is not installed: run python3 tasks.py test")
    first, second = Value(2.0), Value(3.0)
    product = first * second
    model = page_model(render_steps(product, tmp_path))
    assert model["captions"][1] == "product (*) sends 3 to first and 2 to second"
    assert model["name"] == ["first", "second", "product"]  # the drawn nodes are named as the captions do
    plain = page_model(render_steps(product, tmp_path, names=False))
    assert "product" not in plain["name"] and "product" not in " ".join(plain["captions"])


def page_model(page) -> dict:
    found = re.search(r'<script type="application/json" id="skipgrad-graph">(.*?)</script>', page.read_text("utf-8"))
    assert found is not None
    return json.loads(found.group(1))
