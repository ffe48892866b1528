"""Pictures that never hang and never lie: long sums, sizes refused before any work,
step-throughs in memory that grows with the graph, GIF frames of one size, truthful residual frames
and legends, readable models by default. Tests that run `dot` are slow."""

import json
import re
import tracemalloc

import pytest

pytest.importorskip("graphviz")

from autograd import GraphTooLargeError, Value, backward_steps, draw, render, render_steps, sum_of  # noqa: E402
from nn import GPT, MLP, ResidualBlock, TransformerBlock, plain_and_residual  # noqa: E402
from nn.examples import residual_block_example  # noqa: E402

PURPLE = "#7c3aed"


def long_sum(n):
    x = Value(1.0, "x")
    s = x
    for _ in range(n - 1):
        s = s + x
    s.backward()
    return s


def chain(n):
    y = Value(0.5, "x")
    for _ in range(n - 1):
        y = y * 1.001
    y.backward()
    return y


def fan(n):
    """x feeds n - 2 nodes that one sum adds up: n nodes."""
    x = Value(0.5, "x")
    out = sum_of([x * (1.0 + i / n) for i in range(n - 2)])
    out.backward()
    return out


def test_a_long_sum_is_drawn_as_one_node_with_one_edge_saying_how_many():
    source = draw(long_sum(100), names=False).source
    assert source.count("->") == 1  # x -> the sum, once, instead of 100 edges across the whole chain
    assert "Σ of 100 terms: 99 additions drawn as one" in source
    assert "×100" in source and "100 × 1" in source and "grad 100<" in source
    short = draw(long_sum(5), names=False).source  # a short chain is drawn node by node, as written
    assert short.count("->") == 8 and "Σ of" not in short


def test_long_names_and_long_sums_of_edges_are_cut_with_the_whole_text_in_the_tooltip():
    text = " + ".join(["x"] * 100)  # what the command line labels a node of a 100-term sum with
    x = Value(1.0, "x")
    y = Value(2.0, text) * x
    a = Value(3.0, "a")
    fanned = sum_of([a * float(i) for i in range(10)])
    for root in (y, fanned):
        root.backward()
    source = draw(y).source
    assert f'tooltip="{text}"' in source and "<b>x + x + x + x  …  x + x + x + x</b>" in source
    assert max(len(line) for line in source.splitlines() if "tooltip" not in line) < 400
    sums = draw(fanned).source
    assert "grad 45 = 0 + 1 + 2 + 3 + … (10 edges)" in sums and "0 + 1 + 2 + 3 + 4 + 5 + 6 + 7 + 8 + 9" in sums


@pytest.mark.slow
@pytest.mark.usefixtures("dot")
@pytest.mark.parametrize("terms", [10, 100, 300])
def test_sums_of_many_terms_render(tmp_path, terms):
    for fmt in ("svg", "png"):
        assert render(long_sum(terms), tmp_path / f"sum.{fmt}", names=False).stat().st_size > 500


@pytest.mark.slow
@pytest.mark.usefixtures("dot")
@pytest.mark.parametrize("shape", [chain, fan])
def test_chains_and_fans_of_max_nodes_render(tmp_path, shape):
    root = shape(1000)
    assert render(root, tmp_path / "g.svg", names=False).stat().st_size > 1000


def test_a_large_graph_is_refused_before_any_work_that_grows_with_it():
    big = Value(1.0)
    for _ in range(5000):
        big = big + 1.0
    with pytest.raises(GraphTooLargeError, match="more than 1000 nodes to draw"):
        draw(big, collapse=None)
    with pytest.raises(GraphTooLargeError, match="more than 200 nodes to step through"):
        render_steps(big, "never-written")
    with pytest.raises(GraphTooLargeError, match="more than 1000 nodes to step through"):
        next(backward_steps(big))  # before the first frame
    with pytest.raises(GraphTooLargeError, match="more than 1000 nodes, more than 100 x max_nodes=10"):
        draw(big, max_nodes=10, collapse=1)


