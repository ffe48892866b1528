"""The op table: each built-in op described once, and everything else reads it from here.

A row is made where the op is written: `value.py` puts `@table_row(...)` on the Value method (or function)
that computes the op's forward value and local derivatives side by side. The row adds what the
method cannot say: the op's name as nodes record it, how many inputs it takes, the Python operator
that writes it (if any), and how its box reads in a picture. The expression parser, the command
line's help, the pictures and the derivative check (`custom.find_wrong_derivative`) all read this
table, so adding an op is one decorated method (see CONTRIBUTING.md). Standard library only.

>>> import autograd
>>> TABLE["tanh"].written, TABLE["*"].written, TABLE["sum"].picture
('tanh(x)', 'x * y', 'Σ')
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

ANY_NUMBER = 0  # the arity of an op that takes any number of inputs (dot, sum_of)


@dataclass(frozen=True)
class Op:
    """One built-in op.

    name: what `node.op` says ("*", "tanh"); a call in the expression language uses it ("tanh(x)").
    arity: how many inputs: 1, 2, or ANY_NUMBER.
    function: the op on Values (and plain numbers): a Value method such as `Value.__mul__`, or a function.
    syntax: the Python operator that writes it ("*"; "-" for the unary minus), or "" for a call.
    picture: how its box reads in a picture, when that is not its name ("Σ" for sum_of).
    """

    name: str
    arity: int
    function: Callable[..., Any]
    syntax: str = ""
    picture: str = ""

    @property
    def summary(self) -> str:
        """The first line of the function's docstring: the op and its local derivatives."""
        return (self.function.__doc__ or self.name).strip().splitlines()[0]

    @property
    def written(self) -> str:
        """How the op is written in the expression language, with inputs x and y."""
        if self.syntax:
            return f"{self.syntax}x" if self.arity == 1 else f"x {self.syntax} y"
        if self.arity == ANY_NUMBER:
            return f"{self.function.__name__}(...)"
        return f"{self.name}({', '.join('xy'[: self.arity])})"

    @property
    def shown(self) -> str:
        """The op's text in a picture."""
        return self.picture or self.name


TABLE: dict[str, Op] = {}
"""Every built-in op by name, in the order value.py defines them."""

F = TypeVar("F", bound=Callable[..., Any])


def table_row(name: str, arity: int, *, syntax: str = "", picture: str = "") -> Callable[[F], F]:
    """Describe the decorated function as the built-in op `name` (a row of TABLE); the function itself
    is returned unchanged, so the hot path pays nothing."""
    if name in TABLE:
        raise ValueError(f"op {name!r} is already in the op table")

    def add_row(function: F) -> F:
        TABLE[name] = Op(name, arity, function, syntax, picture)
        return function

    return add_row


def functions() -> list[Op]:
    """The ops written as calls in the expression language (tanh(x), max(x, y)), in table order."""
    return [row for row in TABLE.values() if not row.syntax and row.arity != ANY_NUMBER]


def operators() -> list[Op]:
    """The ops written with a Python operator of two operands (x * y), in table order."""
    return [row for row in TABLE.values() if row.syntax and row.arity == 2]


def prefix_operators() -> list[Op]:
    """The ops written with a Python operator before one operand (-x)."""
    return [row for row in TABLE.values() if row.syntax and row.arity == 1]


def picture_text(name: str) -> str:
    """How a node's op reads in a picture: the row's picture text, or the name (a custom op's too)."""
    row = TABLE.get(name)
    return row.shown if row is not None else name


def takes_any_number(name: str) -> bool:
    """Whether the op takes any number of inputs (dot, sum_of): its plain-number terms are listed in its
    box, not drawn as separate constants."""
    row = TABLE.get(name)
    return row is not None and row.arity == ANY_NUMBER


def language_help() -> str:
    """The expression language in one line, for the command line's help."""
    words = ["numbers", "names", " ".join(row.syntax for row in operators())]
    return ", ".join(words) + ", " + " ".join(row.name for row in functions())
