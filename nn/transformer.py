"""A GPT on Values, one idea per class: Embedding, Linear, RMSNorm, LayerNorm, CausalSelfAttention,
FeedForward, TransformerBlock, GPT. Sums and dot products are single n-ary nodes (`dot`, `sum_of`), and
every residual addition carries a role that marks its skip operand, so pictures draw the residual
stream and diagnostics split the gradient into what came along the stream and through the branch.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from autograd import Value, checks, dot, sum_of
from autograd.numpy_adapter import as_python
from autograd.structure import Role

from .losses import cross_entropy
from .module import Input, Module
from .text import Characters

NORMS = ("pre", "post")
Vector = list[Value]


def _values(x: Sequence[Input], size: int, where: Module) -> list[Value]:
    """x as `size` Values (numbers become leaves), or a TypeError or ValueError naming the module."""
    name = type(where).__name__
    x = as_python(x)  # a numpy array: the numbers .tolist() gives
    if isinstance(x, (str, bytes, dict, set)) or not hasattr(x, "__len__") or not hasattr(x, "__getitem__"):
        raise checks.wrong_type(name, "x", f"a list of {size} numbers or Values", x)
    if len(x) != size:
        raise ValueError(f"{name} expects {size} inputs, got {len(x)}")
    return [
        v if isinstance(v, Value) else Value(checks.real(v, name, f"input {i}", words="a real number or a Value"))
        for i, v in enumerate(x)
    ]


def _sizes(where: str, **sizes: object) -> list[int]:
    """The positive ints among a constructor's arguments, checked in the order given."""
    return [checks.integer(n, where, arg, minimum=1) for arg, n in sizes.items()]


def _std(std: object, where: str) -> float:
    return checks.real(std, where, "std", minimum=0.0)


class Embedding(Module):
    """A table of `num` learned vectors of size `dim`; `emb(i)` is row i (the parameters themselves).

    >>> emb = Embedding(27, 4, seed=0)
    >>> len(emb(3)), len(emb.parameters())
    (4, 108)
    """

    kind = "emb"

    def __init__(
        self,
        num: int,
        dim: int,
        *,
        std: float = 0.08,
        seed: int | None = None,
        rng: random.Random | None = None,
        name: str = "",
    ) -> None:
        num, dim = _sizes("Embedding", num=num, dim=dim)
        std = _std(std, "Embedding")
        checks.parameters("Embedding", num * dim)
        source = self._setup("Embedding", name, seed, rng)
        self.num, self.dim = num, dim
        self.weight = [
            [self.mark(Value(source.gauss(0.0, std)), f"{i}.{j}", parameter=True) for j in range(dim)]
            for i in range(num)
        ]

    def __call__(self, index: int) -> Vector:
        index = checks.integer(index, self.name or "Embedding", "index", minimum=0, maximum=self.num - 1)
        return list(self.weight[index])

    def torch_twin(self, twins: Any, part: Callable[[Module], Any]) -> Any:
        """Its PyTorch twin, for nn.to_torch (see nn/torch_export.py)."""
        return twins.TorchEmbedding(self.num, self.dim)

    def __repr__(self) -> str:
        return f"Embedding({self.num}, {self.dim})"


