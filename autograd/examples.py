"""Small named graphs used by the demo, the tests and the notebooks. Imports only the Value module."""

from __future__ import annotations

from .value import Value


def seed_circuit() -> dict[str, Value]:
    """The residual circuit from a classic question on gradient flow through skip connections.

    CS231n's circuit `(x*y + max(z, w)) * 2` with a skip: the product x*y is added again after the
    max gate. Returns the labelled nodes, with `cost` last; nothing has been back-propagated yet.

    >>> nodes = seed_circuit()
    >>> nodes["cost"].backward()
    >>> [nodes[k].grad for k in ("x", "y", "z", "w", "xy", "m", "s", "r", "out")]
    [-16.0, 12.0, 2.0, 0.0, 4.0, 2.0, 2.0, 2.0, 1.0]
    """
    x, y, z, w = Value(3.0, "x"), Value(-4.0, "y"), Value(2.0, "z"), Value(-1.0, "w")
    xy = x * y
    m = z.max(w)
    s = m + xy
    r = xy + s  # the skip: xy reaches r directly and through s
    out = r * 2
    cost = out + 45
    nodes = {"x": x, "y": y, "z": z, "w": w, "xy": xy, "m": m, "s": s, "r": r, "out": out, "cost": cost}
    for name, node in nodes.items():
        node.label = name
    return nodes
