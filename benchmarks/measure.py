"""The measurements of W1, W2, W3 and W5 for a set of engines: the code that both builds' processes run
(this one for its engines, the pure-Python child for skipgrad's; see benchmarks/pure_rows.py), so that
both use the same sizes, the same checks and the same timing.

Each returns plain data, which passes between processes as JSON: per engine, what was measured
(seconds, and counts of nodes and edges), and the reference answers its engines were checked against.
Given `reference` (the child's case), the engines are checked against it; without one, against the
reference engine measured here (skipgrad in W1-W3, the local-gradient design in W5).
"""

from __future__ import annotations

import math
import random
from typing import Any

from .engines import Engine
from .timing import agree, mean_phases, median_time, median_times_interleaved, time_build_and_backward

Rows = dict[str, dict[str, float]]  # engine name -> quantity (seconds, or a count) -> value
OURS = "skipgrad"
BINARY = "skipgrad, binary ops"  # W2 leaves it out: its chain is the same code as skipgrad's
GPT_NAME = "olivia"  # 6 letters, the mean length of nn.data.names(): 7 positions


# ---------------------------------------------------------------------------------------- W1
def demo_data(sizes: dict) -> tuple[list, list, list]:
    """W1's starting weights and its moons points (X, y)."""
    from nn import MLP, make_moons

    X, y = make_moons(sizes["demo_points"], noise=0.1, seed=1337)
    model = MLP(2, [16, 16, 1], seed=1337)
    weights = [[([w.data for w in n.w], _data(n.b)) for n in layer.neurons] for layer in model.layers]
    return weights, X, y


def demo_step(
    engines: list[Engine], sizes: dict, reference: list[float] | None = None, against: str = OURS
) -> tuple[Rows, list[float]]:
    """W1: the first step's loss and every gradient checked, then each engine's median step time."""
    weights, X, y = demo_data(sizes)
    steps = {engine.name: engine.demo(weights, X, y, alpha=1e-4, lr=0.5) for engine in engines}
    first = {name: step() for name, step in steps.items()}
    if reference is None:
        loss, grads = first[OURS]
        reference = [loss, *grads]
    for name, (loss, grads) in first.items():
        agree(f"W1 {name} loss", loss, reference[0], against)
        for i, (g, r) in enumerate(zip(grads, reference[1:], strict=True)):
            agree(f"W1 {name} gradient {i}", g, r, against)
    rows = {name: {"step": median_time(step, sizes["demo_steps"].get(name, 3))} for name, step in steps.items()}
    for engine in engines:
        rows[engine.name]["edges"] = engine.edges(steps[engine.name].loss())
    return rows, reference


# ---------------------------------------------------------------------------------------- W2
def chain(
    engines: list[Engine], sizes: dict, reference: list[float] | None = None, against: str = OURS
) -> tuple[list[Rows], list[float]]:
    """W2 at each N of sizes["chain"]: build and backward times and edges; the gradient of x0 checked."""
    measured: list[Rows] = []
    answers: list[float] = []
    for i, n in enumerate(sizes["chain"]):
        rows: Rows = {}
        for engine in engines:
            if engine.name == BINARY:
                continue
            repeats = sizes["chain_repeats"] if n < 1_000_000 or engine.name == OURS else 1
            timed = time_build_and_backward(*engine.chain(n), repeats, engine.chain_edges)
            build_time, backward_time, grad, edges = timed
            if len(answers) == i:  # the first engine's gradient is the reference, unless one was given
                answers.append(grad if reference is None else reference[i])
            agree(f"W2 {engine.name} N={n}", grad, answers[i], against)
            rows[engine.name] = {"build": build_time, "backward": backward_time, "edges": edges}
        measured.append(rows)
    return measured, answers


# ---------------------------------------------------------------------------------------- W3
def products(engines: list[Engine], sizes: dict) -> Rows:
    """W3: build and backward times and edges; the gradient of one leaf checked against its known value."""
    n = sizes["products"]
    rng = random.Random(0)
    a = [rng.uniform(-1, 1) for _ in range(n)]
    b = [rng.uniform(-1, 1) for _ in range(n)]
    rows: Rows = {}
    for engine in engines:
        repeats = sizes["products_repeats"]
        timed = time_build_and_backward(*engine.products(a, b), repeats, engine.edges)
        build_time, backward_time, grad, edges = timed
        # the leaves are shared by the repeats, so their gradients add up once per repeat
        agree(f"W3 {engine.name}", grad / repeats, b[0], "the exact gradient")
        rows[engine.name] = {"build": build_time, "backward": backward_time, "edges": edges}
    return rows


# ---------------------------------------------------------------------------------------- W5
REFERENCE_GPT = "local-gradient design"


def gpt_step(sizes: dict, reference: list[list[float]] | None = None) -> tuple[Rows, list[list[float]]]:
    """W5: skipgrad's two GPT steps, and the local-gradient design's unless its answers are given; the
    losses and gradients of two steps checked, then step times (interleaved), their parts and graph sizes."""
    from nn import Characters, names

    from . import gpt

    chars = Characters(names())
    tokens = chars.encode(GPT_NAME)
    weights = gpt.draw_weights(chars.vocab_size, seed=1337)
    trainers = [gpt.skipgrad_plain_step(weights, tokens), gpt.nn_gpt_step(chars.vocab_size, weights, tokens)]
    if reference is None:
        trainers.insert(0, gpt.local_gradient_step(weights, tokens))
    _check_gains(chars.vocab_size, weights, tokens)
    answers: list[list[float]] = []
    for step in (1, 2):  # the second after an Adam update
        results = {trainer.name: trainer.step() for trainer in trainers}
        if reference is None:
            loss, grads = results[REFERENCE_GPT]
        else:
            loss, grads = reference[step - 1][0], reference[step - 1][1:]
        answers.append([loss, *grads])
        for name, (other_loss, other_grads) in results.items():
            agree(f"W5 step {step} {name} loss", other_loss, loss, REFERENCE_GPT, rel=1e-12)
            for i, (g, r) in enumerate(zip(other_grads, grads, strict=True)):
                agree(f"W5 step {step} {name} gradient {i}", g, r, REFERENCE_GPT)
    sizes_of = {trainer.name: trainer.graph_size() for trainer in trainers}
    times = median_times_interleaved({t.name: t.step for t in trainers}, sizes["gpt_steps"])
    phases = mean_phases(trainers, sizes["gpt_steps"])
    rows: Rows = {}
    for name, step_time in times.items():
        nodes, edges = sizes_of[name]
        forward, backward, adam, collecting = phases[name]
        rows[name] = {"step": step_time, "nodes": nodes, "edges": edges}
        rows[name] |= {"forward": forward, "backward": backward, "adam": adam, "gc": collecting}
    return rows, answers


def _check_gains(vocab_size: int, weights: Any, tokens: list[int]) -> None:
    """nn.GPT's norm gains (1, and not trained here) have no counterpart in microgpt: central differences."""
    from . import gpt

    model, _ = gpt.nn_gpt(vocab_size, weights)
    gains = [norm.gain[k] for norm in (model.norm_e, model.blocks[0].norm1, model.blocks[0].norm2) for k in (0, 7)]
    for i, (grad, numeric) in enumerate(gpt.central_differences(model, tokens, gains)):
        if not math.isclose(grad, numeric, rel_tol=1e-5, abs_tol=1e-8):
            raise AssertionError(f"W5 nn.GPT gain {i}: backward gives {grad!r}, central differences {numeric!r}")


def _data(v: Any) -> float:
    assert v is not None
    return v.data
