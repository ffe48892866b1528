"""Pictures of a graph: every node and every edge shows its value (green) and its gradient (red).
Imports graphviz, so the package loads this module only when a picture is asked for.

Boxes (modules), parameters and skip paths come from the objects that made the nodes: each node's
`role` (see autograd/structure.py), never from the text of a label.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import graphviz

from . import checks
from .limits import (
    DEFAULT_MAX_NODES,
    WALK_FACTOR,
    GraphTooLargeError,
    check_max_nodes,
    refuse_above,
)
from .naming import Names, node_names, variable_names
from .ops import picture_text, takes_any_number
from .structure import Group, on_skip_path, value_inputs
from .value import Value, topological_order

GREEN = "#1a7f37"  # values, as on a CS231n circuit
RED = "#cf222e"  # gradients
SKIP = "#7c3aed"  # the skip path of a residual block
HIGHLIGHT = "#f97316"
FILL = {"input": "#dbeafe", "parameter": "#fef3c7", "op": "#f3f4f6", "output": "#dcfce7", "module": "#ede9fe"}
SHAPE = {"input": "box", "parameter": "box", "op": "box", "output": "box", "module": "box3d"}
FORMATS = ("png", "svg", "pdf")
SHOWN_OUTPUTS = 4  # a collapsed module lists this many of its outputs' numbers
SHOWN_TERMS = 4  # a gradient that is a sum of more edges than this shows these and "…" (all in the tooltip)
NAME_WIDTH = 32  # a longer name (a CLI subexpression) is cut in the middle; the tooltip has all of it
AUTO_NODES = 150  # collapse="auto" keeps a picture under this many boxes when the model allows it
CHAIN = 8  # a chain of at least this many additions (s = s + x, again and again) is drawn as one sum
PARALLEL = 4  # this many edges between the same two nodes or more are drawn as one, saying how many
QUIET_EDGES = 60  # a collapsed picture with more edges into or out of boxes draws them without numbers
SPAN_BUDGET = 3000  # ranks crossed by all edges together (dot's hidden nodes) before long edges are cut
LONG_EDGE = 4  # ... then each edge across more ranks starts from a stand-in next to where it ends
LONG_PATH = 12  # rankdir="auto" draws a picture whose longest path has more boxes top to bottom
BIG = 150  # a picture with more boxes than this gets Graphviz options that bound dot's work


class DotNotFoundError(graphviz.ExecutableNotFound):
    """Graphviz's `dot` program is not installed (the Python package alone cannot draw)."""

    def __init__(self, args: object = "dot") -> None:
        super().__init__(args)

    def __str__(self) -> str:
        return (
            "Graphviz's `dot` program was not found. `pip install graphviz` only installs the Python "
            "bindings; install the program too: `sudo apt-get install graphviz` (Debian/Ubuntu) or "
            "`brew install graphviz` (macOS). Meanwhile autograd.grad_table(root) prints the same "
            "numbers as text, and draw(...).source gives the DOT text."
        )


class Drawing(graphviz.Digraph):
    """A graphviz Digraph that shows inline in Jupyter and explains a missing `dot` clearly."""

    def _repr_mimebundle_(
        self, include: Iterable[str] | None = None, exclude: Iterable[str] | None = None, **kwargs: Any
    ) -> dict[str, Any]:
        try:
            return super()._repr_mimebundle_(include, exclude, **kwargs)
        except graphviz.ExecutableNotFound as missing:
            raise DotNotFoundError() from missing


@dataclass(frozen=True)
class BackwardState:
    """Where a backward step-through stands: the gradients known so far and the nodes that have sent
    theirs back (both by id(node)), and the node being processed. Edges out of nodes that have not
    sent theirs yet show no gradient."""

    grads: dict[int, float]
    pushed: frozenset[int]
    current: Value | None


@dataclass
class _Scene:
    """What will be drawn, before any graphviz call: counted for the size guard, tested as data."""

    nodes: dict[str, dict] = field(default_factory=dict)  # id -> {label, kind, cluster, attrs}
    edges: list[tuple[str, str, dict]] = field(default_factory=list)
    residual: set[int] = field(default_factory=set)  # id(group) of the groups with an addition that has a skip


def draw(
    root: Value,
    *,
    rankdir: str = "auto",
    legend: bool = False,
    clusters: bool = True,
    collapse: int | str | Iterable[str] | None = "auto",
    highlight: Iterable = (),
    skip_paths: bool = True,
    max_nodes: int = DEFAULT_MAX_NODES,
    precision: int = 4,
    title: str | None = None,
    names: Names = True,
) -> Drawing:
    """The graph behind `root` as a graphviz Digraph (shown inline in Jupyter).

    Args:
        rankdir: "LR" (inputs on the left), "TB", "RL" or "BT"; "auto" (the default) is LR unless the
            longest path through the picture has more than 12 boxes, then TB (top to bottom), so
            that a long pipeline of boxes (a collapsed GPT) is scrolled down, not across.
        legend: add a small key explaining colours and shapes.
        clusters: draw the groups the nodes belong to (nn modules, or your own autograd.Group) as
            labelled boxes.
        collapse: draw groups as single boxes showing their outputs' values and gradients.
            "auto" (the default) draws everything when the picture has at most 150 boxes, else the
            most detailed of the forms below that stays under 150 (the smallest one if none does).
            An int collapses every group at that depth (1 = the outermost boxes: an MLP's layers, a
            ResidualMLP's blocks); a name ("layer1") or a list of names collapses those groups.
            Names are the groups' dotted names, as tables print them (`block0.fc1`); an unnamed
            group is called by its title (its class name). "stream" shows the residual stream: every
            group without a residual addition of its own is one box (a transformer block's attention
            and MLP, a residual block's layers), and the nodes left open are bundled, one box per
            kind of node (the same op, in the same group, fed by the same boxes: the 64 additions of
            an attention branch into the stream), with the skip edges in purple between them.
            None (or False) draws every node.
        highlight: nodes and/or (child, parent) edges to draw bold in orange.
        skip_paths: draw skip connections (marked by residual blocks, or by `Group.mark(..., skip=)`)
            bold, in their own colour.
        max_nodes: refuse (GraphTooLargeError) to lay out more nodes than this; boxes for plain
            numbers are not counted, a collapsed group counts as one. The graph is counted as it is
            walked, before anything else: without collapsing, the walk stops after max_nodes nodes;
            when collapsing, after 100 x max_nodes.
        precision: significant digits of the numbers shown.
        title: a caption above the picture.
        names: True names each unlabelled node after the caller's variable that holds it (`xy` for
            `xy = x * y`); False turns that off; a dict {node: "name"} gives the names. Labels and
            names in a model or group come first, as in `grad_table` (inside a box, a node shows its
            name in the box).

    Each edge carries the value flowing forward (green) and the gradient flowing back along it
    (red): the local derivative times the gradient of the node it feeds. A node that feeds several
    others shows its gradient as the sum of its edges' gradients.

    >>> from autograd import Value
    >>> a = Value(2.0, "a"); b = a * a; b.backward()
    >>> source = draw(b).source
    >>> source.count("n0 -> n1")  # a*a: both edges are drawn
    2
    """
    return draw_state(
        root,
        None,
        rankdir=rankdir,
        legend=legend,
        clusters=clusters,
        collapse=collapse,
        highlight=highlight,
        skip_paths=skip_paths,
        max_nodes=max_nodes,
        precision=precision,
        title=title,
        names=names,
    )