class Linear(Module):
    """y = W x (+ b), each output one `dot` node; weights N(0, std), biases 0.

    >>> layer = Linear(3, 2, seed=0)
    >>> y = layer([1.0, 2.0, 3.0]); len(y), y[0].op
    (2, 'dot')
    """

    kind = "linear"

    def __init__(
        self,
        nin: int,
        nout: int,
        *,
        bias: bool = False,
        std: float = 0.08,
        seed: int | None = None,
        rng: random.Random | None = None,
        name: str = "",
    ) -> None:
        nin, nout = _sizes("Linear", nin=nin, nout=nout)
        checks.flag(bias, "Linear", "bias")
        std = _std(std, "Linear")
        checks.parameters("Linear", (nin + bias) * nout)
        source = self._setup("Linear", name, seed, rng)
        self.nin, self.nout = nin, nout
        self.weight = [
            [self.mark(Value(source.gauss(0.0, std)), f"w{i}.{j}", parameter=True) for j in range(nin)]
            for i in range(nout)
        ]
        self.bias = [self.mark(Value(0.0), f"b{i}", parameter=True) for i in range(nout)] if bias else None
        self._out_roles = [self.role(f"y{i}") for i in range(nout)]

    def __call__(self, x: Sequence[Input]) -> Vector:
        x = _values(x, self.nin, self)
        out = []
        for i, row in enumerate(self.weight):
            y = dot(row, x, self.bias[i] if self.bias is not None else 0.0)
            y.role = self._out_roles[i]
            out.append(y)
        return out

    def weights(self) -> list[Value]:
        return [p for row in self.weight for p in row]

    def output_roles(self) -> set:
        return set(self._out_roles)

    def torch_twin(self, twins: Any, part: Callable[[Module], Any]) -> Any:
        """Its PyTorch twin, for nn.to_torch (see nn/torch_export.py)."""
        return twins.TorchLinear(self.nin, self.nout, self.bias is not None)

    def __repr__(self) -> str:
        return f"Linear({self.nin}, {self.nout}{', bias=True' if self.bias else ''})"


class RMSNorm(Module):
    """y = g * x / sqrt(mean(x**2) + eps), gain g = 1 at init (the norm of microgpt and LLaMA).

    >>> y = RMSNorm(2)([3.0, 4.0]); [round(v.data, 4) for v in y]
    [0.8485, 1.1314]
    """

    kind = "norm"

    def __init__(self, dim: int, eps: float = 1e-5, *, name: str = "") -> None:
        (dim,) = _sizes("RMSNorm", dim=dim)
        eps = checks.real(eps, "RMSNorm", "eps", positive=True)
        checks.text(name, "RMSNorm", "name")
        checks.parameters("RMSNorm", dim)
        self.name = name
        self.dim, self.eps = dim, eps
        self.gain = [self.mark(Value(1.0), f"g{i}", parameter=True) for i in range(dim)]
        self._inside = self.role()  # the nodes it builds: drawn in its box

    def __call__(self, x: Sequence[Input]) -> Vector:
        x = _values(x, self.dim, self)
        inside = self._inside
        mean_square = _in(inside, _in(inside, dot(x, x)) * (1.0 / self.dim))
        scale = _in(inside, _in(inside, mean_square + self.eps) ** -0.5)
        return [_in(inside, _in(inside, xi * scale) * g) for xi, g in zip(x, self.gain, strict=True)]

    def weights(self) -> list[Value]:
        return list(self.gain)

    def torch_twin(self, twins: Any, part: Callable[[Module], Any]) -> Any:
        """Its PyTorch twin, for nn.to_torch (see nn/torch_export.py)."""
        return twins.TorchRMSNorm(self.dim, self.eps)

    def __repr__(self) -> str:
        return f"RMSNorm({self.dim}, eps={self.eps})"


class LayerNorm(Module):
    """y = (x - mean) / sqrt(var + eps) * g + b with the biased variance (PyTorch's formula); g = 1, b = 0.

    >>> y = LayerNorm(2)([3.0, 4.0]); [round(v.data, 4) for v in y]
    [-1.0, 1.0]
    """

    kind = "norm"

    def __init__(self, dim: int, eps: float = 1e-5, *, name: str = "") -> None:
        (dim,) = _sizes("LayerNorm", dim=dim)
        eps = checks.real(eps, "LayerNorm", "eps", positive=True)
        checks.text(name, "LayerNorm", "name")
        checks.parameters("LayerNorm", 2 * dim)
        self.name = name
        self.dim, self.eps = dim, eps
        self.gain = [self.mark(Value(1.0), f"g{i}", parameter=True) for i in range(dim)]
        self.bias = [self.mark(Value(0.0), f"b{i}", parameter=True) for i in range(dim)]
        self._inside = self.role()

    def __call__(self, x: Sequence[Input]) -> Vector:
        x = _values(x, self.dim, self)
        inside = self._inside
        mean = _in(inside, _in(inside, sum_of(x)) * (1.0 / self.dim))
        centred = [_in(inside, xi - mean) for xi in x]
        variance = _in(inside, _in(inside, dot(centred, centred)) * (1.0 / self.dim))
        scale = _in(inside, _in(inside, variance + self.eps) ** -0.5)
        return [
            _in(inside, _in(inside, _in(inside, ci * scale) * g) + b)
            for ci, g, b in zip(centred, self.gain, self.bias, strict=True)
        ]

    def weights(self) -> list[Value]:
        return list(self.gain)

    def torch_twin(self, twins: Any, part: Callable[[Module], Any]) -> Any:
        """Its PyTorch twin, for nn.to_torch (see nn/torch_export.py)."""
        return twins.TorchLayerNorm(self.dim, self.eps)

    def __repr__(self) -> str:
        return f"LayerNorm({self.dim}, eps={self.eps})"


