"""The PyTorch twins of nn's models: plain torch.nn.Module classes, one per kind, computing the same
formulas with tensors (the batch convention is in nn/torch_export.py).

Imports torch at the top, so only nn/torch_export.py imports this file, lazily, when torch is needed;
nothing here imports torch_export back. Each nn class says which twin it becomes in its `torch_twin`
method; pickle finds these classes here by their names.
"""

from __future__ import annotations

import math
from typing import Any

import torch
import torch.nn.functional as F

from .transformer import sample


def empty(*shape: int) -> Any:
    return torch.nn.Parameter(torch.zeros(shape, dtype=torch.float64))


def activate(x: Any, activation: str) -> Any:
    if activation == "linear":
        return x
    return getattr(torch, activation)(x)  # torch.relu, torch.tanh, torch.sigmoid


def as_input(x: Any, like: Any) -> Any:
    """A tensor of the module's dtype and device (lists and other dtypes are converted)."""
    return torch.as_tensor(x, dtype=like.dtype, device=like.device)


class TorchNeuron(torch.nn.Module):
    """activation(x . w + b): (..., nin) -> (...)."""

    def __init__(self, nin: int, activation: str, bias: bool) -> None:
        super().__init__()
        self.activation = activation
        self.weight = empty(nin)
        self.bias = empty() if bias else None

    def forward(self, x: Any) -> Any:
        x = as_input(x, self.weight)
        z = x @ self.weight
        return activate(z + self.bias if self.bias is not None else z, self.activation)

    def extra_repr(self) -> str:
        return f"{self.weight.shape[0]}, activation={self.activation!r}, bias={self.bias is not None}"


class TorchLayer(torch.nn.Module):
    """A Layer's neurons as one matrix: activation(x W^T + b), (..., nin) -> (..., nout)."""

    def __init__(self, nin: int, nout: int, activation: str, bias: bool) -> None:
        super().__init__()
        self.activation = activation
        self.weight = empty(nout, nin)
        self.bias = empty(nout) if bias else None

    def forward(self, x: Any) -> Any:
        return activate(F.linear(as_input(x, self.weight), self.weight, self.bias), self.activation)

    def extra_repr(self) -> str:
        nout, nin = self.weight.shape
        return f"{nin}, {nout}, activation={self.activation!r}, bias={self.bias is not None}"


class TorchMLP(torch.nn.Module):
    def __init__(self, layers: list) -> None:
        super().__init__()
        self.layers = torch.nn.ModuleList(layers)

    def forward(self, x: Any) -> Any:
        for layer in self.layers:
            x = layer(x)
        return x


class TorchResidualBlock(torch.nn.Module):
    """y = g(fc2(fc1(x)) + S(x)) as nn.ResidualBlock (fc2 absent with layers=1; g after the
    addition unless activation_after_add=False, then y = fc2(fc1(x)) + S(x))."""

    def __init__(
        self,
        nin: int,
        nout: int,
        activation: str,
        shortcut: str,
        activation_after_add: bool,
        fc1: Any,
        fc2: Any,
        proj: Any,
    ) -> None:
        super().__init__()
        self.nin, self.nout = nin, nout
        self.activation, self.shortcut, self.activation_after_add = activation, shortcut, activation_after_add
        self.fc1, self.fc2, self.proj = fc1, fc2, proj

    def forward(self, x: Any) -> Any:
        x = as_input(x, self.fc1.weight)
        h = self.fc1(x)
        if self.fc2 is not None:
            h = self.fc2(h)
        if self.shortcut == "identity":
            h = h + x
        elif self.shortcut == "projection":
            h = h + self.proj(x)
        elif self.shortcut == "zeros":  # pad x with zeros, or drop its extra entries
            h = h + (F.pad(x, (0, self.nout - self.nin)) if self.nout >= self.nin else x[..., : self.nout])
        return activate(h, self.activation) if self.activation_after_add else h

    def extra_repr(self) -> str:
        return (
            f"{self.nin}, {self.nout}, activation={self.activation!r}, shortcut={self.shortcut!r}, "
            f"activation_after_add={self.activation_after_add}"
        )


