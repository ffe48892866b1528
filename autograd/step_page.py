"""render_steps(): the backward step-through written to files, as the graph explorer's page opened at
step 0 or (for a `.gif` path) an animated GIF. Sits above steps.py, the explorer and animation.py,
and none of them imports it: the step-through itself knows nothing of pages or GIFs."""

from __future__ import annotations

import math
import os
import re
from pathlib import Path
from typing import Any

from . import checks
from .animation import render_animation
from .explorer.model import graph_model
from .explorer.page import html_page
from .limits import DEFAULT_MAX_STEP_NODES, check_max_nodes, refuse_above
from .naming import Names
from .steps import backward_steps
from .value import Value, topological_order


def render_steps(
    root: Value,
    folder: str | Path,
    *,
    names: Names = True,
    max_nodes: int = DEFAULT_MAX_STEP_NODES,
    **draw_options: Any,
) -> Path:
    """Write `folder/index.html`: the graph explorer's page for `root`'s graph (see `autograd.explore`),
    opened at step 0 of backward, to step through with its own controls (step, back, play, pause and
    a speed), or, for a path ending in `.gif`, an animated GIF (see `autograd.animation.render_animation`).

    The steps are those of `backward_steps(root, names=names)`, with its captions; the gradients are
    computed on the side, as backward computes them from zero (`node.grad` is neither read nor
    changed). The page is one file that asks the network for nothing. Returns its path.

    Args:
        names: how nodes are named, as in `backward_steps` (the caller's variables by default).
        max_nodes: a graph of more nodes (200 by default, as for the GIF) is refused before anything
            is written; the page lays out only what is shown, so it may be raised to the explorer's
            200,000.
        draw_options: options of the pictures (`rankdir=`, `collapse=`, ...), for a `.gif` only. The
            page is laid out by the browser, not drawn by Graphviz, so there they are refused with a
            TypeError rather than quietly ignored.

    Nothing is written when anything is refused. Writing again into the same folder replaces a page
    that render_steps wrote (and removes the `step_NNN.svg` pictures of one written by an earlier
    version); a folder whose index.html was written by something else is refused.

    >>> from autograd import Value
    >>> import tempfile
    >>> from autograd.explorer.page import ELK_BUNDLE
    >>> a, b = Value(2.0, "a"), Value(3.0, "b")
    >>> c = a * b; c.label = "c"
    >>> not ELK_BUNDLE.is_file() or render_steps(c, tempfile.mkdtemp()).name == "index.html"
    True
    """
    folder = checks.path(folder, "render_steps", "folder")
    if Path(folder).suffix.lower() == ".gif":  # an animation for slides instead of a page
        return render_animation(root, folder, names=names, max_nodes=max_nodes, **draw_options)
    if draw_options:
        raise TypeError(
            f"render_steps: {', '.join(f'{k}=' for k in sorted(draw_options))} only draw a .gif's pictures; "
            "the step-through page is laid out in the browser and takes none"
        )
    check_max_nodes(max_nodes)
    if not isinstance(root, Value):
        raise TypeError(f"render_steps: expected a Value, got {type(root).__name__}")
    refuse_above(root, max_nodes, f" to step through, more than max_nodes={max_nodes}", _HINT)
    folder = Path(folder)
    page = folder / "index.html"
    earlier = _frames_written_before(page)
    text = html_page(_step_model(root, names, max_nodes), _TITLE, generator=_GENERATOR)  # before any writing
    folder.mkdir(parents=True, exist_ok=True)
    partial = folder / "index.html.part"
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, page)  # the page is whole, or the earlier one is still there
    for stale in range(earlier):  # an earlier version's pictures, one per step
        (folder / f"step_{stale:03d}.svg").unlink(missing_ok=True)
    return page


_TITLE = "backward, step by step"
_GENERATOR = '<meta name="generator" content="skipgrad render_steps">'
_HINT = "the page lays out only what is shown: raise max_nodes (the explorer opens up to 200,000)"


def _step_model(root: Value, names: Names, max_nodes: int) -> dict:
    """The explorer's model of the graph, with the captions of backward_steps, opened at step 0, and
    the gradients that backward computes from zero (the last step's), not whatever node.grad holds."""
    model = graph_model(root, names=names, max_nodes=max_nodes)
    frames = list(backward_steps(root, names=names, max_nodes=max_nodes))
    final = frames[-1].grads
    # graph_model numbers nodes in topological order; a gradient that overflowed (which backward
    # itself refuses) is written as unknown, since the page's JSON holds finite numbers only
    model["grad"] = [_finite(final.get(id(node), 0.0)) for node in topological_order(root)]
    model["captions"] = [frame.caption for frame in frames]
    model["frame"] = 0
    return model


def _finite(x: float) -> float | None:
    return x if math.isfinite(x) else None


def _frames_written_before(page: Path) -> int:
    """How many pictures an earlier render_steps left in this folder: 0 when there is no page or it is
    the explorer's page; the folder is refused when its index.html is someone else's."""
    if not page.exists():
        return 0
    text = page.read_text(encoding="utf-8", errors="replace")
    if _GENERATOR not in text:
        raise FileExistsError(f"{page} exists and was not written by render_steps; choose another folder")
    found = re.search(r'<meta name="skipgrad-frames" content="(\d+)">', text)  # the picture pages' count
    return int(found.group(1)) if found else 0
