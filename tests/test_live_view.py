"""fit(live=True): in a real (headless) Jupyter kernel, one figure output replaced in place; outside
Jupyter the progress bar with a one-time note; without matplotlib an ImportError that says what to install."""

import io
import sys
from pathlib import Path

import pytest

import nn.train
from nn import MLP, fit, make_moons

ROOT = Path(__file__).resolve().parents[1]
DISPLAY = {"display_data", "update_display_data", "execute_result"}

LIVE_CELL = """\
X, y = make_moons(40, noise=0.1, seed=0)
history = fit(MLP(2, [8, 1], seed=0), X, y, steps=30, live=True, live_every=10)
assert len(history.loss) == 30
"""
# The wrong way, for the check to reject: a new display for every redraw.
REDISPLAY_CELL = """\
from IPython.display import display
for step in (1, 10, 20, 30):
    display({"image/png": PNG, "text/plain": f"step {step}/30"}, raw=True, display_id=True)
"""
# A 1x1 PNG
PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="


def run_headless(sources):
    """Execute cells in a fresh kernel; returns the executed notebook and, per cell, the display messages
    (type and display id) in the order the kernel sent them."""
    nbformat = pytest.importorskip("nbformat")
    pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    pytest.importorskip("matplotlib")
    from nbclient import NotebookClient

    class Recording(NotebookClient):
        def process_message(self, msg, cell, cell_index):
            if msg["msg_type"] in DISPLAY:
                transient = msg["content"].get("transient") or {}
                messages.setdefault(cell_index, []).append((msg["msg_type"], transient.get("display_id")))
            return super().process_message(msg, cell, cell_index)

    messages: dict[int, list] = {}
    # the kernel imports this checkout's nn, not whatever nn the environment has installed
    first = f"import sys\nsys.path.insert(0, {str(ROOT)!r})\nfrom nn import MLP, fit, make_moons\nPNG = {PNG!r}"
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in [first, *sources]])
    Recording(nb, kernel_name="python3", timeout=120).execute()
    return nb, messages


def live_figure(cell, messages):
    """The one figure output of a cell and the number of times it was replaced in place; fails the test
    when the cell added more than one display or replaced a display it did not make."""
    shown = [m for m in messages if m[0] == "display_data"]
    updates = [m for m in messages if m[0] == "update_display_data"]
    outputs = [o for o in cell.outputs if o.output_type in ("display_data", "execute_result")]
    assert len(shown) == 1 and len(outputs) == 1, f"{len(shown)} displays, {len(outputs)} outputs: the figure grew"
    assert "image/png" in outputs[0].data
    display_id = shown[0][1]
    assert display_id and all(m[1] == display_id for m in updates)
    return outputs[0], len(updates)


@pytest.mark.slow
def test_live_view_redraws_one_figure_in_place_in_a_headless_kernel():
    nb, messages = run_headless([LIVE_CELL, REDISPLAY_CELL])
    live = nb.cells[1]
    assert not [o for o in live.outputs if o.output_type == "stream" and o.name == "stderr"]  # no progress bar
    figure, updates = live_figure(live, messages[1])
    # drawn at steps 1, 10, 20 and 30: one display, then three updates of it
    assert updates == 3
    assert figure.data["text/plain"].startswith("step 30/30: loss ")  # the stored figure is the last one
    assert all(o.output_type != "error" for o in live.outputs)
    # the check rejects a figure displayed anew for every redraw
    with pytest.raises(AssertionError, match="the figure grew"):
        live_figure(nb.cells[2], messages[2])


def test_live_outside_jupyter_notes_it_once_and_shows_the_progress_bar(monkeypatch):
    pytest.importorskip("tqdm")
    monkeypatch.setattr(nn.train, "_noted_live_outside_jupyter", False)
    err = io.StringIO()
    monkeypatch.setattr("sys.stderr", err)
    X, y = make_moons(10, seed=0)
    fit(MLP(2, [4, 1], seed=0), X, y, steps=3, live=True)
    fit(MLP(2, [4, 1], seed=0), X, y, steps=3, live=True)
    text = err.getvalue()
    assert text.count("needs Jupyter") == 1
    assert text.count("3/3") == 2  # both runs still show the bar


def test_live_with_progress_false_outside_jupyter_is_silent_after_the_note(monkeypatch):
    monkeypatch.setattr(nn.train, "_noted_live_outside_jupyter", True)
    err = io.StringIO()
    monkeypatch.setattr("sys.stderr", err)
    X, y = make_moons(10, seed=0)
    history = fit(MLP(2, [4, 1], seed=0), X, y, steps=2, live=True, progress=False)
    assert len(history.loss) == 2 and err.getvalue() == ""


def test_live_without_matplotlib_says_what_to_install(monkeypatch):
    monkeypatch.setattr(nn.train, "_in_notebook", lambda: True)
    for name in [m for m in sys.modules if m == "matplotlib" or m.startswith("matplotlib.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import matplotlib raises ImportError
    X, y = make_moons(10, seed=0)
    with pytest.raises(ImportError, match=r"pip install 'skipgrad\[plot\]'"):
        fit(MLP(2, [4, 1], seed=0), X, y, steps=2, live=True)


def test_live_every_must_be_positive():
    X, y = make_moons(10, seed=0)
    with pytest.raises(ValueError, match="live_every"):
        fit(MLP(2, [4, 1], seed=0), X, y, steps=2, live=True, live_every=0)


@pytest.mark.slow
def test_the_view_draws_several_classes_and_inputs_that_are_not_2d(monkeypatch):
    """Without a kernel: the drawing itself, for cross_entropy on spirals and for 3-D inputs."""
    pytest.importorskip("matplotlib")
    pytest.importorskip("IPython")
    from nn import make_spirals
    from nn.live import LiveView

    shown = []

    class Handle:
        def update(self, bundle, **kw):
            shown.append(bundle)

    def display(bundle, **kw):
        shown.append(bundle)
        return Handle()

    monkeypatch.setattr("IPython.display.display", display)

    X, y = make_spirals(30, classes=3, seed=0)
    history = nn.train.History(loss=[1.2, 1.0], accuracy=[0.3, 0.5])
    view = LiveView(MLP(2, [4, 3], seed=0), X, y, loss="cross_entropy", steps=2, grid=8)
    view.update(1, history)
    view.update(2, history)
    assert len(shown) == 2 and shown[-1]["text/plain"] == "step 2/2: loss 1.0000, accuracy 50%"
    flat = LiveView(MLP(3, [4, 1], seed=0), [[0.0, 1.0, 2.0]], [1], loss="mse", steps=1)
    flat.update(1, nn.train.History(loss=[0.5], accuracy=[float("nan")]))
    assert len(flat.axes) == 2 and shown[-1]["text/plain"] == "step 1/1: loss 0.5000"
