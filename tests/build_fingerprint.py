"""Every value and gradient of some workloads, as a digest of their exact bits: run once in each build
(tests/test_compiled.py), the digests must be equal.

    python tests/build_fingerprint.py      prints {"compiled": ..., "fuzz": digest, "W1": ..., "W5": ...}

- fuzz: 300 random graphs of the differential fuzzer (tests/fuzz_graphs.py), every node's value and grad;
- W1: two training steps of micrograd's demo (benchmarks/engines.py): losses, gradients, weights after;
- W5: two training steps of nn.GPT and of the plain-ops GPT (benchmarks/gpt.py): the same.
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import Iterable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import autograd  # noqa: E402
from benchmarks import gpt  # noqa: E402
from benchmarks.engines import Skipgrad  # noqa: E402
from tests.fuzz_graphs import GraphParams, build_graph  # noqa: E402


def digest(numbers: Iterable[float]) -> str:
    """sha256 of the numbers' exact bits (float.hex), in order."""
    return hashlib.sha256(" ".join(float(x).hex() for x in numbers).encode()).hexdigest()


def fuzz(graphs: int = 300) -> str:
    numbers: list[float] = []
    for seed in range(graphs):
        _, values = build_graph(GraphParams(seed=seed, leaves=3, ops=30, ties=0.1))
        values[-1].backward()
        numbers += [x for v in values for x in (v.data, v.grad)]
    return digest(numbers)


def w1(steps: int = 2) -> str:
    from nn import MLP, make_moons

    X, y = make_moons(100, noise=0.1, seed=1337)
    model = MLP(2, [16, 16, 1], seed=1337)
    weights = [[([w.data for w in n.w], n.b.data if n.b else 0.0) for n in layer.neurons] for layer in model.layers]
    step = Skipgrad().demo(weights, X, y, alpha=1e-4, lr=0.5)
    numbers: list[float] = []
    for _ in range(steps):
        loss, grads = step()
        numbers += [loss, *grads]
    return digest(numbers)


def w5(steps: int = 2) -> str:
    from nn import Characters, names

    chars = Characters(names())
    tokens = chars.encode("olivia")
    weights = gpt.draw_weights(chars.vocab_size, seed=1337)
    numbers: list[float] = []
    for trainer in (gpt.nn_gpt_step(chars.vocab_size, weights, tokens), gpt.skipgrad_plain_step(weights, tokens)):
        for _ in range(steps):
            loss, grads = trainer.step()
            numbers += [loss, *grads, *(p.data for p in trainer.params)]
    return digest(numbers)


if __name__ == "__main__":
    print(json.dumps({"compiled": autograd.COMPILED, "fuzz": fuzz(), "W1": w1(), "W5": w5()}))