def softmax(scores: Sequence[Value], role: Role | None = None) -> Vector:
    """exp(s_i - max) / sum_j exp(s_j - max): the largest score is subtracted so exp cannot overflow.

    `role`, if given, goes to every node it builds (a module draws its softmax inside its box).
    """
    top = max(s.data for s in scores)  # a constant shift: softmax does not depend on it
    exps = [_in(role, _in(role, s - top).exp()) for s in scores]
    total = _in(role, sum_of(exps))
    return [_in(role, e / total) for e in exps]


def _in(role: Role | None, node: Value) -> Value:
    """`node`, given `role`: cheaper than walking the graph afterwards, on a path taken per position."""
    node.role = role
    return node


class CausalSelfAttention(Module):
    """Multi-head scaled dot-product attention where position t attends to positions 0..t.

    `attn(xs)` takes the whole sequence (a list of T vectors of size n_embd) and returns T vectors.
    Each head scores q_t . k_u / sqrt(head size) for u <= t, softmaxes them, and averages the v_u.

    >>> attn = CausalSelfAttention(4, 2, seed=0)
    >>> out = attn([[1.0, 0.0, 0.0, 0.0], [0.0, 1.0, 0.0, 0.0]]); len(out), len(out[0])
    (2, 4)
    """

    kind = "attn"

    def __init__(
        self,
        n_embd: int,
        n_head: int,
        *,
        std: float = 0.08,
        seed: int | None = None,
        rng: random.Random | None = None,
        name: str = "",
    ) -> None:
        n_embd, n_head = _heads("CausalSelfAttention", n_embd, n_head)
        std = _std(std, "CausalSelfAttention")
        checks.parameters("CausalSelfAttention", 4 * n_embd * n_embd)
        source = self._setup("CausalSelfAttention", name, seed, rng)
        self.n_embd, self.n_head, self.head_size = n_embd, n_head, n_embd // n_head
        self.wq = Linear(n_embd, n_embd, std=std, rng=source)
        self.wk = Linear(n_embd, n_embd, std=std, rng=source)
        self.wv = Linear(n_embd, n_embd, std=std, rng=source)
        self.wo = Linear(n_embd, n_embd, std=std, rng=source)
        self._inside = self.role()  # scores, softmax and the weighted sums: drawn in its box

    def __call__(self, xs: Sequence[Sequence[Input]]) -> list[Vector]:
        xs = _sequence(xs, "CausalSelfAttention")
        qs = [self.wq(x) for x in xs]
        ks = [self.wk(x) for x in xs]
        vs = [self.wv(x) for x in xs]
        scale = 1.0 / math.sqrt(self.head_size)
        inside = self._inside
        out = []
        for t, q in enumerate(qs):
            heads: Vector = []
            for h in range(self.n_head):
                part = slice(h * self.head_size, (h + 1) * self.head_size)
                scores = [_in(inside, _in(inside, dot(q[part], k[part])) * scale) for k in ks[: t + 1]]
                weights = softmax(scores, inside)
                heads += [_in(inside, dot(weights, [v[part][d] for v in vs[: t + 1]])) for d in range(self.head_size)]
            out.append(self.wo(heads))
        return out

    def torch_twin(self, twins: Any, part: Callable[[Module], Any]) -> Any:
        """Its PyTorch twin, for nn.to_torch (see nn/torch_export.py)."""
        return twins.TorchCausalSelfAttention(self.n_head, *[part(m) for m in (self.wq, self.wk, self.wv, self.wo)])

    def __repr__(self) -> str:
        return f"CausalSelfAttention({self.n_embd}, n_head={self.n_head})"