def draw_state(
    root: Value,
    state: BackwardState | None,
    *,
    rankdir: str = "auto",
    legend: bool = False,
    max_nodes: int = DEFAULT_MAX_NODES,
    title: str | None = None,
    collapse: int | str | Iterable[str] | None = "auto",
    **scene_options: Any,  # the rest of draw's options, checked by _check_options
) -> Drawing:
    """`draw`, with the gradients of a backward step-through in place of `node.grad` (see steps.py)."""
    _check_options(
        root, rankdir=rankdir, legend=legend, max_nodes=max_nodes, title=title, collapse=collapse, **scene_options
    )
    check_size(root, max_nodes, collapse)
    scene = _build_scene(root, state, collapse=collapse, **scene_options)
    counted = sum(1 for entry in scene.nodes.values() if entry["kind"] not in ("constant", "stand-in"))
    if counted > max_nodes:
        raise GraphTooLargeError(
            f"the graph has {counted} nodes to draw (plain numbers not counted), more than "
            f"max_nodes={max_nodes}; {_TOO_LARGE_HINT}"
        )
    rank = _ranks(scene)
    if sum(rank[head] - rank[tail] for tail, head, _ in scene.edges) > SPAN_BUDGET:
        _stand_ins(scene, rank)
    if rankdir == "auto":
        rankdir = "TB" if max(rank.values(), default=0) + 1 > LONG_PATH else "LR"
    return _emit(scene, rankdir=rankdir, legend=legend, title=title)


def _ranks(scene: _Scene) -> dict[str, int]:
    """About the rank dot gives each box: its longest path from the inputs, an input one rank before
    the first box it feeds (as dot places it)."""
    parents: dict[str, list[str]] = {}
    waiting = dict.fromkeys(scene.nodes, 0)
    for tail, head, _ in scene.edges:
        parents.setdefault(tail, []).append(head)
        waiting[head] += 1
    rank = dict.fromkeys(scene.nodes, 0)
    sources = [n for n, k in waiting.items() if k == 0]
    ready = list(sources)
    while ready:
        node = ready.pop()
        for head in parents.get(node, ()):
            rank[head] = max(rank[head], rank[node] + 1)
            waiting[head] -= 1
            if waiting[head] == 0:
                ready.append(head)
    for node in sources:
        if node in parents:
            rank[node] = min(rank[head] for head in parents[node]) - 1
    return rank


def _stand_ins(scene: _Scene, rank: dict[str, int]) -> None:
    """Cut the long edges of a picture whose edges span too many ranks in all: dot draws an edge across
    k ranks as a chain of k hidden nodes, so a node feeding nodes all along a long chain (x in
    p = p * x, again and again) makes its work grow with the square of the chain. Each edge across
    more than LONG_EDGE ranks starts instead from a small stand-in next to the node it feeds, named
    after the node it stands for (dashed; the tooltip says where that node is)."""
    edges = []
    for k, (tail, head, attrs) in enumerate(scene.edges):
        if rank[head] - rank[tail] <= LONG_EDGE or attrs.get("style") == "invis":
            edges.append((tail, head, attrs))
            continue
        entry = scene.nodes[tail]
        stand_in = f"{tail}_{k}"
        name = re.search(r"<b>(.*?)</b>", entry["label"]) if entry["kind"] != "constant" else None
        text = name.group(1) if name else _text(entry["label"])
        scene.nodes[stand_in] = {
            "kind": "stand-in",
            "label": f"<{text}  ↗>",
            "cluster": scene.nodes[head]["cluster"],
            "attrs": {
                "tooltip": f"stands for {tail}, drawn where it is made; an edge from there would cross the picture"
            },
        }
        rank[stand_in] = rank[head] - 1
        edges.append((stand_in, head, attrs))
    scene.edges[:] = edges


_TOO_LARGE_HINT = (
    "laying it out could take minutes. Draw a smaller graph (one sample instead of a batch), collapse "
    "modules (collapse=1 draws each layer or block as one box), or raise max_nodes."
)


def check_size(root: Value, max_nodes: int, collapse: object = None) -> None:
    """Refuse a graph too large to draw before any work that grows with it: the nodes are counted as
    they are walked, and the walk stops at the limit (max_nodes, or 100 x max_nodes when collapsing,
    which may shrink the picture; the picture itself is counted again once collapsed)."""
    check_max_nodes(max_nodes)
    if collapse is None or collapse is False:
        refuse_above(root, max_nodes, f" to draw, more than max_nodes={max_nodes}", _TOO_LARGE_HINT)
    else:
        limit = WALK_FACTOR * max_nodes
        refuse_above(
            root,
            limit,
            f", more than {WALK_FACTOR} x max_nodes={max_nodes} even to collapse into boxes",
            _TOO_LARGE_HINT.replace(", collapse modules (collapse=1 draws each layer or block as one box)", ""),
        )


