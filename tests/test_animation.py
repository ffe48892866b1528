"""render_animation: one GIF frame per backward step, every node in the same place on every frame."""

import json
import sys

import pytest

pytest.importorskip("graphviz")  # the imports below need it (and Pillow); `dot` is the fixture's job
PIL = pytest.importorskip("PIL")
from PIL import Image, ImageChops  # noqa: E402

from autograd import Value  # noqa: E402
from autograd.animation import _layout, _pinned, render_animation  # noqa: E402
from autograd.drawing import DotNotFoundError  # noqa: E402
from autograd.examples import seed_circuit  # noqa: E402
from autograd.steps import backward_steps  # noqa: E402


def draws_frames(test):
    """The test draws frames with Graphviz's `dot` (and neato): it needs them and takes a second or so."""
    return pytest.mark.slow(pytest.mark.usefixtures("dot")(test))


def circuit():
    return seed_circuit()["cost"]


def frames_of(path):
    with Image.open(path) as gif:
        frames = []
        for k in range(gif.n_frames):
            gif.seek(k)
            frames.append((gif.convert("RGB"), gif.info["duration"]))
        return frames


@draws_frames
def test_one_frame_per_step_and_the_last_one_held(tmp_path):
    root = circuit()
    path = render_animation(root, tmp_path / "backward.gif", fps=2.0, hold_last=3.0)
    frames = frames_of(path)
    assert len(frames) == len(list(backward_steps(root))) == 7
    assert [d for _, d in frames] == [500] * 6 + [3000]  # held by its duration, not by repeated frames
    assert len({picture.size for picture, _ in frames}) == 1
    with Image.open(path) as gif:
        assert gif.info["loop"] == 0  # forever
    assert path.stat().st_size < 500_000


@draws_frames
def test_the_last_frame_is_never_shorter_than_the_others(tmp_path):
    frames = frames_of(render_animation(circuit(), tmp_path / "a.gif", fps=0.5, hold_last=0))
    assert [d for _, d in frames] == [2000] * 7


@draws_frames
def test_nodes_do_not_move(tmp_path):
    """Pixels: the upper half of every node box (its name and value, which no step changes) is the
    same in every frame, at the place the shared layout gives it; only the gradient lines, the edge
    labels and the highlights change."""
    root = circuit()
    frames = [picture for picture, _ in frames_of(render_animation(root, tmp_path / "a.gif", captions=False))]
    assert ImageChops.difference(frames[0], frames[-1]).getbbox() is not None  # the gradients appear
    layout = _layout([f.draw(root) for f in backward_steps(root)])
    top = float(layout["bb"].split(",")[3])
    pad = 4  # graphviz's margin around the picture, in points; at 72 dpi a point is a pixel
    boxes = [o for o in layout["objects"] if not o["name"].endswith("c")]  # n0..n9, not the plain numbers
    assert len(boxes) == 10
    for node in boxes:
        x, y = (float(v) for v in node["pos"].split(","))
        half_w, half_h = 72 * float(node["width"]) / 2, 72 * float(node["height"]) / 2
        left, upper = round(x - half_w + 5 + pad), round(top - y - half_h + 5 + pad)
        area = (left, upper, round(x + half_w - 5 + pad), round(top - y + pad))
        crops = [picture.crop(area).tobytes() for picture in frames]
        assert all(crop == crops[-1] for crop in crops), node["name"]
        assert frames[-1].crop(area).getextrema() != ((255, 255),) * 3  # something is drawn there


@draws_frames
def test_every_frame_has_the_positions_of_the_shared_layout():
    """Read back where neato -n2 put each node and edge label on every frame: always the same place,
    although dot alone places the first and the last frame differently."""
    root = circuit()
    drawings = [f.draw(root) for f in backward_steps(root)]
    layout = _layout(drawings)
    placed = []
    for drawing in drawings:
        out = json.loads(_pinned(drawing, layout, 72).pipe(format="json", neato_no_op=2))
        nodes = {o["name"]: o["pos"] for o in out["objects"]}
        labels = sorted(e.get("lp", "") for e in out["edges"])
        placed.append((nodes, labels, out["bb"]))
    assert all(p == placed[-1] for p in placed)
    free = [json.loads(d.pipe(format="json")) for d in (drawings[0], drawings[-1])]
    assert [{o["name"]: o["pos"] for o in f["objects"]} for f in free][0] != placed[0][0]


@draws_frames
def test_clusters_parallel_edges_and_captions(tmp_path):
    from nn.examples import residual_block_example

    loss, _ = residual_block_example()
    frames = frames_of(render_animation(loss, tmp_path / "block.gif", title="a residual block", dpi=40))
    assert len(frames) == len(list(backward_steps(loss)))
    a = Value(2.0, "a")
    square = a * a  # two edges between the same two nodes
    assert len(frames_of(render_animation(square, tmp_path / "square.gif"))) == 2


def test_unknown_extension_and_bad_options(tmp_path):
    with pytest.raises(ValueError, match=r"\.gif"):
        render_animation(circuit(), tmp_path / "backward.mp4")
    with pytest.raises(ValueError, match="fps"):
        render_animation(circuit(), tmp_path / "a.gif", fps=0)
    with pytest.raises(ValueError, match="hold_last"):
        render_animation(circuit(), tmp_path / "a.gif", hold_last=-1)
    assert not list(tmp_path.iterdir())


def test_missing_dot_says_what_to_install(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(DotNotFoundError, match="apt-get install graphviz"):
        render_animation(circuit(), tmp_path / "a.gif")


def test_missing_pillow_says_what_to_install(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "PIL", None)
    with pytest.raises(ImportError, match=r"pip install 'skipgrad\[viz\]'"):
        render_animation(circuit(), tmp_path / "a.gif")


@draws_frames
def test_render_steps_writes_a_gif_for_a_gif_path(tmp_path):
    from autograd import render_steps

    cost = seed_circuit()["cost"]
    path = render_steps(cost, tmp_path / "backward.gif", fps=2)
    with Image.open(path) as gif:
        assert gif.n_frames == len(list(backward_steps(cost)))
