"""The backward pass one step at a time: frames for a slide show, an HTML page, or a notebook slider.
Computes gradients on the side (node.grad is not touched); drawing is imported only to render."""

from __future__ import annotations

import html
import json
import re
import shutil
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from . import checks
from .limits import DEFAULT_MAX_NODES, DEFAULT_MAX_STEP_NODES, check_max_nodes, refuse_above
from .naming import Names, node_names, number, variable_names
from .value import Value, topological_order


class _Log:
    """What a step-through has done so far, shared by its frames: each gradient as it changed, and
    the nodes in the order they sent theirs. A frame keeps only how far into the log it is, so that
    all the frames of a graph of n nodes take memory growing with n, not n squared."""

    __slots__ = ("changes", "pushed")

    def __init__(self) -> None:
        self.changes: list[tuple[int, float]] = []  # (id(node), its gradient after the change)
        self.pushed: list[int] = []


@dataclass(frozen=True)
class Frame:
    """One step of backward: `node` pushes its gradient into `edges` (child, node); `grads` holds
    every gradient known after this step and `pushed` the nodes that have sent theirs, by id(node)
    (both made from the step-through's log when asked for). `names` holds the names the
    step-through gave from variables (or from `names={...}`), so that the picture of a frame names
    its nodes as its caption does."""

    index: int
    node: Value
    edges: tuple[tuple[Value, Value], ...]
    caption: str
    names: Mapping[Value, str] | None = field(default=None, repr=False, compare=False)
    _log: _Log = field(default_factory=_Log, repr=False, compare=False)
    _changes: int = field(default=0, repr=False)
    _pushed: int = field(default=0, repr=False)

    @property
    def grads(self) -> dict[int, float]:
        """id(node) -> its gradient after this step, for every node that has one so far."""
        return dict(self._log.changes[: self._changes])

    @property
    def pushed(self) -> frozenset[int]:
        """id(node) of the nodes that have sent their gradient back, this one included."""
        return frozenset(self._log.pushed[: self._pushed])

    def draw(self, root: Value, **draw_options):
        """This frame as a picture: the gradients so far, this node and its edges highlighted. Nodes
        are named as in the captions unless `names=` is given (see `autograd.draw`)."""
        from .drawing import BackwardState, draw_state

        state = BackwardState(self.grads, self.pushed, self.node)
        draw_options.setdefault("names", True if self.names is None else self.names)
        draw_options.setdefault("collapse", None)  # every step shows the node it is at
        return draw_state(root, state, highlight=self.edges, **draw_options)


def backward_steps(root: Value, *, names: Names = True, max_nodes: int = DEFAULT_MAX_NODES) -> Iterator[Frame]:
    """Yield the frames of `root.backward()`: first the seed d root / d root = 1, then one frame per
    operation node in reverse topological order (leaves push nothing and get no frame).

    >>> from autograd import Value
    >>> a, b = Value(2.0, "a"), Value(3.0, "b")
    >>> c = a * b; c.label = "c"
    >>> [f.caption for f in backward_steps(c)]
    ['seed: c is the output, so its gradient is 1', 'c (*) sends 3 to a and 2 to b']

    A name that is not a single word is quoted: '“x * y” (*) sends -4 to x and 3 to y'.

    Nodes are named as in `grad_table`: an unlabelled node after the variable of the caller that
    holds it (read when backward_steps is called, not when the frames are iterated), unless
    `names=False`; `names={node: "name"}` gives the names.

    A graph of more than `max_nodes` nodes is refused (GraphTooLargeError) before the first frame,
    after walking at most that many.
    """
    check_max_nodes(max_nodes)
    refuse_above(root, max_nodes, f" to step through, more than max_nodes={max_nodes}", _HINT)
    order = topological_order(root)
    variables = variable_names(names, order)
    full_names = node_names(order, variables)
    # The pictures name nodes as the captions do: by variable, and an op node with no name of its own
    # by its op and place ("+#3"), which a picture alone would show as just "+".
    given = {
        node: full_names[id(node)]
        for node in order
        if id(node) in variables or (node.children and not node.label and node.role is None)
    }
    return _steps(root, order, full_names, given)


