"""Per-node gradient tables: what a tiny script prints after backward(). Text only, no imports
beyond the package."""

from __future__ import annotations

from .naming import Names, node_names, number, one_line, operand_texts, variable_names
from .value import Value, topological_order

_MAX_INPUTS_WIDTH = 30


def grad_table(root: Value, *, names: Names = True) -> str:
    """One row per node of `root`'s graph, inputs first: name, op, inputs, data, grad.

    A node is named by its label, else by the caller's variable that holds it (`names=True`, the
    default; `names=False` turns it off; `names={node: "name"}` gives the names), else by its role in a
    model, else by op and topological index (``*#2``), so names are stable. See autograd/naming.py.

    >>> from autograd import Value
    >>> a, b = Value(1.5, "a"), Value(3.5, "b")
    >>> s = a + b; s.backward()
    >>> print(grad_table(s))
    node  op  inputs  data  grad
    ----  --  ------  ----  ----
    a                  1.5     1
    b                  3.5     1
    s     +   a, b       5     1
    >>> print(grad_table(s, names=False).splitlines()[-1])
    +#2   +   a, b       5     1
    """
    order = topological_order(root)
    shown = node_names(order, variable_names(names, order))
    rows = [["node", "op", "inputs", "data", "grad"]]
    for node in order:
        inputs = one_line(", ".join(operand_texts(node, shown))) if node.op else ""
        if len(inputs) > _MAX_INPUTS_WIDTH:
            inputs = inputs[: _MAX_INPUTS_WIDTH - 3] + "..."
        rows.append([one_line(shown[id(node)]), node.op, inputs, number(node.data), number(node.grad)])
    widths = [max(len(row[col]) for row in rows) for col in range(5)]
    rows.insert(1, ["-" * w for w in widths])
    lines = []
    for row in rows:
        left = [cell.ljust(w) for cell, w in zip(row[:3], widths[:3], strict=True)]
        right = [cell.rjust(w) for cell, w in zip(row[3:], widths[3:], strict=True)]
        lines.append("  ".join(left + right).rstrip())
    return "\n".join(lines)


def print_grads(root: Value, *, names: Names = True) -> None:
    """Print `grad_table(root, names=names)` (the caller's variables name its nodes, as there)."""
    print(grad_table(root, names=names))