def render(root: Value, path: str | Path, **options: Any) -> Path:
    """Draw `root`'s graph into a PNG, SVG or PDF file chosen by the extension of `path`.

    Writes only that file (no `.gv` source is left behind) and returns its path. Takes the same
    options as `draw`. Raises DotNotFoundError when Graphviz's `dot` program is missing.
    """
    path = Path(checks.path(path, "render"))
    check_format(path)
    graph = draw(root, **options)
    return render_drawing(graph, path)


def check_format(path: Path) -> str:
    """The picture format named by the file's extension, or a ValueError listing the ones we write."""
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        raise ValueError(f"pictures are written as {', '.join('.' + f for f in FORMATS)} files; got {path.name!r}")
    return fmt


def render_drawing(graph: graphviz.Digraph, path: Path) -> Path:
    """Run `dot` on an already built drawing; the format comes from the file extension.

    The picture is made in memory first, so a failure leaves no file behind (not even the `.gv`
    source that graphviz's own render writes), and the file is written in one go.
    """
    fmt = check_format(path)
    try:
        picture = graph.pipe(format=fmt)
    except graphviz.ExecutableNotFound as missing:
        raise DotNotFoundError() from missing
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(picture)
    return path


# ------------------------------------------------------------------------------------- structure
class BoxLayout:
    """Which boxes the graph's nodes sit in, from their roles' groups. A group gets a box when it has a
    name or nodes of its own (an unnamed MLP around its layers draws no box of its own)."""

    def __init__(self, order: list[Value]) -> None:
        owners = {id(n.role.group): n.role.group for n in order if n.role is not None and n.role.group is not None}
        self.boxes: dict[int, tuple[Group, ...]] = {}  # id(group) -> the boxes it sits in, itself last
        for group in owners.values():
            for depth, g in enumerate(path := group.path()):
                if id(g) not in self.boxes:
                    self.boxes[id(g)] = tuple(p for p in path[: depth + 1] if p.name or id(p) in owners)
        self.key = _unique_keys([path for path in self.boxes.values() if path])

    def path_of(self, node: Value) -> tuple[Group, ...]:
        """The boxes `node` is drawn in, outermost first."""
        role = node.role
        if role is None or role.group is None:
            return ()
        return self.boxes[id(role.group)]

    def known_names(self) -> list[str]:
        return sorted(set(self.key.values()), key=_natural)


def _unique_keys(paths: list[tuple[Group, ...]]) -> dict[tuple[int, ...], str]:
    """(id of each box on a path) -> its dotted name of titles; a repeated name gets #2, #3 ..."""
    keys: dict[tuple[int, ...], str] = {}
    used: dict[str, int] = {}
    for path in sorted({tuple(id(g) for g in p): p for p in paths if p}.values(), key=_path_order):
        name = path[-1].qualified_name or path[-1].title  # as tables name its nodes
        used[name] = used.get(name, 0) + 1
        keys[tuple(id(g) for g in path)] = name if used[name] == 1 else f"{name}#{used[name]}"
    return keys


def _path_order(path: tuple[Group, ...]) -> tuple:
    return tuple(getattr(g, "_serial", 0) for g in path)


def _natural(text: str) -> list:
    """Sort key that puts n2 before n10."""
    return [(0, int(part), "") if part.isdigit() else (1, 0, part) for part in re.split(r"(\d+)", text)]


# ------------------------------------------------------------------------------------- scene
Formatter = Callable[[float], str]  # a number as the picture shows it, at the drawing's precision
Wire = tuple[Value, Value, float | str | None, bool]  # (child, parent, gradient carried back, on a skip path)
Wires = dict[tuple[str, str], list[Wire]]  # (tail, head) box or node ids -> the edges between them


@dataclass
class _Plan:
    """Where each node of the graph is drawn (its own box, inside a collapsed box, or inside a chain of
    additions drawn as one sum) and which gradients it shows: what the steps of _build_scene share."""

    root: Value
    order: list[Value]
    state: BackwardState | None
    fmt: Formatter
    ids: dict[int, str]  # id(node) -> its DOT id, n0 n1 ... in topological order
    box_of: dict[int, str]  # id(node) -> the collapsed box drawn for it
    titles: dict[str, str]  # collapsed box -> its title
    top_of: dict[int, int]  # id(node) -> id(the last addition of the chain drawn for it)
    marked: set[object]  # highlighted: id(node) and (id(child), id(parent))

    @property
    def current(self) -> Value | None:
        """The node a step-through is at (drawn highlighted), if any."""
        return self.state.current if self.state is not None else None

    def grad_of(self, node: Value) -> float | None:
        return node.grad if self.state is None else self.state.grads.get(id(node))

    def key_of(self, node: Value) -> str:
        """The id of what is drawn for `node`: its collapsed box, the sum its chain is drawn as, or itself."""
        return self.box_of.get(id(node)) or self.ids[self.top_of.get(id(node), id(node))]

    def lit(self, child: Value, parent: Value) -> bool:
        """Is the edge child -> parent highlighted, or does it carry the current step's gradient?"""
        if (id(child), id(parent)) in self.marked:
            return True
        current = self.current
        return current is not None and (parent is current or self.top_of.get(id(parent)) == id(current))


def _build_scene(
    root: Value,
    state: BackwardState | None,
    *,
    clusters: bool = True,
    collapse: int | str | Iterable[str] | None = None,
    highlight: Iterable[object] = (),
    skip_paths: bool = True,
    precision: int = 4,
    names: Names = True,
) -> _Scene:
    """What to draw, in three parts: the nodes drawn on their own, the collapsed boxes, the edges."""
    fmt = _formatter(precision)
    order = topological_order(root)
    ids = {id(node): f"n{i}" for i, node in enumerate(order)}
    variables = variable_names(names, order)
    layout = BoxLayout(order)
    marked = _highlighted(highlight, order)
    box_of, titles = _collapsed_boxes(order, layout, collapse, root)
    top_of = _addition_chains(order, root, box_of, marked)
    plan = _Plan(root, order, state, fmt, ids, box_of, titles, top_of, marked)
    wires = _wires(plan, skip_paths)
    scene = _Scene()
    box_members = _add_nodes(
        scene, plan, layout if clusters else None, variables, _sent_back(wires, titles), skip_paths
    )
    _add_boxes(scene, plan, box_members, _handed_on(wires, plan), layout if clusters else None)
    _add_edges(scene, plan, wires)
    scene.residual = {id(n.role.group) for n in order if n.role is not None and n.role.skip_operands and n.role.group}
    return scene


