"""Pictures of a graph: every node and every edge shows its value (green) and its gradient (red).
Imports graphviz, so the package loads this module only when a picture is asked for.

Boxes (modules), parameters and skip paths come from the objects that made the nodes: each node's
`role` (see autograd/structure.py), never from the text of a label.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import graphviz

from . import checks
from .naming import Names, node_names, variable_names
from .structure import Group
from .value import Value, topological_order

GREEN = "#1a7f37"  # values, as on a CS231n circuit
RED = "#cf222e"  # gradients
SKIP = "#7c3aed"  # the skip path of a residual block
HIGHLIGHT = "#f97316"
FILL = {"input": "#dbeafe", "parameter": "#fef3c7", "op": "#f3f4f6", "output": "#dcfce7", "module": "#ede9fe"}
SHAPE = {"input": "box", "parameter": "box", "op": "box", "output": "box", "module": "box3d"}
OP_TEXT = {"dot": "w·x + b", "sum": "Σ", "neg": "−x"}  # how a few ops read in a picture
FORMATS = ("png", "svg", "pdf")
DEFAULT_MAX_NODES = 1000
SHOWN_OUTPUTS = 4  # a collapsed module lists this many of its outputs' numbers


class GraphTooLargeError(ValueError):
    """The graph has more nodes than a picture can show in reasonable time."""


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

    def _repr_mimebundle_(self, include=None, exclude=None, **kwargs):
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


def draw(
    root: Value,
    *,
    rankdir: str = "LR",
    legend: bool = False,
    clusters: bool = True,
    collapse: int | str | Iterable[str] | None = None,
    highlight: Iterable = (),
    skip_paths: bool = True,
    max_nodes: int = DEFAULT_MAX_NODES,
    precision: int = 4,
    title: str | None = None,
    names: Names = True,
) -> Drawing:
    """The graph behind `root` as a graphviz Digraph (shown inline in Jupyter).

    Args:
        rankdir: "LR" (inputs on the left, the default), "TB", "RL" or "BT".
        legend: add a small key explaining colours and shapes.
        clusters: draw the groups the nodes belong to (nn modules, or your own autograd.Group) as
            labelled boxes.
        collapse: draw groups as single boxes showing their outputs' values and gradients. An int
            collapses every group at that depth (1 = the outermost boxes: an MLP's layers, a
            ResidualMLP's blocks); a name ("layer1") or a list of names collapses those groups.
            Names are the groups' dotted names, as tables print them (`block0.fc1`); an unnamed
            group is called by its title (its class name).
        highlight: nodes and/or (child, parent) edges to draw bold in orange.
        skip_paths: draw skip connections (marked by residual blocks, or by `Group.mark(..., skip=)`)
            bold, in their own colour.
        max_nodes: refuse (GraphTooLargeError) to lay out more nodes than this; boxes for plain
            numbers are not counted, a collapsed group counts as one.
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
    rankdir: str = "LR",
    legend: bool = False,
    max_nodes: int = DEFAULT_MAX_NODES,
    title: str | None = None,
    **scene_options,
) -> Drawing:
    """`draw`, with the gradients of a backward step-through in place of `node.grad` (see steps.py)."""
    _check_options(root, rankdir=rankdir, legend=legend, max_nodes=max_nodes, title=title, **scene_options)
    scene = _build_scene(root, state, **scene_options)
    counted = sum(1 for entry in scene.nodes.values() if entry["kind"] != "constant")
    if counted > max_nodes:
        raise GraphTooLargeError(
            f"the graph has {counted} nodes to draw (plain numbers not counted), more than "
            f"max_nodes={max_nodes}; laying it out could take minutes. Draw a smaller graph (one sample "
            f"instead of a batch), collapse modules (collapse=1 draws each layer or block as one box), "
            f"or raise max_nodes."
        )
    return _emit(scene, rankdir=rankdir, legend=legend, title=title)


