"""The explorer's data, checked against the engine: names as grad_table's, edges as the chain rule,
steps as backward_steps, boxes and skip paths as the pictures', and refusals before any walk."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

import autograd.explorer.model as model_module
from autograd import Value, backward_steps, grad_table, topological_order
from autograd.explorer import explore
from autograd.explorer.model import graph_model
from autograd.explorer.page import ELK_BUNDLE, ELK_VERSION, explorer_script, html_page, model_json
from autograd.limits import GraphTooLargeError
from tests import explorer_graphs as graphs

ROOT = Path(__file__).resolve().parents[1]
pytest.importorskip("graphviz")  # boxes and skip paths are read by drawing's readers of roles


@pytest.mark.parametrize("make", [graphs.seed, lambda: graphs.small_mlp()[0], graphs.residual])
def test_names_are_grad_tables_and_numbers_are_the_nodes(make):
    root = make()
    model = graph_model(root, names=False)
    rows = graphs.grad_table_rows(grad_table(root, names=False))
    order = topological_order(root)
    assert model["name"] == list(rows)  # the same names in the same (topological) order
    assert model["data"] == [n.data for n in order] and model["grad"] == [n.grad for n in order]
    assert model["root"] == len(order) - 1 and model["kind"][-1] == 3


def test_names_from_the_callers_variables_as_in_grad_table():
    a, b = Value(2.0), Value(3.0)
    product = a * b
    total = product + a
    total.backward()
    model = graph_model(total)
    assert model["name"] == list(graphs.grad_table_rows(grad_table(total)))
    assert {"a", "b", "product", "total"} <= set(model["name"])


@pytest.mark.parametrize("make", [graphs.seed, lambda: graphs.small_mlp()[0], graphs.residual])
def test_edges_are_the_children_and_carry_local_times_the_parents_grad(make):
    root = make()
    model = graph_model(root, names=False)
    order = topological_order(root)
    index = {id(n): i for i, n in enumerate(order)}
    expected = [(index[id(c)], i) for i, n in enumerate(order) for c in n.children]
    assert list(zip(model["src"], model["dst"], strict=True)) == expected
    # The chain rule: each node's grad is the sum of what its consumers send back (local x their grad).
    sums = [0.0] * len(order)
    for s, d, local in zip(model["src"], model["dst"], model["local"], strict=True):
        sums[s] += local * model["grad"][d]
    for i, node in enumerate(order):
        if node is not root:
            assert sums[i] == pytest.approx(node.grad, rel=1e-12, abs=1e-12), model["name"][i]


@pytest.mark.parametrize("make", [graphs.seed, lambda: graphs.small_mlp()[0]])
def test_steps_are_backward_steps(make):
    root = make()
    model = graph_model(root, names=False)
    index = {id(n): i for i, n in enumerate(topological_order(root))}
    assert model["steps"] == [index[id(f.node)] for f in backward_steps(root, names=False)]


def test_skip_paths_and_boxes_as_the_pictures_find_them():
    from autograd.structure import on_skip_path, value_inputs

    root = graphs.residual()
    model = graph_model(root, names=False)
    order = topological_order(root)
    flags = [on_skip_path(n, c, p) for n in order for c, _, p in value_inputs(n)]
    assert model["skip"] == [e for e, flag in enumerate(flags) if flag] and model["skip"]
    assert any(model["boxes"]["residual"])
    parents = model["boxes"]["parent"]
    assert all(p < b for b, p in enumerate(parents))  # parents come first
    for i, node in enumerate(order):
        box = model["box"][i]
        if box >= 0:
            group = node.role.group  # named as in pictures: an unnamed group by its class
            assert model["boxes"]["name"][box] == (group.qualified_name or group.title)


def test_optimizer_state_of_the_parameters():
    loss, adam = graphs.small_mlp()
    model = graph_model(loss, names=False, optimizer=adam)
    state = model["optimizer"]
    assert state["type"] == "Adam" and set(state["fields"]) == {"m", "v"} and len(state["node"]) == len(adam.params)
    order = topological_order(loss)
    first = order[state["node"][0]]
    assert first is adam.params[0] and state["fields"]["m"][0] == adam.m[0]


def test_a_huge_graph_is_refused_before_it_is_walked(monkeypatch):
    chain = Value(1.0)
    for _ in range(300):
        chain = chain + 1.0

    def no_walk(*_args, **_kwargs):
        raise AssertionError("the graph was walked in full before the refusal")

    monkeypatch.setattr(model_module, "topological_order", no_walk)
    with pytest.raises(GraphTooLargeError, match="max_nodes=100"):
        explore(chain, max_nodes=100)


def test_not_a_value_is_a_type_error():
    with pytest.raises(TypeError, match=r"expected a Value, got list; for several outputs, explore their sum"):
        explore([Value(1.0)])  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"expected a Value, got int$"):
        explore(3)  # type: ignore[arg-type]


def test_the_json_is_compact_and_safe_in_a_script_element():
    x = Value(1.0, "</script><b>")
    y = x * 2.0
    y.backward()
    text = model_json(graph_model(y))
    assert "</script" not in text and json.loads(text)["name"][0] == "</script><b>"
    assert ": " not in text and ", " not in text


def test_the_elkjs_version_is_the_one_tasks_py_installs():
    tasks = (ROOT / "tasks.py").read_text()
    assert f'ELKJS = "elkjs@{ELK_VERSION}"' in tasks


@pytest.mark.skipif(not ELK_BUNDLE.is_file(), reason="elkjs is not installed: run python3 tasks.py test")
def test_the_page_is_one_file_that_asks_for_nothing(tmp_path):
    root = graphs.seed()
    page = html_page(graph_model(root))
    assert re.search(r"<(script|img|link|iframe)[^>]*\b(src|href)=", page) is None
    ours = explorer_script()
    assert not re.search(r"\b(fetch|XMLHttpRequest|importScripts|WebSocket|EventSource)\b|https?:", ours)
    assert "default-src 'none'" in page  # the page's policy forbids every request
    assert all(part in ours for part in ("function formatG", "function visible", "class Explorer", "showPanel("))
    path = explore(root).save(tmp_path / "seed.html")
    assert path.read_text(encoding="utf-8").count('id="skipgrad-graph"') == 1


def test_a_missing_layout_library_says_how_to_install_it(monkeypatch, tmp_path):
    import autograd.explorer.page as page_module

    monkeypatch.setattr(page_module, "ELK_BUNDLE", tmp_path / "nowhere.js")
    with pytest.raises(page_module.LayoutLibraryMissing, match="python3 tasks.py test"):
        explore(graphs.seed()).save(tmp_path / "g.html")
    assert not (tmp_path / "g.html").exists()


@pytest.mark.slow
def test_the_gpt_pictures_residual_addition_sums_the_skip_and_the_mlp_branch():
    """What README says of docs/explorer_gpt_block.png (made by docs/make_explorer_picture.py): in one
    training step of the default GPT, the first block0.attn_add0 gets its gradient back along three
    edges from block0.norm2 and one, of local derivative 1 on a skip path, from block0.mlp_add0."""
    from nn import GPT, Characters, names

    chars = Characters(names())
    loss = GPT(chars.vocab_size, seed=0).loss(chars.encode("olivia"))
    loss.backward()
    m = graph_model(loss, names=False)
    node = m["name"].index("block0.attn_add0")
    out = [e for e in range(len(m["src"])) if m["src"][e] == node]
    consumers = sorted((m["name"][m["dst"][e]], m["local"][e], e in set(m["skip"])) for e in out)
    assert [c[0] for c in consumers] == ["block0.mlp_add0"] + ["block0.norm2"] * 3
    assert consumers[0][1:] == (1.0, True) and not any(skip for _, _, skip in consumers[1:])
    assert m["boxes"]["name"][m["box"][node]] == "block0" and m["boxes"]["residual"][m["box"][node]] == 1


@pytest.mark.slow  # builds the default GPT's step and its plain-ops twin (about 10 s)
def test_the_readmes_sizes_of_the_gpt_steps(tmp_path: Path) -> None:
    """README: one default GPT step is 7,605 nodes and 55,322 edges and saves as a 3.8 MB file; its
    plain-ops twin is 57,571 nodes (the graphs that benchmarks/explorer.py times)."""
    if not ELK_BUNDLE.is_file():
        pytest.skip("elkjs is not installed (python3 tasks.py test installs it)")
    from benchmarks import gpt
    from nn import GPT, Characters, names

    chars = Characters(names())
    tokens = chars.encode("olivia")
    loss = GPT(chars.vocab_size, seed=0).loss(tokens)
    loss.backward()
    explorer = explore(loss, names=False)
    assert (explorer.nodes, len(explorer.model["src"])) == (7605, 55322)
    assert f"{explorer.save(tmp_path / 'gpt.html').stat().st_size / 1e6:.1f}" == "3.8"
    plain = gpt.skipgrad_plain_step(gpt.draw_weights(chars.vocab_size, seed=1337), tokens).forward()
    plain.backward()
    assert explore(plain, names=False).nodes == 57571
