"""The `skipgrad` command line (also `python -m autograd`)."""

from __future__ import annotations

import argparse
import sys

from .examples import seed_circuit
from .report import grad_table


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="skipgrad", description="Gradients you can read.")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("demo", help="back-propagate the seed residual circuit and print every node's gradient")
    args = parser.parse_args(argv)
    if args.command == "demo":
        return demo()
    return 2


def demo() -> int:
    nodes = seed_circuit()
    cost = nodes["cost"]
    cost.backward()
    print("xy = x*y;  s = max(z, w) + xy;  r = xy + s  (the skip);  cost = 2*r + 45")
    print("with x=3, y=-4, z=2, w=-1. xy feeds two nodes, so its gradient is the sum of both: 2 + 2 = 4\n")
    print(grad_table(cost))
    return 0


if __name__ == "__main__":
    sys.exit(main())
