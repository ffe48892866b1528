"""The backward pass one step at a time: frames, and a notebook slider over them (step_page.py writes
them as a page or a GIF). Computes gradients on the side (node.grad is not touched); drawing is
imported only to draw a frame, and neither it nor anything this imports imports this back."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .limits import DEFAULT_MAX_NODES, DEFAULT_MAX_STEP_NODES, check_max_nodes, refuse_above
from .naming import Names, node_names, number, variable_names
from .value import Value, topological_order

if TYPE_CHECKING:  # types only: drawing is imported when a frame is drawn, ipywidgets for a slider
    import ipywidgets

    from .drawing import Drawing


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

    def draw(self, root: Value, **draw_options: Any) -> Drawing:
        """This frame as a picture: the gradients so far, this node and its edges highlighted. Nodes
        are named as in the captions unless `names=` is given (see `autograd.draw`)."""
        from .drawing import BackwardState, draw_state

        if "highlight" in draw_options:
            raise TypeError(
                "highlight= is not an option of a step's picture: each step highlights its own node and edges"
            )
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
        for child, local in zip(node.children, node.local_grads, strict=True):
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


_HINT = "a step-through draws the whole graph once per step: step through a smaller graph, or raise max_nodes"


def _quoted(name: str) -> str:
    """A node's name in a sentence: as it is when it is one word, else in quotes."""
    return name if re.fullmatch(r"[\w.#]+", name) else f"“{name}”"


def step_widget(
    root: Value, *, names: Names = True, max_nodes: int = DEFAULT_MAX_STEP_NODES, **draw_options: Any
) -> ipywidgets.interactive:
    """The same frames behind an ipywidgets slider, for a notebook (needs `pip install ipywidgets`);
    each picture is drawn when its step is shown."""
    try:
        import ipywidgets
    except ImportError as missing:
        raise ImportError("step_widget needs ipywidgets: pip install 'skipgrad[notebooks]'") from missing
    frames = list(backward_steps(root, names=names, max_nodes=max_nodes))

    def show(step: int) -> None:
        from IPython.display import SVG, display

        print(f"step {step} of {len(frames) - 1}: {frames[step].caption}")
        picture = frames[step].draw(root, max_nodes=max_nodes, **draw_options).pipe(format="svg")
        display(SVG(picture.decode("utf-8")))

    slider = ipywidgets.IntSlider(min=0, max=len(frames) - 1, value=0, description="step")
    return ipywidgets.interactive(show, step=slider)