class FeedForward(Module):
    """The transformer's MLP: relu(W1 x) to 4 x n_embd, then W2 back to n_embd (no biases, as microgpt).

    >>> len(FeedForward(4, seed=0)([1.0, 2.0, 3.0, 4.0]))
    4
    """

    kind = "mlp"

    def __init__(
        self,
        n_embd: int,
        *,
        std: float = 0.08,
        seed: int | None = None,
        rng: random.Random | None = None,
        name: str = "",
    ) -> None:
        (n_embd,) = _sizes("FeedForward", n_embd=n_embd)
        std = _std(std, "FeedForward")
        checks.parameters("FeedForward", 8 * n_embd * n_embd)
        source = self._setup("FeedForward", name, seed, rng)
        self.fc1 = Linear(n_embd, 4 * n_embd, std=std, rng=source)
        self.fc2 = Linear(4 * n_embd, n_embd, std=std, rng=source)
        self._inside = self.role()

    def __call__(self, x: Sequence[Input]) -> Vector:
        inside = self._inside
        return self.fc2([_in(inside, h.relu()) for h in self.fc1(x)])

    def torch_twin(self, twins: Any, part: Callable[[Module], Any]) -> Any:
        """Its PyTorch twin, for nn.to_torch (see nn/torch_export.py)."""
        return twins.TorchFeedForward(part(self.fc1), part(self.fc2))

    def __repr__(self) -> str:
        return f"FeedForward({self.fc1.nin} -> {self.fc1.nout} -> {self.fc2.nout})"


class TransformerBlock(Module):
    """Attention, then the MLP, each as a residual branch.

    pre-norm (GPT-2, microgpt):   h = x + attn(norm1(x));  y = h + mlp(norm2(h))
    post-norm (the 2017 paper):   h = norm1(x + attn(x));  y = norm2(h + mlp(h))
    `residual=False` drops the `x +` of both. `norm_layer` is "rms" (RMSNorm) or "layer" (LayerNorm).

    `block(xs, cut=("attn",))` keeps the forward pass but lets no gradient flow back through the
    named branches into the residual stream (their parameters still get theirs): how the path-length
    analysis counts the paths through each branch.

    >>> block = TransformerBlock(4, 2, seed=0)
    >>> len(block([[1.0, 0.0, 0.0, 0.0], [0.0, 1.0, 0.0, 0.0]]))
    2
    """

    kind = "block"

    @property
    def residual(self) -> bool:  # type: ignore[override]
        """True when the block adds its branches to the stream (`residual=True`), False for its plain twin."""
        return self.has_skips

    def __init__(
        self,
        n_embd: int,
        n_head: int,
        norm: str = "pre",
        residual: bool = True,
        *,
        norm_layer: str = "rms",
        std: float = 0.08,
        seed: int | None = None,
        rng: random.Random | None = None,
        name: str = "",
    ) -> None:
        n_embd, n_head = _heads("TransformerBlock", n_embd, n_head)
        checks.one_of(norm, "TransformerBlock", "norm", NORMS)
        checks.flag(residual, "TransformerBlock", "residual")
        checks.one_of(norm_layer, "TransformerBlock", "norm_layer", ("rms", "layer"))
        std = _std(std, "TransformerBlock")
        checks.parameters("TransformerBlock", _block_parameters(n_embd, norm_layer))
        source = self._setup("TransformerBlock", name, seed, rng)
        norm_class = RMSNorm if norm_layer == "rms" else LayerNorm
        self.n_embd, self.norm, self.has_skips = n_embd, norm, residual
        self.norm1 = norm_class(n_embd)
        self.attn = CausalSelfAttention(n_embd, n_head, std=std, rng=source)
        self.norm2 = norm_class(n_embd)
        self.mlp = FeedForward(n_embd, std=std, rng=source)
        # The additions x + branch(x): operand 0 is the residual stream, drawn as the skip path.
        self._joins = {
            b: [self.role(f"{b}_add{i}", skip_operands=(0,)) for i in range(n_embd)] for b in ("attn", "mlp")
        }

    def __call__(self, xs: Sequence[Sequence[Input]], *, cut: Iterable[str] = ()) -> list[Vector]:
        cut = _branches(cut, "TransformerBlock")
        stream = [_values(x, self.n_embd, self) for x in _sequence(xs, "TransformerBlock")]
        if self.norm == "pre":
            branch = self.attn([self.norm1(_cut(x, "attn" in cut)) for x in stream])
            stream = [self._add(x, b, "attn") for x, b in zip(stream, branch, strict=True)]
            return [self._add(x, self.mlp(self.norm2(_cut(x, "mlp" in cut))), "mlp") for x in stream]
        branch = self.attn([_cut(x, "attn" in cut) for x in stream])
        stream = [self.norm1(self._add(x, b, "attn")) for x, b in zip(stream, branch, strict=True)]
        return [self.norm2(self._add(x, self.mlp(_cut(x, "mlp" in cut)), "mlp")) for x in stream]

    def residual_joins(self) -> dict:
        """The roles of this block's additions, per branch: {"attn": [...], "mlp": [...]}."""
        return dict(self._joins) if self.has_skips else {}

    def _add(self, stream: Vector, branch: Vector, name: str) -> Vector:
        if not self.has_skips:
            return branch
        out = []
        for s, b, role in zip(stream, branch, self._joins[name], strict=True):
            y = s + b
            y.role = role
            out.append(y)
        return out

    def weights(self) -> list[Value]:
        return self.attn.weights() + self.mlp.weights()

    def torch_twin(self, twins: Any, part: Callable[[Module], Any]) -> Any:
        """Its PyTorch twin, for nn.to_torch (see nn/torch_export.py)."""
        return twins.TorchTransformerBlock(
            self.norm, self.has_skips, *[part(m) for m in (self.norm1, self.attn, self.norm2, self.mlp)]
        )

    def __repr__(self) -> str:
        return (
            f"TransformerBlock({self.n_embd}, n_head={self.attn.n_head}, norm={self.norm!r}"
            f"{'' if self.has_skips else ', residual=False'})"
        )