def _wires(plan: _Plan, skip_paths: bool) -> Wires:
    """Every edge child -> parent with the gradient it carries back and whether it is a skip path, by
    the two boxes it joins (an edge inside a collapsed box or a chain drawn as one sum is not drawn)."""
    wires: Wires = {}
    state = plan.state
    for node in plan.order:
        upstream = None if state is not None and id(node) not in state.pushed else plan.grad_of(node)
        head = plan.key_of(node)
        for child, local, position in value_inputs(node):
            tail = plan.key_of(child)
            if tail == head:
                continue
            carried = _edge_gradient(local, upstream)
            skip = skip_paths and on_skip_path(node, child, position)
            wires.setdefault((tail, head), []).append((child, node, carried, skip))
    return wires


def _sent_back(wires: Wires, titles: dict[str, str]) -> dict[int, list[float | str]]:
    """What each node sent back, one term per edge (parallel edges drawn as one give their sum; edges
    into a box, drawn as one "3 wires", each give their own)."""
    sent_back: dict[int, list[float | str]] = {}
    for (tail, head), group in wires.items():
        if tail in titles:
            continue
        carried_all = [carried for _, _, carried, _ in group]
        terms = sent_back.setdefault(id(group[0][0]), [])
        if len(group) >= PARALLEL and head not in titles:
            known = [c for c in carried_all if c is not None]
            if len(known) == len(group):
                terms.append(_total(known))
        else:
            terms.extend(c for c in carried_all if c is not None)
    return sent_back


def _add_nodes(
    scene: _Scene,
    plan: _Plan,
    layout: BoxLayout | None,
    variables: dict[int, str],
    sent_back: dict[int, list[float | str]],
    skip_paths: bool,
) -> dict[str, list[Value]]:
    """Add every node drawn on its own (with the plain numbers it takes); return the members of each
    collapsed box, which are drawn as one. `layout` is None when no boxes are drawn around nodes."""
    shown = node_names(plan.order, variables)
    box_members: dict[str, list[Value]] = {}
    chain_members: dict[int, list[Value]] = {}
    for node in plan.order:
        if id(node) in plan.top_of:
            chain_members.setdefault(plan.top_of[id(node)], []).append(node)
    for node in plan.order:
        if id(node) in plan.box_of:
            box_members.setdefault(plan.box_of[id(node)], []).append(node)
            continue
        if id(node) in plan.top_of:
            continue  # inside a chain of additions, drawn as one sum
        path = layout.path_of(node) if layout is not None else ()
        chain = chain_members.get(id(node), [])
        name = node.label or (node.role.name if path and node.role and node.role.name else shown[id(node)])
        named = bool(node.label) or node.role is not None or id(node) in variables
        label, tooltip = _node_label(
            node, name, named, plan.grad_of(node), sent_back.get(id(node), []), plan.fmt, chain
        )
        attrs = {"tooltip": tooltip} if tooltip else {}
        if id(node) in plan.marked or any(n is plan.current for n in (node, *chain)):
            attrs = {"color": HIGHLIGHT, "penwidth": "3", **attrs}
        scene.nodes[plan.ids[id(node)]] = {
            "kind": _kind(node, plan.root),
            "label": label,
            "cluster": path,
            "attrs": attrs,
        }
        _order_parameters(scene, plan, node)
        if not chain:
            _add_constant(scene, plan, node, path, skip_paths)
    return box_members


def _order_parameters(scene: _Scene, plan: _Plan, node: Value) -> None:
    """List `node`'s parameters in operand order, next to it: dot starts from that order, and a
    neuron's weights stay in order (w0, w1, ..., w15) instead of wherever the walk met them."""
    params = [c for c in node.children if c.role is not None and c.role.parameter and id(c) not in plan.box_of]
    for position, param in enumerate(params):
        scene.nodes[plan.ids[id(param)]]["seq"] = (len(scene.nodes), position)


def _add_constant(scene: _Scene, plan: _Plan, node: Value, path: tuple[Group, ...], skip_paths: bool) -> None:
    """A plain-number operand is not a node of the graph, but the picture shows where it enters: when
    `node` takes exactly one (an op of any number of inputs shows its numbers in its own label)."""
    numbers = [(i, o) for i, o in enumerate(node.operands) if not isinstance(o, Value)]
    if len(numbers) != 1 or takes_any_number(node.op):
        return
    position, number = numbers[0]
    const_id = plan.ids[id(node)] + "c"
    scene.nodes[const_id] = {"kind": "constant", "label": plan.fmt(number), "cluster": path, "attrs": {}}
    skip = skip_paths and on_skip_path(node, None, position)
    scene.edges.append((const_id, plan.ids[id(node)], {"style": "dashed", "color": SKIP if skip else "#6b7280"}))


def _handed_on(wires: Wires, plan: _Plan) -> set[int]:
    """id(node) of the outputs of collapsed boxes: their nodes that feed a node outside (or are the root)."""
    handed_on = {id(child) for (tail, _), group in wires.items() if tail in plan.titles for child, _, _, _ in group}
    handed_on.add(id(plan.root))
    return handed_on


def _add_boxes(
    scene: _Scene, plan: _Plan, box_members: dict[str, list[Value]], handed_on: set[int], layout: BoxLayout | None
) -> None:
    """One node per collapsed box, showing its outputs' values and gradients."""
    for box, members in box_members.items():
        outputs = [n for n in members if id(n) in handed_on]
        where = _box_path(box, members, layout) if layout is not None else ()
        scene.nodes[box] = {
            "kind": "module",
            "label": _box_label(plan.titles[box], members, outputs, plan.grad_of, plan.fmt),
            "cluster": where,
            "attrs": {"color": SKIP, "penwidth": "2"} if _joins(members) else {},  # a real skip inside
        }


