"""Run every engine side by side in one run and print medians and ratios as Markdown.

    python -m benchmarks            the full run (several minutes; `python3 tasks.py bench` sets it up)
    python -m benchmarks --quick    small sizes, a smoke test of the harness (numbers not meaningful)
    python -m benchmarks --write    also store the tables in benchmarks/results.md and the README

skipgrad's engines are measured in both builds: this process runs the active one (compiled after a
build), and skipgrad's pure-Python rows come from a child process (benchmarks/pure_rows.py).
Every engine's gradients are checked against skipgrad's before it is timed (in W5, against the
local-gradient design's). Timings are medians of repeated runs with Python's cyclic GC on, as users
run code; each W1, W2, W3 and W5 row also gives its time per edge of that engine's graph.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import subprocess
import sys
from pathlib import Path
from typing import Any

from . import measure
from .builds import COMPILED, OWN_ENGINES, builds, header_line, label, side_by_side, this_build
from .engines import ENGINES, Engine
from .explorer import explorer_section
from .measure import BINARY, GPT_NAME, OURS, REFERENCE_GPT
from .pure_rows import with_pure_rows
from .tables import EDGE_NOTE, count, ms, ns_per_edge, ratio, s, table
from .targets import targets

HERE = Path(__file__).resolve().parent
REFERENCE = "micrograd 0.1.0"
Measured = dict[str, dict[str, float]]  # build -> what a target is about (its key in TARGETS) -> number


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes: check the harness runs")
    parser.add_argument("--write", action="store_true", help="store the tables in benchmarks/results.md and README.md")
    args = parser.parse_args(argv)
    sizes = QUICK if args.quick else FULL
    engines = [e for e in ENGINES if e.available()]
    missing = [e.name for e in ENGINES if not e.available()]
    sections = [header(missing, args.quick)]
    measured: Measured = {build: {} for build in builds()}  # the numbers the targets are about
    for workload in (w1_demo_step, w2_chain, w3_products, w4_memory, w5_gpt_step):
        print(f"running {workload.__name__} ...", file=sys.stderr, flush=True)
        sections.append(workload(engines, sizes, measured))
    print("running explorer_section ...", file=sys.stderr, flush=True)
    explorer: dict[str, float] = {}
    sections.append(explorer_section(engines, sizes, explorer))
    sections.append(targets(measured, explorer))
    text = "\n\n".join(sections) + "\n"
    print(text)
    if args.write and args.quick:
        print("(quick mode: the stored tables are left as they are)", file=sys.stderr)
    elif args.write:
        (HERE / "results.md").write_text(text)
        readme = HERE.parent / "README.md"
        before, rest = readme.read_text().split(README_START, 1)
        after = rest.split(README_END, 1)[1]
        readme.write_text(f"{before}{README_START}\n{text}{README_END}{after}")
    return 0


README_START, README_END = "<!-- benchmark results: start -->", "<!-- benchmark results: end -->"


FULL = {
    "demo_points": 100,
    "demo_steps": {OURS: 21, BINARY: 11, REFERENCE: 5, "torch scalar": 5},
    "chain": [1_000, 10_000, 100_000, 1_000_000],
    "chain_repeats": 3,
    "products": 100_000,
    "products_repeats": 3,
    "memory_steps": 50_000,
    "gpt_steps": 15,
    "explorer_browser": True,
}
QUICK = {
    "demo_points": 10,
    "demo_steps": {},
    "chain": [100, 1_000],
    "chain_repeats": 1,
    "products": 1_000,
    "products_repeats": 1,
    "memory_steps": 1_000,
    "gpt_steps": 1,
    "explorer_browser": False,  # the Python side only
}


def _record(measured: Measured, key: str, runs: dict[str, Any], engine: str, baseline: float | None) -> None:
    """measured[build][key] = baseline / each build's time of `engine` (`runs`: {build: {engine: time}})."""
    if baseline is None:  # the engine compared against is not installed
        return
    for build, times in runs.items():
        measured[build][key] = baseline / times[engine]


# ---------------------------------------------------------------------------------------- W1
def w1_demo_step(engines: list[Engine], sizes: dict, measured: Measured) -> str:
    """micrograd's demo training step: MLP(2, [16, 16, 1]) on two-moons points."""
    here, reference = measure.demo_step(engines, sizes)
    runs = with_pure_rows("W1", here, sizes, reference)
    steps = {build: {name: row["step"] for name, row in rows.items()} for build, rows in runs.items()}
    _record(measured, "W1", steps, OURS, steps[this_build()].get(REFERENCE))
    merged = side_by_side(runs)
    times = {name: row["step"] for name, row in merged.items()}
    rows = [
        [
            name,
            ms(t),
            ratio(times, REFERENCE, name),
            ratio(times, "torch scalar", name),
            count(merged[name]["edges"]),
            ns_per_edge(t, merged[name]["edges"]),
        ]
        for name, t in times.items()
    ]
    return table(
        f"W1: one training step of micrograd's demo (MLP(2, [16, 16, 1]), {sizes['demo_points']} moons points, "
        "max-margin loss + 1e-4 L2, zero_grad + forward + backward + SGD); gradients checked equal",
        ["engine", "median step", "x faster than micrograd", "x faster than torch scalar", "edges", "ns per edge"],
        rows,
    )