def _heads(where: str, n_embd: object, n_head: object) -> tuple[int, int]:
    n_embd, n_head = _sizes(where, n_embd=n_embd, n_head=n_head)
    if n_embd % n_head:
        raise ValueError(f"{where}(n_head): n_embd ({n_embd}) must be a multiple of n_head, got {n_head}")
    return n_embd, n_head


def _block_parameters(n_embd: int, norm_layer: str) -> int:
    """A TransformerBlock's parameters: attention 4 n^2, the MLP 8 n^2, two norms."""
    return 12 * n_embd * n_embd + 2 * n_embd * (2 if norm_layer == "layer" else 1)


def _sequence(xs: object, where: str) -> list:
    """A sequence of positions (each a vector), as a list."""
    xs = as_python(xs)
    if not isinstance(xs, (list, tuple)):
        raise checks.wrong_type(where, "xs", "a list of vectors, one per position", xs)
    return list(xs)


def _branches(cut: object, where: str) -> set[str]:
    """The branch names of a `cut=`: a collection of "attn" and "mlp"."""
    if not isinstance(cut, (list, tuple, set, frozenset)):  # not an array: a 0-d one is Iterable, yet not iterable
        raise checks.wrong_type(where, "cut", "a list of branch names, 'attn' and 'mlp'", cut)
    names = list(cut)
    for name in names:
        checks.one_of(name, where, "cut", ("attn", "mlp"))
    return set(names)


def sample(
    next_logits: Callable[[list[int]], list[float]],
    n: int,
    temperature: float,
    seed: int | None,
    limit: int,
    bos: int,
    vocab_size: int,
) -> list[list[int]]:
    """`n` token sequences drawn one token at a time from softmax(logits / temperature), each from
    `bos` until `bos` comes again or `limit` tokens; shared by nn.GPT and its PyTorch export, so that
    the same seed gives the same samples."""
    n = checks.integer(n, "generate", "n", minimum=0)
    temperature = checks.real(temperature, "generate", "temperature", positive=True)
    seed = checks.seed(seed, "generate")
    rng = random.Random(seed)
    samples = []
    for _ in range(n):
        tokens = [bos]
        while len(tokens) <= limit:
            raw = next_logits(tokens)
            logits = [z / temperature for z in raw]
            top = max(logits)
            if not math.isfinite(top):  # a temperature so small that z / temperature overflows: nearly greedy
                top_raw = max(raw)
                logits, top = [(z - top_raw) / temperature for z in raw], 0.0
            token = rng.choices(range(vocab_size), [math.exp(z - top) for z in logits])[0]
            if token == bos:
                break
            tokens.append(token)
        samples.append(tokens[1:])
    return samples