def _add_edges(scene: _Scene, plan: _Plan, wires: Wires) -> None:
    """The edges: one per wire between two plain nodes, one for all the wires into or out of a box or
    for many parallel wires; skip paths purple, highlighted ones orange."""
    titles = plan.titles
    # Between many boxes the edges carry no numbers: the boxes show what flows out of and into them,
    # and a label per edge would make the picture many times taller.
    quiet = sum(1 for tail, head in wires if tail in titles or head in titles) > QUIET_EDGES
    for (tail, head), group in wires.items():
        at_box = tail in titles or head in titles
        for attrs, drawn in _edges_for(group, plan.fmt, at_box=at_box):
            if quiet and at_box:
                attrs.pop("label", None)
            if all(skip for _, _, _, skip in drawn):
                attrs.update(color=SKIP, penwidth="2.5", fontcolor=SKIP)
            if any(plan.lit(child, parent) for child, parent, _, _ in drawn):
                attrs.update(color=HIGHLIGHT, penwidth="3")
            scene.edges.append((tail, head, attrs))


def _edges_for(group: list[Wire], fmt: Formatter, *, at_box: bool) -> list[tuple[dict[str, str], list[Wire]]]:
    """The edges drawn for the wires between two boxes or nodes, each with the wires it stands for."""
    if not at_box and len(group) < PARALLEL:
        return [(_wire_attrs(wire, fmt), [wire]) for wire in group]
    # one edge for many wires: it says how many, and, between two plain nodes, their gradients
    if len(group) == 1:
        return [(_wire_attrs(group[0], fmt), group)]
    return [({"label": _many_wires(group, fmt, between_boxes=at_box)}, group)]


def _wire_attrs(wire: Wire, fmt: Formatter) -> dict[str, str]:
    child, _, carried, _ = wire
    grad = None if carried is None else _grad_text(carried, fmt)
    return {"label": _edge_label(fmt(child.data), grad)}


def _many_wires(group: list[Wire], fmt: Formatter, *, between_boxes: bool) -> str:
    """The label of one edge drawn for several: how many, and between two nodes (the same value each
    time) the value and the gradients, `100 × 1` when they are all alike."""
    if between_boxes:
        return _text(f"{len(group)} wires")
    carried = [c for _, _, c, _ in group if c is not None]
    rows = f"<b>×{len(group)}</b><br/>" + f'<font color="{GREEN}">{_text(fmt(group[0][0].data))}</font>'
    if len(carried) == len(group):  # every gradient known
        texts = [_grad_text(c, fmt) for c in carried]
        text = f"{len(group)} × {texts[0]}" if len(set(texts)) == 1 else f"Σ {_grad_text(_total(carried), fmt)}"
        rows += f'<br/><font color="{RED}">{_text(text)}</font>'
    return f"<{rows}>"


def _total(carried: Sequence[float | str]) -> float | str:
    """The sum of the gradients of several edges; "undefined" if one of them is."""
    numbers = [c for c in carried if not isinstance(c, str)]
    return "undefined" if len(numbers) < len(carried) else sum(numbers)


def _joins(members: list[Value]) -> bool:
    return any(n.role is not None and n.role.skip_operands for n in members)


def _box_path(box: str, members: list[Value], layout: BoxLayout) -> tuple[Group, ...]:
    """The open boxes a collapsed box is drawn in: those around its group (or, for a bundle of nodes,
    the group they sit in)."""
    paths = [layout.path_of(n) for n in members]
    common = 0
    while all(len(p) > common and p[common] is paths[0][common] for p in paths):
        common += 1
    for k in range(1, common + 1):
        if "m_" + layout.key[tuple(id(g) for g in paths[0][:k])] == box:
            return paths[0][: k - 1]
    return paths[0][:common]


def _addition_chains(order: list[Value], root: Value, box_of: dict[int, str], marked: set) -> dict[int, int]:
    """id(node) -> id(the last addition of its chain), for the additions inside long chains
    s = s + x + x + ... (each used once, by the next addition; none in a model, highlighted or the
    root): such a chain is drawn as one sum of many terms. Drawn one by one, the terms that all come
    from one node (x) would each need an edge across the whole chain, and dot's work grows with the
    square of its length (a 100-term sum took minutes)."""
    uses: dict[int, int] = {}
    parent_of: dict[int, Value] = {}
    for node in order:
        for child in node.children:
            uses[id(child)] = uses.get(id(child), 0) + 1
            parent_of[id(child)] = node

    def addition(node: Value) -> bool:
        return node.op == "+" and node.role is None and id(node) not in box_of and id(node) not in marked

    top: dict[int, int] = {}
    for node in reversed(order):  # parents first
        if node is root or not addition(node) or uses.get(id(node)) != 1:
            continue
        parent = parent_of[id(node)]
        if addition(parent):
            top[id(node)] = top.get(id(parent), id(parent))
    sizes: dict[int, int] = {}
    for last in top.values():
        sizes[last] = sizes.get(last, 0) + 1
    return {inner: last for inner, last in top.items() if sizes[last] + 1 >= CHAIN}


def _kind(node: Value, root: Value) -> str:
    if node is root:
        return "output"
    if node.children:
        return "op"
    return "parameter" if node.role is not None and node.role.parameter else "input"


def _edge_gradient(local: float | None, upstream: float | None) -> float | str | None:
    if upstream is None or local is None:  # not yet sent back, or sent by a closure not yet run
        return None
    try:
        return local * upstream
    except (ZeroDivisionError, ValueError, OverflowError):
        return "undefined"


def _collapsed_boxes(
    order: list[Value], layout: BoxLayout, collapse: int | str | Iterable[str] | None, root: Value
) -> tuple[dict[int, str], dict[str, str]]:
    """id(node) -> the box that stands for it, for every node drawn inside a box, and each box's title."""
    if collapse is None or collapse is False:
        return {}, {}
    if collapse == "auto":
        return _auto(order, layout, root)
    if collapse == "stream":
        return _stream(order, layout, root)
    if isinstance(collapse, bool) or (isinstance(collapse, int) and collapse < 1):
        raise ValueError(
            f"collapse must be a depth >= 1, a group name, a list of names, 'auto', 'stream' or None; got {collapse!r}"
        )
    known = layout.known_names()
    if isinstance(collapse, int):
        return _at_depth(order, layout, collapse)
    wanted = [collapse] if isinstance(collapse, str) else list(collapse)
    unknown = [name for name in wanted if name not in known]
    if unknown:
        raise ValueError(
            f"collapse: no group named {', '.join(map(repr, unknown))} in this graph; "
            f"its groups are: {', '.join(known) or 'none (it has no modules or groups)'}"
        )
    return _boxes(order, layout, lambda k, name: name in wanted)


