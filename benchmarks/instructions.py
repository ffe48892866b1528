"""Instruction counts of W1, W2 and W5 under valgrind's callgrind, for two source trees side by side.

Wall-clock times on a shared machine wander by several percent; the number of instructions a step
executes does not, so a change to the hot path is judged by these counts. Each workload runs in a
fresh process twice, once with its set-up only and once with set-up and the measured work; the count
given is the difference, so imports and set-up are not counted.

    python -m benchmarks.instructions                     # this tree
    python -m benchmarks.instructions --against ../old     # this tree and another checkout, with ratios
    python -m benchmarks.instructions --compiled           # the compiled engine (default: pure Python)

Needs valgrind (Debian: apt install valgrind). Not part of the test suite: it takes about a minute.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent

# Each workload: the set-up, and the work measured after it. They run with the tree under test first on
# sys.path and its working directory, so `benchmarks`, `autograd` and `nn` all come from that tree.
SETUP = {
    "W1": """
from benchmarks.engines import Skipgrad
from nn import MLP, make_moons
X, y = make_moons(100, noise=0.1, seed=1337)
model = MLP(2, [16, 16, 1], seed=1337)
weights = [[([w.data for w in n.w], n.b.data) for n in layer.neurons] for layer in model.layers]
step = Skipgrad().demo(weights, X, y, alpha=1e-4, lr=0.5)
step()
""",
    "W2": """
from autograd import Value
def chain(n):
    x0 = x = Value(1.0)
    for _ in range(n):
        x = x * 1.0001 + 0.001
    x.backward()
    return x0.grad
chain(100)
""",
    "W5": """
from benchmarks import gpt
from nn import Characters, names
chars = Characters(names())
tokens = chars.encode("olivia")
weights = gpt.draw_weights(chars.vocab_size, seed=1337)
trainer = gpt.nn_gpt_step(chars.vocab_size, weights, tokens)
trainer.step()
""",
}
WORK = {
    "W1": "for _ in range(2): step()",
    "W2": "chain(20_000)",
    "W5": "for _ in range(2): trainer.step()",
}
WHAT = {
    "W1": "2 steps of micrograd's demo (MLP(2, [16, 16, 1]), 100 points)",
    "W2": "a chain of 20,000 steps (40,000 op nodes): build + backward",
    "W5": "2 training steps of nn.GPT (microgpt's shape) on 'olivia'",
}


def instructions(tree: Path, code: str, compiled: bool = False) -> int:
    """Instructions that `code` executes in a fresh Python started in `tree` (callgrind's total), with
    the engine as pure Python, or compiled (the tree's build must be current: python3 tasks.py build)."""
    env = dict(os.environ, PYTHONPATH=str(tree), PYTHONHASHSEED="0", SKIPGRAD_PURE="1")
    if compiled:
        env.pop("SKIPGRAD_PURE")
        code = "import autograd\nassert autograd.COMPILED, autograd.BUILD\n" + code
    run = subprocess.run(
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", sys.executable, "-c", code],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    found = re.search(r"Collected : (\d+)", run.stderr)
    if run.returncode or not found:
        raise RuntimeError(f"callgrind failed in {tree}:\n{run.stderr[-2000:]}")
    return int(found.group(1))


def count(tree: Path, workload: str, compiled: bool = False) -> int:
    setup = SETUP[workload]
    return instructions(tree, setup + WORK[workload], compiled) - instructions(tree, setup, compiled)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--against", type=Path, help="another checkout of skipgrad, to compare with")
    parser.add_argument("--compiled", action="store_true", help="count the compiled engine (default: pure Python)")
    parser.add_argument("workloads", nargs="*", help="W1, W2 or W5 (default: all three)")
    args = parser.parse_args(argv)
    unknown = set(args.workloads) - set(SETUP)
    if unknown:
        parser.error(f"unknown workload {sorted(unknown)[0]}: choose from {', '.join(SETUP)}")
    args.workloads = args.workloads or list(SETUP)
    if shutil.which("valgrind") is None:
        print("valgrind is not installed (Debian: apt install valgrind)", file=sys.stderr)
        return 2
    trees = [HERE] + ([args.against.resolve()] if args.against else [])
    columns = [f"instructions, {tree.name}" for tree in trees] + (["ratio"] if args.against else [])
    print("| workload | " + " | ".join(columns) + " |")
    print("|---" * (len(trees) + 1 + bool(args.against)) + "|")
    for workload in args.workloads:
        counts = [count(tree, workload, args.compiled) for tree in trees]
        ratio = f" | {counts[0] / counts[1]:.4f} |" if args.against else " |"
        print(f"| {workload}: {WHAT[workload]} | " + " | ".join(f"{c:,}" for c in counts) + ratio, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
