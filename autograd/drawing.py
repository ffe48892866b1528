"""Pictures of a graph: every node and every edge shows its value (green) and its gradient (red).
Imports graphviz, so the package loads this module only when a picture is asked for.

Modules from `nn` become clusters, found from the dotted labels they give their nodes (`block0.fc1.n2.w0`);
a node labelled `<block>.sum<i>` is where a residual block's skip path joins, and that path is drawn bold.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import graphviz

from .graph import topological_order
from .naming import node_names
from .value import Value

GREEN = "#1a7f37"  # values, as on a CS231n circuit
RED = "#cf222e"  # gradients
SKIP = "#7c3aed"  # the skip path of a residual block
HIGHLIGHT = "#f97316"
FILL = {"input": "#dbeafe", "parameter": "#fef3c7", "op": "#f3f4f6", "output": "#dcfce7", "module": "#ede9fe"}
SHAPE = {"input": "box", "parameter": "box", "op": "box", "output": "box", "module": "box3d"}
OP_TEXT = {"dot": "w·x + b", "sum": "Σ", "neg": "−x"}  # how a few ops read in a picture
FORMATS = ("png", "svg", "pdf")
DEFAULT_MAX_NODES = 1000

_SUM_LABEL = re.compile(r"^(?P<block>.*?)\.?sum\d+$")


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
    collapse: int | Iterable[str] | None = None,
    highlight: Iterable = (),
    skip_paths: bool = True,
    max_nodes: int = DEFAULT_MAX_NODES,
    precision: int = 4,
    title: str | None = None,
    grads: dict[int, float] | None = None,
    pushed: set[int] | frozenset[int] | None = None,
    current: Value | None = None,
) -> Drawing:
    """The graph behind `root` as a graphviz Digraph (shown inline in Jupyter).

    Args:
        rankdir: "LR" (inputs on the left, the default), "TB", "RL" or "BT".
        legend: add a small key explaining colours and shapes.
        clusters: group the nodes of `nn` modules (neurons, layers, blocks) in labelled boxes.
        collapse: draw modules as single boxes: an int collapses every module at that depth
            (1 = layers and blocks), or give module names such as ["block0", "layer1"].
        highlight: nodes and/or (child, parent) edges to draw bold in orange.
        skip_paths: draw the skip path of each residual block bold, in its own colour.
        max_nodes: refuse (GraphTooLargeError) above this many boxes instead of a minutes-long layout.
        precision: significant digits of the numbers shown.
        title: a caption above the picture.
        grads, pushed, current: used by the backward step-through: the gradients known so far and
            the nodes that have already sent theirs back (both by id(node)), and the node being
            processed. Edges out of nodes that have not pushed yet show no gradient.

    Each edge carries the value flowing forward (green) and the gradient flowing back along it
    (red): the local derivative times the gradient of the node it feeds. A node that feeds several
    others shows its gradient as the sum of its edges' gradients.

    >>> from autograd import Value
    >>> a = Value(2.0, "a"); b = a * a; b.backward()
    >>> source = draw(b).source
    >>> source.count("n0 -> n1")  # a*a: both edges are drawn
    2
    """
    if rankdir not in ("LR", "TB", "RL", "BT"):
        raise ValueError(f"rankdir must be LR, TB, RL or BT; got {rankdir!r}")
    scene = _build_scene(
        root,
        clusters=clusters,
        collapse=collapse,
        highlight=highlight,
        skip_paths=skip_paths,
        precision=precision,
        grads=grads,
        pushed=pushed,
        current=current,
    )
    if len(scene.nodes) > max_nodes:
        raise GraphTooLargeError(
            f"the graph has {len(scene.nodes)} boxes to draw, more than max_nodes={max_nodes}; laying it out "
            f"could take minutes. Draw a smaller graph (one sample instead of a batch), collapse modules "
            f"(collapse=1 draws each layer or block as one box), or raise max_nodes."
        )
    return _emit(scene, rankdir=rankdir, legend=legend, title=title)


def render(root: Value, path: str | Path, **options) -> Path:
    """Draw `root`'s graph into a PNG, SVG or PDF file chosen by the extension of `path`.

    Writes only that file (no `.gv` source is left behind) and returns its path. Takes the same
    options as `draw`. Raises DotNotFoundError when Graphviz's `dot` program is missing.
    """
    path = Path(path)
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        raise ValueError(f"render writes {', '.join('.' + f for f in FORMATS)} files; got {path.name!r}")
    graph = draw(root, **options)
    return render_drawing(graph, path)


def render_drawing(graph: graphviz.Digraph, path: Path) -> Path:
    """Run `dot` on an already built drawing; the format comes from the file extension."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        graph.render(outfile=str(path), format=path.suffix.lower().lstrip("."), cleanup=True)
    except graphviz.ExecutableNotFound as missing:
        raise DotNotFoundError() from missing
    return path


