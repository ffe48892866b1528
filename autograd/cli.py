"""The `skipgrad` command line (also `python -m autograd`).

skipgrad grad "x*y + max(z, w)" x=3 y=-4 z=2 w=-1 [--render graph.svg] [--steps out/] [--json]
skipgrad demo [--render skipgrad-demo.png | --no-render] [--steps out/]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .examples import seed_circuit
from .expression import ExpressionError, build, parse_variables
from .graph import topological_order
from .naming import node_names, operand_texts
from .report import grad_table
from .value import Value

USAGE_ERROR = 2


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(_protect_unary_minus(sys.argv[1:] if argv is None else argv))
    try:
        if args.command == "grad":
            return grad(args)
        return demo(args)
    except ExpressionError as bad:
        return _fail(str(bad))
    except (ValueError, ZeroDivisionError, OverflowError) as bad:  # raised by backward(), e.g. sqrt'(0)
        return _fail(str(bad))
    except ImportError as missing:  # drawing without the graphviz package
        return _fail(str(missing))
    except OSError as unwritable:  # --render or --steps into a place that cannot be written
        return _fail(f"cannot write {unwritable.filename or 'the output'}: {unwritable.strerror or unwritable}")


def grad(args: argparse.Namespace) -> int:
    out, leaves = build(args.expression, parse_variables(args.variables))
    out.backward()
    if args.json:
        print(json.dumps(_as_json(args.expression, out, leaves), indent=2))
    else:
        print(grad_table(out))
    _pictures(out, args, quiet=args.json)
    return 0


def demo(args: argparse.Namespace) -> int:
    nodes = seed_circuit()
    cost = nodes["cost"]
    cost.backward()
    print("xy = x*y;  s = max(z, w) + xy;  r = xy + s  (the skip);  cost = 2*r + 45")
    print("with x=3, y=-4, z=2, w=-1. xy feeds two nodes, so its gradient is the sum of both: 2 + 2 = 4\n")
    print(grad_table(cost))
    _pictures(cost, args, highlight=[(nodes["xy"], nodes["r"])], legend=True)
    return 0


def _pictures(root: Value, args: argparse.Namespace, quiet: bool = False, **options) -> None:
    if not (args.render or args.steps):
        return
    from .drawing import DotNotFoundError, render
    from .steps import render_steps

    try:
        if args.render:
            path = render(root, args.render, **options)
            if not quiet:
                print(f"\npicture: {path}")
        if args.steps:
            page = render_steps(root, args.steps)
            if not quiet:
                print(f"step-through: {page}")
    except DotNotFoundError as missing:
        print(f"\nno picture: {missing}", file=sys.stderr)


def _as_json(expression: str, out: Value, leaves: dict[str, Value]) -> dict:
    order = topological_order(out)
    names = node_names(order)
    return {
        "expression": expression,
        "output": {"data": out.data, "grad": out.grad},
        "variables": {name: {"data": v.data, "grad": v.grad} for name, v in leaves.items()},
        "nodes": [
            {
                "name": names[id(n)],
                "op": n.op,
                "inputs": operand_texts(n, names) if n.op else [],
                "data": n.data,
                "grad": n.grad,
            }
            for n in order
        ],
    }


def _protect_unary_minus(argv: list[str]) -> list[str]:
    """An expression such as "-x*y" is not an option: a leading space keeps argparse from taking it
    for one (the parser strips it)."""
    options = {"-h", "--help", "--json", "--render", "--steps", "--no-render"}
    return [f" {arg}" if arg.startswith("-") and arg.split("=")[0] not in options else arg for arg in argv]


def _fail(message: str) -> int:
    print(f"skipgrad: error: {message}", file=sys.stderr)
    return USAGE_ERROR


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="skipgrad", description="Back-propagate and show every node's gradient.")
    commands = parser.add_subparsers(dest="command", required=True)
    grad_cmd = commands.add_parser(
        "grad",
        help="back-propagate an expression and print every node's gradient",
        description='Example: skipgrad grad "x*y + max(z, w)" x=3 y=-4 z=2 w=-1',
    )
    grad_cmd.add_argument(
        "expression", help="numbers, names, + - * / **, exp log tanh relu sigmoid sqrt softplus abs max min"
    )
    grad_cmd.add_argument("variables", nargs="*", metavar="NAME=NUMBER", help="a value for every variable")
    grad_cmd.add_argument("--json", action="store_true", help="print values and gradients as JSON")
    demo_cmd = commands.add_parser("demo", help="the residual circuit, as a table and a picture")
    grad_cmd.add_argument("--render", type=Path, metavar="FILE", help="also draw the graph (.png, .svg or .pdf)")
    demo_cmd.add_argument(
        "--render",
        type=Path,
        metavar="FILE",
        default=Path("skipgrad-demo.png"),
        help="where to draw the graph (default: skipgrad-demo.png)",
    )
    demo_cmd.add_argument("--no-render", dest="render", action="store_const", const=None, help="print only")
    for command in (grad_cmd, demo_cmd):
        command.add_argument("--steps", type=Path, metavar="FOLDER", help="also write a backward step-through page")
    return parser


if __name__ == "__main__":
    sys.exit(main())
