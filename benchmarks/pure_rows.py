"""skipgrad's pure-Python rows of one workload, measured in a child process while the benchmark's own
process runs the compiled build (a process cannot hold both).

    python -m benchmarks.pure_rows < request.json

The request (JSON on stdin) names the workload (W1, W2, W3 or W5) and gives the parent's sizes and
its reference answers; the child checks its gradients against those answers, times skipgrad's
engines with the code the parent uses (benchmarks/measure.py) and prints their rows as JSON.

First it imports the other engines' packages that the parent has imported. Their objects are most of
a process's heap (torch's alone are ten times skipgrad's and nn's), and Python's cyclic GC scans the
heap: without them, a step that builds tens of thousands of nodes ran up to twice as fast here as
in the parent, whichever build ran it.
"""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from . import measure
from .builds import COMPILED, OWN_ENGINES, PURE, this_build
from .engines import ENGINES

ROOT = Path(__file__).resolve().parents[1]  # the child imports this tree's autograd, nn and benchmarks


def with_pure_rows(workload: str, here: Any, sizes: dict, reference: Any) -> dict[str, Any]:
    """{build: rows}: the rows measured in this process, and when it runs compiled, skipgrad's rows of
    the same workload measured in a pure-Python child."""
    runs = {this_build(): here}
    if this_build() == COMPILED:
        runs[PURE] = measure_in_child(workload, sizes, reference, against=f"skipgrad ({COMPILED})")
    return runs


def measure_in_child(workload: str, sizes: dict, reference: Any, against: str) -> Any:
    """Run one workload's skipgrad rows in a fresh process with SKIPGRAD_PURE=1; its rows, read back."""
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.pure_rows"],
        input=json.dumps(child_request(workload, sizes, reference, against)),
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=dict(os.environ, SKIPGRAD_PURE="1"),
    )
    if done.returncode != 0:
        raise RuntimeError(f"{workload}'s pure-Python rows failed in their process:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def child_request(workload: str, sizes: dict, reference: Any, against: str) -> dict[str, Any]:
    """What the child is sent: the workload, its sizes and reference answers, and the packages of the
    other engines that this process has imported (the child imports them too: see above)."""
    loaded = [module for engine in ENGINES for module in engine.modules if module in sys.modules]
    return {"workload": workload, "sizes": sizes, "reference": reference, "against": against, "imports": loaded}


def rows_of(request: dict[str, Any]) -> Any:
    """The rows of skipgrad's engines for one request, measured in this process."""
    engines = [engine for engine in ENGINES if engine.name in OWN_ENGINES]
    workload, sizes, reference, against = (request[key] for key in ("workload", "sizes", "reference", "against"))
    if workload == "W1":
        return measure.demo_step(engines, sizes, reference, against)[0]
    if workload == "W2":
        return measure.chain(engines, sizes, reference, against)[0]
    if workload == "W3":
        return measure.products(engines, sizes)
    if workload == "W5":
        return measure.gpt_step(sizes, reference)[0]
    raise ValueError(f"no workload {workload!r}: W1, W2, W3 or W5")


def main() -> int:
    request = json.load(sys.stdin)
    if this_build() != PURE:  # SKIPGRAD_PURE=1 was not set, or not seen: these rows would be mislabelled
        print("benchmarks.pure_rows must run in the pure-Python build (SKIPGRAD_PURE=1)", file=sys.stderr)
        return 2
    for module in request.get("imports", []):
        importlib.import_module(module)
    print(json.dumps(rows_of(request)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
