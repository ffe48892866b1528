"""Build a graph from an expression typed by a user, e.g. "x*y + max(z, w)", without eval.

The text is parsed with `ast` and only a whitelist is accepted: numbers, variable names, + - * / **,
unary minus and plus, and the engine's functions. Everything else is refused with ExpressionError.
"""

from __future__ import annotations

import ast
import math

from .value import Value

MAX_LENGTH = 1000
MAX_DEPTH = 60

UNARY_FUNCTIONS = {
    "exp": Value.exp,
    "log": Value.log,
    "tanh": Value.tanh,
    "relu": Value.relu,
    "sigmoid": Value.sigmoid,
    "sqrt": Value.sqrt,
    "softplus": Value.softplus,
    "abs": Value.__abs__,
}
BINARY_FUNCTIONS = {"max": Value.max, "min": Value.min}
OPERATORS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**"}
FUNCTIONS = sorted([*UNARY_FUNCTIONS, *BINARY_FUNCTIONS])


class ExpressionError(ValueError):
    """The expression or its variables cannot be used; the message is one line for the user."""


def parse_variables(assignments: list[str]) -> dict[str, float]:
    """["x=3", "y=-4"] -> {"x": 3.0, "y": -4.0}, refusing bad names, bad numbers and repeats."""
    variables: dict[str, float] = {}
    for item in assignments:
        name, sep, text = item.partition("=")
        name = name.strip()
        if not sep:
            raise ExpressionError(f"expected NAME=NUMBER, got {item!r}")
        if not name.isidentifier() or name.startswith("_"):
            raise ExpressionError(f"{name!r} is not a valid variable name")
        if name in UNARY_FUNCTIONS or name in BINARY_FUNCTIONS:
            raise ExpressionError(f"{name!r} is a function name; pick another variable name")
        if name in variables:
            raise ExpressionError(f"variable {name!r} is given twice")
        try:
            value = float(text.strip())
        except ValueError:
            raise ExpressionError(f"{name}={text!r}: not a number") from None
        if not math.isfinite(value):
            raise ExpressionError(f"{name}={text}: the value must be a finite number")
        variables[name] = value
    return variables


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
    try:
        tree = ast.parse(expression.strip(), mode="eval")
    except SyntaxError as bad:
        raise ExpressionError(f"not a valid expression: {bad.msg}") from None
    except (RecursionError, MemoryError):
        raise ExpressionError("the expression is nested too deeply") from None
    _check(tree)
    used = sorted({n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and n.id not in FUNCTIONS})
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
    if not isinstance(out, Value):
        out = Value(out, ast.unparse(tree.body))
    return out, leaves


def _check(tree: ast.Expression) -> None:
    """Refuse anything outside the whitelist, and trees deeper than MAX_DEPTH (iteratively)."""
    stack: list[tuple[ast.AST, int]] = [(tree.body, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise ExpressionError(f"the expression is nested more than {MAX_DEPTH} levels deep")
        if isinstance(node, ast.Constant):
            if type(node.value) not in (int, float):
                raise ExpressionError(f"only numbers are allowed as constants, not {node.value!r:.30}")
        elif isinstance(node, ast.Name):
            if node.id.startswith("_"):
                raise ExpressionError(f"names starting with '_' are not allowed: {node.id}")
        elif isinstance(node, ast.BinOp):
            if type(node.op) not in OPERATORS:
                raise ExpressionError(f"operator {type(node.op).__name__} is not allowed; use + - * / **")
            stack += [(node.left, depth + 1), (node.right, depth + 1)]
        elif isinstance(node, ast.UnaryOp):
            if not isinstance(node.op, (ast.USub, ast.UAdd)):
                raise ExpressionError(f"operator {type(node.op).__name__} is not allowed")
            stack.append((node.operand, depth + 1))
        elif isinstance(node, ast.Call):
            name = node.func.id if isinstance(node.func, ast.Name) else None
            if name not in UNARY_FUNCTIONS and name not in BINARY_FUNCTIONS:
                shown = name or ast.unparse(node.func)[:30]
                raise ExpressionError(f"{shown}() is not an allowed function; allowed: {', '.join(FUNCTIONS)}")
            expected = 1 if name in UNARY_FUNCTIONS else 2
            if node.keywords or len(node.args) != expected or any(isinstance(a, ast.Starred) for a in node.args):
                raise ExpressionError(f"{name}() takes exactly {expected} argument{'s' if expected > 1 else ''}")
            stack += [(arg, depth + 1) for arg in node.args]
        else:
            raise ExpressionError(
                f"{type(node).__name__} is not allowed in an expression "
                f"(only numbers, names, + - * / ** and {', '.join(FUNCTIONS)})"
            )


def _evaluate(node: ast.AST, leaves: dict[str, Value]) -> Value | float:
    """Evaluate a checked tree; its depth is at most MAX_DEPTH, so recursion is bounded."""
    if isinstance(node, ast.Constant):
        return float(node.value)  # type: ignore[arg-type]  # checked: an int or a float
    if isinstance(node, ast.Name):
        return leaves[node.id]
    if isinstance(node, ast.UnaryOp):
        operand = _evaluate(node.operand, leaves)
        result = -operand if isinstance(node.op, ast.USub) else operand
    elif isinstance(node, ast.BinOp):
        left, right = _evaluate(node.left, leaves), _evaluate(node.right, leaves)
        if not isinstance(left, Value) and not isinstance(right, Value):
            return _fold(left, OPERATORS[type(node.op)], right)
        result = _binary(left, OPERATORS[type(node.op)], right)
    else:
        call = node  # ast.Call, checked
        args = [_evaluate(arg, leaves) for arg in call.args]  # type: ignore[attr-defined]
        name = call.func.id  # type: ignore[attr-defined]
        first = args[0] if isinstance(args[0], Value) else Value(args[0])
        result = UNARY_FUNCTIONS[name](first) if name in UNARY_FUNCTIONS else BINARY_FUNCTIONS[name](first, args[1])
    if isinstance(result, Value) and result.children and not result.label:
        result.label = ast.unparse(node)
    return result


def _binary(left, op: str, right) -> Value:
    if op == "+":
        return left + right
    if op == "-":
        return left - right
    if op == "*":
        return left * right
    if op == "/":
        return left / right
    return left**right


def _fold(left: float, op: str, right: float) -> float:
    """Numbers combined with numbers, through the engine so that errors read the same."""
    return _binary(Value(left), op, right).data