# ------------------------------------------------------------------------------------- scene
def _build_scene(root, *, clusters, collapse, highlight, skip_paths, precision, grads, pushed, current) -> _Scene:
    order = topological_order(root)
    ids = {id(node): f"n{i}" for i, node in enumerate(order)}
    names = node_names(order)
    fmt = _formatter(precision)
    parameter_like = _parameter_labels(order)

    def grad_of(node: Value) -> float | None:
        if grads is None:
            return node.grad
        return grads.get(id(node))

    # Every edge child -> parent with the gradient it carries back.
    edges = []
    sent_back: dict[int, list[float | str]] = {}
    for node in order:
        upstream = None if pushed is not None and id(node) not in pushed else grad_of(node)
        for child, local in zip(node.children, node._local_grads):
            carried = _edge_gradient(local, upstream)
            edges.append((child, node, carried))
            if carried is not None:
                sent_back.setdefault(id(child), []).append(carried)

    box_of = _collapsed_boxes(order, collapse)
    marked = _highlighted(highlight)
    skip_edges = _skip_edges(order) if skip_paths else set()
    scene = _Scene()

    for node in order:
        if id(node) in box_of:
            box = box_of[id(node)]
            entry = scene.nodes.setdefault(box, {"kind": "module", "members": 0, "params": 0, "cluster": ()})
            entry["members"] += 1
            entry["params"] += int(not node.children and node.label in parameter_like)
            continue
        kind = (
            "output"
            if node is root
            else "op"
            if node.children
            else "parameter"
            if node.label in parameter_like
            else "input"
        )
        attrs: dict[str, str] = {}
        if id(node) in marked or node is current:
            attrs.update(color=HIGHLIGHT, penwidth="3")
        cluster = _cluster_path(node.label) if clusters else ()
        name = node.label.rsplit(".", 1)[-1] if cluster else names[id(node)]  # the cluster shows the rest
        scene.nodes[ids[id(node)]] = {
            "kind": kind,
            "label": _node_label(node, name, grad_of(node), sent_back.get(id(node), []), fmt),
            "cluster": cluster,
            "attrs": attrs,
        }
        if node._const is not None and not isinstance(node._const, tuple):
            # A plain-number operand is not a node of the graph, but the picture shows where it enters.
            const_id = ids[id(node)] + "c"
            scene.nodes[const_id] = {"kind": "constant", "label": fmt(node._const), "cluster": (), "attrs": {}}
            into_sum = skip_paths and _SUM_LABEL.match(node.label) is not None  # zero padding of a skip
            scene.edges.append((const_id, ids[id(node)], {"style": "dashed", "color": SKIP if into_sum else "#6b7280"}))

    seen_box_edges: dict[tuple[str, str], dict] = {}
    for child, parent, carried in edges:
        tail = box_of.get(id(child), ids[id(child)])
        head = box_of.get(id(parent), ids[id(parent)])
        if id(child) in box_of or id(parent) in box_of:
            if tail == head:
                continue  # inside one collapsed module
            key = (tail, head)
            if key in seen_box_edges:
                seen_box_edges[key]["wires"] += 1
                continue
            seen_box_edges[key] = {"wires": 1}
            scene.edges.append((tail, head, seen_box_edges[key]))
            continue
        attrs = {"label": _edge_label(fmt(child.data), None if carried is None else _grad_text(carried, fmt))}
        if (id(child), id(parent)) in skip_edges:
            attrs.update(color=SKIP, penwidth="2.5", fontcolor=SKIP)
        if (id(child), id(parent)) in marked or (current is not None and parent is current):
            attrs.update(color=HIGHLIGHT, penwidth="3")
        scene.edges.append((tail, head, attrs))

    for box, entry in scene.nodes.items():
        if entry["kind"] == "module":
            entry["label"] = _box_label(box, entry)
            entry["attrs"] = {}
    for _, _, attrs in scene.edges:
        if "wires" in attrs:
            count = int(attrs.pop("wires"))
            attrs["label"] = _text(f"{count} wires") if count > 1 else ""
    return scene