class TorchResidualMLP(torch.nn.Module):
    def __init__(self, input: Any, blocks: list, head: Any) -> None:
        super().__init__()
        self.input = input
        self.blocks = torch.nn.ModuleList(blocks)
        self.head = head

    def forward(self, x: Any) -> Any:
        h = self.input(x)
        for block in self.blocks:
            h = block(h)
        return self.head(h)


class TorchEmbedding(torch.nn.Module):
    """Row `i` of the table for each index: LongTensor (...) -> (..., dim)."""

    def __init__(self, num: int, dim: int) -> None:
        super().__init__()
        self.weight = empty(num, dim)

    def forward(self, index: Any) -> Any:
        return F.embedding(torch.as_tensor(index, device=self.weight.device), self.weight)

    def extra_repr(self) -> str:
        return f"{self.weight.shape[0]}, {self.weight.shape[1]}"


class TorchLinear(torch.nn.Module):
    """x W^T (+ b): (..., nin) -> (..., nout)."""

    def __init__(self, nin: int, nout: int, bias: bool) -> None:
        super().__init__()
        self.weight = empty(nout, nin)
        self.bias = empty(nout) if bias else None

    def forward(self, x: Any) -> Any:
        return F.linear(as_input(x, self.weight), self.weight, self.bias)

    def extra_repr(self) -> str:
        return f"{self.weight.shape[1]}, {self.weight.shape[0]}, bias={self.bias is not None}"


class TorchRMSNorm(torch.nn.Module):
    """y = g * x / sqrt(mean(x^2) + eps) over the last axis."""

    def __init__(self, dim: int, eps: float) -> None:
        super().__init__()
        self.eps = eps
        self.gain = empty(dim)

    def forward(self, x: Any) -> Any:
        x = as_input(x, self.gain)
        return x * torch.rsqrt((x * x).mean(-1, keepdim=True) + self.eps) * self.gain

    def extra_repr(self) -> str:
        return f"{self.gain.shape[0]}, eps={self.eps}"


class TorchLayerNorm(torch.nn.Module):
    """y = (x - mean) / sqrt(var + eps) * g + b over the last axis, var the biased variance."""

    def __init__(self, dim: int, eps: float) -> None:
        super().__init__()
        self.eps = eps
        self.gain = empty(dim)
        self.bias = empty(dim)

    def forward(self, x: Any) -> Any:
        x = as_input(x, self.gain)
        centred = x - x.mean(-1, keepdim=True)
        variance = (centred * centred).mean(-1, keepdim=True)
        return centred * torch.rsqrt(variance + self.eps) * self.gain + self.bias

    def extra_repr(self) -> str:
        return f"{self.gain.shape[0]}, eps={self.eps}"


class TorchCausalSelfAttention(torch.nn.Module):
    """softmax(q k^T / sqrt(head size)) v per head, position t attending to 0..t:
    (..., T, n_embd) -> (..., T, n_embd)."""

    def __init__(self, n_head: int, wq: Any, wk: Any, wv: Any, wo: Any) -> None:
        super().__init__()
        self.n_head = n_head
        self.wq, self.wk, self.wv, self.wo = wq, wk, wv, wo

    def forward(self, x: Any) -> Any:
        x = as_input(x, self.wq.weight)
        *lead, T, C = x.shape
        size = C // self.n_head

        def heads(t: Any) -> Any:  # (..., T, C) -> (..., n_head, T, size)
            return t.reshape(*lead, T, self.n_head, size).transpose(-3, -2)

        q, k, v = heads(self.wq(x)), heads(self.wk(x)), heads(self.wv(x))
        scores = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(size))
        future = torch.ones(T, T, dtype=torch.bool, device=x.device).triu(1)
        weights = torch.softmax(scores.masked_fill(future, float("-inf")), dim=-1)
        y = (weights @ v).transpose(-3, -2).reshape(*lead, T, C)
        return self.wo(y)

    def extra_repr(self) -> str:
        return f"n_head={self.n_head}"


class TorchFeedForward(torch.nn.Module):
    """fc2(relu(fc1(x))), no biases."""

    def __init__(self, fc1: Any, fc2: Any) -> None:
        super().__init__()
        self.fc1, self.fc2 = fc1, fc2

    def forward(self, x: Any) -> Any:
        return self.fc2(torch.relu(self.fc1(x)))