def render(root: Value, path: str | Path, **options) -> Path:
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
class _Layout:
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
def _build_scene(
    root: Value,
    state: BackwardState | None,
    *,
    clusters: bool = True,
    collapse: int | str | Iterable[str] | None = None,
    highlight: Iterable = (),
    skip_paths: bool = True,
    precision: int = 4,
    names: Names = True,
) -> _Scene:
    fmt = _formatter(precision)
    order = topological_order(root)
    ids = {id(node): f"n{i}" for i, node in enumerate(order)}
    variables = variable_names(names, order)
    shown = node_names(order, variables)
    layout = _Layout(order)
    box_of = _collapsed_boxes(order, layout, collapse)
    marked = _highlighted(highlight, order)
    current = state.current if state is not None else None

    def grad_of(node: Value) -> float | None:
        return node.grad if state is None else state.grads.get(id(node))

    # Every edge child -> parent with the gradient it carries back, and whether it is a skip path.
    edges = []
    sent_back: dict[int, list[float | str]] = {}
    for node in order:
        upstream = None if state is not None and id(node) not in state.pushed else grad_of(node)
        for child, local, position in _inputs(node):
            carried = _edge_gradient(local, upstream)
            skip = skip_paths and _on_skip_path(node, child, position)
            edges.append((child, node, carried, skip))
            if carried is not None:
                sent_back.setdefault(id(child), []).append(carried)

    scene = _Scene()
    box_members: dict[str, list[Value]] = {}
    for node in order:
        path = layout.path_of(node) if clusters else ()
        if id(node) in box_of:
            box_members.setdefault(box_of[id(node)], []).append(node)
            continue
        kind = _kind(node, root)
        attrs: dict[str, str] = {}
        if id(node) in marked or node is current:
            attrs.update(color=HIGHLIGHT, penwidth="3")
        name = node.label or (node.role.name if path and node.role.name else shown[id(node)])
        named = bool(node.label) or node.role is not None or id(node) in variables
        scene.nodes[ids[id(node)]] = {
            "kind": kind,
            "label": _node_label(node, name, named, grad_of(node), sent_back.get(id(node), []), fmt),
            "cluster": path,
            "attrs": attrs,
        }
        numbers = [(i, o) for i, o in enumerate(node.operands) if not isinstance(o, Value)]
        if len(numbers) == 1 and node.op not in OP_TEXT:
            # A plain-number operand is not a node of the graph, but the picture shows where it enters.
            position, number = numbers[0]
            const_id = ids[id(node)] + "c"
            scene.nodes[const_id] = {"kind": "constant", "label": fmt(number), "cluster": path, "attrs": {}}
            skip = skip_paths and _on_skip_path(node, None, position)
            scene.edges.append((const_id, ids[id(node)], {"style": "dashed", "color": SKIP if skip else "#6b7280"}))

    # A collapsed group's outputs: its nodes that feed a node outside it (or are the root).
    handed_on = {id(child) for child, parent, _, _ in edges if box_of.get(id(child)) != box_of.get(id(parent))}
    handed_on.add(id(root))
    for box, members in box_members.items():
        outputs = [n for n in members if id(n) in handed_on]
        scene.nodes[box] = {
            "kind": "module",
            "label": _box_label(box[2:], members, outputs, grad_of, fmt),
            "cluster": (),
            "attrs": {},
        }

    between_boxes: dict[tuple[str, str], list] = {}
    for child, parent, carried, skip in edges:
        tail = box_of.get(id(child), ids[id(child)])
        head = box_of.get(id(parent), ids[id(parent)])
        if tail == head:
            continue  # inside one collapsed module
        grad = None if carried is None else _grad_text(carried, fmt)
        attrs = {"label": _edge_label(fmt(child.data), grad)}
        if skip:
            attrs.update(color=SKIP, penwidth="2.5", fontcolor=SKIP)
        if (id(child), id(parent)) in marked or (current is not None and parent is current):
            attrs.update(color=HIGHLIGHT, penwidth="3")
        if id(child) in box_of or id(parent) in box_of:
            between_boxes.setdefault((tail, head), []).append(attrs)
            continue
        scene.edges.append((tail, head, attrs))
    for (tail, head), wires in between_boxes.items():
        # one edge per pair of boxes; with several wires it says how many instead of each number
        attrs = wires[0] if len(wires) == 1 else {"label": _text(f"{len(wires)} wires")}
        scene.edges.append((tail, head, attrs))
    return scene


def _inputs(node: Value):
    """(child, local derivative, position in node.operands) for every Value input of `node`."""
    positions = [i for i, o in enumerate(node.operands) if isinstance(o, Value)]
    return zip(node.children, node.local_grads, positions)