# ---------------------------------------------------------------------------------------- W2
def w2_chain(engines: list[Engine], sizes: dict, measured: Measured) -> str:
    """x = x * 1.0001 + 0.001 repeated N times."""
    here, reference = measure.chain(engines, sizes)
    runs = with_pure_rows("W2", here, sizes, reference)
    rows = []
    for i, n in enumerate(sizes["chain"]):
        merged = side_by_side({build: measured_at[i] for build, measured_at in runs.items()})
        rows += [[f"{n:,}", *row] for row in _build_and_backward_rows(merged)]
    largest = {build: {name: row["backward"] for name, row in at[-1].items()} for build, at in runs.items()}
    _record(measured, "W2", largest, OURS, largest[this_build()].get(REFERENCE))
    limits = [
        [label(engine.name, this_build()), _largest_chain_at_default_limit(engine, max(sizes["chain"]))]
        for engine in engines
        if engine.name != BINARY
    ]
    return "\n\n".join(
        [
            table(
                "W2: a chain x = x * 1.0001 + 0.001 of N steps (2N op nodes); micrograd's backward runs with its "
                "recursion limit raised, the others at Python's default; gradients checked equal",
                ["N", "engine", "build", "backward", "build x faster", "backward x faster", "edges"]
                + ["build ns per edge", "backward ns per edge"],
                rows,
            ),
            table(
                "W2: the largest chain each engine back-propagates at the default recursion limit (1000)",
                ["engine", "largest N"],
                limits,
            ),
        ]
    )


def _largest_chain_at_default_limit(engine: Engine, largest: int) -> str:
    """Run a child process at the default limit: bisect for engines that recurse, else try `largest`."""
    code = f"""
import sys
sys.path.insert(0, {str(HERE.parent)!r})
from benchmarks.engines import ENGINES, _recursion_limit
engine = next(e for e in ENGINES if e.name == {engine.name!r})
def survives(n):
    build, backward = engine.chain(n)
    graph = build()
    try:
        graph[1].backward()
    except RecursionError:
        return False
    return True
lo, hi = 0, min(4096, {largest})
if survives(hi):
    print({largest} if survives({largest}) else hi, "(all sizes tried)")
else:
    while hi - lo > 1:
        mid = (lo + hi) // 2
        lo, hi = (mid, hi) if survives(mid) else (lo, mid)
    print(lo)
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    if done.returncode != 0:
        return f"failed: {done.stderr.strip().splitlines()[-1][:80]}"
    text = done.stdout.strip()
    return f"{int(text.split()[0]):,}" + (" (the largest tried)" if "all sizes" in text else "")


# ---------------------------------------------------------------------------------------- W3
def w3_products(engines: list[Engine], sizes: dict, measured: Measured) -> str:
    """sum of N products of leaf pairs."""
    runs = with_pure_rows("W3", measure.products(engines, sizes), sizes, None)
    rows = _build_and_backward_rows(side_by_side(runs))
    return table(
        f"W3: the sum of N = {sizes['products']:,} products of leaf pairs (skipgrad: one n-ary sum_of node; "
        "the others: Python's sum, one + node per term; micrograd with its recursion limit raised)",
        ["engine", "build", "backward", "build x faster", "backward x faster", "edges"]
        + ["build ns per edge", "backward ns per edge"],
        rows,
    )


def _build_and_backward_rows(measured: dict[str, dict[str, float]]) -> list[list[str]]:
    """W2's and W3's columns for each engine: times, how much faster than micrograd, edges, ns per edge."""
    build_times = {name: row["build"] for name, row in measured.items()}
    backward_times = {name: row["backward"] for name, row in measured.items()}
    return [
        [name, s(row["build"]), s(row["backward"])]
        + [ratio(build_times, REFERENCE, name), ratio(backward_times, REFERENCE, name), count(row["edges"])]
        + [ns_per_edge(row["build"], row["edges"]), ns_per_edge(row["backward"], row["edges"])]
        for name, row in measured.items()
    ]


# ---------------------------------------------------------------------------------------- W4
def w4_memory(engines: list[Engine], sizes: dict, measured: Measured) -> str:
    """Memory per op node of the W2 chain, in a fresh process per engine (and per build of skipgrad)."""
    steps = sizes["memory_steps"]
    rows = []
    for engine in engines:
        if engine.name == BINARY:
            continue
        for build in builds() if engine.name in OWN_ENGINES else [this_build()]:
            memory = _memory_per_node(engine.name, steps, build)
            if memory is None:
                rows.append([label(engine.name, build), "failed", ""])
                continue
            rss, traced = memory
            rows.append([label(engine.name, build), f"{rss:.0f} B", f"{traced:.0f} B"])
            if engine.name == OURS:
                measured[build]["W4"] = rss
    return table(
        f"W4: memory per op node, a chain of {2 * steps:,} op nodes built in a fresh process "
        "(tracemalloc sees Python objects only, not torch's C++ autograd nodes)",
        ["engine", "RSS per node", "tracemalloc per node"],
        rows,
    )


def _memory_per_node(name: str, steps: int, build: str) -> tuple[float, float] | None:
    """RSS and tracemalloc growth per op node of a chain of `steps` steps, in a fresh process that runs
    `build` of skipgrad's engine; None where it cannot be measured."""
    code = f"""
import gc, sys, tracemalloc
sys.path.insert(0, {str(HERE.parent)!r})
from benchmarks.engines import ENGINES
engine = next(e for e in ENGINES if e.name == {name!r})
build, _ = engine.chain({steps})
def rss():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096
engine.chain(10)[0]()  # warm up imports and caches
gc.collect()
before = rss()
graph = build()
grown = rss() - before  # measured untraced: tracemalloc's own records would count here
del graph
gc.collect()
tracemalloc.start()
start = tracemalloc.get_traced_memory()[0]
graph = build()
print(grown, tracemalloc.get_traced_memory()[0] - start, getattr(sys.modules.get("autograd"), "COMPILED", None))
"""
    environment = {key: value for key, value in os.environ.items() if key != "SKIPGRAD_PURE"}
    if build != COMPILED:
        environment["SKIPGRAD_PURE"] = "1"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=environment)
    if done.returncode != 0 or not os.path.exists("/proc/self/statm"):
        return None
    grown, traced, compiled = done.stdout.split()
    if name in OWN_ENGINES and compiled != str(build == COMPILED):
        raise RuntimeError(f"W4's process for {label(name, build)} ran the other build")
    nodes = 2 * steps
    return int(grown) / nodes, int(traced) / nodes


