"""From skipgrad to PyTorch and back: `to_torch(model)` and `from_torch(module)`.

`to_torch(model)` returns a `torch.nn.Module` that computes exactly what `model` computes (the same
formulas, written with tensors), with the same parameters, in float64 unless `dtype=` says otherwise.
`from_torch(module)` copies its weights back into a skipgrad model; ours -> torch -> ours gives the
same floats, bit for bit (in float64).

The batch convention: a tensor's last axis is what our model takes as a list, and any leading axes
are a batch (a 1-D tensor is one example, as for `torch.nn.Linear`).

    Neuron                 (..., nin) -> (...)
    Layer, MLP, ResidualBlock, ResidualMLP, Linear, FeedForward, norms
                           (..., nin) -> (..., nout)       (nout = 1 gives (..., 1), not a scalar)
    Sequential             torch.nn.Sequential of the parts' exports
    CausalSelfAttention, TransformerBlock
                           (..., T, n_embd) -> (..., T, n_embd)
    Embedding              LongTensor (...) -> (..., dim)
    GPT                    LongTensor (batch, T) or (T,) -> logits (batch, T, vocab) or (T, vocab);
                           `.loss(tokens)` is nn.GPT.loss's mean cross-entropy of predicting
                           tokens[..., 1:] from tokens[..., :-1] (for a batch, the mean over every
                           prediction in it), `.generate(n, temperature, seed)` samples as nn.GPT does.

Parameter names: the torch module keeps our attribute names and puts a tensor where we keep a list of
Values. A transformer's `blocks.0.attn.wq.weight.3.5` is `blocks.0.attn.wq.weight[3, 5]`; a Layer's
neurons become one matrix, so `layers.0.neurons.3.w.1` is `layers.0.weight[3, 1]` and
`layers.0.neurons.3.b` is `layers.0.bias[3]`. `parameter_map(model)` lists every pair.

PyTorch is imported only inside these functions; without it they raise an ImportError that says
what to install.
"""

from __future__ import annotations

import functools
import math
from typing import Any

from autograd import Value, checks

from .io import NN_CLASSES, architecture, build
from .module import MLP, Layer, Module, Neuron, Sequential
from .residual import ResidualBlock, ResidualMLP
from .transformer import (
    GPT,
    CausalSelfAttention,
    Embedding,
    FeedForward,
    LayerNorm,
    Linear,
    RMSNorm,
    TransformerBlock,
    sample,
)

TORCH_REQUIREMENT = "torch==2.13.0"
Link = tuple[Value, str, tuple[int, ...]]  # our parameter, the torch parameter's name, the index in it


def _torch() -> Any:
    try:
        import torch
    except ImportError as error:
        raise ImportError(
            f"exporting to PyTorch needs PyTorch, which is not installed: pip install {TORCH_REQUIREMENT} "
            "(or pip install -e '.[torch]' in a checkout of skipgrad)"
        ) from error
    return torch


# ------------------------------------------------------------------------------ names
def parameter_map(model: Module) -> dict[str, tuple[str, tuple[int, ...]]]:
    """{our dotted name: (torch parameter name, index in that tensor)} for every parameter of `model`.

    >>> parameter_map(Layer(2, 1, seed=0))
    {'neurons.0.w.0': ('weight', (0, 0)), 'neurons.0.w.1': ('weight', (0, 1)), 'neurons.0.b': ('bias', (0,))}
    """
    where = {id(p): (name, index) for p, name, index in _links(model)}
    return {name: where[id(p)] for name, p in model.named_parameters()}


def _links(model: Module) -> list[Link]:
    links = _links_of(model, "")
    ours = {id(p) for p in model.parameters()}
    theirs = {id(p) for p, _, _ in links}
    if ours != theirs:
        raise TypeError(
            f"{type(model).__name__}: its parameters are not the ones its parts hold "
            f"({len(ours - theirs)} not exported, {len(theirs - ours)} not among parameters()); "
            "was it changed after it was made?"
        )
    return links


def _links_of(model: Module, at: str) -> list[Link]:
    _supported(model)  # exactly one of nn's classes, so the isinstance checks below meet no subclass
    links: list[Link]
    if isinstance(model, Neuron):
        links = [(w, f"{at}weight", (i,)) for i, w in enumerate(model.w)]
        return links + ([(model.b, f"{at}bias", ())] if model.b is not None else [])
    if isinstance(model, Layer):
        _check_same_neurons(model)
        links = []
        for i, n in enumerate(model.neurons):
            links += [(w, f"{at}weight", (i, j)) for j, w in enumerate(n.w)]
            links += [(n.b, f"{at}bias", (i,))] if n.b is not None else []
        return links
    if isinstance(model, (Embedding, Linear)):
        links = [(w, f"{at}weight", (i, j)) for i, row in enumerate(model.weight) for j, w in enumerate(row)]
        bias = getattr(model, "bias", None)
        return links + [(b, f"{at}bias", (i,)) for i, b in enumerate(bias or [])]
    if isinstance(model, (RMSNorm, LayerNorm)):
        links = [(g, f"{at}gain", (i,)) for i, g in enumerate(model.gain)]
        return links + [(b, f"{at}bias", (i,)) for i, b in enumerate(getattr(model, "bias", []))]
    return [link for name, part in _parts(model) for link in _links_of(part, f"{at}{name}.")]