def _edge_gradient(local, upstream: float | None) -> float | str | None:
    if upstream is None:
        return None
    try:
        return local * upstream
    except (ZeroDivisionError, ValueError, OverflowError):
        return "undefined"


def _parameter_labels(order: list[Value]) -> set[str]:
    """Leaves labelled like nn parameters (`...w3`, `...b`) inside a module."""
    return {n.label for n in order if not n.children and "." in n.label and re.search(r"(^|\.)(w\d+|b)$", n.label)}


def _cluster_path(label: str) -> tuple[str, ...]:
    parts = label.split(".")
    return tuple(parts[:-1]) if len(parts) > 1 and all(parts) else ()


def _collapsed_boxes(order: list[Value], collapse) -> dict[int, str]:
    """id(node) -> the box that stands for its module, for every node inside a collapsed module."""
    if collapse is None or collapse is False:
        return {}
    if isinstance(collapse, bool) or (isinstance(collapse, int) and collapse < 1):
        raise ValueError(f"collapse must be a depth >= 1 or a list of module names; got {collapse!r}")
    if isinstance(collapse, int):
        depth = collapse
        prefixes = None
    else:
        depth = None
        prefixes = [tuple(name.split(".")) for name in collapse]
    boxes = {}
    for node in order:
        path = _cluster_path(node.label)
        if depth is not None and len(path) >= depth:
            boxes[id(node)] = "m_" + ".".join(path[:depth])
        elif prefixes:
            for prefix in prefixes:
                if path[: len(prefix)] == prefix:
                    boxes[id(node)] = "m_" + ".".join(prefix)
                    break
    return boxes


def _highlighted(highlight: Iterable) -> set:
    marked: set = set()
    for item in highlight:
        if isinstance(item, Value):
            marked.add(id(item))
        elif isinstance(item, tuple) and len(item) == 2 and all(isinstance(v, Value) for v in item):
            marked.add((id(item[0]), id(item[1])))
        else:
            raise TypeError(f"highlight takes Values and (child, parent) pairs of Values; got {item!r:.60}")
    return marked


def _skip_edges(order: list[Value]) -> set[tuple[int, int]]:
    """Edges on the skip path of every residual block: into each `<block>.sum<i>` from outside the
    block's branch (`<block>.fc*`), and every edge into a node of a projection (`<block>.proj.*`)."""
    skip: set[tuple[int, int]] = set()
    for node in order:
        if "proj" in _cluster_path(node.label):
            # the data path through the projection; its weights feed it but are not the skip
            skip.update(
                (id(child), id(node))
                for child in node.children
                if child.children or "proj" not in _cluster_path(child.label)
            )
            continue
        match = _SUM_LABEL.match(node.label)
        if match and node.children:
            block = match.group("block")
            branch = f"{block}.fc" if block else "fc"
            skip.update((id(child), id(node)) for child in node.children if not child.label.startswith(branch))
    return skip


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
    return html.escape(s, quote=True)


