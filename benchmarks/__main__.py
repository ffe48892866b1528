"""Run every engine side by side in one process run and print medians and ratios as Markdown.

    python -m benchmarks            the full run (a few minutes; `python3 tasks.py bench` sets it up)
    python -m benchmarks --quick    small sizes, a smoke test of the harness (numbers not meaningful)
    python -m benchmarks --write    also store the tables in benchmarks/results.md and the README

Every engine's gradients are checked against skipgrad's before it is timed (in W5, against the
local-gradient design's). Timings are medians of repeated runs with Python's cyclic GC on, as users
run code.
"""

from __future__ import annotations

import argparse
import datetime
import gc
import math
import os
import platform
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

from .engines import ENGINES, Engine
from .explorer import explorer_section, goals

HERE = Path(__file__).resolve().parent
OURS = "skipgrad"
REFERENCE = "micrograd 0.1.0"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes: check the harness runs")
    parser.add_argument("--write", action="store_true", help="store the tables in benchmarks/results.md and README.md")
    args = parser.parse_args(argv)
    sizes = QUICK if args.quick else FULL
    engines = [e for e in ENGINES if e.available()]
    missing = [e.name for e in ENGINES if not e.available()]
    sections = [header(engines, missing, args.quick)]
    measured: dict[str, float] = {}  # the ratios the targets are about, filled in by the workloads
    for workload in (w1_demo_step, w2_chain, w3_products, w4_memory, w5_gpt_step, explorer_section):
        print(f"running {workload.__name__} ...", file=sys.stderr, flush=True)
        sections.append(workload(engines, sizes, measured))
    sections.append(targets(measured))
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
    "demo_steps": {OURS: 21, "skipgrad, binary ops": 11, REFERENCE: 5, "torch scalar": 5},
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


# ---------------------------------------------------------------------------------------- W1
def w1_demo_step(engines: list[Engine], sizes: dict, measured: dict[str, float]) -> str:
    """micrograd's demo training step: MLP(2, [16, 16, 1]) on two-moons points."""
    from nn import MLP, make_moons

    X, y = make_moons(sizes["demo_points"], noise=0.1, seed=1337)
    model = MLP(2, [16, 16, 1], seed=1337)
    weights = [[([w.data for w in n.w], _data(n.b)) for n in layer.neurons] for layer in model.layers]
    steps = {}
    for engine in engines:
        steps[engine.name] = engine.demo(weights, X, y, alpha=1e-4, lr=0.5)
    # Correctness first: the first step's loss and every gradient must agree with skipgrad's.
    first = {name: step() for name, step in steps.items()}
    ref_loss, ref_grads = first[OURS]
    for name, (loss, grads) in first.items():
        _agree(f"W1 {name} loss", loss, ref_loss)
        for i, (g, r) in enumerate(zip(grads, ref_grads, strict=True)):
            _agree(f"W1 {name} gradient {i}", g, r)
    times = {name: _median_time(step, sizes["demo_steps"].get(name, 3)) for name, step in steps.items()}
    if REFERENCE in times:
        measured["W1"] = times[REFERENCE] / times[OURS]
    rows = [
        [name, _ms(t), _ratio(times, REFERENCE, name), _ratio(times, "torch scalar", name)] for name, t in times.items()
    ]
    return _table(
        f"W1: one training step of micrograd's demo (MLP(2, [16, 16, 1]), {len(X)} moons points, "
        "max-margin loss + 1e-4 L2, zero_grad + forward + backward + SGD); gradients checked equal",
        ["engine", "median step", "x faster than micrograd", "x faster than torch scalar"],
        rows,
    )


