"""Build a graph from an expression typed by a user, e.g. "x*y + max(z, w)", without eval.

The text is parsed with `ast` and only a whitelist is accepted: numbers, variable names, unary plus,
and the ops of the op table (autograd/ops.py): its operators (+ - * / **, unary minus) and its
functions (tanh(x), max(x, y), ...). Everything else is refused with ExpressionError.
"""

from __future__ import annotations

import ast
import math
import operator
import unicodedata
from collections.abc import Callable
from typing import Any, NamedTuple

from . import ops
from .value import Value

MAX_LENGTH = 1000
MAX_DEPTH = 60  # brackets, calls and signs inside each other; a chain such as x+x+...+x counts once

# How tightly each kind of node binds, in the order ast.unparse ranks them, so that labels get
# brackets exactly where Python's own unparse would put them.
_SUM, _PRODUCT, _SIGN, _POWER, _ATOM = range(5)

# Python's arithmetic operators, by the ast class that the parser makes of each: how it is written, how
# tightly it binds, and what Python does with it. This is Python's grammar, not the engine's ops: an
# operator is allowed when the op table has an op written with it (see _operators()).
_PYTHON_OPERATORS: dict[type, tuple[str, int, Callable[[Any, Any], Any]]] = {
    ast.Add: ("+", _SUM, operator.add),
    ast.Sub: ("-", _SUM, operator.sub),
    ast.Mult: ("*", _PRODUCT, operator.mul),
    ast.Div: ("/", _PRODUCT, operator.truediv),
    ast.FloorDiv: ("//", _PRODUCT, operator.floordiv),
    ast.Mod: ("%", _PRODUCT, operator.mod),
    ast.MatMult: ("@", _PRODUCT, operator.matmul),
    ast.Pow: ("**", _POWER, operator.pow),
}


def _operators() -> dict[type, str]:
    """The ast classes of the binary operators the engine has, and how each is written."""
    written = {row.syntax for row in ops.operators()}
    return {kind: symbol for kind, (symbol, _, _) in _PYTHON_OPERATORS.items() if symbol in written}


def _functions() -> dict[str, ops.Op]:
    """The functions of the expression language by name, from the op table."""
    return {row.name: row for row in ops.functions()}


def _has_unary_minus() -> bool:
    return any(row.syntax == "-" for row in ops.prefix_operators())


class ExpressionError(ValueError):
    """The expression or its variables cannot be used; the message is one line for the user."""


def parse_variables(assignments: list[str]) -> dict[str, float]:
    """["x=3", "y=-4"] -> {"x": 3.0, "y": -4.0}, refusing bad names, bad numbers and repeats."""
    variables: dict[str, float] = {}
    for item in assignments:
        written, sep, text = item.partition("=")
        if not sep:
            raise ExpressionError(f"expected NAME=NUMBER, got {item!r}")
        # Python reads names in NFKC form (a fullwidth ｘ in the expression is x), so names given here must be too.
        name = unicodedata.normalize("NFKC", written.strip())
        if not name.isidentifier() or name.startswith("_"):
            raise ExpressionError(f"{written.strip()!r} is not a valid variable name")
        if name in _functions():
            raise ExpressionError(f"{name!r} is a function name; pick another variable name")
        if name in variables:
            raise ExpressionError(f"variable {name!r} is given twice")
        variables[name] = _variable_value(name, text.strip())
    return variables


