"""The `skipgrad` command line (also `python -m autograd`).

skipgrad grad "x*y + max(z, w)" x=3 y=-4 z=2 w=-1 [--render graph.svg] [--steps out/] [--html g.html] [--json]
skipgrad demo [--render skipgrad-demo.png | --no-render] [--steps out/] [--html g.html]
skipgrad --version

Options may go anywhere among the arguments; `--` ends them.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any, NoReturn

from . import __version__
from .examples import seed_circuit
from .expression import ExpressionError, build, parse_variables
from .naming import node_names, one_line, operand_texts
from .ops import language_help
from .report import grad_table
from .value import Value, topological_order

USAGE_ERROR = 2
READER_GONE = 1  # as Python itself exits when its output pipe closes
DEMO_PICTURE = Path("skipgrad-demo.png")
PICTURE_FORMATS = (".png", ".svg", ".pdf")
MAX_NAME_WIDTH = 40  # of a node's name in the table; a 300-term sum would make every row 1,200 wide


class Refusal(Exception):
    """A request the command cannot carry out; the message is one line for the user."""


def main(argv: list[str] | None = None) -> int:
    args = _parse_arguments(sys.argv[1:] if argv is None else argv)
    try:
        code = grad(args) if args.command == "grad" else demo(args)
        sys.stdout.flush()  # a closed pipe must show up here, where it is handled, not at exit
        return code
    except BrokenPipeError:  # before OSError, which it is
        return _reader_gone()
    except (Refusal, ExpressionError) as refused:
        return _fail(str(refused))
    except (ValueError, ZeroDivisionError, OverflowError) as bad:  # raised by backward(), e.g. sqrt'(0)
        return _fail(str(bad))
    except ImportError as missing:  # drawing without the graphviz package
        return _fail(str(missing))
    except OSError as unwritable:  # --render, --steps or --html into a place that cannot be written
        return _fail(f"cannot write {unwritable.filename or 'the output'}: {unwritable.strerror or unwritable}")


def grad(args: argparse.Namespace) -> int:
    out, leaves = build(args.expression, parse_variables(args.variables))
    _check_outputs(args)
    out.backward()
    written = _pictures(out, args)
    if args.json:
        print(json.dumps(_as_json(args.expression, out, leaves), indent=2))
    else:
        print(grad_table(_short_names(out), names=False))
        for line in written:
            print(line)
    return 0


def demo(args: argparse.Namespace) -> int:
    if args.render is None and not args.no_render:
        args.render = _default_picture()
    _check_outputs(args)
    nodes = seed_circuit()
    cost = nodes["cost"]
    cost.backward()
    written = _pictures(cost, args, highlight=[(nodes["xy"], nodes["r"])], legend=True)
    print("xy = x*y;  s = max(z, w) + xy;  r = xy + s  (the skip);  cost = 2*r + 45")
    print("with x=3, y=-4, z=2, w=-1. xy feeds two nodes, so its gradient is the sum of both: 2 + 2 = 4\n")
    print(grad_table(cost, names=False))
    for line in written:
        print(line)
    return 0


def _short_names(root: Value) -> Value:
    """Cut long labels (the text of a long expression, a 300-digit number) so that table rows stay
    readable. The pictures are drawn by then, and --json, which keeps full names, prints no table."""
    for node in topological_order(root):
        if len(node.label) > MAX_NAME_WIDTH:
            node.label = node.label[: MAX_NAME_WIDTH - 1] + "…"
    return root


def _default_picture() -> Path | None:
    """The demo draws a picture unless told not to; when it cannot, it says why and prints the table
    alone, since nobody asked for that picture in particular."""
    try:
        _check_picture(DEMO_PICTURE)
    except (Refusal, ImportError) as why:
        print(f"no picture: {why}", file=sys.stderr)
        return None
    return DEMO_PICTURE


# ------------------------------------------------------------------ outputs, checked up front
def _check_outputs(args: argparse.Namespace) -> None:
    """Refuse a --render or --steps that cannot be written before anything is printed, so that a
    refusal never comes after half of the output."""
    if args.render:
        _check_picture(args.render)
    if args.html:
        if args.html.suffix.lower() not in (".html", ".htm"):
            raise Refusal(f"--html {args.html}: the file name must end in .html")
        if args.html.is_dir():
            raise Refusal(f"cannot write {args.html}: it is a folder")
        _check_folder(args.html.parent, args.html)
        _check_layout_library()
    if args.steps:
        if args.steps.exists() and not args.steps.is_dir():
            raise Refusal(f"cannot write {args.steps}: it is not a folder")
        _check_folder(args.steps if args.steps.exists() else args.steps.parent, args.steps)  # it may be made
        _check_layout_library()  # the step-through page is the explorer's: no dot needed


def _check_layout_library() -> None:
    """The explorer's pages (--html, --steps) embed elkjs, which must be installed."""
    from .explorer.page import LayoutLibraryMissing, elk_source

    try:
        elk_source()
    except LayoutLibraryMissing as missing:
        raise Refusal(str(missing)) from None


