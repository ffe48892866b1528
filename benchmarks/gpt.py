"""W5's model and its three engines: one training step of a GPT the shape of Karpathy's microgpt.

The model (1 layer, n_embd 16, 4 heads, block_size 16, a vocabulary of 26 letters + BOS): token +
position embedding, an RMSNorm, then a pre-norm block (RMSNorm without gain, causal attention,
residual; RMSNorm, ReLU MLP 4x wide, residual), and the lm_head; no biases. One step trains on one
name, BOS + letters + BOS, position by position with a cache of keys and values, the loss being
the mean cross-entropy over the positions; Adam (lr 0.01, betas 0.85 / 0.99, eps 1e-8).

- local-gradient design:  `gpt()` below on benchmarks.local_gradient.Value
- skipgrad, plain ops:    the same `gpt()` on skipgrad's autograd.Value
- skipgrad nn.GPT:        nn.GPT with nn.Adam; `MicrogptLayout` adds the RMSNorm after the embedding
                          and drops the final one that nn.GPT puts before its head, so that the model
                          is microgpt's (the gains of nn's RMSNorms stay 1: Adam is not given them)

All three start from the same weights (`draw_weights`) and give their gradients in the same order.
"""

from __future__ import annotations

import gc
import math
import random
import time
from collections.abc import Callable, Sequence
from typing import Any

from autograd import Value, topological_order
from nn import GPT, Adam, RMSNorm

from . import edges, local_gradient

N_LAYER, N_EMBD, BLOCK_SIZE, N_HEAD = 1, 16, 16, 4
HEAD_DIM = N_EMBD // N_HEAD
LR, BETAS, EPS = 0.01, (0.85, 0.99), 1e-8

Weights = dict[str, list[list[float]]]  # microgpt's state_dict, as plain numbers


def matrix_shapes(vocab_size: int) -> dict[str, tuple[int, int]]:
    """The weight matrices (rows = outputs) in microgpt's order."""
    shapes = {"wte": (vocab_size, N_EMBD), "wpe": (BLOCK_SIZE, N_EMBD), "lm_head": (vocab_size, N_EMBD)}
    for i in range(N_LAYER):
        for name in ("attn_wq", "attn_wk", "attn_wv", "attn_wo"):
            shapes[f"layer{i}.{name}"] = (N_EMBD, N_EMBD)
        shapes[f"layer{i}.mlp_fc1"] = (4 * N_EMBD, N_EMBD)
        shapes[f"layer{i}.mlp_fc2"] = (N_EMBD, 4 * N_EMBD)
    return shapes


def draw_weights(vocab_size: int, seed: int = 0) -> Weights:
    """Every weight N(0, 0.08), drawn once, row by row, in microgpt's order."""
    rng = random.Random(seed)
    return {
        name: [[rng.gauss(0, 0.08) for _ in range(cols)] for _ in range(rows)]
        for name, (rows, cols) in matrix_shapes(vocab_size).items()
    }


# ------------------------------------------------------------------ the model, written once
# Binary ops and Python's sum only, as a user porting microgpt to another Value class would write it.
def linear(x, w):
    return [sum(wi * xi for wi, xi in zip(row, x, strict=True)) for row in w]


def softmax(logits):
    top = max(z.data for z in logits)
    exps = [(z - top).exp() for z in logits]
    total = sum(exps)
    return [e / total for e in exps]


def rmsnorm(x):
    mean_square = sum(xi * xi for xi in x) / len(x)
    scale = (mean_square + 1e-5) ** -0.5
    return [xi * scale for xi in x]


