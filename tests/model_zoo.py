"""One zoo of models for the tests that must cover every nn model kind: each kind, in the variants that
change its layout (every ResidualBlock shortcut, both layer counts and both places of the activation,
sizes that grow, keep and shrink). test_io saves and loads each; test_torch_export exports each."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from nn import (
    GPT,
    MLP,
    CausalSelfAttention,
    Embedding,
    FeedForward,
    Layer,
    LayerNorm,
    Linear,
    Module,
    Neuron,
    ResidualBlock,
    ResidualMLP,
    RMSNorm,
    Sequential,
    TransformerBlock,
)

Make = Callable[[], Module]


def vector_models() -> list[tuple[str, Make, int]]:
    """Models that read one vector: (id, a function making it, input size)."""
    made: list[tuple[str, Make, int]] = [
        ("neuron", lambda: Neuron(3, activation="tanh", seed=1), 3),
        ("neuron-nobias", lambda: Neuron(3, bias=False, seed=1), 3),
        ("neuron-linear-nobias", lambda: Neuron(3, nonlin=False, bias=False, seed=1), 3),
        ("layer", lambda: Layer(3, 4, seed=1), 3),
        ("layer-sigmoid-1", lambda: Layer(3, 1, activation="sigmoid", seed=2), 3),
        ("layer-options", lambda: Layer(3, 2, activation="sigmoid", bias=False, seed=2), 3),
        ("mlp-moons", lambda: MLP(2, [16, 16, 1], seed=1337), 2),
        ("mlp-tanh", lambda: MLP(3, [8, 8, 2], activation="tanh", seed=1), 3),
        ("mlp-named", lambda: MLP(3, (4, 2), activation="tanh", seed=0, name="net"), 3),
        ("resmlp", lambda: ResidualMLP(3, 6, 3, 2, seed=0), 3),
        (
            "resmlp-plain-1",
            lambda: ResidualMLP(2, 5, 2, shortcut="none", layers=1, activation_after_add=False, seed=3),
            2,
        ),
        ("resmlp-0", lambda: ResidualMLP(2, 4, 0, seed=0), 2),
        (
            "sequential",
            lambda: Sequential(
                Layer(3, 4, seed=0),
                ResidualBlock(4, seed=1),
                Sequential(ResidualBlock(4, 2, shortcut="zeros", seed=2)),
                MLP(2, [3, 2], seed=3),
            ),
            3,
        ),
        (
            "sequential-nested-named",
            lambda: Sequential(Sequential(Layer(2, 3, seed=0)), MLP(3, [2], seed=1), name="outer"),
            2,
        ),
        ("linear", lambda: Linear(3, 2, seed=0), 3),
        ("linear-bias", lambda: Linear(3, 4, bias=True, seed=0), 3),
        ("rmsnorm", lambda: RMSNorm(5), 5),
        ("rmsnorm-eps", lambda: RMSNorm(4, eps=1e-6), 4),
        ("layernorm", lambda: LayerNorm(5, eps=1e-3), 5),
        ("feedforward", lambda: FeedForward(4, seed=0), 4),
    ]
    for shortcut in ("identity", "projection", "zeros", "none"):
        for layers in (1, 2):
            for after in (True, False):
                for nin, nout in ((3, 3), (3, 5), (5, 3)):
                    if shortcut == "identity" and nin != nout:
                        continue
                    options: dict[str, Any] = dict(
                        nout=nout,
                        activation="tanh" if layers == 1 else "relu",
                        shortcut=shortcut,
                        layers=layers,
                        activation_after_add=after,
                        seed=nin + nout,
                    )
                    block = functools.partial(ResidualBlock, nin, **options)
                    made.append((f"block-{shortcut}-{layers}-{after}-{nin}-{nout}", block, nin))
    return made


def sequence_models() -> list[tuple[str, Make, int]]:
    """Models that read a sequence of vectors: (id, a function making it, vector size)."""
    return [
        ("attention", lambda: CausalSelfAttention(8, 2, seed=0), 8),
        ("transformer-block-pre-rms", lambda: TransformerBlock(8, 4, "pre", seed=1), 8),
        ("transformer-block-post-layer", lambda: TransformerBlock(8, 2, "post", norm_layer="layer", seed=2), 8),
        ("transformer-block-no-skips", lambda: TransformerBlock(8, 2, residual=False, seed=3), 8),
    ]


def token_models() -> list[tuple[str, Make]]:
    """Models that read tokens: (id, a function making it)."""
    return [
        ("embedding", lambda: Embedding(5, 3, seed=0)),
        ("gpt", lambda: GPT(7, block_size=6, n_embd=8, n_head=2, seed=0)),
        ("gpt-2-layers", lambda: GPT(7, block_size=8, n_embd=8, n_head=2, n_layer=2, seed=0)),
        ("gpt-post-layer-positional", lambda: GPT(7, 6, 8, 2, 2, "post", 3, norm_layer="layer", bos=0)),
        ("gpt-no-skips", lambda: GPT(5, block_size=4, n_embd=4, n_head=1, residual=False, seed=1)),
    ]


def every_model() -> list[tuple[str, Make]]:
    """(id, a function making it) for every model in the zoo."""
    return [
        *((name, make) for name, make, _ in vector_models()),
        *((name, make) for name, make, _ in sequence_models()),
        *token_models(),
    ]
