"""How a node is called in a message: one wording for the whole package. Imports nothing of the
package: it reads only a node's label, role and op, so the engine's own messages can use it.

>>> from autograd import Value
>>> x = Value(2.0, "x")
>>> describe(x), describe(x.tanh()), describe(Value(1.0))
('x', 'the tanh node', 'an unnamed leaf')
"""

from __future__ import annotations

from typing import Any


def given_name(node: Any) -> str:
    """The node's label, else the name its role gives it inside a model ('layer0.n2.z'), else ''."""
    if node.label:
        return node.label
    role = node.role
    return role.qualified_name if role is not None else ""


def describe(node: Any) -> str:
    """The node for a message: 'h (tanh)' with a name and an op, 'x' for a named leaf, 'the tanh node'
    or 'an unnamed leaf' without a name."""
    name = given_name(node)
    if name:
        return f"{name} ({node.op})" if node.op else name
    return f"the {node.op} node" if node.op else "an unnamed leaf"
