"""Where the gradient travels in a residual network: along the stream or through the branches, how large
it is per layer, and how it splits by the number of branches its path went through (Veit et al. 2016).
Works from the roles that residual blocks give their additions; matplotlib only for the plots."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from itertools import combinations
from statistics import fmean
from typing import Any

from autograd import Value, topological_order

from .module import Module
from .residual import ResidualBlock
from .transformer import GPT, TransformerBlock


def residual_units(model: Module) -> list[TransformerBlock | ResidualBlock]:
    """The residual blocks of a model, input side first."""
    if isinstance(model, (TransformerBlock, ResidualBlock)):
        return [model]
    return [m for m in model.children() if isinstance(m, (TransformerBlock, ResidualBlock))]


@dataclass(frozen=True)
class BranchSplit:
    """At the input of one residual branch: mean |gradient| that arrived along the stream (the skip)
    and through the branch itself."""

    block: str
    branch: str
    stream: float
    through_branch: float

    @property
    def stream_share(self) -> float:
        return self.stream / (self.stream + self.through_branch)


def residual_split(root: Value, model: Module) -> list[BranchSplit]:
    """After `root.backward()`: for every residual branch of `model`, the gradient reaching its input,
    split into the part that came along the stream (through the addition's skip operand) and the part
    that came back through the branch. One backward pass is enough: the split is read from the edges.

    >>> from nn import GPT
    >>> model = GPT(5, block_size=4, n_embd=4, n_head=2, seed=0)
    >>> loss = model.loss([4, 1, 2, 4]); loss.backward()
    >>> [(row.block, row.branch) for row in residual_split(loss, model)]
    [('block0', 'attn'), ('block0', 'mlp')]
    """
    order = topological_order(root)
    along_stream: dict[int, float] = {}
    joins_of = {}
    for unit in residual_units(model):
        for branch, roles in unit.residual_joins().items():
            for role in roles:
                joins_of[role] = (unit, branch)
    inputs: dict[tuple, dict[int, Value]] = {}
    for node in order:
        owner = joins_of.get(node.role) if node.role is not None else None
        if owner is None:
            continue
        for position in node.role.skip_operands:
            stream = node.operands[position]
            if isinstance(stream, Value):
                local = dict(zip(map(id, node.children), node.local_grads, strict=True))[id(stream)]
                along_stream[id(stream)] = along_stream.get(id(stream), 0.0) + local * node.grad
                inputs.setdefault(owner, {})[id(stream)] = stream
    rows = []
    for (unit, branch), nodes in inputs.items():
        stream_parts = [abs(along_stream[key]) for key in nodes]
        branch_parts = [abs(v.grad - along_stream[key]) for key, v in nodes.items()]
        rows.append(BranchSplit(unit.name or type(unit).__name__, branch, fmean(stream_parts), fmean(branch_parts)))
    return rows


# ------------------------------------------------------------------------------ gradient size per layer
def block_gradient_norms(model: GPT, sequences: list[list[int]], part: str = "mlp.fc2") -> list[float]:
    """The norm of the loss gradient over one weight matrix of each block, the loss summed over
    `sequences`, input side first: the quantity Xiong et al. 2020 plot per layer.

    Args:
        part: "mlp.fc2" (the MLP's output matrix, the default), "attn.wo", or "all" (every
            attention and MLP matrix of the block).
    """
    model.zero_grad()
    for tokens in sequences:
        model.loss(tokens).backward()
    chosen = {
        "mlp.fc2": lambda b: b.mlp.fc2.weights(),
        "attn.wo": lambda b: b.attn.wo.weights(),
        "all": lambda b: b.weights(),
    }
    if part not in chosen:
        raise ValueError(f"part must be one of {', '.join(chosen)}; got {part!r}")
    return [math.sqrt(sum(w.grad * w.grad for w in chosen[part](block))) for block in model.blocks]


def random_sequences(vocab_size: int = 27, count: int = 6, length: int = 10, seed: int = 0) -> list[list[int]]:
    """`count` sequences of `length` random tokens between two bos tokens (bos = the last token).

    >>> random_sequences(count=1, length=3)
    [[26, 12, 24, 13, 26]]
    """
    rng = random.Random(seed)
    bos = vocab_size - 1
    return [[bos, *(rng.randrange(bos) for _ in range(length)), bos] for _ in range(count)]


def compare_norms(
    depths: tuple[int, ...] = (4, 8),
    sequences: list[list[int]] | None = None,
    *,
    vocab_size: int = 27,
    n_embd: int = 16,
    n_head: int = 4,
    seeds: tuple[int, ...] = (0, 1),
    norm_layer: str = "layer",
    std: float = 0.25,
    part: str = "mlp.fc2",
) -> dict[tuple[str, int], list[float]]:
    """Per-block gradient norms at initialisation for pre- and post-norm GPTs of each depth, averaged
    over `seeds`: {(norm, depth): [norm of block 0, block 1, ...]}.

    The default init std 0.25 is about 1/sqrt(n_embd), as Xavier's; with microgpt's 0.08 each branch
    adds too little to the stream at init for the two layouts to differ. The default sequences are
    `random_sequences(vocab_size)`, the last token standing for bos.
    """
    if sequences is None:
        sequences = random_sequences(vocab_size)
    table: dict[tuple[str, int], list[float]] = {}
    for depth in depths:
        for norm in ("pre", "post"):
            runs = []
            for seed in seeds:
                model = GPT(
                    vocab_size,
                    n_embd=n_embd,
                    n_head=n_head,
                    n_layer=depth,
                    norm=norm,
                    norm_layer=norm_layer,
                    std=std,
                    seed=seed,
                )
                runs.append(block_gradient_norms(model, sequences, part))
            table[(norm, depth)] = [fmean(column) for column in zip(*runs, strict=True)]
    return table


# ------------------------------------------------------------------------------ path lengths
@dataclass(frozen=True)
class PathLengths:
    """The gradient reaching the embeddings, split by how many residual branches its path went through."""

    branches: int  # n: 2 per transformer block (attention and MLP)
    size: list[float]  # |gradient| carried by paths through exactly k branches, k = 0..n
    paths: list[int]  # how many such paths there are: C(n, k)

    @property
    def share(self) -> list[float]:
        total = sum(self.size)
        return [s / total for s in self.size]

    @property
    def path_share(self) -> list[float]:
        return [p / 2**self.branches for p in self.paths]

    def __str__(self) -> str:
        lines = [
            "branches  paths  share of paths  share of gradient",
            "--------  -----  --------------  -----------------",
        ]
        lines += [
            f"{k:8d}  {p:5d}  {ps:14.3f}  {g:17.3f}"
            for k, (p, ps, g) in enumerate(zip(self.paths, self.path_share, self.share, strict=True))
        ]
        return "\n".join(lines)


def path_lengths(model: GPT, tokens: list[int]) -> PathLengths:
    """Exactly how the gradient reaching the embeddings splits by path length.

    A network of n residual branches unrolls into 2^n paths; each path goes through some set T of
    branches. With only the branches in S letting the gradient back into the stream (the others cut,
    the forward pass unchanged), the embeddings get G(S) = sum over T within S of P(T), where P(T) is
    what the paths through exactly T carry. Moebius inversion over all 2^n sets S gives every P(T),
    and the size of the sum of P(T) over |T| = k is the gradient carried by paths of length k.

    The pieces partly cancel, so their sizes add up to more than the size of the whole gradient; a
    share is a piece's size over the sum of the pieces' sizes. The model's parameter gradients are
    overwritten (each pass starts from zero_grad).
    """
    names = [(i, b) for i in range(len(model.blocks)) for b in ("attn", "mlp")]
    n = len(names)
    gradient: dict[frozenset, list[float]] = {}
    for kept in range(2**n):
        keep = frozenset(j for j in range(n) if kept >> j & 1)
        cut: dict[int, list[str]] = {}
        for j, (block, branch) in enumerate(names):
            if j not in keep:
                cut.setdefault(block, []).append(branch)
        model.zero_grad()
        xs = model.embed(tokens[:-1])
        loss = _loss_from_stream(model, xs, tokens, cut)
        loss.backward()
        gradient[keep] = [v.grad for x in xs for v in x]
    size = []
    for k in range(n + 1):
        by_length = [0.0] * len(gradient[frozenset()])
        for chosen in combinations(range(n), k):
            for r in range(k + 1):  # P(T) = sum over U within T of (-1)^(|T|-|U|) G(U)
                for subset in combinations(chosen, r):
                    sign = -1.0 if (k - r) % 2 else 1.0
                    for i, g in enumerate(gradient[frozenset(subset)]):
                        by_length[i] += sign * g
        size.append(math.sqrt(sum(g * g for g in by_length)))
    return PathLengths(n, size, [math.comb(n, k) for k in range(n + 1)])


def _loss_from_stream(model: GPT, xs: list, tokens: list[int], cut: dict[int, list[str]]) -> Value:
    from .losses import cross_entropy

    return cross_entropy(model.head(model.stream(xs, cut=cut)), list(tokens[1:]))


def plot_path_lengths(result: PathLengths, ax: Any = None) -> Any:
    """Bars: the share of the gradient by path length, next to the share of paths (the binomial)."""
    try:
        import matplotlib.pyplot as plt
    except ImportError as missing:
        raise ImportError("plot_path_lengths needs matplotlib: pip install 'skipgrad[plot]'") from missing
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 3.8))
    ks = list(range(result.branches + 1))
    ax.bar([k - 0.2 for k in ks], result.path_share, width=0.4, label="share of paths (binomial)", color="#9ca3af")
    ax.bar([k + 0.2 for k in ks], result.share, width=0.4, label="share of the gradient", color="#7c3aed")
    ax.set_xlabel("residual branches on the path")
    ax.set_ylabel("share")
    ax.set_xticks(ks)
    ax.legend()
    return ax