def _cut(x: Vector, cut: bool) -> Vector:
    return [Value(v.data) for v in x] if cut else x


class GPT(Module):
    """A decoder-only transformer over tokens 0..vocab_size-1, the shape of microgpt by default.

    Token and position embeddings, `n_layer` TransformerBlocks, (pre-norm: a final norm), and a linear
    head giving one logit per token. `bos` (default vocab_size - 1) starts and ends a sequence.
    Weights are N(0, 0.08), so the first loss is close to ln(vocab_size).

    >>> import math
    >>> model = GPT(27, seed=0)
    >>> abs(model.loss([26, 0, 1, 26]).data - math.log(27)) < 0.2   # ln 27 = 3.30
    True
    """

    kind = "gpt"

    def __init__(
        self,
        vocab_size: int,
        block_size: int = 16,
        n_embd: int = 16,
        n_head: int = 4,
        n_layer: int = 1,
        norm: str = "pre",
        seed: int | None = None,
        *,
        residual: bool = True,
        norm_layer: str = "rms",
        bos: int | None = None,
        std: float = 0.08,
        rng: random.Random | None = None,
        name: str = "",
    ) -> None:
        vocab_size = checks.integer(vocab_size, "GPT", "vocab_size", minimum=2, words="an int >= 2 (tokens and bos)")
        (block_size,) = _sizes("GPT", block_size=block_size)
        n_embd, n_head = _heads("GPT", n_embd, n_head)
        n_layer = checks.integer(n_layer, "GPT", "n_layer", minimum=0)
        checks.one_of(norm, "GPT", "norm", NORMS)
        checks.flag(residual, "GPT", "residual")
        checks.one_of(norm_layer, "GPT", "norm_layer", ("rms", "layer"))
        if bos is not None:
            bos = checks.integer(bos, "GPT", "bos", minimum=0, maximum=vocab_size - 1)
        std = _std(std, "GPT")
        final_norm = n_embd * (2 if norm_layer == "layer" else 1) if norm == "pre" else 0
        per_block = _block_parameters(n_embd, norm_layer)
        checks.parameters("GPT", (2 * vocab_size + block_size) * n_embd + n_layer * per_block + final_norm)
        source = self._setup("GPT", name, seed, rng)
        self.vocab_size, self.block_size, self.norm = vocab_size, block_size, norm
        self.bos = vocab_size - 1 if bos is None else bos
        self.tokenizer: Characters | None = None  # set by train_gpt, kept by nn.save: how text becomes tokens
        self.wte = Embedding(vocab_size, n_embd, std=std, rng=source)
        self.wpe = Embedding(block_size, n_embd, std=std, rng=source)
        self.blocks = [
            TransformerBlock(n_embd, n_head, norm, residual, norm_layer=norm_layer, std=std, rng=source)
            for _ in range(n_layer)
        ]
        self.norm_f = (RMSNorm if norm_layer == "rms" else LayerNorm)(n_embd) if norm == "pre" else None
        self.lm_head = Linear(n_embd, vocab_size, std=std, rng=source)

    def embed(self, tokens: Sequence[int]) -> list[Vector]:
        """The residual stream's start: token embedding + position embedding at each position."""
        tokens = self._tokens(tokens, "GPT.embed")
        self._check(tokens, len(tokens))
        return [[t + p for t, p in zip(self.wte(tok), self.wpe(pos), strict=True)] for pos, tok in enumerate(tokens)]

    def __call__(self, tokens: Sequence[int], *, cut: Mapping[int, Iterable[str]] | None = None) -> list[Vector]:
        """The logits after each position: a list of len(tokens) lists of vocab_size Values.

        `tokens` is a list of ints (or a 1-D numpy array of them), at most block_size long."""
        tokens = self._tokens(tokens, "GPT")
        cut = self._cuts(cut)
        xs = self.embed(tokens)
        return self.head(self.stream(xs, cut=cut))

    def stream(self, xs: list[Vector], *, cut: Mapping[int, Iterable[str]] | None = None) -> list[Vector]:
        """The residual stream after the last block, from its start `xs` (see `embed`)."""
        cut = self._cuts(cut)
        for i, block in enumerate(self.blocks):
            xs = block(xs, cut=cut.get(i, ()))
        return xs

    def head(self, xs: list[Vector]) -> list[Vector]:
        """The logits from the residual stream after the last block: one list of vocab_size per position."""
        xs = _sequence(xs, "GPT.head")
        return [self.lm_head(self.norm_f(x) if self.norm_f is not None else x) for x in xs]

    def loss(self, tokens: Sequence[int]) -> Value:
        """Mean cross-entropy of predicting tokens[1:] from tokens[:-1]."""
        tokens = self._tokens(tokens, "GPT.loss")
        if len(tokens) < 2:
            raise ValueError(
                f"GPT.loss(tokens): expected at least 2 tokens (one to read, one to predict), got {tokens}"
            )
        self._check(tokens, len(tokens) - 1)
        return cross_entropy(self(tokens[:-1]), list(tokens[1:]))

    def generate(
        self, n: int = 1, temperature: float = 1.0, seed: int | None = None, max_tokens: int | None = None
    ) -> list[list[int]]:
        """`n` sequences sampled one token at a time, each from `bos` until the model gives `bos` again
        (or block_size tokens). Lower temperature samples more greedily. Returns token ids without bos."""
        if max_tokens is not None:
            max_tokens = checks.integer(
                max_tokens, "GPT.generate", "max_tokens", minimum=0, words="an int >= 0 or None"
            )
        limit = self.block_size if max_tokens is None else min(max_tokens, self.block_size)
        next_logits = lambda tokens: [v.data for v in self(tokens)[-1]]  # noqa: E731
        return sample(next_logits, n, temperature, seed, limit, self.bos, self.vocab_size)

    def _tokens(self, tokens: object, where: str) -> list[int]:
        """tokens as a list of Python ints: a list or tuple of ints, or a 1-D numpy array of them."""
        tokens = as_python(tokens)
        if not isinstance(tokens, (list, tuple)):
            raise checks.wrong_type(where, "tokens", "a list of token ids", tokens)
        out = []
        for i, t in enumerate(tokens):
            if not checks.is_integer(t):
                raise TypeError(
                    f"{where}(tokens): expected token ids (ints), got {type(t).__name__} {checks.shown(t)} at {i}"
                )
            out.append(int(t))
        return out

    def _cuts(self, cut: object) -> dict[int, set[str]]:
        """A `cut=` mapping: {block index: branch names}."""
        if cut is None:
            return {}
        if not isinstance(cut, Mapping):
            raise checks.wrong_type("GPT", "cut", "a dict {block index: branch names}", cut)
        return {
            checks.integer(i, "GPT", "cut", minimum=0, maximum=max(len(self.blocks) - 1, 0)): _branches(names, "GPT")
            for i, names in cut.items()
        }

    def _check(self, tokens: Sequence[int], length: int) -> None:
        if not tokens:
            raise ValueError("GPT(tokens): expected at least one token, got []")
        if length > self.block_size:
            raise ValueError(f"GPT: {length} positions but block_size is {self.block_size}; use a shorter sequence")
        for t in tokens:
            if not 0 <= t < self.vocab_size:
                raise ValueError(f"GPT: token {t!r} is not in 0..{self.vocab_size - 1}")

    def torch_twin(self, twins: Any, part: Callable[[Module], Any]) -> Any:
        """Its PyTorch twin, for nn.to_torch (see nn/torch_export.py)."""
        return twins.TorchGPT(
            self.vocab_size,
            self.block_size,
            self.bos,
            part(self.wte),
            part(self.wpe),
            [part(block) for block in self.blocks],
            None if self.norm_f is None else part(self.norm_f),
            part(self.lm_head),
        )

    def __repr__(self) -> str:
        return (
            f"GPT(vocab_size={self.vocab_size}, block_size={self.block_size}, n_embd={self.wte.dim}, "
            f"n_layer={len(self.blocks)}, norm={self.norm!r})"
        )