def _on_skip_path(node: Value, child: Value | None, position: int) -> bool:
    """Is the edge from operand `position` (`child`, or a plain number when None) into `node` a skip path?"""
    role = node.role
    if role is None:
        return False
    if position in role.skip_operands:
        return True
    # Inside a group on the skip path (a projection Ws . x) every edge that carries data is on it;
    # the group's own parameters feed it but are not the skip.
    group = role.group
    if group is None or child is None or (child.role is not None and child.role.parameter):
        return False
    return any(g.on_skip_path for g in group.path())


def _kind(node: Value, root: Value) -> str:
    if node is root:
        return "output"
    if node.children:
        return "op"
    return "parameter" if node.role is not None and node.role.parameter else "input"


def _edge_gradient(local, upstream: float | None) -> float | str | None:
    if upstream is None or local is None:  # not yet sent back, or sent by a closure not yet run
        return None
    try:
        return local * upstream
    except (ZeroDivisionError, ValueError, OverflowError):
        return "undefined"


def _collapsed_boxes(order: list[Value], layout: _Layout, collapse) -> dict[int, str]:
    """id(node) -> the box that stands for its group, for every node inside a collapsed group."""
    if collapse is None or collapse is False:
        return {}
    if isinstance(collapse, bool) or (isinstance(collapse, int) and collapse < 1):
        raise ValueError(f"collapse must be a depth >= 1, a group name or a list of names; got {collapse!r}")
    known = layout.known_names()
    if isinstance(collapse, int):
        depth, wanted = collapse, None
    else:
        wanted = [collapse] if isinstance(collapse, str) else list(collapse)
        unknown = [name for name in wanted if name not in known]
        if unknown:
            raise ValueError(
                f"collapse: no group named {', '.join(map(repr, unknown))} in this graph; "
                f"its groups are: {', '.join(known) or 'none (it has no modules or groups)'}"
            )
    boxes: dict[int, str] = {}
    for node in order:
        path = layout.path_of(node)
        for k in range(1, len(path) + 1):
            name = layout.key[tuple(id(g) for g in path[:k])]
            if (wanted is None and k == depth) or (wanted is not None and name in wanted):
                boxes[id(node)] = "m_" + name
                break
    return boxes


def _highlighted(highlight: Iterable, order: list[Value]) -> set:
    """The ids of the highlighted nodes and (child, parent) edges; each must be in the graph."""
    marked: set = set()
    in_graph = {id(node) for node in order}
    for item in highlight:
        if isinstance(item, Value):
            if id(item) not in in_graph:
                raise ValueError(f"draw(highlight): the node {checks.shown(item)} is not in this graph")
            marked.add(id(item))
        elif isinstance(item, tuple) and len(item) == 2 and all(isinstance(v, Value) for v in item):
            child, parent = item
            if id(parent) not in in_graph or not any(c is child for c in parent.children):
                raise ValueError(
                    f"draw(highlight): ({checks.shown(child)}, {checks.shown(parent)}) is not an edge of this graph "
                    "(an edge is (child, parent), the parent taking the child as an input)"
                )
            marked.add((id(child), id(parent)))
        else:
            raise checks.wrong_type("draw", "highlight", "a list of nodes and (child, parent) pairs of nodes", item)
    return marked


# ------------------------------------------------------------------------------------- labels
def _formatter(precision: int):
    if not isinstance(precision, int) or precision < 1:
        raise ValueError(f"precision must be a positive int; got {precision!r}")

    def fmt(x: float) -> str:
        text = f"{x:.{precision}g}"
        return "0" if text == "-0" else text

    return fmt


def _grad_text(carried: float | str, fmt) -> str:
    return carried if isinstance(carried, str) else fmt(carried)


def _text(s: str) -> str:
    """Text for an HTML-like graphviz label: escaped, and a line break in a label stays a line break."""
    return html.escape(s, quote=True).replace("\r\n", "\n").replace("\n", "<br/>")


def _edge_label(value: str, grad: str | None) -> str:
    rows = f'<font color="{GREEN}">{_text(value)}</font>'
    if grad is not None:
        rows += f'<br/><font color="{RED}">{_text(grad)}</font>'
    return f"<{rows}>"