# ---------------------------------------------------------------------------------------- W2
def w2_chain(engines: list[Engine], sizes: dict, measured: dict[str, float]) -> str:
    """x = x * 1.0001 + 0.001 repeated N times."""
    rows = []
    per_node = []
    for n in sizes["chain"]:
        expected = None
        results = {}
        for engine in engines:
            if engine.name == "skipgrad, binary ops":
                continue  # the same code as skipgrad for this workload
            repeats = sizes["chain_repeats"] if n < 1_000_000 or engine.name == OURS else 1
            build_time, backward_time, grad = _time_build_and_backward(*engine.chain(n), repeats)
            expected = grad if expected is None else expected
            _agree(f"W2 {engine.name} N={n}", grad, expected, rel=1e-9)
            results[engine.name] = (build_time, backward_time)
        builds = {k: v[0] for k, v in results.items()}
        backwards = {k: v[1] for k, v in results.items()}
        for name, (b, bw) in results.items():
            rows.append(
                [f"{n:,}", name, _s(b), _s(bw), _ratio(builds, REFERENCE, name), _ratio(backwards, REFERENCE, name)]
            )
        if REFERENCE in backwards:  # the largest N is last
            measured["W2"] = backwards[REFERENCE] / backwards[OURS]
        build_time, backward_time = results[OURS]
        per_node.append([f"{n:,}", f"{backward_time / (2 * n) * 1e9:.0f} ns", f"{build_time / (2 * n) * 1e9:.0f} ns"])
    limits = [
        [engine.name, _largest_chain_at_default_limit(engine, max(sizes["chain"]))]
        for engine in engines
        if engine.name != "skipgrad, binary ops"
    ]
    return "\n\n".join(
        [
            _table(
                "W2: a chain x = x * 1.0001 + 0.001 of N steps (2N op nodes); micrograd's backward runs with its "
                "recursion limit raised, the others at Python's default; gradients checked equal",
                ["N", "engine", "build", "backward", "build x faster", "backward x faster"],
                rows,
            ),
            _table(
                "W2: the largest chain each engine back-propagates at the default recursion limit (1000)",
                ["engine", "largest N"],
                limits,
            ),
            _table(
                "skipgrad's time per op node as N grows (flat = linear cost)",
                ["N", "backward per node", "build per node"],
                per_node,
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
def w3_products(engines: list[Engine], sizes: dict, measured: dict[str, float]) -> str:
    """sum of N products of leaf pairs."""
    n = sizes["products"]
    rng = random.Random(0)
    a = [rng.uniform(-1, 1) for _ in range(n)]
    b = [rng.uniform(-1, 1) for _ in range(n)]
    results = {}
    for engine in engines:
        repeats = sizes["products_repeats"]
        build_time, backward_time, grad = _time_build_and_backward(*engine.products(a, b), repeats)
        # the leaves are shared by the repeats, so their gradients add up once per repeat
        _agree(f"W3 {engine.name}", grad / repeats, b[0], rel=1e-9)
        results[engine.name] = (build_time, backward_time)
    builds = {k: v[0] for k, v in results.items()}
    backwards = {k: v[1] for k, v in results.items()}
    rows = [
        [name, _s(bt), _s(bw), _ratio(builds, REFERENCE, name), _ratio(backwards, REFERENCE, name)]
        for name, (bt, bw) in results.items()
    ]
    return _table(
        f"W3: the sum of N = {n:,} products of leaf pairs (skipgrad: one n-ary sum_of node; "
        "the others: Python's sum, one + node per term; micrograd with its recursion limit raised)",
        ["engine", "build", "backward", "build x faster", "backward x faster"],
        rows,
    )


# ---------------------------------------------------------------------------------------- W4
def w4_memory(engines: list[Engine], sizes: dict, measured: dict[str, float]) -> str:
    """Memory per op node of the W2 chain, in a fresh process per engine."""
    steps = sizes["memory_steps"]
    rows = []
    for engine in engines:
        if engine.name == "skipgrad, binary ops":
            continue
        code = f"""
import gc, sys, tracemalloc
sys.path.insert(0, {str(HERE.parent)!r})
from benchmarks.engines import ENGINES
engine = next(e for e in ENGINES if e.name == {engine.name!r})
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
print(grown, tracemalloc.get_traced_memory()[0] - start)
"""
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
        if done.returncode != 0 or not os.path.exists("/proc/self/statm"):
            rows.append([engine.name, "failed", ""])
            continue
        rss, traced = (int(v) for v in done.stdout.split())
        nodes = 2 * steps
        rows.append([engine.name, f"{rss / nodes:.0f} B", f"{traced / nodes:.0f} B"])
        if engine.name == OURS:
            measured["W4"] = rss / nodes
    return _table(
        f"W4: memory per op node, a chain of {2 * steps:,} op nodes built in a fresh process "
        "(tracemalloc sees Python objects only, not torch's C++ autograd nodes)",
        ["engine", "RSS per node", "tracemalloc per node"],
        rows,
    )


# ---------------------------------------------------------------------------------------- W5
GPT_NAME = "olivia"  # 6 letters, the mean length of nn.data.names(): 7 positions


def w5_gpt_step(engines: list[Engine], sizes: dict, measured: dict[str, float]) -> str:
    """One training step of a microgpt-shaped GPT on one name (its own three engines: see benchmarks/gpt.py)."""
    from nn import Characters, names

    from . import gpt

    chars = Characters(names())
    tokens = chars.encode(GPT_NAME)
    weights = gpt.draw_weights(chars.vocab_size, seed=1337)
    trainers = [
        gpt.local_gradient_step(weights, tokens),
        gpt.skipgrad_plain_step(weights, tokens),
        gpt.nn_gpt_step(chars.vocab_size, weights, tokens),
    ]
    reference = trainers[0].name
    # nn.GPT's norm gains (1, and not trained here) have no counterpart in microgpt: central differences.
    model, _ = gpt.nn_gpt(chars.vocab_size, weights)
    gains = [norm.gain[k] for norm in (model.norm_e, model.blocks[0].norm1, model.blocks[0].norm2) for k in (0, 7)]
    for i, (grad, numeric) in enumerate(gpt.central_differences(model, tokens, gains)):
        if not math.isclose(grad, numeric, rel_tol=1e-5, abs_tol=1e-8):
            raise AssertionError(f"W5 nn.GPT gain {i}: backward gives {grad!r}, central differences {numeric!r}")
    # The first two steps (the second after an Adam update) must agree: losses and every gradient.
    for step in (1, 2):
        results = [trainer.step() for trainer in trainers]
        ref_loss, ref_grads = results[0]
        for trainer, (loss, grads) in zip(trainers[1:], results[1:], strict=True):
            _agree(f"W5 step {step} {trainer.name} loss", loss, ref_loss, rel=1e-12, against=reference)
            for i, (g, r) in enumerate(zip(grads, ref_grads, strict=True)):
                _agree(f"W5 step {step} {trainer.name} gradient {i}", g, r, against=reference)
    nodes = {trainer.name: trainer.graph_nodes() for trainer in trainers}
    times = _median_times_interleaved({t.name: t.step for t in trainers}, sizes["gpt_steps"])
    rows = [[name, _ms(t), _ratio(times, reference, name), f"{nodes[name]:,}"] for name, t in times.items()]
    measured["W5 plain ops"] = times[reference] / times[trainers[1].name]
    measured["W5 nn.GPT"] = times[reference] / times[trainers[2].name]
    n_weights = sum(len(row) for rows in weights.values() for row in rows)
    phases = _mean_phases(trainers, sizes["gpt_steps"])
    where = _table(
        "W5: where the time of a step goes (means, so that the parts add up; Python's cyclic GC on, as above, "
        "and the time its collections took, which falls inside the other parts)",
        ["engine", "zero_grad + forward", "backward", "Adam", "step", "of which cyclic GC"],
        [[name, *(_ms(t) for t in parts[:3]), _ms(sum(parts[:3])), _ms(parts[3])] for name, parts in phases.items()],
    )
    steps = _table(
        f"W5: one training step of a microgpt-shaped GPT (1 layer, n_embd 16, 4 heads, block_size 16, "
        f"{chars.vocab_size} tokens, {n_weights:,} weights) on one name, {GPT_NAME!r} "
        f"({len(tokens) - 1} positions, KV cache), zero_grad + forward + backward + Adam; the same model "
        "function on both Value classes; nn.GPT with microgpt's norms (one after the embedding, none before "
        "the head); losses and gradients of two steps checked equal",
        ["engine", "median step", "x faster than the local-gradient design", "graph nodes"],
        rows,
    )
    return f"{steps}\n\n{where}"


def _mean_phases(trainers: list, repeats: int) -> dict[str, tuple[float, ...]]:
    """Each trainer's step timed in parts, the trainers interleaved as for the step times."""
    parts: dict[str, list[tuple[float, float, float, float]]] = {t.name: [] for t in trainers}
    for _ in range(repeats):
        for trainer in trainers:
            parts[trainer.name].append(trainer.timed_phases())
    return {name: tuple(statistics.fmean(p[i] for p in runs) for i in range(4)) for name, runs in parts.items()}


# ---------------------------------------------------------------------------------------- targets
TARGETS = [  # (key in `measured`, what, goal, met when)
    ("W1", "W1 step, x faster than micrograd", ">= 100x", lambda r: r >= 100),
    ("W2", "W2 backward at the largest N, x faster than micrograd", ">= 10x", lambda r: r >= 10),
    # RSS grows by whole pages, and a few kB of it are not the nodes' (100,000 nodes: 0.1 B each), so
    # W4 is read to the whole byte, as its table shows it.
    ("W4", "W4 RSS per op node, to the whole byte", "<= 160 B", lambda b: round(b) <= 160),
    ("W5 plain ops", "W5 plain ops, x faster than the local-gradient design", ">= 2x", lambda r: r >= 2),
    ("W5 nn.GPT", "W5 nn.GPT, x faster than the local-gradient design", ">= 10x", lambda r: r >= 10),
]


def targets(measured: dict[str, float]) -> str:
    """The speed targets, each against this run's ratio."""
    rows = []
    for key, what, goal, met in TARGETS:
        if key not in measured:
            rows.append([what, goal, "not measured (an engine is missing)", "-"])
            continue
        value = measured[key]
        shown = f"{value:.0f} B" if key == "W4" else f"{value:.1f}x"
        rows.append([what, goal, shown, "yes" if met(value) else "no"])
    rows += goals(measured)  # the graph explorer's (benchmarks/explorer.py)
    return _table("The targets, against this run", ["target", "goal", "this run", "met"], rows)


# ---------------------------------------------------------------------------------------- helpers
def _data(v) -> float:
    assert v is not None
    return v.data


def header(engines: list[Engine], missing: list[str], quick: bool) -> str:
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
    return " ".join(lines)


def _agree(what: str, value: float, reference: float, rel: float = 1e-9, against: str = OURS) -> None:
    if not math.isclose(value, reference, rel_tol=rel, abs_tol=1e-12):
        raise AssertionError(f"{what}: {value!r} differs from {against}'s {reference!r}; not timing a wrong answer")


def _time_build_and_backward(build, backward, repeats: int) -> tuple[float, float, float]:
    """Median build and backward times over `repeats` fresh graphs, and the last gradient."""
    build_times, backward_times = [], []
    for _ in range(repeats):
        gc.collect()
        start = time.perf_counter()
        graph = build()
        built = time.perf_counter()
        grad = backward(graph)
        done = time.perf_counter()
        build_times.append(built - start)
        backward_times.append(done - built)
        del graph
    return statistics.median(build_times), statistics.median(backward_times), grad


def _median_time(step, repeats: int) -> float:
    step()  # warm-up
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _median_times_interleaved(steps: dict, repeats: int) -> dict[str, float]:
    """Median times of steps taken in turns (one warm-up each, then one step of each engine per round),
    so that a machine slowed by other work for a while slows every engine alike."""
    times: dict[str, list[float]] = {name: [] for name in steps}
    for step in steps.values():
        step()
    for _ in range(repeats):
        for name, step in steps.items():
            start = time.perf_counter()
            step()
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(t) for name, t in times.items()}


def _ratio(times: dict[str, float], reference: str, name: str) -> str:
    if reference not in times or name == reference:
        return "-"
    return f"{times[reference] / times[name]:.1f}x"


def _ms(seconds: float) -> str:
    return f"{seconds * 1e3:.1f} ms"


def _s(seconds: float) -> str:
    return f"{seconds:.3f} s" if seconds < 10 else f"{seconds:.1f} s"


def _table(title: str, columns: list[str], rows: list[list[str]]) -> str:
    lines = [f"**{title}**", "", "| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