def _at_depth(order: list[Value], layout: BoxLayout, depth: int) -> tuple[dict[int, str], dict[str, str]]:
    return _boxes(order, layout, lambda k, name: k == depth)


def _boxes(
    order: list[Value], layout: BoxLayout, collapsed: Callable[[int, str], bool]
) -> tuple[dict[int, str], dict[str, str]]:
    """Each node into the outermost box on its path for which `collapsed(depth, name)` holds."""
    boxes: dict[int, str] = {}
    titles: dict[str, str] = {}
    for node in order:
        path = layout.path_of(node)
        for k in range(1, len(path) + 1):
            name = layout.key[tuple(id(g) for g in path[:k])]
            if collapsed(k, name):
                boxes[id(node)] = "m_" + name
                titles["m_" + name] = name
                break
    return boxes, titles


def _stream(order: list[Value], layout: BoxLayout, root: Value) -> tuple[dict[int, str], dict[str, str]]:
    """The residual stream: the groups holding an addition with a skip operand (and the groups around
    them) stay open; every other group is one box. The nodes left open are bundled: one box for the
    nodes with the same op, in the same group, fed by the same boxes (the root stays a node)."""
    open_groups = {
        id(g) for node in order if node.role is not None and node.role.skip_operands for g in layout.path_of(node)
    }
    boxes, titles = _boxes(order, layout, lambda k, name: False)
    for node in order:
        path = layout.path_of(node)
        for k, group in enumerate(path, start=1):
            if id(group) not in open_groups:
                name = layout.key[tuple(id(g) for g in path[:k])]
                boxes[id(node)] = "m_" + name
                titles["m_" + name] = name
                break
    kind_of: dict[int, int] = {}  # id(node) -> the number of its kind
    kinds: dict[tuple, list[Value]] = {}
    numbers: dict[tuple, int] = {}
    for node in order:
        if id(node) in boxes or node is root:
            continue
        path = layout.path_of(node)
        where = layout.key[tuple(id(g) for g in path)] if path else ""
        fed_by = tuple(sorted({boxes.get(id(c)) or f"#{kind_of[id(c)]}" for c in node.children}))
        skip = bool(node.role is not None and node.role.skip_operands)
        kind = (where, node.op, skip, fed_by)
        kind_of[id(node)] = numbers.setdefault(kind, len(numbers))
        kinds.setdefault(kind, []).append(node)
    used: dict[str, int] = {}
    for (where, op, _, _), members in kinds.items():
        if len(members) <= SHOWN_OUTPUTS:  # a few lanes stay nodes of their own, numbers on every edge
            continue
        text = picture_text(op) if op else "inputs"
        used[text] = used.get(text, 0) + 1
        key = f"m_{where}{'.' if where else ''}{text}#{used[text]}"
        titles[key] = f"{where}: {text}" if where else text
        for member in members:
            boxes[id(member)] = key
    return boxes, titles


def _auto(order: list[Value], layout: BoxLayout, root: Value) -> tuple[dict[int, str], dict[str, str]]:
    """The most detailed picture with at most AUTO_NODES boxes: every node, then (for a model with
    skips) its residual stream, then each depth from the innermost groups out, then (without skips)
    the stream's bundles, then depth 1; the smallest if none is small enough."""
    if len(order) <= AUTO_NODES or not layout.key:
        return {}, {}
    deepest = max(len(path) for path in layout.key)
    tries: list = [d for d in range(deepest, 1, -1)] + ["stream", 1]
    if any(node.role is not None and node.role.skip_operands for node in order):
        tries.remove("stream")  # a model with skips: its residual stream first, what the picture is for
        tries.insert(0, "stream")
    best: tuple[dict[int, str], dict[str, str]] = ({}, {})
    best_count = len(order)
    for attempt in tries:
        boxes, titles = _stream(order, layout, root) if attempt == "stream" else _at_depth(order, layout, attempt)
        count = len({boxes.get(id(node), id(node)) for node in order})
        if count <= AUTO_NODES:
            return boxes, titles
        if count < best_count:
            best, best_count = (boxes, titles), count
    return best


def _highlighted(highlight: Iterable, order: list[Value]) -> set:
    """id(node) and (id(child), id(parent)) for each highlighted node and edge; one that is not in
    the graph is a ValueError naming it (a highlight that draws nothing would say nothing)."""
    marked: set = set()
    nodes = {id(node) for node in order}
    for item in highlight:
        if isinstance(item, Value):
            if id(item) not in nodes:
                raise ValueError(f"draw(highlight): the node {_named(item)} is not in this graph")
            marked.add(id(item))
        elif isinstance(item, tuple) and len(item) == 2 and all(isinstance(v, Value) for v in item):
            child, parent = item
            if id(parent) not in nodes or not any(c is child for c in parent.children):
                raise ValueError(
                    f"draw(highlight): ({_named(child)}, {_named(parent)}) is not an edge of this graph "
                    "(an edge is (child, parent), the parent taking the child as an input)"
                )
            marked.add((id(child), id(parent)))
        else:
            raise checks.wrong_type("draw", "highlight", "a list of nodes and (child, parent) pairs of nodes", item)
    return marked


def _named(node: Value) -> str:
    """A node as an error message names it: by its label, else as checks shows a value."""
    return repr(node.label) if node.label else checks.shown(node)


# ------------------------------------------------------------------------------------- labels
def _formatter(precision: int) -> Formatter:
    if not isinstance(precision, int) or precision < 1:
        raise ValueError(f"precision must be a positive int; got {precision!r}")

    def fmt(x: float) -> str:
        text = f"{x:.{precision}g}"
        return "0" if text == "-0" else text

    return fmt


def _grad_text(carried: float | str, fmt: Formatter) -> str:
    return carried if isinstance(carried, str) else fmt(carried)