def _check_picture(path: Path) -> None:
    if path.suffix.lower() not in PICTURE_FORMATS:
        raise Refusal(f"--render {path}: the file name must end in .png, .svg or .pdf")
    if path.is_dir():
        raise Refusal(f"cannot write {path}: it is a folder")
    if path.exists() and not os.access(path, os.W_OK):
        raise Refusal(f"cannot write {path}: permission denied")
    _check_folder(path.parent, path)
    _check_dot()


def _check_folder(folder: Path, target: Path) -> None:
    """`folder` can hold `target`: it is a writable folder that exists. A missing folder is not made
    (a mistyped path would otherwise leave a tree of new folders behind without a word)."""
    if not folder.exists():
        raise Refusal(f"cannot write {target}: there is no folder {folder}")
    if not folder.is_dir():
        raise Refusal(f"cannot write {target}: {folder} is not a folder")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise Refusal(f"cannot write {target}: no permission to write in {folder}")


def _check_dot() -> None:
    """Pictures need the graphviz package (importing drawing checks it) and Graphviz's `dot` program."""
    from .drawing import DotNotFoundError

    if shutil.which("dot") is None:
        raise Refusal(str(DotNotFoundError()))


def _pictures(root: Value, args: argparse.Namespace, **options: Any) -> list[str]:  # options: render's
    """Draw what was asked for and return the lines that say where. Called before anything is
    printed: a reader that leaves early (`skipgrad ... --render g.png | head -1`) ends the printing
    with a broken pipe, and the pictures must not go with it."""
    written = []
    if args.html:  # the explorer needs neither graphviz nor dot
        from .explorer import explore

        written.append(f"explorer: {explore(root, names=False).save(args.html)}")
    if args.render:
        written.append(_render(root, args.render, **options))
    if args.steps:  # the explorer's page, opened at step 0: no dot either
        from .step_page import render_steps

        written.append(f"step-through: {render_steps(root, args.steps, names=False)}")
    return written


def _render(root: Value, path: Path, **options: Any) -> str:
    from .drawing import DotNotFoundError, render

    try:
        try:
            return f"\npicture: {render(root, path, names=False, **options)}"
        except OSError as unwritable:  # the file it names may be one made on the way, not the one asked for
            raise Refusal(f"cannot write {path}: {unwritable.strerror or unwritable}") from None
    except DotNotFoundError as missing:  # checked already, but `dot` can vanish or be unrunnable
        raise Refusal(str(missing)) from None
    except subprocess.CalledProcessError as failed:  # dot ran and failed; its own output went to stderr
        raise Refusal(f"Graphviz's dot failed with exit status {failed.returncode}") from None


# ------------------------------------------------------------------ JSON
def _as_json(expression: str, out: Value, leaves: dict[str, Value]) -> dict:
    """Nodes in topological order; each has an `id` (its index) and names its inputs by `id` too,
    since two nodes may share a name (x*y + x*y). A plain-number input has the id null."""
    order = topological_order(out)
    names = node_names(order)
    index = {id(node): i for i, node in enumerate(order)}
    return {
        "expression": expression,
        "output": {"data": out.data, "grad": out.grad},
        "variables": {name: {"data": v.data, "grad": v.grad} for name, v in leaves.items()},
        "nodes": [
            {
                "id": i,
                "name": names[id(n)],
                "op": n.op,
                "inputs": operand_texts(n, names) if n.op else [],
                "input_ids": [index[id(x)] if isinstance(x, Value) else None for x in n.operands] if n.op else [],
                "data": n.data,
                "grad": n.grad,
            }
            for i, n in enumerate(order)
        ],
    }