def gpt(state, token_id: int, pos_id: int, keys: list, values: list):
    """The logits after one position; appends this position's keys and values to the caches."""
    x = [t + p for t, p in zip(state["wte"][token_id], state["wpe"][pos_id], strict=True)]
    x = rmsnorm(x)
    for li in range(N_LAYER):
        residual = x
        x = rmsnorm(x)
        q = linear(x, state[f"layer{li}.attn_wq"])
        keys[li].append(linear(x, state[f"layer{li}.attn_wk"]))
        values[li].append(linear(x, state[f"layer{li}.attn_wv"]))
        heads = []
        for h in range(N_HEAD):
            part = slice(h * HEAD_DIM, (h + 1) * HEAD_DIM)
            q_h = q[part]
            scores = [sum(qj * kj for qj, kj in zip(q_h, k[part], strict=True)) / HEAD_DIM**0.5 for k in keys[li]]
            weights = softmax(scores)
            heads += [sum(a * v[part][j] for a, v in zip(weights, values[li], strict=True)) for j in range(HEAD_DIM)]
        x = [a + b for a, b in zip(linear(heads, state[f"layer{li}.attn_wo"]), residual, strict=True)]
        residual = x
        x = [h.relu() for h in linear(rmsnorm(x), state[f"layer{li}.mlp_fc1"])]
        x = [a + b for a, b in zip(linear(x, state[f"layer{li}.mlp_fc2"]), residual, strict=True)]
    return linear(x, state["lm_head"])


def document_loss(state, tokens: Sequence[int]):
    """Mean cross-entropy of predicting each next token of one document, one position at a time."""
    n = min(BLOCK_SIZE, len(tokens) - 1)
    keys: list[list] = [[] for _ in range(N_LAYER)]
    values: list[list] = [[] for _ in range(N_LAYER)]
    losses = []
    for pos in range(n):
        probs = softmax(gpt(state, tokens[pos], pos, keys, values))
        losses.append(-probs[tokens[pos + 1]].log())
    return (1 / n) * sum(losses)


class PlainAdam:
    """Adam on plain floats, with the bias corrections; the same arithmetic as nn.Adam."""

    def __init__(self, params: list, lr: float = LR, betas: tuple[float, float] = BETAS, eps: float = EPS) -> None:
        self.params, self.lr, self.betas, self.eps = params, lr, betas, eps
        self.m = [0.0] * len(params)
        self.v = [0.0] * len(params)
        self.steps = 0

    def zero_grad(self) -> None:
        for p in self.params:
            p.grad = 0.0

    def step(self) -> None:
        b1, b2 = self.betas
        self.steps += 1
        correction1, correction2 = 1 - b1**self.steps, 1 - b2**self.steps
        m, v, lr, eps = self.m, self.v, self.lr, self.eps
        for i, p in enumerate(self.params):
            g = p.grad
            m[i] = b1 * m[i] + (1 - b1) * g
            v[i] = b2 * v[i] + (1 - b2) * g * g
            p.data -= lr * (m[i] / correction1) / (math.sqrt(v[i] / correction2) + eps)


# ------------------------------------------------------------------ the engines
class TrainingStep:
    """One engine's step: `step()` runs zero_grad, forward, backward and Adam, and returns the loss and
    the gradients of the weights in microgpt's order. `forward()` builds the loss alone (for checks).
    `order` lists a graph's nodes and `count_edges` counts its edges, in the engine's own structure."""

    def __init__(
        self,
        name: str,
        params: list,
        forward: Callable[[], Any],
        optimizer: Any,
        order: Callable[[Any], list],
        count_edges: Callable[[Any], int],
    ) -> None:
        self.name, self.params, self.forward, self.optimizer = name, params, forward, optimizer
        self._order, self._count_edges = order, count_edges

    def step(self) -> tuple[float, list[float]]:
        self.optimizer.zero_grad()
        loss = self.forward()
        loss.backward()
        grads = [p.grad for p in self.params]
        self.optimizer.step()
        return loss.data, grads

    def timed_phases(self) -> tuple[float, float, float, float]:
        """One step, timed in parts (seconds): zero_grad + forward, backward, the optimizer, and the time
        Python's cyclic garbage collector ran during the step (inside those parts)."""
        collecting = [0.0, 0.0]  # when the running collection started, total so far

        def collector(phase: str, info: dict) -> None:
            if phase == "start":
                collecting[0] = time.perf_counter()
            else:
                collecting[1] += time.perf_counter() - collecting[0]

        gc.callbacks.append(collector)
        try:
            start = time.perf_counter()
            self.optimizer.zero_grad()
            loss = self.forward()
            built = time.perf_counter()
            loss.backward()
            back = time.perf_counter()
            self.optimizer.step()
            done = time.perf_counter()
        finally:
            gc.callbacks.remove(collector)
        return built - start, back - built, done - back, collecting[1]

    def graph_size(self) -> tuple[int, int]:
        """How many nodes the backward pass of one loss visits (leaves included), and how many edges
        link them."""
        loss = self.forward()
        return len(self._order(loss)), self._count_edges(loss)


