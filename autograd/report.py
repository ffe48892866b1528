"""Per-node gradient tables: what a tiny script prints after backward(). Text only, no imports
beyond the package."""

from __future__ import annotations

from .naming import node_names, number, one_line, operand_texts
from .value import Value, topological_order

_MAX_INPUTS_WIDTH = 30


def grad_table(root: Value) -> str:
    """One row per node of `root`'s graph, inputs first: name, op, inputs, data, grad.

    Unlabelled nodes are named by op and topological index (``*#2``), so names are stable.

    >>> from autograd import Value
    >>> a, b = Value(1.5, "a"), Value(3.5, "b")
    >>> s = a + b; s.label = "s"; s.backward()
    >>> print(grad_table(s))
    node  op  inputs  data  grad
    ----  --  ------  ----  ----
    a                  1.5     1
    b                  3.5     1
    s     +   a, b       5     1
    """
    order = topological_order(root)
    names = node_names(order)
    rows = [["node", "op", "inputs", "data", "grad"]]
    for node in order:
        inputs = one_line(", ".join(operand_texts(node, names))) if node.op else ""
        if len(inputs) > _MAX_INPUTS_WIDTH:
            inputs = inputs[: _MAX_INPUTS_WIDTH - 3] + "..."
        rows.append([one_line(names[id(node)]), node.op, inputs, number(node.data), number(node.grad)])
    widths = [max(len(row[col]) for row in rows) for col in range(5)]
    rows.insert(1, ["-" * w for w in widths])
    lines = []
    for row in rows:
        left = [cell.ljust(w) for cell, w in zip(row[:3], widths)]
        right = [cell.rjust(w) for cell, w in zip(row[3:], widths[3:])]
        lines.append("  ".join(left + right).rstrip())
    return "\n".join(lines)


def print_grads(root: Value) -> None:
    """Print `grad_table(root)`."""
    print(grad_table(root))
