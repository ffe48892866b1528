"""The backward step-through: frames, and the page render_steps writes (the explorer opened at step 0;
tests/test_explorer_browser.py steps through it in a real browser)."""

import json
import re

import pytest

from autograd import Value, backward_steps
from autograd.examples import seed_circuit
from autograd.explorer.page import ELK_BUNDLE


def test_frames_follow_reverse_topological_order_and_end_with_backwards_gradients():
    nodes = seed_circuit()
    cost = nodes["cost"]
    frames = list(backward_steps(cost))
    assert [f.caption for f in frames] == [
        "seed: cost is the output, so its gradient is 1",
        "cost (+) sends 1 to out",
        "out (*) sends 2 to r",
        "r (+) sends 2 to xy and 2 to s",
        "s (+) sends 2 to m and 2 to xy",
        "m (max) sends 2 to z and 0 to w",
        "xy (*) sends -16 to x and 12 to y",
    ]
    assert all(n.grad == 0.0 for n in nodes.values())  # the step-through does not touch grads
    cost.backward()
    last = frames[-1].grads
    assert {name: last[id(n)] for name, n in nodes.items()} == {name: n.grad for name, n in nodes.items()}
    assert frames[3].node is nodes["r"] and frames[3].edges == ((nodes["xy"], nodes["r"]), (nodes["s"], nodes["r"]))
    assert id(nodes["x"]) not in frames[5].grads  # x gets its gradient only at the last step


@pytest.mark.usefixtures("graphviz")
def test_frame_drawing_shows_only_pushed_gradients():
    nodes = seed_circuit()
    frame = list(backward_steps(nodes["cost"]))[4]
    source = frame.draw(nodes["cost"]).source
    assert "grad ?" in source  # x, y, z, w not reached yet
    assert source.count("#f97316") == 3  # s and its two edges


def test_a_single_leaf_has_just_the_seed_frame():
    frames = list(backward_steps(Value(2.0, "v")))
    assert len(frames) == 1 and frames[0].caption == "seed: v is the output, so its gradient is 1"


def page_model(page) -> dict:
    """The graph model a step-through page carries (the explorer draws it in the browser)."""
    text = page.read_text(encoding="utf-8")
    found = re.search(r'<script type="application/json" id="skipgrad-graph">(.*?)</script>', text)
    assert found is not None
    return json.loads(found.group(1))


needs_elkjs = pytest.mark.skipif(not ELK_BUNDLE.is_file(), reason="elkjs is not installed: run python3 tasks.py test")


@needs_elkjs
def test_the_page_is_the_explorer_opened_at_step_0_with_the_captions_in_order(tmp_path):
    from autograd import render_steps

    nodes = seed_circuit()
    cost = nodes["cost"]
    page = render_steps(cost, tmp_path / "steps")
    assert page == tmp_path / "steps" / "index.html"
    assert sorted(p.name for p in page.parent.iterdir()) == ["index.html"]  # one file, no pictures
    text = page.read_text(encoding="utf-8")
    assert '<meta name="generator" content="skipgrad render_steps">' in text
    assert "SkipgradExplorer.mount(" in text and "<script src" not in text and "<link" not in text
    model = page_model(page)
    frames = list(backward_steps(cost))
    assert model["captions"] == [f.caption for f in frames] and model["frame"] == 0
    assert [model["name"][i] for i in model["steps"]] == [f.node.label for f in frames]
    # the finished gradients are backward's, computed on the side: node.grad is neither read nor set
    assert all(n.grad == 0.0 for n in nodes.values())
    cost.backward()
    assert dict(zip(model["name"], model["grad"], strict=True)) == {k: n.grad for k, n in nodes.items()}


