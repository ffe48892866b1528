"""How a node is named and described in text: shared by tables, drawings and the command line.
Imports only the Value module."""

from __future__ import annotations

from .value import Value


def number(x: float) -> str:
    """A float, short: 3.0 -> '3', -0.20000000000000001 -> '-0.2', 1e-12 -> '1e-12', -0.0 -> '0'."""
    text = f"{x:.6g}"
    return "0" if text == "-0" else text


def given_name(node: Value) -> str:
    """The node's label, else the name its role gives it inside a model ('layer0.n2.z'), else ''."""
    if node.label:
        return node.label
    role = node.role
    return role.qualified_name if role is not None else ""


def node_names(order: list[Value]) -> dict[int, str]:
    """id(node) -> a stable name: `given_name`, or the op (or 'leaf') plus its topological index."""
    return {id(node): given_name(node) or f"{node.op or 'leaf'}#{i}" for i, node in enumerate(order)}


def operand_texts(node: Value, names: dict[int, str]) -> list[str]:
    """The node's operands in the order they were written, Values by name and numbers by value."""
    return [names[id(o)] if isinstance(o, Value) else number(o) for o in node.operands]


def one_line(text: str) -> str:
    """Text for one table cell: line breaks and tabs shown as \\n and \\t so columns stay aligned."""
    return text.replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t")
