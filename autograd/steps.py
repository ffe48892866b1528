"""The backward pass one step at a time: frames for a slide show, an HTML page, or a notebook slider.
Computes gradients on the side (node.grad is not touched); drawing is imported only to render."""

from __future__ import annotations

import html
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from .graph import topological_order
from .naming import node_names, number
from .value import Value


@dataclass(frozen=True)
class Frame:
    """One step of backward: `node` pushes its gradient into `edges` (child, node); `grads` holds
    every gradient known after this step and `pushed` the nodes that have sent theirs, by id(node)."""

    index: int
    node: Value
    edges: tuple[tuple[Value, Value], ...]
    grads: dict[int, float]
    pushed: frozenset[int]
    caption: str

    def draw(self, root: Value, **draw_options):
        """This frame as a picture: the gradients so far, this node and its edges highlighted."""
        from .drawing import draw

        return draw(root, grads=self.grads, pushed=self.pushed, current=self.node, highlight=self.edges, **draw_options)


def backward_steps(root: Value) -> Iterator[Frame]:
    """Yield the frames of `root.backward()`: first the seed d root / d root = 1, then one frame per
    operation node in reverse topological order (leaves push nothing and get no frame).

    >>> from autograd import Value
    >>> a, b = Value(2.0, "a"), Value(3.0, "b")
    >>> c = a * b; c.label = "c"
    >>> [f.caption for f in backward_steps(c)]
    ['seed: d c / d c = 1', 'c (*) sends 3 to a and 2 to b']
    """
    order = topological_order(root)
    names = node_names(order)
    grads: dict[int, float] = {id(root): 1.0}
    pushed: set[int] = set()
    yield Frame(0, root, (), dict(grads), frozenset(), f"seed: d {names[id(root)]} / d {names[id(root)]} = 1")
    index = 1
    for node in reversed(order):
        if not node.children:
            continue
        upstream = grads.get(id(node), 0.0)
        sent = []
        for child, local in zip(node.children, node._local_grads):
            carried = local * upstream
            grads[id(child)] = grads.get(id(child), 0.0) + carried
            sent.append(f"{number(carried)} to {names[id(child)]}")
        caption = f"{names[id(node)]} ({node.op}) sends " + " and ".join(sent)
        edges = tuple((child, node) for child in node.children)
        pushed.add(id(node))
        yield Frame(index, node, edges, dict(grads), frozenset(pushed), caption)
        index += 1


def render_steps(root: Value, folder: str | Path, **draw_options) -> Path:
    """Write every frame as `step_000.svg ...` and a self-contained `index.html` to flip through them.

    The page needs no network and no framework: the pictures are inlined, and the buttons or the
    arrow keys move between steps. Returns the path of `index.html`.
    """
    from .drawing import render_drawing

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    pictures = []
    captions = []
    for frame in backward_steps(root):
        path = render_drawing(frame.draw(root, **draw_options), folder / f"step_{frame.index:03d}.svg")
        pictures.append(_inline_svg(path.read_text(encoding="utf-8")))
        captions.append(frame.caption)
    page = folder / "index.html"
    page.write_text(_page(pictures, captions), encoding="utf-8")
    return page


def step_widget(root: Value, **draw_options):
    """The same frames behind an ipywidgets slider, for a notebook (needs `pip install ipywidgets`)."""
    try:
        import ipywidgets
    except ImportError as missing:
        raise ImportError("step_widget needs ipywidgets: pip install 'skipgrad[notebooks]'") from missing
    frames = list(backward_steps(root))
    pictures = [f.draw(root, **draw_options).pipe(format="svg").decode("utf-8") for f in frames]

    def show(step: int):
        from IPython.display import SVG, display

        print(f"step {step} of {len(frames) - 1}: {frames[step].caption}")
        display(SVG(pictures[step]))

    slider = ipywidgets.IntSlider(min=0, max=len(frames) - 1, value=0, description="step")
    return ipywidgets.interactive(show, step=slider)


def _inline_svg(svg: str) -> str:
    """The <svg> element alone: the XML prologue and DOCTYPE are not allowed inside HTML."""
    return svg[svg.index("<svg") :]


def _page(pictures: list[str], captions: list[str]) -> str:
    frames = "\n".join(
        f'<div class="frame" id="frame{i}"{"" if i == 0 else " hidden"}>{svg}</div>' for i, svg in enumerate(pictures)
    )
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>backward, step by step</title>
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
{frames}
<script>
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