def _steps(root: Value, order: list[Value], full_names: dict[int, str], given: dict[Value, str]) -> Iterator[Frame]:
    names = {key: _quoted(name) for key, name in full_names.items()}
    grads: dict[int, float] = {id(root): 1.0}
    log = _Log()
    log.changes.append((id(root), 1.0))
    seed = f"seed: {names[id(root)]} is the output, so its gradient is 1"
    yield Frame(0, root, (), seed, given, log, len(log.changes), 0)
    index = 1
    for node in reversed(order):
        if not node.children:
            continue
        upstream = grads.get(id(node), 0.0)
        sent = []
        for child, local in zip(node.children, node.local_grads):
            if local is None:  # a closure whose share is not known before it has run once
                sent.append(f"? to {names[id(child)]}")
                continue
            carried = local * upstream
            grads[id(child)] = grads.get(id(child), 0.0) + carried
            log.changes.append((id(child), grads[id(child)]))
            sent.append(f"{number(carried)} to {names[id(child)]}")
        caption = f"{names[id(node)]} ({node.op}) sends " + " and ".join(sent)
        edges = tuple((child, node) for child in node.children)
        log.pushed.append(id(node))
        yield Frame(index, node, edges, caption, given, log, len(log.changes), len(log.pushed))
        index += 1


def render_steps(
    root: Value, folder: str | Path, *, names: Names = True, max_nodes: int = DEFAULT_MAX_STEP_NODES, **draw_options
) -> Path:
    """Write every frame as `step_000.svg ...` and a self-contained `index.html` to flip through them,
    or, for a path ending in `.gif`, an animated GIF (see `autograd.animation.render_animation`).

    The page needs no network and no framework: the pictures are inlined, and the buttons or the
    arrow keys move between steps. Returns the path of `index.html`. Writing again into the same
    folder removes the frames of an earlier, longer run (only files this function wrote); a folder
    whose index.html was written by something else is refused. Nodes are named as by
    `backward_steps(root, names=names)`, in the captions and the pictures alike.

    Each step is a picture of the whole graph, so the time grows with the square of its size: a graph
    of more than `max_nodes` nodes (200 by default) is refused before the first frame. The frames are
    drawn, written and let go one at a time, and the page is written as they come, so memory grows
    with the graph, not with the number of frames.
    """
    folder = checks.path(folder, "render_steps", "folder")
    if Path(folder).suffix.lower() == ".gif":  # an animation for slides instead of a page
        from .animation import render_animation

        return render_animation(root, folder, names=names, max_nodes=max_nodes, **draw_options)
    from .drawing import render_drawing

    folder = Path(folder)
    page = folder / "index.html"
    earlier = _frames_written_before(page)
    frames = backward_steps(root, names=names, max_nodes=max_nodes)
    first = next(frames)
    drawing = first.draw(root, max_nodes=max_nodes, **draw_options)  # a bad option fails before any writing
    folder.mkdir(parents=True, exist_ok=True)
    partial = folder / "index.html.part"  # the frames as they come; the page's head needs their number
    captions = []
    with partial.open("w", encoding="utf-8") as out:
        frame: Frame | None = first
        while frame is not None:
            if frame is not first:
                drawing = frame.draw(root, max_nodes=max_nodes, **draw_options)
            path = render_drawing(drawing, folder / _frame_file(frame.index))
            svg = _inline_svg(path.read_text(encoding="utf-8"))
            hidden = "" if frame.index == 0 else " hidden"
            out.write(f'<div class="frame" id="frame{frame.index}"{hidden}>{svg}</div>\n')
            captions.append(frame.caption)
            frame = next(frames, None)
    with page.open("w", encoding="utf-8") as out, partial.open(encoding="utf-8") as written:
        out.write(_page_head(len(captions)))
        shutil.copyfileobj(written, out)
        out.write(_page_end(captions))
    partial.unlink()
    for stale in range(len(captions), earlier):
        (folder / _frame_file(stale)).unlink(missing_ok=True)
    return page