def plain_ops_step(value_class: type, weights: Weights, tokens: Sequence[int], name: str) -> TrainingStep:
    """`document_loss` on any Value class with microgpt's ops, trained by PlainAdam."""
    state = {key: [[value_class(w) for w in row] for row in rows] for key, rows in weights.items()}
    params = [p for rows in state.values() for row in rows for p in row]
    ours = value_class is Value
    order = topological_order if ours else local_gradient.topological_order
    count_edges = edges.skipgrad_edges if ours else edges.local_gradient_edges
    return TrainingStep(name, params, lambda: document_loss(state, tokens), PlainAdam(params), order, count_edges)


def local_gradient_step(weights: Weights, tokens: Sequence[int]) -> TrainingStep:
    return plain_ops_step(local_gradient.Value, weights, tokens, "local-gradient design")


def skipgrad_plain_step(weights: Weights, tokens: Sequence[int]) -> TrainingStep:
    return plain_ops_step(Value, weights, tokens, "skipgrad, plain ops")


def nn_gpt(vocab_size: int, weights: Weights) -> tuple[Any, list]:
    """A MicrogptLayout holding `weights`, and those weights as its parameters in microgpt's order."""
    model = MicrogptLayout(vocab_size, BLOCK_SIZE, N_EMBD, N_HEAD, N_LAYER, seed=0)
    by_name = dict(model.named_parameters())
    params = []
    for key, rows in weights.items():
        prefix = _nn_name(key)
        for i, row in enumerate(rows):
            for j, w in enumerate(row):
                p = by_name.pop(f"{prefix}.{i}.{j}")
                p.data = w
                params.append(p)
    rest = sorted({name.rsplit(".", 1)[0] for name in by_name})
    assert all(name.endswith(".gain") for name in rest), rest  # left at 1: microgpt's norms have no gains
    return model, params


def nn_gpt_step(vocab_size: int, weights: Weights, tokens: Sequence[int]) -> TrainingStep:
    model, params = nn_gpt(vocab_size, weights)
    optimizer = Adam(params, lr=LR, betas=BETAS, eps=EPS)
    return TrainingStep(
        "skipgrad nn.GPT", params, lambda: model.loss(tokens), optimizer, topological_order, edges.skipgrad_edges
    )


class MicrogptLayout(GPT):
    """nn.GPT arranged as microgpt: an RMSNorm right after the embedding, none before the head."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.norm_e = RMSNorm(self.wte.dim)  # gain 1, not among the trained params: microgpt's rmsnorm has none
        self.norm_f = None  # nn.GPT's head then reads the stream directly, as microgpt's does

    def embed(self, tokens: Sequence[int]) -> list[list[Value]]:
        return [self.norm_e(x) for x in super().embed(tokens)]


def _nn_name(key: str) -> str:
    if key in ("wte", "wpe", "lm_head"):
        return f"{key}.weight"
    layer, name = key.split(".")
    part, matrix = name.split("_")
    return f"blocks.{layer.removeprefix('layer')}.{part}.{matrix}.weight"


def central_differences(model: Any, tokens: Sequence[int], params: list, h: float = 1e-6) -> list[tuple[float, float]]:
    """(backward's gradient, (L(p + h) - L(p - h)) / 2h) for each of `params` of an nn model."""
    model.zero_grad()
    for p in params:
        p.grad = 0.0
    model.loss(tokens).backward()
    pairs = []
    for p in params:
        saved = p.data
        p.data = saved + h
        up = model.loss(tokens).data
        p.data = saved - h
        down = model.loss(tokens).data
        p.data = saved
        pairs.append((p.grad, (up - down) / (2 * h)))
    return pairs
