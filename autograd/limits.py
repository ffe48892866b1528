"""How large a graph a picture or a step-through takes, checked before any work that grows with it.
Imports only the Value module (no graphviz): step-throughs check sizes without drawing.
"""

from __future__ import annotations

from .value import Value

DEFAULT_MAX_NODES = 1000  # a picture: dot lays this out in seconds once sums and long edges are bounded
DEFAULT_MAX_STEP_NODES = 200  # a step-through: one picture per operation, so its time grows with the square
WALK_FACTOR = 100  # collapsing shrinks a picture, so a collapsed one may walk this many times max_nodes


class GraphTooLargeError(ValueError):
    """The graph has more nodes than a picture can show in reasonable time."""


def check_max_nodes(max_nodes: object) -> int:
    if isinstance(max_nodes, bool) or not isinstance(max_nodes, int) or max_nodes < 1:
        raise ValueError(f"max_nodes must be an int >= 1; got {max_nodes!r}")
    return max_nodes


def refuse_above(root: Value, limit: int, what: str, hint: str) -> int:
    """The number of nodes reachable from `root`, or GraphTooLargeError as soon as the walk finds
    more than `limit` of them: refusing a graph of millions of nodes walks only `limit + 1`.

    >>> from autograd import Value
    >>> x = Value(1.0)
    >>> refuse_above(x + x * 2.0, 10, "", "")
    3
    """
    if not isinstance(root, Value):
        return 0  # the caller's own walk raises the TypeError that explains it
    seen = {id(root)}
    todo = [root]
    while todo:
        for child in todo.pop().children:
            if id(child) not in seen:
                seen.add(id(child))
                if len(seen) > limit:
                    raise GraphTooLargeError(f"the graph has more than {limit} nodes{what}; {hint}")
                todo.append(child)
    return len(seen)