def _edge_label(value: str, grad: str | None) -> str:
    rows = f'<font color="{GREEN}">{_text(value)}</font>'
    if grad is not None:
        rows += f'<br/><font color="{RED}">{_text(grad)}</font>'
    return f"<{rows}>"


def _node_label(node: Value, name: str, grad: float | None, sent_back: list, fmt) -> str:
    op = OP_TEXT.get(node.op, node.op)
    if node.children:
        heading = f"{name}  ({op})" if node.label else op
        if isinstance(node._const, tuple) and node._const:
            shown = ", ".join(fmt(c) for c in node._const[:4]) + (", …" if len(node._const) > 4 else "")
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


def _box_label(box: str, entry: dict) -> str:
    name = box[2:]
    detail = f"{entry['members']} nodes" + (f", {entry['params']} parameters" if entry["params"] else "")
    return f"<<b>{_text(name)}</b><br/>{_text(detail)}>"


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
    # Nodes grouped by cluster path; clusters opened and closed without recursion.
    by_cluster = sorted(scene.nodes.items(), key=lambda item: item[1]["cluster"])
    open_path: tuple[str, ...] = ()
    for node_id, entry in by_cluster:
        path = entry["cluster"]
        common = 0
        while common < min(len(open_path), len(path)) and open_path[common] == path[common]:
            common += 1
        for _ in range(len(open_path) - common):
            graph.body.append("}\n")
        for depth in range(common, len(path)):
            graph.body.append(_cluster_header(path[: depth + 1]))
        open_path = path
        graph.node(node_id, **_node_attrs(entry))
    for _ in open_path:
        graph.body.append("}\n")
    for tail, head, attrs in scene.edges:
        graph.edge(tail, head, **attrs)
    if legend:
        _add_legend(graph)
    return graph


def _cluster_header(path: tuple[str, ...]) -> str:
    name = path[-1]
    block = name.startswith("block")
    fill, border = ("#faf5ff", SKIP) if block else ("#f9fafb", "#9ca3af")
    style = f'style="rounded,filled" fillcolor="{fill}" color="{border}"'
    cluster_id = "cluster_" + "_".join(re.sub(r"\W", "_", p) for p in path)
    return f"subgraph {cluster_id} {{\n\tlabel=<{_text(name)}> fontsize=10 {style}\n"


def _node_attrs(entry: dict) -> dict:
    kind = entry["kind"]
    if kind == "constant":
        return {"label": _text(entry["label"]), "shape": "plaintext", "style": "", "fontcolor": "#6b7280"}
    attrs = {"label": entry["label"], "shape": SHAPE[kind], "fillcolor": FILL[kind]}
    if kind == "output":
        attrs["penwidth"] = "2"
    attrs.update(entry.get("attrs", {}))
    return attrs


def _add_legend(graph: graphviz.Digraph) -> None:
    """One small table: the node colours, and what the numbers and colours on an edge mean."""
    swatches = "".join(
        f'<td bgcolor="{FILL[kind]}" border="1">{text}</td>'
        for kind, text in (("input", "input"), ("parameter", "parameter"), ("op", "operation"), ("output", "output"))
    )
    table = (
        f'<<table border="0" cellborder="0" cellspacing="4" cellpadding="3"><tr>{swatches}</tr>'
        f'<tr><td colspan="4"><font color="{GREEN}">green: value, flowing forward</font>   '
        f'<font color="{RED}">red: gradient, flowing back</font></td></tr>'
        f'<tr><td colspan="4"><font color="{SKIP}"><b>purple</b>: skip path</font>   '
        f'<font color="{HIGHLIGHT}"><b>orange</b>: highlighted</font>   '
        f'<font color="#6b7280">grey: a plain number</font></td></tr></table>>'
    )
    graph.node("legend", label=table, shape="plaintext", style="", fontsize="10")
