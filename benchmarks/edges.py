"""The number of edges (input links) of a graph, counted by walking it once as its own engine stores it.

The tables divide a time by this count (ns per edge). Each engine is counted in its own structure, so
one computation can give different counts: skipgrad keeps a plain-number operand inside the node
(x * 1.0001 has one input), micrograd and the local-gradient design wrap it in a leaf Value of its
own (two inputs), and torch records no edge for a Python number (a None in next_functions).

Every walk here is iterative: the W2 chains are a million steps deep.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any


def skipgrad_edges(root: Any) -> int:
    """Inputs of every node of a skipgrad graph, `x * x` counting two."""
    from autograd import topological_order

    return sum(len(node.children) for node in topological_order(root))


def micrograd_edges(root: Any) -> int:
    """Entries of `_prev` over a micrograd graph (a set, so `x * x` counts one, as micrograd stores it)."""
    return _count(root, lambda node: node._prev)


def local_gradient_edges(root: Any) -> int:
    """Entries of `_children` over a graph of benchmarks/local_gradient.py's Value."""
    return _count(root, lambda node: node._children)


def torch_edges(root: Any) -> int:
    """Entries of `grad_fn.next_functions` that are not None, over the autograd graph behind a tensor
    (an edge to a leaf ends at its AccumulateGrad node, and counts). Leaves `root` detached.

    Reading next_functions gives each node a Python object, and once it has them a deep graph crashes
    Python when it is freed (a segfault with torch 2.13, from a chain of 100,000 nodes). Freed from the
    output back, one node at a time, it does not: the walk keeps the nodes' objects, detaches `root`,
    and lets them go in topological order, so each node goes while its inputs are still held.
    """
    if root.grad_fn is None:
        return 0
    order, edges = _torch_post_order(root.grad_fn)  # a function of its own: no local keeps a node past it
    root.detach_()
    while order:  # the output's node is last in the post-order: popped first
        order.pop()
    return edges


def _torch_post_order(output: Any) -> tuple[list[Any], int]:
    """The nodes behind `output`, each after every node that feeds into it, and the number of edges."""
    order: list[Any] = []
    edges = 0
    seen = {output}
    stack: list[tuple[Any, bool]] = [(output, False)]
    while stack:
        fn, inputs_done = stack.pop()
        if inputs_done:
            order.append(fn)
            continue
        stack.append((fn, True))
        children = [child for child, _ in fn.next_functions if child is not None]
        edges += len(children)
        for child in children:
            if child not in seen:
                seen.add(child)
                stack.append((child, False))
    return order, edges


def _count(root: Any, inputs: Callable[[Any], Collection[Any]]) -> int:
    """Sum of len(inputs(node)) over the nodes reachable from `root`, each node visited once."""
    edges = 0
    seen = {root}
    stack = [root]
    while stack:
        node = stack.pop()
        children = inputs(node)
        edges += len(children)
        for child in children:
            if child not in seen:
                seen.add(child)
                stack.append(child)
    return edges