def _text(s: str) -> str:
    """Text for an HTML-like graphviz label: escaped, and a line break in a label stays a line break."""
    return html.escape(s, quote=True).replace("\r\n", "\n").replace("\n", "<br/>")


def _edge_label(value: str, grad: str | None) -> str:
    rows = f'<font color="{GREEN}">{_text(value)}</font>'
    if grad is not None:
        rows += f'<br/><font color="{RED}">{_text(grad)}</font>'
    return f"<{rows}>"


def _node_label(
    node: Value,
    name: str,
    named: bool,
    grad: float | None,
    sent_back: list[float | str],
    fmt: Formatter,
    chain: Sequence[Value] = (),
) -> tuple[str, str]:
    """The label and the tooltip (the full text of what the label cuts, else "").

    `named`: the node has a name of its own (a label, a role or a variable), shown before its op; an
    op node without one shows its op alone. `chain`: the additions drawn inside this one (a long
    chain s + x + x + ... drawn as one sum)."""
    full_name = name
    if len(name) > NAME_WIDTH:  # e.g. the command line's subexpressions: "x + x + ... + x"
        half = (NAME_WIDTH - 3) // 2
        name = f"{name[:half]} … {name[-half:]}"
    op = picture_text(node.op)
    if chain:
        terms = sum(len(n.operands) for n in chain) + len(node.operands) - len(chain)
        op = f"Σ of {terms} terms: {len(chain) + 1} additions drawn as one"
    if node.children:
        heading = f"{name}  ({op})" if named else op
        numbers = [o for o in node.operands if not isinstance(o, Value)]
        if takes_any_number(node.op) and numbers:
            shown = ", ".join(fmt(c) for c in numbers[:4]) + (", …" if len(numbers) > 4 else "")
            heading += f"  [{'x' if node.op == 'dot' else '+'} = {shown}]"
    else:
        heading = name
    tooltip = []
    if name != full_name:
        tooltip.append(full_name)
    if grad is None:
        grad_line = "grad ?"
    elif len(sent_back) > 1 and all(not isinstance(g, str) for g in sent_back):
        terms_text = [fmt(g) if g >= 0 else f"({fmt(g)})" for g in sent_back if not isinstance(g, str)]
        grad_line = f"grad {fmt(grad)} = {' + '.join(terms_text[:SHOWN_TERMS])}"
        if len(terms_text) > SHOWN_TERMS:
            grad_line += f" + … ({len(terms_text)} edges)"
            tooltip.append(f"grad {fmt(grad)} = {' + '.join(terms_text)}")
    else:
        grad_line = f"grad {fmt(grad)}"
    label = (
        "<<b>"
        + _text(heading)
        + "</b>"
        + f'<br/><font color="{GREEN}">data {_text(fmt(node.data))}</font>'
        + f'<br/><font color="{RED}">{_text(grad_line)}</font>>'
    )
    return label, "\n".join(tooltip)


def _box_label(
    name: str,
    members: list[Value],
    outputs: list[Value],
    grad_of: Callable[[Value], float | None],
    fmt: Formatter,
) -> str:
    """A collapsed group: its size, and the values and gradients of its outputs (the nodes it hands
    on), whose gradients are what flows into the group in the backward pass."""
    params = sum(1 for n in members if n.role is not None and n.role.parameter)
    detail = f"{len(members)} nodes" + (f", {params} parameters" if params else "")

    def numbers(values: list) -> str:
        shown = ", ".join("?" if v is None else fmt(v) for v in values[:SHOWN_OUTPUTS])
        return shown + (", …" if len(values) > SHOWN_OUTPUTS else "")

    outs = "output" if len(outputs) == 1 else f"{len(outputs)} outputs"
    return (
        f"<<b>{_text(name)}</b><br/>{_text(detail)}"
        + f'<br/><font color="{GREEN}">{_text(outs)}: {_text(numbers([n.data for n in outputs]))}</font>'
        + f'<br/><font color="{RED}">grad in: {_text(numbers([grad_of(n) for n in outputs]))}</font>>'
    )


# ------------------------------------------------------------------------------------- graphviz
def _emit(scene: _Scene, *, rankdir: str, legend: bool, title: str | None) -> Drawing:
    graph_attr = {"rankdir": rankdir, "fontname": "Helvetica", "nodesep": "0.3", "ranksep": "0.5"}
    if len(scene.nodes) > BIG:
        # dot's network simplex (ranks, then positions) and crossing minimisation run until they stop
        # improving; on a large picture that can take minutes for little gain, so each is bounded.
        graph_attr.update(nslimit="2", nslimit1="2", mclimit="0.5", remincross="false")
        # and its bitmap at most 100 x 100 inches (9600 px a side at 96 dpi): a longer picture is
        # scaled down rather than taking gigabytes (a PNG above 32767 px was scaled by cairo anyway)
        graph_attr["size"] = "100,100"
    graph = Drawing(
        "autograd",
        graph_attr=graph_attr,
        node_attr={"fontname": "Helvetica", "fontsize": "11", "style": "rounded,filled"},
        edge_attr={"fontname": "Helvetica", "fontsize": "10", "arrowsize": "0.7"},
    )
    if title:
        graph.attr(label=_edge_label(title, None).replace(GREEN, "#111827"), labelloc="t", fontsize="14")
    # Nodes grouped by box, boxes in the order their groups were made (n2 before n10); boxes are
    # opened and closed without recursion.
    cluster_ids = _cluster_ids([entry["cluster"] for entry in scene.nodes.values()])
    seq = {node_id: entry.get("seq", (i, 0)) for i, (node_id, entry) in enumerate(scene.nodes.items())}
    by_cluster = sorted(scene.nodes.items(), key=lambda item: (_path_order(item[1]["cluster"]), seq[item[0]]))
    open_path: tuple[Group, ...] = ()
    for node_id, entry in by_cluster:
        path = entry["cluster"]
        common = 0
        while common < min(len(open_path), len(path)) and open_path[common] is path[common]:
            common += 1
        for _ in range(len(open_path) - common):
            graph.body.append("}\n")
        for depth in range(common, len(path)):
            graph.body.append(_cluster_header(path[: depth + 1], cluster_ids, scene.residual))
        open_path = path
        graph.node(node_id, **_node_attrs(entry))
    for _ in open_path:
        graph.body.append("}\n")
    for tail, head, attrs in scene.edges:
        graph.edge(tail, head, **attrs)
    if legend:
        _add_legend(graph, scene)
    return graph