# ------------------------------------------------------------------ arguments and exits
def _parse_arguments(argv: list[str]) -> argparse.Namespace:
    """Options may go anywhere, also between the variables (grad "x*y" --json x=1 y=2). argparse's
    parse_intermixed_args allows that but not on a parser with subcommands, so the command's own
    parser is called here; anything else (--help, --version, a mistake) is the main parser's."""
    parser, commands = _parsers()
    if argv and argv[0] in commands:
        return commands[argv[0]].parse_intermixed_args(argv[1:], argparse.Namespace(command=argv[0]))
    return parser.parse_args(argv)


def _fail(message: str) -> int:
    one_line = " ".join(message.splitlines())  # a file name may hold a line break
    print(f"skipgrad: error: {one_line}", file=sys.stderr)
    return USAGE_ERROR


def _reader_gone() -> int:
    """The reader left early (`skipgrad ... | head -1`), which is not an error worth a word. Python
    would still flush stdout at exit and complain, so stdout now goes to devnull (the recipe in
    Python's documentation of SIGPIPE)."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    return READER_GONE


# What argparse's private _parse_optional returns: a list of matches since Python 3.12, a tuple before.
if sys.version_info >= (3, 12):
    _ParsedOption = list[tuple[argparse.Action | None, str, str | None, str | None]] | None
else:
    _ParsedOption = tuple[argparse.Action | None, str, str | None] | None


class _Parser(argparse.ArgumentParser):
    """argparse, but a mistake in the arguments is one line too, like every other refusal, and an
    expression or number starting with a single '-' is not an option."""

    def _parse_optional(self, arg_string: str) -> _ParsedOption:  # argparse's own hook, one argument at a time
        # "-x*y", "-3e5", "-h*x" or "---x" is an expression: with one '-', only our options themselves
        # are options. "--" and "--" + a letter stay argparse's: the end of the options, or a long
        # option, maybe mistyped ("--jsn"), which argparse names.
        long_option = arg_string == "--" or (arg_string.startswith("--") and arg_string[2:3].isalpha())
        if arg_string.startswith("-") and not long_option and arg_string not in self._option_string_actions:
            return None
        return super()._parse_optional(arg_string)

    def error(self, message: str) -> NoReturn:
        # one line, even when an argument it quotes has a line break in it ('\n' is shown as \n)
        print(f"skipgrad: error: {one_line(message)} (see {self.prog} --help)", file=sys.stderr)
        sys.exit(USAGE_ERROR)


def _parsers() -> tuple[argparse.ArgumentParser, dict[str, argparse.ArgumentParser]]:
    """The main parser, and each command's parser by name."""
    parser = _Parser(prog="skipgrad", description="Back-propagate and show every node's gradient.")
    parser.add_argument("--version", action="version", version=f"skipgrad {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)
    grad_cmd = commands.add_parser(
        "grad",
        help="back-propagate an expression and print every node's gradient",
        description='Example: skipgrad grad "x*y + max(z, w)" x=3 y=-4 z=2 w=-1',
    )
    grad_cmd.add_argument("expression", help=language_help().replace("%", "%%"))  # argparse formats help with %
    # default=[]: without one argparse counts nargs="*" as required, and says so when another argument is wrong
    grad_cmd.add_argument("variables", nargs="*", default=[], metavar="NAME=NUMBER", help="a value for every variable")
    grad_cmd.add_argument("--json", action="store_true", help="print values and gradients as JSON")
    demo_cmd = commands.add_parser("demo", help="the residual circuit, as a table and a picture")
    grad_cmd.add_argument("--render", type=Path, metavar="FILE", help="also draw the graph (.png, .svg or .pdf)")
    picture = demo_cmd.add_mutually_exclusive_group()
    picture.add_argument(
        "--render", type=Path, metavar="FILE", help=f"where to draw the graph (default: {DEMO_PICTURE})"
    )
    picture.add_argument("--no-render", action="store_true", help="print only")
    for command in (grad_cmd, demo_cmd):
        command.add_argument("--steps", type=Path, metavar="FOLDER", help="also write a backward step-through page")
        command.add_argument("--html", type=Path, metavar="FILE", help="also write the graph explorer as one HTML file")
    return parser, {"grad": grad_cmd, "demo": demo_cmd}


if __name__ == "__main__":
    sys.exit(main())
