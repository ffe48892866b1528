"""render_steps(): the backward step-through written to files, as an HTML page of SVG frames or (for a
`.gif` path) an animated GIF. Sits above steps.py, drawing.py and animation.py, and none of them
imports it: the step-through itself knows nothing of pages or GIFs."""

from __future__ import annotations

import html
import json
import re
import shutil
from pathlib import Path
from typing import Any

from . import checks
from .animation import render_animation
from .drawing import render_drawing
from .limits import DEFAULT_MAX_STEP_NODES
from .naming import Names
from .steps import Frame, backward_steps
from .value import Value


def render_steps(
    root: Value,
    folder: str | Path,
    *,
    names: Names = True,
    max_nodes: int = DEFAULT_MAX_STEP_NODES,
    **draw_options: Any,
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
        return render_animation(root, folder, names=names, max_nodes=max_nodes, **draw_options)
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