def _node_label(node: Value, name: str, named: bool, grad: float | None, sent_back: list, fmt) -> str:
    """`named`: the node has a name of its own (a label, a role or a variable), shown before its op;
    an op node without one shows its op alone."""
    op = OP_TEXT.get(node.op, node.op)
    if node.children:
        heading = f"{name}  ({op})" if named else op
        numbers = [o for o in node.operands if not isinstance(o, Value)]
        if node.op in OP_TEXT and numbers:
            shown = ", ".join(fmt(c) for c in numbers[:4]) + (", …" if len(numbers) > 4 else "")
            heading += f"  [{'x' if node.op == 'dot' else '+'} = {shown}]"
    else:
        heading = name
    if grad is None:
        grad_line = "grad ?"
    elif len(sent_back) > 1 and all(not isinstance(g, str) for g in sent_back):
        parts = " + ".join(fmt(g) if g >= 0 else f"({fmt(g)})" for g in sent_back)
        grad_line = f"grad {fmt(grad)} = {parts}"
    else:
        grad_line = f"grad {fmt(grad)}"
    return (
        "<<b>"
        + _text(heading)
        + "</b>"
        + f'<br/><font color="{GREEN}">data {_text(fmt(node.data))}</font>'
        + f'<br/><font color="{RED}">{_text(grad_line)}</font>>'
    )


def _box_label(name: str, members: list[Value], outputs: list[Value], grad_of, fmt) -> str:
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
    graph = Drawing(
        "autograd",
        graph_attr={"rankdir": rankdir, "fontname": "Helvetica", "nodesep": "0.3", "ranksep": "0.5"},
        node_attr={"fontname": "Helvetica", "fontsize": "11", "style": "rounded,filled"},
        edge_attr={"fontname": "Helvetica", "fontsize": "10", "arrowsize": "0.7"},
    )
    if title:
        graph.attr(label=_edge_label(title, None).replace(GREEN, "#111827"), labelloc="t", fontsize="14")
    # Nodes grouped by box, boxes in the order their groups were made (n2 before n10); boxes are
    # opened and closed without recursion.
    cluster_ids = _cluster_ids([entry["cluster"] for entry in scene.nodes.values()])
    by_cluster = sorted(scene.nodes.items(), key=lambda item: _path_order(item[1]["cluster"]))
    open_path: tuple[Group, ...] = ()
    for node_id, entry in by_cluster:
        path = entry["cluster"]
        common = 0
        while common < min(len(open_path), len(path)) and open_path[common] is path[common]:
            common += 1
        for _ in range(len(open_path) - common):
            graph.body.append("}\n")
        for depth in range(common, len(path)):
            graph.body.append(_cluster_header(path[: depth + 1], cluster_ids))
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


def _cluster_header(path: tuple[Group, ...], cluster_ids: dict[tuple[int, ...], str]) -> str:
    group = path[-1]
    fill, border = ("#faf5ff", SKIP) if group.residual else ("#f9fafb", "#9ca3af")
    style = f'style="rounded,filled" fillcolor="{fill}" color="{border}"'
    cluster_id = cluster_ids[tuple(id(g) for g in path)]
    return f"subgraph {cluster_id} {{\n\tlabel=<{_text(group.title)}> fontsize=10 {style}\n"


def _node_attrs(entry: dict) -> dict:
    kind = entry["kind"]
    if kind == "constant":
        return {"label": _text(entry["label"]), "shape": "plaintext", "style": "", "fontcolor": "#6b7280"}
    attrs = {"label": entry["label"], "shape": SHAPE[kind], "fillcolor": FILL[kind]}
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
            SKIP in colours or any(g.residual for g in boxes.values()),
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
def _check_options(root: object, **options) -> None:
    """draw's arguments, checked before anything is laid out (the graph's own checks come later)."""
    if not isinstance(root, Value):
        if isinstance(root, (list, tuple)):
            raise TypeError(
                f"draw(root): expected a Value, got {type(root).__name__}; for several outputs, draw their sum: "
                "autograd.sum_of(outputs)"
            )
        raise checks.wrong_type("draw", "root", "a Value", root)
    checks.one_of(options["rankdir"], "draw", "rankdir", ("LR", "TB", "RL", "BT"))
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