def _parts(model: Module) -> list[tuple[str, Module]]:
    """The parts a composite model's export holds, under the names the torch module gives them."""
    if isinstance(model, MLP):
        return [(f"layers.{i}", layer) for i, layer in enumerate(model.layers)]
    if isinstance(model, Sequential):
        return [(str(i), m) for i, m in enumerate(model.modules)]
    if isinstance(model, ResidualBlock):
        return [(k, m) for k, m in (("fc1", model.fc1), ("fc2", model.fc2), ("proj", model.proj)) if m is not None]
    if isinstance(model, ResidualMLP):
        return [("input", model.input), *[(f"blocks.{i}", b) for i, b in enumerate(model.blocks)], ("head", model.head)]
    if isinstance(model, CausalSelfAttention):
        return [("wq", model.wq), ("wk", model.wk), ("wv", model.wv), ("wo", model.wo)]
    if isinstance(model, FeedForward):
        return [("fc1", model.fc1), ("fc2", model.fc2)]
    if isinstance(model, TransformerBlock):
        return [("norm1", model.norm1), ("attn", model.attn), ("norm2", model.norm2), ("mlp", model.mlp)]
    if isinstance(model, GPT):
        blocks = [(f"blocks.{i}", b) for i, b in enumerate(model.blocks)]
        final = [("norm_f", model.norm_f)] if model.norm_f is not None else []
        return [("wte", model.wte), ("wpe", model.wpe), *blocks, *final, ("lm_head", model.lm_head)]
    raise AssertionError(type(model))  # _supported() let only nn's classes through


SUPPORTED = tuple(NN_CLASSES.values())  # every nn class exports


def _supported(model: object) -> type:
    kind = type(model)
    if kind not in SUPPORTED:
        raise TypeError(
            f"to_torch exports nn's models ({', '.join(c.__name__ for c in SUPPORTED)}); "
            f"{kind.__name__} is not one of them (a subclass may compute something else): give your "
            "class its own to_torch method"
        )
    return kind


def _check_same_neurons(layer: Layer) -> None:
    first = layer.neurons[0]
    for n in layer.neurons:
        if n.activation != first.activation or (n.b is None) != (first.b is None) or len(n.w) != len(first.w):
            raise TypeError("to_torch: a Layer's neurons must share activation, bias and size to become one matrix")


# ------------------------------------------------------------------------------ export and import
def to_torch(model: Module, dtype: Any = None) -> Any:
    """A torch.nn.Module that computes what `model` computes, with a copy of its parameters.

    Args:
        dtype: a torch floating dtype; torch.float64 by default (the same arithmetic as ours, up to
            the order of sums).

    The module also carries `skipgrad_architecture` (how the model was made, when that can be saved
    as JSON), so that `from_torch(module)` can make a new skipgrad model without being given one.
    """
    if not isinstance(model, Module):
        raise checks.wrong_type("to_torch", "model", "an nn.Module", model)
    torch = _torch()
    dtype = torch.float64 if dtype is None else dtype
    if not (isinstance(dtype, torch.dtype) and dtype.is_floating_point):
        raise TypeError(
            f"to_torch: dtype must be a torch floating dtype such as torch.float64, got {checks.shown(dtype)}"
        )
    links = _links(model)
    module = _make(model, _classes())
    tensors = dict(module.named_parameters())
    flat = {name: [0.0] * t.numel() for name, t in tensors.items()}
    for p, name, index in links:
        flat[name][_offset(index, tensors[name].shape)] = p.data
    with torch.no_grad():
        for name, tensor in tensors.items():
            tensor.copy_(torch.tensor(flat[name], dtype=torch.float64).reshape(tensor.shape))
    module.to(dtype)
    try:
        module.skipgrad_architecture = architecture(model)
    except ValueError:
        module.skipgrad_architecture = None  # made with rng= or the like: from_torch then needs the model
    return module