def _variable_value(name: str, text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise ExpressionError(f"{name}={text!r}: not a number") from None
    if math.isinf(value) and "inf" not in text.lower():  # float() turns 1e400 into inf without a word
        raise ExpressionError(f"{name}={text}: {_too_large(text)}")
    if _underflows(text, value):
        raise ExpressionError(f"{name}={text}: {_too_small(text)}")
    if not math.isfinite(value):
        raise ExpressionError(f"{name}={text}: the value must be a finite number")
    return value


def _too_large(text: str) -> str:
    return f"the number {_shown(text)} is too large for a float (the largest is about 1.8e308)"


def _underflows(text: str, value: float) -> bool:
    """float() turns 1e-400 into 0 without a word: a zero written with a nonzero digit before its exponent."""
    return value == 0 and any(digit in "123456789" for digit in text.lower().partition("e")[0])


def _too_small(text: str) -> str:
    return f"the number {_shown(text)} is too small for a float (it would be 0)"


def _shown(text: str) -> str:
    return text if len(text) <= 30 else text[:27] + "..."


def build(expression: str, variables: dict[str, float]) -> tuple[Value, dict[str, Value]]:
    """The graph of `expression` with the given variable values: (output, {name: leaf}).

    Intermediate nodes are labelled with the text they came from, so tables read like the input.

    >>> out, leaves = build("x*y + max(z, w)", {"x": 3, "y": -4, "z": 2, "w": -1})
    >>> out.data, out.label
    (-10.0, 'x * y + max(z, w)')
    """
    if len(expression) > MAX_LENGTH:
        raise ExpressionError(f"the expression is {len(expression)} characters long; the limit is {MAX_LENGTH}")
    if not expression.strip():
        raise ExpressionError("the expression is empty")
    source = expression.strip()
    try:
        tree = ast.parse(source, mode="eval")
    except SyntaxError as bad:
        raise ExpressionError(f"not a valid expression: {bad.msg}") from None
    except (RecursionError, MemoryError):
        raise ExpressionError("the expression is nested too deeply") from None
    _check(tree, source)
    # Function names left in the tree are the callee of a call: _check refused them anywhere else.
    functions = _functions()
    used = sorted({n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and n.id not in functions})
    missing = [name for name in used if name not in variables]
    if missing:
        raise ExpressionError(f"no value given for {', '.join(missing)} (add {missing[0]}=NUMBER)")
    unknown = [name for name in variables if name not in used]
    if unknown:
        raise ExpressionError(f"unknown variable {unknown[0]!r}: the expression uses {', '.join(used) or 'none'}")
    leaves = {name: Value(variables[name], name) for name in used}
    try:
        out = _evaluate(tree.body, leaves)
    except (ValueError, ZeroDivisionError, OverflowError) as bad:
        raise ExpressionError(str(bad)) from None
    if not isinstance(out.value, Value):
        return Value(out.value, out.text), leaves
    return out.value, leaves


def _check(tree: ast.Expression, source: str) -> None:
    """Refuse anything outside the whitelist, and nesting deeper than MAX_DEPTH (iteratively).

    Nothing here recurses, so the limit is not about Python's stack: it keeps the promise that deeply
    nested input is refused, while a long flat chain (x+x+...+x, 500 terms) is fine."""
    stack: list[tuple[ast.AST, int]] = [(tree.body, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise ExpressionError(f"the expression is nested more than {MAX_DEPTH} levels deep")
        if isinstance(node, ast.Constant):
            _check_number(node, source)
        elif isinstance(node, ast.Name):
            _check_name(node)
        elif isinstance(node, ast.BinOp):
            if type(node.op) not in _operators():
                allowed = " ".join(_operators().values())
                raise ExpressionError(f"operator {type(node.op).__name__} is not allowed; use {allowed}")
            for operand, on_left in ((node.left, True), (node.right, False)):
                stack.append((operand, depth if _continues_chain(node, operand, on_left) else depth + 1))
        elif isinstance(node, ast.UnaryOp):
            if not (isinstance(node.op, ast.UAdd) or isinstance(node.op, ast.USub) and _has_unary_minus()):
                raise ExpressionError(f"operator {type(node.op).__name__} is not allowed")
            stack.append((node.operand, depth + 1))
        elif isinstance(node, ast.Call):
            _check_call(node)
            stack += [(arg, depth + 1) for arg in node.args]
        else:
            raise ExpressionError(
                f"{type(node).__name__} is not allowed in an expression "
                f"(only numbers, names, {' '.join(_operators().values())} and {', '.join(sorted(_functions()))})"
            )


def _check_number(node: ast.Constant, source: str) -> None:
    if type(node.value) not in (int, float):
        raise ExpressionError(f"only numbers are allowed as constants, not {node.value!r:.30}")
    try:
        finite = math.isfinite(node.value)  # type: ignore[arg-type]  # an int or a float; ast reads 1e400 as inf
    except OverflowError:  # an integer literal of 309 digits or more
        finite = False
    text = ast.get_source_segment(source, node) or repr(node.value)
    if not finite:
        raise ExpressionError(_too_large(text))
    if type(node.value) is float and _underflows(text, node.value):
        raise ExpressionError(_too_small(text))


def _check_name(node: ast.Name) -> None:
    if node.id.startswith("_"):
        raise ExpressionError(f"names starting with '_' are not allowed: {node.id}")
    # A call's function name is not walked, so a function name met here stands where a value should.
    row = _functions().get(node.id)
    if row is not None:
        raise ExpressionError(f"{node.id!r} is a function; call it as {node.id}({', '.join(['...'] * row.arity)})")


def _check_call(node: ast.Call) -> None:
    name = node.func.id if isinstance(node.func, ast.Name) else None
    functions = _functions()
    if name not in functions:
        shown = name or ast.unparse(node.func)[:30]
        raise ExpressionError(f"{shown}() is not an allowed function; allowed: {', '.join(sorted(functions))}")
    expected = functions[name].arity
    if node.keywords or len(node.args) != expected or any(isinstance(a, ast.Starred) for a in node.args):
        raise ExpressionError(f"{name}() takes exactly {expected} argument{'s' if expected > 1 else ''}")


def _continues_chain(parent: ast.BinOp, operand: ast.AST, on_left: bool) -> bool:
    """Whether `operand` is the next link of a chain written without brackets: the left side of
    x-y+z or x*y/z, the right side of x**y**z. A reader sees such a chain as one level."""
    if not isinstance(operand, ast.BinOp):
        return False
    binding = _binding(parent.op)
    if binding is None or _binding(operand.op) != binding:
        return False
    return on_left != (binding == _POWER)


class _Result(NamedTuple):
    """A subexpression once evaluated: its value, its text as ast.unparse writes it, and how
    tightly that text binds (to know where brackets go when it becomes an operand)."""

    value: Value | float
    text: str
    binding: int


def _evaluate(root: ast.AST, leaves: dict[str, Value]) -> _Result:
    """Evaluate a checked tree bottom-up with explicit stacks: a flat sum of 500 terms is 500
    levels deep in the ast, too deep for recursion (ast.unparse included)."""
    results: list[_Result] = []
    todo: list[tuple[ast.AST, bool]] = [(root, False)]
    while todo:
        node, operands_done = todo.pop()
        operands = _operands(node)
        if operands and not operands_done:
            todo.append((node, True))
            todo += [(operand, False) for operand in reversed(operands)]
            continue
        # The operands' results are the last ones on the stack, first operand first.
        args = results[len(results) - len(operands) :]
        del results[len(results) - len(operands) :]
        results.append(_step(node, args, leaves))
    return results[0]


def _operands(node: ast.AST) -> list[ast.expr]:
    if isinstance(node, ast.BinOp):
        return [node.left, node.right]
    if isinstance(node, ast.UnaryOp):
        return [node.operand]
    if isinstance(node, ast.Call):
        return node.args
    return []


def _step(node: ast.AST, args: list[_Result], leaves: dict[str, Value]) -> _Result:
    """One node, given its operands' results."""
    if isinstance(node, ast.Constant):
        return _Result(float(node.value), ast.unparse(node), _ATOM)  # type: ignore[arg-type]  # checked: finite
    if isinstance(node, ast.Name):
        return _Result(leaves[node.id], node.id, _ATOM)
    if isinstance(node, ast.UnaryOp):
        sign = "-" if isinstance(node.op, ast.USub) else "+"
        value = -args[0].value if sign == "-" else args[0].value
        return _labelled(value, sign + _bracketed(args[0], _SIGN), _SIGN)
    if isinstance(node, ast.BinOp):
        op, binding, apply = _PYTHON_OPERATORS[type(node.op)]
        left, right = args
        # x-y-z is (x-y)-z but x**y**z is x**(y**z): the side that is not the chain needs a bracket at a tie.
        tie_left, tie_right = (binding + 1, binding) if binding == _POWER else (binding, binding + 1)
        text = f"{_bracketed(left, tie_left)} {op} {_bracketed(right, tie_right)}"
        if not isinstance(left.value, Value) and not isinstance(right.value, Value):
            # numbers combined with numbers, through the engine so that errors read the same
            return _Result(apply(Value(left.value), right.value).data, text, binding)
        return _labelled(apply(left.value, right.value), text, binding)
    name = node.func.id  # type: ignore[attr-defined]  # checked: a call of an allowed function
    text = f"{name}({', '.join(arg.text for arg in args)})"
    values = [arg.value for arg in args]
    numbers = [value for value in values if not isinstance(value, Value)]
    if len(numbers) == len(values):  # numbers only: folded, as 2*3 is
        return _Result(_call(name, [Value(numbers[0]), *numbers[1:]]).data, text, _ATOM)
    if not isinstance(values[0], Value):  # max(2, x) is x.max(2): the number stays a number, not a leaf
        values.reverse()
    return _labelled(_call(name, values), text, _ATOM)


def _call(name: str, args: list) -> Value:
    """An allowed function applied to its arguments, the first of them a Value."""
    return _functions()[name].function(*args)


def _bracketed(operand: _Result, needed: int) -> str:
    return operand.text if operand.binding >= needed else f"({operand.text})"


def _labelled(value: Value | float, text: str, binding: int) -> _Result:
    """Label a new node with its text; a node passed through (+x) keeps its own label."""
    if isinstance(value, Value) and value.children and not value.label:
        value.label = text
    return _Result(value, text, binding)


def _binding(kind: ast.operator) -> int | None:
    found = _PYTHON_OPERATORS.get(type(kind))
    return None if found is None else found[1]