@pytest.mark.slow
def test_refusing_a_graph_of_400000_nodes_walks_only_to_the_limit():
    big = Value(1.0)
    for _ in range(400_000):
        big = big + 1.0
    tracemalloc.start()
    try:
        for refused in (lambda: draw(big), lambda: render(big, "never.png"), lambda: render_steps(big, "never")):
            with pytest.raises(GraphTooLargeError, match="more than"):
                refused()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 30_000_000  # the walk's set of ids up to 100,000 nodes, not a picture of 400,000


@pytest.mark.slow
def test_all_the_frames_of_a_step_through_take_memory_growing_with_the_graph():
    root = chain(1500)
    tracemalloc.start()
    try:
        frames = list(backward_steps(root, max_nodes=2000))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(frames) == 1500 and frames[700].grads[id(frames[700].node)] == pytest.approx(1.001**699)
    assert peak < 5_000_000  # a copy of every gradient per frame was 1500 x 1500 / 2 entries (over 50 MB)


def gif_frame_boxes(path):
    from PIL import Image

    with Image.open(path) as gif:
        boxes = []
        for k in range(gif.n_frames):
            gif.seek(k)
            boxes.append(gif.tile[0][1] if gif.tile else (0, 0) + gif.size)
        return gif.size, boxes


@pytest.mark.slow
@pytest.mark.usefixtures("dot")
def test_every_gif_frame_has_the_canvas_size(tmp_path):
    pytest.importorskip("PIL")
    from autograd import render_animation

    block = TransformerBlock(2, 1, seed=0)
    gpt_block = sum_of(block([[1.0, -1.0]])[0])
    gpt_block.backward()
    for root, dpi in ((residual_block_example()[0], 72), (gpt_block, 20)):  # 12 and 56 frames
        (width, height), boxes = gif_frame_boxes(render_animation(root, tmp_path / "a.gif", dpi=dpi))
        assert boxes[0] == (0, 0, width, height)
        assert all(0 <= left and 0 <= top and right <= width and bottom <= height for left, top, right, bottom in boxes)


def test_the_plain_twin_is_not_drawn_as_residual():
    assert not ResidualBlock(2, shortcut="none").residual and ResidualBlock(2).residual
    assert not TransformerBlock(4, 2, residual=False).residual and TransformerBlock(4, 2).residual
    plain, residual = plain_and_residual(2, 3, 2, seed=0)
    pictures = {}
    for name, model in (("plain", plain), ("residual", residual)):
        out = model([0.5, -1.0])
        out.backward()
        pictures[name] = draw(out, legend=True, collapse=None).source
    assert PURPLE not in pictures["plain"] and "skip path" not in pictures["plain"]
    assert pictures["residual"].count(f'color="{PURPLE}"') > 2 and "skip path" in pictures["residual"]
    gpt = GPT(5, block_size=4, n_embd=4, n_head=2, residual=False, seed=0)
    loss = gpt.loss([4, 1])
    loss.backward()
    assert PURPLE not in draw(loss, legend=True, collapse=None).source


def test_collapsed_boxes_leave_room_for_their_title():
    model = MLP(2, [3, 1], seed=0)
    out = model([1.0, -1.0])
    out.backward()
    boxes = [line for line in draw(out, collapse=1).source.splitlines() if "box3d" in line]
    assert len(boxes) == 2 and all('margin="0.15,0.1"' in line for line in boxes)


@pytest.mark.slow
@pytest.mark.usefixtures("dot")
def test_weights_sit_in_order_inside_their_neuron():
    model = MLP(2, [16, 16, 1], seed=1337)
    out = model([0.5, -1.0])
    out.backward()
    layout = json.loads(draw(out, collapse=None).pipe(format="json"))
    objects = {o["_gvid"]: o for o in layout["objects"]}
    neurons = [o for o in layout["objects"] if "nodes" in o and o.get("label") in ("n0", "n3", "n15")]
    assert len(neurons) >= 4
    for neuron in neurons:
        weights = []
        for member in (objects[i] for i in neuron["nodes"]):
            found = re.search(r"<b>(w\d+|b)</b>", member.get("label", ""))
            if found and "pos" in member:
                weights.append((-float(member["pos"].split(",")[1]), found.group(1)))
        expected = [f"w{i}" for i in range(len(weights) - 1)] + ["b"]
        assert [w for _, w in sorted(weights)] == expected  # top to bottom: w0, w1, ..., b


