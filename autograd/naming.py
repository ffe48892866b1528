"""How a node is named and described in text: shared by tables, drawings and the command line.
Imports only the Value module."""

from __future__ import annotations

from .value import Value, _Left


def number(x: float) -> str:
    """A float, short: 3.0 -> '3', -0.20000000000000001 -> '-0.2', 1e-12 -> '1e-12', -0.0 -> '0'."""
    text = f"{x:.6g}"
    return "0" if text == "-0" else text


def node_names(order: list[Value]) -> dict[int, str]:
    """id(node) -> a stable name: the label, or the op (or 'leaf') plus its topological index."""
    return {id(node): node.label or f"{node.op or 'leaf'}#{i}" for i, node in enumerate(order)}


def operands(node: Value) -> list[Value | float]:
    """The node's operands in the order they were written: Values, and plain numbers where they stood."""
    kids: list[Value | float] = list(node.children)
    const = node._const
    if const is None:
        return kids
    if isinstance(const, tuple):  # n-ary ops keep their plain-number terms in a tuple
        return kids + list(const)
    if isinstance(const, _Left):
        return [const, *kids]
    return [*kids, const]


def operand_texts(node: Value, names: dict[int, str]) -> list[str]:
    """The node's operands in the order they were written, Values by name and numbers by value."""
    return [names[id(x)] if isinstance(x, Value) else number(x) for x in operands(node)]