def from_torch(module: Any, model: Module | None = None) -> Module:
    """Copy the weights of a torch module made by `to_torch` into a skipgrad model, and return it.

    Args:
        module: the torch module (trained or not; any floating dtype, any device).
        model: the skipgrad model to copy into, of the same architecture. By default a new one is made
            from the architecture `to_torch` recorded.

    A torch module whose parameters do not fit (a missing or extra tensor, a wrong shape) is a
    ValueError, and then the model is left unchanged.
    """
    torch = _torch()
    if not isinstance(module, torch.nn.Module):
        raise TypeError(f"from_torch expects a torch.nn.Module, got {type(module).__name__}")
    if model is not None and not isinstance(model, Module):
        raise checks.wrong_type("from_torch", "model", "an nn.Module or None", model)
    if model is None:
        arch = getattr(module, "skipgrad_architecture", None)
        if arch is None:
            raise ValueError(
                "from_torch: this module does not record a skipgrad architecture (it was not made by "
                "to_torch, or the model was made with arguments JSON cannot hold, such as rng=); pass "
                "the model to copy into: nn.from_torch(module, model)"
            )
        model = build(arch)
    links = _links(model)
    tensors = dict(module.named_parameters())
    wanted: dict[str, list[tuple[int, ...]]] = {}
    for _, name, index in links:
        wanted.setdefault(name, []).append(index)
    problems = [f"missing {name}" for name in wanted if name not in tensors]
    problems += [f"unexpected {name}" for name in tensors if name not in wanted]
    for name, indexes in wanted.items():
        if name in tensors:
            shape = tuple(tensors[name].shape)
            fits = all(len(i) == len(shape) and all(0 <= k < n for k, n in zip(i, shape)) for i in indexes)
            if not fits or len(set(indexes)) != math.prod(shape):
                problems.append(f"{name} has shape {shape}, which does not fit {type(model).__name__}")
    if problems:
        raise ValueError(f"from_torch: the module does not fit the model: {'; '.join(problems)} (nothing changed)")
    flat = {name: t.detach().to("cpu", torch.float64).reshape(-1).tolist() for name, t in tensors.items()}
    names = {id(p): name for name, p in model.named_parameters()}
    state = {names[id(p)]: flat[name][_offset(index, tuple(tensors[name].shape))] for p, name, index in links}
    model.load_state_dict(state)
    return model


def _offset(index: tuple[int, ...], shape: Any) -> int:
    """The position of `index` in a row-major tensor of `shape`, flattened."""
    offset = 0
    for i, n in zip(index, shape):
        offset = offset * n + i
    return offset


def _make(model: Module, T: Any) -> Any:
    """The torch module for `model`, with parameters of the right shapes (filled in by to_torch)."""
    _supported(model)
    if isinstance(model, Neuron):
        return T.TorchNeuron(len(model.w), model.activation, model.b is not None)
    if isinstance(model, Layer):
        first = model.neurons[0]
        return T.TorchLayer(model.nin, model.nout, first.activation, first.b is not None)
    if isinstance(model, Embedding):
        return T.TorchEmbedding(model.num, model.dim)
    if isinstance(model, Linear):
        return T.TorchLinear(model.nin, model.nout, model.bias is not None)
    if isinstance(model, RMSNorm):
        return T.TorchRMSNorm(model.dim, model.eps)
    if isinstance(model, LayerNorm):
        return T.TorchLayerNorm(model.dim, model.eps)
    parts = {name: _make(part, T) for name, part in _parts(model)}
    if isinstance(model, MLP):
        return T.TorchMLP(list(parts.values()))
    if isinstance(model, Sequential):
        return T.torch.nn.Sequential(*parts.values())
    if isinstance(model, ResidualBlock):
        return T.TorchResidualBlock(
            model.nin,
            model.nout,
            model.activation,
            model.shortcut,
            model.activation_after_add,
            parts["fc1"],
            parts.get("fc2"),
            parts.get("proj"),
        )
    if isinstance(model, ResidualMLP):
        blocks = [parts[f"blocks.{i}"] for i in range(len(model.blocks))]
        return T.TorchResidualMLP(parts["input"], blocks, parts["head"])
    if isinstance(model, CausalSelfAttention):
        return T.TorchCausalSelfAttention(model.n_head, parts["wq"], parts["wk"], parts["wv"], parts["wo"])
    if isinstance(model, FeedForward):
        return T.TorchFeedForward(parts["fc1"], parts["fc2"])
    if isinstance(model, TransformerBlock):
        return T.TorchTransformerBlock(
            model.norm, model.has_skips, parts["norm1"], parts["attn"], parts["norm2"], parts["mlp"]
        )
    if isinstance(model, GPT):
        blocks = [parts[f"blocks.{i}"] for i in range(len(model.blocks))]
        return T.TorchGPT(
            model.vocab_size,
            model.block_size,
            model.bos,
            parts["wte"],
            parts["wpe"],
            blocks,
            parts.get("norm_f"),
            parts["lm_head"],
        )
    raise AssertionError(type(model))


# ------------------------------------------------------------------------------ the torch modules
def __getattr__(name: str) -> Any:
    """The torch classes (TorchMLP, TorchGPT, ...) as attributes of this module, made on first use, so
    that a pickled export (torch.save of the whole module) finds them again."""
    if name.startswith("Torch"):
        classes = _classes()
        if hasattr(classes, name):
            return getattr(classes, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@functools.cache
def _classes() -> Any:
    """Define the torch modules (once, when torch is first needed)."""
    _torch()  # the ImportError that says what to install
    import torch
    import torch.nn.functional as F

    Parameter = torch.nn.Parameter

    def empty(*shape: int) -> Any:
        return Parameter(torch.zeros(shape, dtype=torch.float64))

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

    import types

    made = {k: v for k, v in locals().items() if k.startswith("Torch")}
    for name, cls in made.items():
        cls.__module__, cls.__qualname__ = __name__, name  # pickle finds them through __getattr__
    return types.SimpleNamespace(torch=torch, **made)