def test_a_highlight_not_in_the_graph_is_refused_by_name():
    a, b = Value(1.0, "a"), Value(2.0, "b")
    c = a * b
    stranger = Value(3.0, "stranger")
    with pytest.raises(ValueError, match="the node 'stranger' is not in this graph"):
        draw(c, highlight=[stranger])
    with pytest.raises(ValueError, match=r"\('c', 'a'\) is not an edge of this graph"):
        c.label = "c"
        draw(c, highlight=[(c, a)])  # reversed: edges are (child, parent)


def test_a_model_is_readable_by_default():
    model = MLP(2, [16, 16, 1], seed=1337)
    out = model([0.5, -1.0])
    out.backward()
    source = draw(out).source
    shown = [line for line in source.splitlines() if re.match(r'\t("?m_|n\d+ )', line) and "->" not in line]
    assert 30 <= len(shown) <= 150  # one box per neuron instead of 402 nodes


def default_gpt_loss():
    from nn import Characters, names

    chars = Characters(names())
    model = GPT(chars.vocab_size, seed=0)
    loss = model.loss(chars.encode("emma"))
    loss.backward()
    return loss


@pytest.mark.slow
def test_the_default_gpt_is_drawn_as_its_residual_stream():
    source = draw(default_gpt_loss()).source
    shown = [line for line in source.splitlines() if re.match(r'\t("?m_|n\d+ )', line) and "->" not in line]
    assert len(shown) == 19  # as the README and notebook 08 say
    # the stream: embedding + -> attention's additions -> the MLP's additions, in purple
    stream = [line for line in source.splitlines() if "->" in line and PURPLE in line]
    assert [re.findall(r'"?(m_[^" ]+)"?', line)[:2] for line in stream] == [
        ["m_+#1", "m_block0.+#2"],
        ["m_block0.+#2", "m_block0.+#3"],
    ]
    assert '"m_block0.attn" -> "m_block0.+#2"' in source and '"m_block0.mlp" -> "m_block0.+#3"' in source
    assert "rankdir=TB" in source  # a pipeline of 20 boxes is scrolled down, not across


@pytest.mark.slow
@pytest.mark.usefixtures("dot")
def test_the_default_pictures_of_models_fit_a_screen_across(tmp_path):
    from PIL import Image

    model = MLP(2, [16, 16, 1], seed=1337)
    out = model([0.5, -1.0])
    out.backward()
    for root, name in ((out, "mlp"), (default_gpt_loss(), "gpt")):
        with Image.open(render(root, tmp_path / f"{name}.png")) as picture:
            width, height = picture.size
        assert width <= 1000 and height <= 2600, (name, picture.size)  # was 2012 x 32767 for the MLP
        about = {"mlp": (780, 1760), "gpt": (890, 2460)}[name]  # as the README says
        close = [abs(got - said) <= 0.05 * said for got, said in zip((width, height), about, strict=True)]
        assert all(close), (name, picture.size)


def long_product(n):
    x = Value(1.0001, "x")
    p = x
    for _ in range(n - 1):
        p = p * x
    p.backward()
    return p


def test_edges_across_a_long_chain_start_from_stand_ins_next_to_where_they_end():
    source = draw(long_product(100), names=False).source
    stand_ins = [line for line in source.splitlines() if "dashed" in line and "↗" in line]
    assert len(stand_ins) > 80 and all("<b>" not in line and "x  ↗" in line for line in stand_ins)
    short = draw(long_product(5), names=False).source
    assert "↗" not in short  # a short chain draws every edge from x itself


@pytest.mark.slow
@pytest.mark.usefixtures("dot")
@pytest.mark.parametrize("terms", [100, 300, 1000])
def test_long_products_of_one_node_render(tmp_path, terms):
    assert render(long_product(terms), tmp_path / "p.png", names=False).stat().st_size > 500