def _cluster_ids(paths: list[tuple[Group, ...]]) -> dict[tuple[int, ...], str]:
    """A DOT id for every box, from its titles (cluster_block0_fc1), unique and the same on every run."""
    ids: dict[tuple[int, ...], str] = {}
    used: set[str] = set()
    prefixes = {path[:k] for path in paths for k in range(1, len(path) + 1)}
    for path in sorted(prefixes, key=_path_order):
        base = "cluster_" + "_".join(re.sub(r"\W", "_", g.title) for g in path)
        name, n = base, 1
        while name in used:
            n += 1
            name = f"{base}_{n}"
        used.add(name)
        ids[tuple(id(g) for g in path)] = name
    return ids


def _cluster_header(path: tuple[Group, ...], cluster_ids: dict[tuple[int, ...], str], residual: set[int]) -> str:
    """A box's frame: purple when one of its own additions has a skip operand in this picture (not
    because of its class: the plain twin of a residual block has none)."""
    group = path[-1]
    fill, border = ("#faf5ff", SKIP) if id(group) in residual else ("#f9fafb", "#9ca3af")
    style = f'style="rounded,filled" fillcolor="{fill}" color="{border}"'
    cluster_id = cluster_ids[tuple(id(g) for g in path)]
    return f"subgraph {cluster_id} {{\n\tlabel=<{_text(group.title)}> fontsize=10 {style}\n"


def _node_attrs(entry: dict) -> dict:
    kind = entry["kind"]
    if kind == "constant":
        return {"label": _text(entry["label"]), "shape": "plaintext", "style": "", "fontcolor": "#6b7280"}
    if kind == "stand-in":
        return {"label": entry["label"], "shape": "box", "style": "rounded,dashed", "fontsize": "10", **entry["attrs"]}
    attrs = {"label": entry["label"], "shape": SHAPE[kind], "fillcolor": FILL[kind]}
    if kind == "module":
        attrs["margin"] = "0.15,0.1"  # box3d draws its depth over the label's first line without this
    if kind == "output":
        attrs["penwidth"] = "2"
    attrs.update(entry.get("attrs", {}))
    return attrs


def _add_legend(graph: graphviz.Digraph, scene: _Scene) -> None:
    """One small table: the node colours, and what the numbers and colours on an edge mean; only
    what this picture shows (no orange unless something is highlighted)."""
    kinds = {entry["kind"] for entry in scene.nodes.values()}
    colours = {attrs.get("color") for _, _, attrs in scene.edges}
    colours |= {entry["attrs"].get("color") for entry in scene.nodes.values()}
    boxes = {id(group): group for entry in scene.nodes.values() for group in entry["cluster"]}
    keys = (
        ("input", "input"),
        ("parameter", "parameter"),
        ("op", "operation"),
        ("module", "module"),
        ("output", "output"),
    )
    swatches = "".join(f'<td bgcolor="{FILL[k]}" border="1">{text}</td>' for k, text in keys if k in kinds)
    marks = [
        (
            SKIP in colours or any(id(g) in scene.residual for g in boxes.values()),
            f'<font color="{SKIP}"><b>purple</b>: skip path</font>',
        ),
        (HIGHLIGHT in colours, f'<font color="{HIGHLIGHT}"><b>orange</b>: highlighted</font>'),
        ("constant" in kinds, '<font color="#6b7280">grey: a plain number</font>'),
    ]
    shown = "   ".join(text for present, text in marks if present)
    width = max(1, sum(k in kinds for k, _ in keys))
    table = (
        f'<<table border="0" cellborder="0" cellspacing="4" cellpadding="3"><tr>{swatches}</tr>'
        f'<tr><td colspan="{width}"><font color="{GREEN}">green: value, flowing forward</font>   '
        f'<font color="{RED}">red: gradient, flowing back</font></td></tr>'
        + (f'<tr><td colspan="{width}">{shown}</td></tr>' if shown else "")
        + "</table>>"
    )
    graph.node("legend", label=table, shape="plaintext", style="", fontsize="10")


# ------------------------------------------------------------------------------------- arguments
def _check_options(root: object, **options: object) -> None:
    """draw's arguments, checked before anything is laid out (the graph's own checks come later)."""
    if not isinstance(root, Value):
        if isinstance(root, (list, tuple)):
            raise TypeError(
                f"draw(root): expected a Value, got {type(root).__name__}; for several outputs, draw their sum: "
                "autograd.sum_of(outputs)"
            )
        raise checks.wrong_type("draw", "root", "a Value", root)
    checks.one_of(options["rankdir"], "draw", "rankdir", ("auto", "LR", "TB", "RL", "BT"))
    for flag in ("legend", "clusters", "skip_paths"):
        if flag in options:
            checks.flag(options[flag], "draw", flag)
    checks.integer(options["max_nodes"], "draw", "max_nodes", minimum=1)
    if "precision" in options:
        checks.integer(options["precision"], "draw", "precision", minimum=1, maximum=17)
    if options["title"] is not None:
        checks.text(options["title"], "draw", "title")
    highlight = options.get("highlight", ())
    if isinstance(highlight, Value):
        raise TypeError(
            "draw(highlight): expected a list of nodes and (child, parent) edges, got a Value; write highlight=[node]"
        )
    if isinstance(highlight, (str, bytes)) or not isinstance(highlight, Iterable):
        raise checks.wrong_type("draw", "highlight", "a list of nodes and (child, parent) edges", highlight)
    collapse = options.get("collapse")
    if not (collapse is None or isinstance(collapse, (int, str)) or isinstance(collapse, Iterable)):
        raise checks.wrong_type("draw", "collapse", "a depth >= 1, a group name or a list of names", collapse)
    if isinstance(collapse, Iterable) and not isinstance(collapse, str):
        for name in collapse:
            checks.text(name, "draw", "collapse")