# ---------------------------------------------------------------------------------------- W5
def w5_gpt_step(engines: list[Engine], sizes: dict, measured: Measured) -> str:
    """One training step of a microgpt-shaped GPT on one name (its own three engines: see benchmarks/gpt.py)."""
    from nn import Characters, names

    from . import gpt

    here, reference = measure.gpt_step(sizes)
    runs = with_pure_rows("W5", here, sizes, reference)
    steps = {build: {name: row["step"] for name, row in rows.items()} for build, rows in runs.items()}
    baseline = here[REFERENCE_GPT]["step"]
    _record(measured, "W5 plain ops", steps, "skipgrad, plain ops", baseline)
    _record(measured, "W5 nn.GPT", steps, "skipgrad nn.GPT", baseline)
    merged = side_by_side(runs)
    times = {name: row["step"] for name, row in merged.items()}
    rows = [
        [name, ms(t), ratio(times, REFERENCE_GPT, name), count(merged[name]["nodes"]), count(merged[name]["edges"])]
        + [ns_per_edge(t, merged[name]["edges"])]
        for name, t in times.items()
    ]
    chars = Characters(names())
    n_weights = sum(r * c for r, c in gpt.matrix_shapes(chars.vocab_size).values())
    positions = len(chars.encode(GPT_NAME)) - 1
    phases = ("forward", "backward", "adam")
    where = table(
        "W5: where the time of a step goes (means, so that the parts add up; Python's cyclic GC on, as above, "
        "and the time its collections took, which falls inside the other parts)",
        ["engine", "zero_grad + forward", "backward", "Adam", "step", "of which cyclic GC"],
        [
            [name, *(ms(row[p]) for p in phases), ms(sum(row[p] for p in phases)), ms(row["gc"])]
            for name, row in merged.items()
        ],
    )
    steps_table = table(
        f"W5: one training step of a microgpt-shaped GPT (1 layer, n_embd 16, 4 heads, block_size 16, "
        f"{chars.vocab_size} tokens, {n_weights:,} weights) on one name, {GPT_NAME!r} "
        f"({positions} positions, KV cache), zero_grad + forward + backward + Adam; the same model "
        "function on both Value classes; nn.GPT with microgpt's norms (one after the embedding, none before "
        "the head); losses and gradients of two steps checked equal",
        ["engine", "median step", "x faster than the local-gradient design", "graph nodes", "edges", "ns per edge"],
        rows,
    )
    return f"{steps_table}\n\n{where}\n\n{EDGE_NOTE}"


# ---------------------------------------------------------------------------------------- header
def header(missing: list[str], quick: bool) -> str:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    versions = [f"Python {platform.python_version()}"]
    try:
        import torch

        versions.append(f"torch {torch.__version__}")
    except ImportError:
        pass
    lines = [
        f"Benchmark run {datetime.date.today().isoformat()} on {os.cpu_count()} cores, {cpu}; {', '.join(versions)}."
    ]
    if quick:
        lines.append("QUICK MODE: tiny sizes, numbers not meaningful.")
    if missing:
        lines.append(f"Not installed, so not run: {', '.join(missing)}.")
    lines.append(header_line())
    return " ".join(lines)


if __name__ == "__main__":
    sys.exit(main())
