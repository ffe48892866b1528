"""What a node is inside a model, told by the objects that made it: groups (boxes in pictures) and roles.
Pictures, tables and diagnostics read these objects; nothing here or there parses label text.
Imports only the Value module.

nn's modules are groups and give their nodes roles as they build them. In a plain graph you can do
the same by hand:

>>> from autograd import Value
>>> x = Value(2.0, "x")
>>> block = Group("block")
>>> h = block.mark(x * 3.0, "h")
>>> y = block.mark(h + x, "y", skip=[x])   # x reaches y directly: a skip connection
>>> y.role.qualified_name, y.role.skip_operands
('block.y', (1,))
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator

from .value import Value

_serial = itertools.count()  # creation order of groups: siblings are drawn in the order they were made


class Group:
    """A named box in pictures: the nodes of one module, or any nodes you group yourself.

    Args:
        name: the text on the box ("" draws no box unless the group has nodes of its own; then the
            box shows the class name).
        parent: the group this one sits in, or None.
        residual: draw the box as a residual block (purple frame).
        on_skip_path: every edge inside this group that carries data (not a parameter) is on a skip
            path, e.g. the projection Ws . x of a residual block.

    `nn.Module` is a Group: a model's modules are its groups.
    """

    name: str = ""
    parent: Group | None = None
    residual: bool = False
    on_skip_path: bool = False

    def __new__(cls, *args: object, **kwargs: object) -> Group:
        group = super().__new__(cls)
        object.__setattr__(group, "_serial", next(_serial))  # set even when a subclass skips __init__
        return group

    def __init__(
        self, name: str = "", parent: Group | None = None, *, residual: bool = False, on_skip_path: bool = False
    ) -> None:
        name = _name(name, "Group")
        if parent is not None and not isinstance(parent, Group):
            raise TypeError(f"Group(parent): expected a Group or None, got {type(parent).__name__}")
        self.name = name
        self.parent = parent
        self.residual = residual
        self.on_skip_path = on_skip_path

    def path(self) -> tuple[Group, ...]:
        """This group and the groups it sits in, outermost first (no recursion, and no loops)."""
        chain: list[Group] = []
        group: Group | None = self
        while group is not None and group not in chain:
            chain.append(group)
            group = group.parent
        return tuple(reversed(chain))

    @property
    def qualified_name(self) -> str:
        """The dotted names of the path, unnamed groups left out: 'block0.fc1'."""
        return ".".join(g.name for g in self.path() if g.name)

    @property
    def title(self) -> str:
        """What its box shows: the name, or the class name for an unnamed group."""
        return self.name or type(self).__name__

    def role(self, name: str = "", *, parameter: bool = False, skip_operands: Iterable[int] = ()) -> Role:
        """A Role in this group, to give to nodes (`node.role = ...`); make it once, use it for many nodes."""
        return Role(self, name, parameter=parameter, skip_operands=skip_operands)

    def mark(self, node: Value, name: str = "", *, parameter: bool = False, skip: Iterable | Value = ()) -> Value:
        """Put `node` in this group under `name` and return it.

        Args:
            parameter: the node is a trainable parameter (drawn with a parameter's fill).
            skip: the operands of `node` (Values or plain numbers, as written) that arrive through a
                skip connection; their edges are drawn as a skip path.
        """
        positions = _positions(node, skip)
        node.role = Role(self, _name(name, "mark"), parameter=parameter, skip_operands=positions)
        return node

    def claim(self, outputs: Iterable[Value], inputs: Iterable[Value] = (), name: str = "") -> None:
        """Put every node that built `outputs` from `inputs` in this group: one call after a computation
        instead of a `mark` per node. The walk stops at the inputs, at leaves (parameters) and at
        nodes that already have a role (what other groups made).

        >>> from autograd import Value
        >>> x = Value(3.0, "x") * 1.0
        >>> norm = Group("norm")
        >>> y = x / (x * x + 1.0) ** 0.5
        >>> norm.claim([y], [x]); y.role.qualified_name, x.role
        ('norm', None)
        """
        role = Role(self, _name(name, "claim"))
        seen = {id(v) for v in inputs}
        todo = list(outputs)
        while todo:
            node = todo.pop()
            if id(node) in seen or node.role is not None or not node.children:
                continue
            seen.add(id(node))
            node.role = role
            todo.extend(node.children)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.qualified_name or self.title!r})"


class Role:
    """What one node is: which group made it, its name there, whether it is a parameter, and which of
    its operands (by position in `node.operands`) came through a skip connection."""

    __slots__ = ("group", "name", "parameter", "skip_operands")

    def __init__(
        self, group: Group | None, name: str = "", *, parameter: bool = False, skip_operands: Iterable[int] = ()
    ) -> None:
        if group is not None and not isinstance(group, Group):
            raise TypeError(f"Role(group): expected a Group or None, got {type(group).__name__}")
        self.group = group
        self.name = name
        self.parameter = parameter
        self.skip_operands = tuple(skip_operands)

    @property
    def qualified_name(self) -> str:
        """'layer0.n2.z': the group's dotted name and this role's name."""
        prefix = self.group.qualified_name if self.group is not None else ""
        return f"{prefix}.{self.name}" if prefix and self.name else prefix or self.name

    def __repr__(self) -> str:
        return f"Role({self.qualified_name!r})"


def mark_skip(node: Value, skip: Iterable | Value) -> Value:
    """Mark the operands of `node` that arrive through a skip connection, without putting it in a group.

    >>> from autograd import Value
    >>> x = Value(1.0, "x")
    >>> y = mark_skip(x.tanh() + x, [x])
    >>> y.role.skip_operands
    (1,)
    """
    group = node.role.group if node.role is not None else None
    name = node.role.name if node.role is not None else ""
    node.role = Role(group, name, skip_operands=_positions(node, skip))
    return node


def _name(name: object, where: str) -> str:
    if not isinstance(name, str):
        raise TypeError(f"{where}: a name must be a str, got {type(name).__name__} {name!r:.40}")
    return name


def _positions(node: Value, skip: Iterable | Value) -> tuple[int, ...]:
    """Positions in `node.operands` of the given operands (Values by identity, numbers by value)."""
    if not isinstance(node, Value):
        raise TypeError(f"expected a Value, got {type(node).__name__}")
    if isinstance(skip, (Value, int, float)):
        skip = [skip]  # one operand given on its own
    operands = node.operands
    positions: list[int] = []
    for wanted in skip:
        found = [
            i
            for i, o in enumerate(operands)
            if (o is wanted if isinstance(wanted, Value) else not isinstance(o, Value) and o == wanted)
        ]
        if not found:
            raise ValueError(
                f"skip: {wanted!r:.60} is not an operand of this node (its operands: "
                f"{', '.join(repr(o) for o in operands)[:200]})"
            )
        positions.extend(i for i in found if i not in positions)
    return tuple(sorted(positions))


def value_inputs(node: Value) -> Iterator[tuple[Value, float | None, int]]:
    """(child, local derivative, position in node.operands) for every Value input of `node`."""
    positions = [i for i, o in enumerate(node.operands) if isinstance(o, Value)]
    return zip(node.children, node.local_grads, positions, strict=True)


def on_skip_path(node: Value, child: Value | None, position: int) -> bool:
    """Is the edge from operand `position` (`child`, or a plain number when None) into `node` a skip path?"""
    role = node.role
    if role is None:
        return False
    if position in role.skip_operands:
        return True
    # Inside a group on the skip path (a projection Ws . x) every edge that carries data is on it;
    # the group's own parameters feed it but are not the skip.
    group = role.group
    if group is None or child is None or (child.role is not None and child.role.parameter):
        return False
    return any(g.on_skip_path for g in group.path())