class TorchTransformerBlock(torch.nn.Module):
    """pre-norm: h = x + attn(norm1(x)); y = h + mlp(norm2(h)).
    post-norm: h = norm1(x + attn(x)); y = norm2(h + mlp(h)). Without skips the `x +` goes."""

    def __init__(self, norm: str, residual: bool, norm1: Any, attn: Any, norm2: Any, mlp: Any) -> None:
        super().__init__()
        self.norm, self.residual = norm, residual
        self.norm1, self.attn, self.norm2, self.mlp = norm1, attn, norm2, mlp

    def forward(self, x: Any) -> Any:
        x = as_input(x, self.attn.wq.weight)
        if self.norm == "pre":
            x = self._add(x, self.attn(self.norm1(x)))
            return self._add(x, self.mlp(self.norm2(x)))
        x = self.norm1(self._add(x, self.attn(x)))
        return self.norm2(self._add(x, self.mlp(x)))

    def _add(self, stream: Any, branch: Any) -> Any:
        return stream + branch if self.residual else branch

    def extra_repr(self) -> str:
        return f"norm={self.norm!r}, residual={self.residual}"


class TorchGPT(torch.nn.Module):
    """tokens (batch, T) or (T,) -> logits (batch, T, vocab) or (T, vocab), T <= block_size."""

    def __init__(
        self,
        vocab_size: int,
        block_size: int,
        bos: int,
        wte: Any,
        wpe: Any,
        blocks: list,
        norm_f: Any,
        lm_head: Any,
    ) -> None:
        super().__init__()
        self.vocab_size, self.block_size, self.bos = vocab_size, block_size, bos
        self.wte, self.wpe = wte, wpe
        self.blocks = torch.nn.ModuleList(blocks)
        self.norm_f = norm_f
        self.lm_head = lm_head

    def forward(self, tokens: Any) -> Any:
        tokens = self._tokens(tokens)
        T = tokens.shape[-1]
        if T > self.block_size:
            raise ValueError(f"GPT: {T} positions but block_size is {self.block_size}; use a shorter sequence")
        x = self.wte(tokens) + self.wpe(torch.arange(T, device=tokens.device))
        for block in self.blocks:
            x = block(x)
        return self.lm_head(self.norm_f(x) if self.norm_f is not None else x)

    def loss(self, tokens: Any) -> Any:
        """Mean cross-entropy of predicting tokens[..., 1:] from tokens[..., :-1] (nn.GPT.loss;
        for a batch of sequences of one length, the mean of every prediction in it)."""
        tokens = self._tokens(tokens)
        if tokens.shape[-1] < 2:
            raise ValueError("GPT.loss needs at least 2 tokens: one to read and one to predict")
        logits = self(tokens[..., :-1])
        return F.cross_entropy(logits.reshape(-1, self.vocab_size), tokens[..., 1:].reshape(-1))

    @torch.no_grad()
    def generate(
        self, n: int = 1, temperature: float = 1.0, seed: int | None = None, max_tokens: int | None = None
    ) -> list[list[int]]:
        """Samples as nn.GPT.generate draws them (the same random numbers for the same seed)."""
        limit = self.block_size if max_tokens is None else min(max_tokens, self.block_size)
        next_logits = lambda tokens: self(torch.tensor(tokens))[-1].tolist()  # noqa: E731
        return sample(next_logits, n, temperature, seed, limit, self.bos, self.vocab_size)

    def _tokens(self, tokens: Any) -> Any:
        tokens = torch.as_tensor(tokens, device=self.wte.weight.device)
        if tokens.dtype.is_floating_point or tokens.dtype == torch.bool or tokens.dim() not in (1, 2):
            raise ValueError(f"GPT: tokens must be integers of shape (T,) or (batch, T), got {tokens.dtype}")
        if tokens.numel() and not (0 <= int(tokens.min()) and int(tokens.max()) < self.vocab_size):
            raise ValueError(f"GPT: tokens must be in 0..{self.vocab_size - 1}")
        return tokens