_GENERATOR = '<meta name="generator" content="skipgrad render_steps">'
_HINT = "a step-through draws the whole graph once per step: step through a smaller graph, or raise max_nodes"


def _frame_file(index: int) -> str:
    return f"step_{index:03d}.svg"


def _frames_written_before(page: Path) -> int:
    """How many frames an earlier render_steps left in this folder (0 when there is no page)."""
    if not page.exists():
        return 0
    text = page.read_text(encoding="utf-8", errors="replace")
    found = re.search(r'<meta name="skipgrad-frames" content="(\d+)">', text)
    if _GENERATOR not in text or found is None:
        raise FileExistsError(f"{page} exists and was not written by render_steps; choose another folder")
    return int(found.group(1))


def _quoted(name: str) -> str:
    """A node's name in a sentence: as it is when it is one word, else in quotes."""
    return name if re.fullmatch(r"[\w.#]+", name) else f"“{name}”"


def step_widget(root: Value, *, names: Names = True, max_nodes: int = DEFAULT_MAX_STEP_NODES, **draw_options):
    """The same frames behind an ipywidgets slider, for a notebook (needs `pip install ipywidgets`);
    each picture is drawn when its step is shown."""
    try:
        import ipywidgets
    except ImportError as missing:
        raise ImportError("step_widget needs ipywidgets: pip install 'skipgrad[notebooks]'") from missing
    frames = list(backward_steps(root, names=names, max_nodes=max_nodes))

    def show(step: int):
        from IPython.display import SVG, display

        print(f"step {step} of {len(frames) - 1}: {frames[step].caption}")
        picture = frames[step].draw(root, max_nodes=max_nodes, **draw_options).pipe(format="svg")
        display(SVG(picture.decode("utf-8")))

    slider = ipywidgets.IntSlider(min=0, max=len(frames) - 1, value=0, description="step")
    return ipywidgets.interactive(show, step=slider)


def _inline_svg(svg: str) -> str:
    """The <svg> element alone: the XML prologue and DOCTYPE are not allowed inside HTML."""
    return svg[svg.index("<svg") :]


def _page_head(frames: int) -> str:
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>backward, step by step</title>
{_GENERATOR}<meta name="skipgrad-frames" content="{frames}">
<style>
body {{ font-family: Helvetica, Arial, sans-serif; margin: 1.5em; color: #111827; }}
nav {{ display: flex; gap: .75em; align-items: center; margin-bottom: 1em; }}
button {{ font-size: 1em; padding: .3em .9em; }}
#caption {{ font-size: 1.1em; }}
.frame svg {{ max-width: 100%; height: auto; }}
</style></head><body>
<h1>backward, step by step</h1>
<nav><button id="prev" type="button">&larr; previous</button>
<span id="counter"></span>
<button id="next" type="button">next &rarr;</button></nav>
<p id="caption"></p>
"""


def _page_end(captions: list[str]) -> str:
    return f"""<script>
const captions = {json.dumps([html.escape(c) for c in captions])};
let current = 0;
function show(i) {{
  current = Math.max(0, Math.min(captions.length - 1, i));
  document.querySelectorAll(".frame").forEach((f, k) => f.hidden = k !== current);
  document.getElementById("counter").textContent = `step ${{current}} of ${{captions.length - 1}}`;
  document.getElementById("caption").innerHTML = captions[current];
}}
document.getElementById("prev").onclick = () => show(current - 1);
document.getElementById("next").onclick = () => show(current + 1);
document.addEventListener("keydown", e => {{
  if (e.key === "ArrowRight") show(current + 1);
  if (e.key === "ArrowLeft") show(current - 1);
}});
show(0);
</script></body></html>
"""