@needs_elkjs
def test_draw_options_are_refused_for_the_page_before_anything_is_written(tmp_path):
    from autograd import render_steps

    cost = seed_circuit()["cost"]
    with pytest.raises(TypeError, match=r"render_steps: collapse=, rankdir= only draw a \.gif's pictures"):
        render_steps(cost, tmp_path / "steps", rankdir="TB", collapse=None)
    with pytest.raises(ValueError, match="max_nodes"):
        render_steps(cost, tmp_path / "steps", max_nodes=0)
    with pytest.raises(TypeError, match="expected a Value"):
        render_steps(3.0, tmp_path / "steps")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="names"):
        render_steps(cost, tmp_path / "steps", names="yes")  # type: ignore[arg-type]
    assert list(tmp_path.iterdir()) == []


@needs_elkjs
def test_a_graph_above_max_nodes_is_refused_and_max_nodes_can_be_raised(tmp_path):
    from autograd import GraphTooLargeError, render_steps

    total = Value(0.0, "start")
    for k in range(150):
        total = total + Value(float(k)) * 0.5
    with pytest.raises(GraphTooLargeError, match="more than 200 nodes to step through.*raise max_nodes"):
        render_steps(total, tmp_path / "steps")
    assert list(tmp_path.iterdir()) == []
    model = page_model(render_steps(total, tmp_path / "steps", max_nodes=1000, names=False))
    captions = [f.caption for f in backward_steps(total, names=False, max_nodes=1000)]
    assert len(captions) == 301 and model["captions"] == captions


@pytest.mark.slow
@pytest.mark.usefixtures("dot")
def test_notebook_slider_has_one_position_per_frame():
    pytest.importorskip("ipywidgets")
    from autograd.steps import step_widget

    nodes = seed_circuit()
    widget = step_widget(nodes["cost"])
    slider = widget.children[0]
    assert (slider.min, slider.max, slider.value) == (0, 6, 0)


def test_captions_quote_names_that_are_not_one_word():
    x, y = Value(3.0, "x"), Value(-4.0, "y")
    product = x * y
    product.label = "x * y"
    captions = [f.caption for f in backward_steps(product)]
    assert captions == ["seed: “x * y” is the output, so its gradient is 1", "“x * y” (*) sends -4 to x and 3 to y"]


OLD_PAGE = (
    '<html><head><meta name="generator" content="skipgrad render_steps">'
    '<meta name="skipgrad-frames" content="7"></head></html>'
)


@needs_elkjs
def test_writing_again_replaces_the_page_and_removes_an_earlier_versions_pictures_only(tmp_path):
    from autograd import explore, render_steps

    folder = tmp_path / "steps"
    folder.mkdir()
    (folder / "index.html").write_text(OLD_PAGE)  # a picture page, as render_steps wrote them before
    for i in range(7):
        (folder / f"step_{i:03d}.svg").write_text("<svg/>")
    (folder / "notes.txt").write_text("mine")
    (folder / "step_100.svg").write_text("not written by render_steps")
    a = Value(2.0, "a")
    render_steps(a * 3.0, folder)
    assert sorted(p.name for p in folder.iterdir()) == ["index.html", "notes.txt", "step_100.svg"]
    assert len(page_model(render_steps(seed_circuit()["cost"], folder))["captions"]) == 7  # and again
    for foreign in ("<html>someone else's page</html>", None):
        other = tmp_path / f"site{foreign is None}"
        other.mkdir()
        if foreign is None:  # the explorer's own page is not render_steps's either
            explore(a * 3.0).save(other / "index.html")
        else:
            (other / "index.html").write_text(foreign)
        before = (other / "index.html").read_text()
        with pytest.raises(FileExistsError, match="not written by render_steps"):
            render_steps(a * 3.0, other)
        assert (other / "index.html").read_text() == before and len(list(other.iterdir())) == 1


def test_each_frame_names_its_nodes_as_its_caption_does(graphviz):
    a, b = Value(2.0, "a"), Value(3.0, "b")
    root = (a * b + a).tanh()
    for frame in backward_steps(root, names=False):
        headings = re.findall(r"<b>(.*?)</b>", frame.draw(root).source)
        named_in_caption = re.findall(r"“([^”]+)”|(\w+#\d+)", frame.caption)
        for quoted, bare in named_in_caption:
            assert any(h.startswith(f"{quoted or bare}  (") for h in headings), (frame.caption, headings)
