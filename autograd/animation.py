"""The backward step-through as an animated GIF, for a slide: one frame per step, every node in the
same place on every frame. Needs graphviz (and its `dot` program) and Pillow: pip install 'skipgrad[viz]'.

Graphviz lays each picture out anew, and the labels (the gradients known so far) grow from step to
step, so frames drawn one by one would jump. Here the layout is made once, from the last frame (every
gradient known, the widest labels), with every node as large as it is on any frame; then each frame is
drawn with those positions pinned (`neato -n2`) and the frames are put together with Pillow.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

import graphviz

from . import checks
from .drawing import DotNotFoundError
from .limits import DEFAULT_MAX_STEP_NODES, check_max_nodes
from .naming import Names
from .steps import backward_steps
from .value import Value

if TYPE_CHECKING:  # Pillow is imported when a GIF is written (see _pillow)
    from PIL.Image import Image as Picture

FORMATS = (".gif",)
DEFAULT_DPI = 72.0

_EDGE = re.compile(r"\t(\S+) -> (\S+)(?: \[(.*)\])?\n", re.S)
_BOX = re.compile(r"subgraph (\S+) \{\n.*", re.S)


def render_animation(
    root: Value,
    path: str | Path,
    *,
    fps: float = 1.0,
    hold_last: float = 3.0,
    dpi: float = DEFAULT_DPI,
    captions: bool = True,
    names: Names = True,
    max_nodes: int = DEFAULT_MAX_STEP_NODES,
    **draw_options: Any,
) -> Path:
    """Write the backward pass of `root` as an animated GIF, one frame per step of `backward_steps`.

    Args:
        fps: frames per second (1.0: a new step every second).
        hold_last: how long the last frame (every gradient known) stays before the loop starts
            again, in seconds; never shorter than the other frames.
        dpi: resolution of the frames (72: one pixel per point, a small file).
        captions: write above each frame what its step does ("step 3 of 6: r (+) sends 2 to xy
            and 2 to s"), under `title` if one is given.
        names: name unlabelled nodes after the caller's variables, as `backward_steps` does.
        max_nodes: refuse a graph of more nodes (GraphTooLargeError), before the first frame: each
            step draws the whole graph.
        draw_options: as for `draw` (legend, precision, rankdir, ...).

    All frames have the same size and every node the same place. The GIF has exactly one frame per
    step (the last one is held by its longer duration, not repeated) and loops forever. Returns the
    path. Raises ValueError for another extension, DotNotFoundError when Graphviz's `dot` program is
    missing, and ImportError when Pillow is not installed.
    """
    path = Path(checks.path(path, "render_animation"))
    if path.suffix.lower() not in FORMATS:
        raise ValueError(f"animations are written as {', '.join(FORMATS)} files; got {path.name!r}")
    fps = checks.real(fps, "render_animation", "fps", positive=True)
    hold_last = checks.real(hold_last, "render_animation", "hold_last", minimum=0.0, words="seconds >= 0")
    dpi = checks.real(dpi, "render_animation", "dpi", positive=True, maximum=600.0)
    checks.flag(captions, "render_animation", "captions")
    Image = _pillow()
    title = draw_options.pop("title", None)
    check_max_nodes(max_nodes)
    count = sum(1 for _ in backward_steps(root, names=names, max_nodes=max_nodes))  # refuses before any frame
    # `names` are read from the caller's variables once, here; the frames are made twice (once for
    # the layout, once for the pictures), one at a time: never all the drawings at once.
    given = next(backward_steps(root, names=names, max_nodes=max_nodes)).names

    def drawings() -> Iterator[graphviz.Digraph]:
        for frame in backward_steps(root, names=True if given is None else dict(given), max_nodes=max_nodes):
            caption = f"step {frame.index} of {count - 1}: {frame.caption}" if captions else None
            lines = "\n".join(line for line in (title, caption) if line)
            yield frame.draw(root, title=lines or None, max_nodes=max_nodes, **draw_options)

    pictures = [Image.open(io.BytesIO(png)).convert("RGB") for png in pinned_frames(drawings, dpi=dpi)]
    # Every frame on a canvas of one size (the largest frame's): dot may make one a pixel or two
    # taller than the layout (a caption's line height), and a GIF frame larger than its canvas is
    # cut, losing the bottom node's border.
    size = (max(p.width for p in pictures), max(p.height for p in pictures))
    pictures = [_on_canvas(Image, p, size) for p in pictures]

    # One palette for every frame (from the last, which has every colour the others have), so that
    # colours do not flicker from frame to frame; no dithering keeps the lines and text crisp.
    palette = pictures[-1].quantize(colors=128, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    indexed = [picture.quantize(palette=palette, dither=Image.Dither.NONE) for picture in pictures]
    del pictures
    step_ms = 1000.0 / fps
    durations = [round(step_ms)] * (len(indexed) - 1) + [round(max(step_ms, 1000.0 * hold_last))]
    path.parent.mkdir(parents=True, exist_ok=True)
    indexed[0].save(
        path,
        format="GIF",
        save_all=True,
        append_images=indexed[1:],
        duration=durations,
        loop=0,
        optimize=True,
        disposal=1,
    )
    return path


def _on_canvas(Image: ModuleType, picture: Picture, size: tuple[int, int]) -> Picture:
    if picture.size == size:
        return picture
    canvas = Image.new("RGB", size, "white")
    canvas.paste(picture, (0, 0))
    return canvas


def pinned_frames(
    drawings: Iterable[graphviz.Digraph] | Callable[[], Iterable[graphviz.Digraph]],
    *,
    dpi: float = DEFAULT_DPI,
    format: str = "png",
) -> list[bytes]:
    """Render drawings of the same graph (the frames of a step-through: same nodes and edges, other
    labels) with one layout, made from the last drawing, so that nothing moves between them.

    `drawings` is a list, or a function giving them one at a time (called twice: once for the layout,
    once for the pictures), so that no more than one drawing is held at a time."""
    make = drawings if callable(drawings) else lambda: iter(drawings)
    layout = _layout(make())
    return [_pipe(_pinned(drawing, layout, dpi), format=format, neato_no_op=2) for drawing in make()]


def _layout(drawings: Iterable[graphviz.Digraph]) -> dict[str, Any]:  # graphviz's JSON
    """dot's layout of the last drawing, with each node as wide and tall as on any drawing and the
    canvas as large as the largest drawing (a frame's caption may be wider than the graph)."""
    sizes: dict[str, tuple[float, float]] = {}
    canvas_w = canvas_h = 0.0
    last = None
    for drawing in drawings:
        alone = json.loads(_pipe(drawing, format="json"))
        w, h = _extent(alone)
        canvas_w, canvas_h = max(canvas_w, w), max(canvas_h, h)
        for obj in _objects(alone):
            old_w, old_h = sizes.get(obj["name"], (0.0, 0.0))
            sizes[obj["name"]] = (max(old_w, float(obj["width"])), max(old_h, float(obj["height"])))
        last = drawing
    if last is None:
        raise ValueError("no drawings to lay out")
    widest = last.copy()
    for name, (w, h) in sizes.items():
        widest.body.append(f'\t{_id(name)} [width="{w}" height="{h}" fixedsize=true]\n')
    layout = json.loads(_pipe(widest, format="json"))
    w, h = _extent(layout)
    layout["bb"] = f"0,0,{max(canvas_w, w):g},{max(canvas_h, h):g}"
    return layout


def _extent(layout: dict[str, Any]) -> tuple[float, float]:
    """Width and height of a graphviz JSON layout, in points."""
    left, bottom, right, top = (float(v) for v in layout["bb"].split(","))
    return right - left, top - bottom


def _pinned(drawing: graphviz.Digraph, layout: dict[str, Any], dpi: float) -> graphviz.Digraph:
    """A copy of `drawing` with every position taken from `layout`, to draw with `neato -n2`."""
    pinned = drawing.copy()
    pinned.engine = "neato"
    objects = layout.get("objects", [])
    names = {obj["_gvid"]: obj["name"] for obj in objects}
    # Graphviz lists edges by their tail, not in the order they were written: match them by their
    # ends (edges between the same two nodes, as in a*a, in the order written).
    edges: dict[tuple[str, str], list[dict]] = {}
    for edge in layout.get("edges", []):
        edges.setdefault((names[edge["tail"]], names[edge["head"]]), []).append(edge)
    boxes = {obj["name"]: obj for obj in objects if "nodes" in obj}
    body = []
    for line in pinned.body:
        found = _EDGE.fullmatch(line)
        if found is None:
            body.append(line)
            box = _BOX.fullmatch(line)
            if box is not None and box.group(1).strip('"') in boxes:  # a box (cluster): its frame and title
                placed = boxes[box.group(1).strip('"')]
                body.append(f'\tbb="{placed["bb"]}"' + (f' lp="{placed["lp"]}"' if "lp" in placed else "") + "\n")
            continue
        same_ends = edges.get(_ends(found))
        if not same_ends:
            raise ValueError("the frames do not draw the same edges; they cannot share one layout")
        edge = same_ends.pop(0)
        where = f'pos="{edge["pos"]}"' + (f' lp="{edge["lp"]}"' if "lp" in edge else "")
        attrs = found.group(3)
        body.append(f"\t{found.group(1)} -> {found.group(2)} [{attrs + ' ' if attrs else ''}{where}]\n")
    if any(edges.values()):
        raise ValueError("the frames do not draw the same edges; they cannot share one layout")
    for obj in _objects(layout):
        size = f'width="{obj["width"]}" height="{obj["height"]}" fixedsize=true'
        body.append(f'\t{_id(obj["name"])} [pos="{obj["pos"]}!" {size}]\n')
    body.append(f'\tbb="{layout["bb"]}" dpi={dpi:g} splines=true\n')
    pinned.body[:] = body
    return pinned


def _objects(layout: dict[str, Any]) -> list[dict[str, Any]]:
    """The nodes of a graphviz JSON layout (its objects also hold the boxes, which have no width)."""
    return [obj for obj in layout.get("objects", []) if "nodes" not in obj]


def _ends(found: re.Match[str]) -> tuple[str, str]:
    """The tail and head names of an edge statement, without DOT quotes."""
    tail, head = (found.group(g).strip('"').replace('\\"', '"') for g in (1, 2))
    return tail, head


def _id(name: str) -> str:
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _pipe(drawing: graphviz.Digraph, **options: object) -> bytes:
    try:
        return drawing.pipe(**options)
    except graphviz.ExecutableNotFound as missing:
        raise DotNotFoundError() from missing


def _pillow() -> ModuleType:
    try:
        from PIL import Image
    except ImportError as missing:
        raise ImportError(
            "render_animation writes GIFs with Pillow: pip install 'skipgrad[viz]' (or pip install pillow); "
            "render_steps(root, 'steps/') writes the same steps as an HTML page to step through without it"
        ) from missing
    return Image
