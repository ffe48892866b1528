"""Residual blocks (He et al. 2015, eq. 1-2 and Fig. 2) and the variants learners ask about, plus a
residual MLP and its plain twin for side-by-side experiments.

Roles: a block gives its additions the roles `sum0 ...` (operand 1, S(x), marked as the skip) and,
when an activation follows the addition, its outputs `out0 ...`; its layers are `fc1`, `fc2`, `proj`.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from typing import Any

from autograd import Value, checks, topological_order
from autograd.structure import Role

from .module import Input, Layer, Module, _as_inputs, _check_activation

SHORTCUTS = ("identity", "projection", "zeros", "none")


class ResidualBlock(Module):
    """y = g(W2 . g(W1 . x + b1) + b2 + S(x)): two layers, the second activation AFTER the addition.

    Args:
        nin, nout: input and output sizes (nout defaults to nin).
        activation: g, used for both nonlinearities ("relu", "tanh", "sigmoid" or "linear").
        shortcut: S. "identity" (S(x) = x, the default when nin == nout); "projection" (S(x) = Ws . x,
            no bias, the default when nin != nout; the gradient reaches x through Ws transposed);
            "zeros" (He's option A: pad x with zeros or drop its extra entries, so the gradient
            reaching x is the upstream gradient cut to x's size); "none" (no skip: a plain
            two-layer block with the same weights, for comparison).
        layers: 2 (default) or 1. With one layer y = g(W . x + b + x), which is a plain layer whose
            weight matrix is W + I: the question of why residual blocks skip two layers, not one.
        activation_after_add: False gives y = W2 . g(W1 . x + b1) + b2 + S(x), a clean identity
            path through which the gradient passes with no activation derivative applied.
        seed, rng, name: as for nn.Layer.

    `parameters()`: layer 1, then layer 2, then the projection's weights.

    >>> block = ResidualBlock(2, seed=0)
    >>> y = block([1.0, -1.0]); [v.role.name for v in y]
    ['out0', 'out1']
    >>> len(block.parameters())
    12
    """

    kind = "block"

    @property
    def residual(self) -> bool:  # type: ignore[override]
        """True when the block has a shortcut: its plain twin (shortcut="none") is not residual."""
        return self.shortcut != "none"

    def __init__(
        self,
        nin: int,
        nout: int | None = None,
        activation: str = "relu",
        shortcut: str | None = None,
        *,
        layers: int = 2,
        activation_after_add: bool = True,
        seed: int | None = None,
        rng: random.Random | None = None,
        name: str = "",
    ) -> None:
        nin = checks.integer(nin, "ResidualBlock", "nin", minimum=1)
        nout = nin if nout is None else checks.integer(nout, "ResidualBlock", "nout", minimum=1)
        if shortcut is None:
            shortcut = "identity" if nin == nout else "projection"
        checks.one_of(shortcut, "ResidualBlock", "shortcut", SHORTCUTS)
        if shortcut == "identity" and nin != nout:
            raise ValueError(
                f"ResidualBlock(shortcut): an identity shortcut needs nin == nout (got {nin} and {nout}); "
                "use shortcut='projection' or 'zeros'"
            )
        checks.one_of(layers, "ResidualBlock", "layers", (1, 2))
        checks.flag(activation_after_add, "ResidualBlock", "activation_after_add")
        _check_activation(activation)
        checks.parameters("ResidualBlock", _block_parameters(nin, nout, layers, shortcut))
        source = self._setup("ResidualBlock", name, seed, rng)
        self.nin, self.nout = nin, nout
        self.activation = _check_activation(activation)
        self.shortcut = shortcut
        self.layers = layers
        self.activation_after_add = activation_after_add
        if layers == 2:
            self.fc1 = Layer(nin, nout, activation=activation, rng=source)
            self.fc2: Layer | None = Layer(nout, nout, activation="linear", rng=source)
        else:
            self.fc1 = Layer(nin, nout, activation="linear", rng=source)
            self.fc2 = None
        self.proj = Layer(nin, nout, activation="linear", bias=False, rng=source) if shortcut == "projection" else None
        if self.proj is not None:
            self.proj.on_skip_path = True  # x travels through Ws on its way to the addition
        # The addition's operand 1 is S(x): pictures draw that edge as the skip path.
        self._sum_roles = [self.role(f"sum{i}", skip_operands=(1,)) for i in range(nout)]
        self._out_roles = [self.role(f"out{i}") for i in range(nout)]

    def __call__(self, x: Sequence[Input] | Input, *, detach: str | None = None) -> list[Value]:
        """The block's outputs. `detach="skip"` feeds the shortcut a detached copy of x, so that x's
        gradient is the part that went through the branch F; `detach="branch"` does the opposite and
        leaves only the part that came through the shortcut."""
        x = _as_inputs(x, self.nin, self)
        if detach is not None:
            checks.one_of(detach, "ResidualBlock", "detach", ("skip", "branch"))
        h = self.fc1.outputs(_detached(x) if detach == "branch" else x)
        if self.fc2 is not None:
            h = self.fc2.outputs(h)
        skip = self.skip(_detached(x) if detach == "skip" else x)
        out = []
        for i, hi in enumerate(h):
            if skip is None:
                z = hi
            else:
                z = hi + skip[i]
                z.role = self._sum_roles[i]
            if self.activation_after_add and self.activation != "linear":
                z = getattr(z, self.activation)()
                z.role = self._out_roles[i]
            out.append(z)
        return out

    def skip(self, x: Sequence[Input]) -> list[Input] | None:
        """S(x): what the shortcut adds to the block's output (None when there is no shortcut)."""
        if self.shortcut == "identity":
            return list(x)
        if self.proj is not None:
            return list(self.proj.outputs(x))
        if self.shortcut == "zeros":
            return [x[i] if i < self.nin else 0.0 for i in range(self.nout)]
        return None

    def joins(self, root: Value) -> list[Value]:
        """The additions y_i = F(x)_i + S(x)_i of this block in `root`'s graph, in order of i.

        >>> from autograd import sum_of
        >>> block = ResidualBlock(2, seed=0)
        >>> out = sum_of(block([1.0, -1.0]))
        >>> [v.role.name for v in block.joins(out)]
        ['sum0', 'sum1']
        """
        index = {role: i for i, role in enumerate(self._sum_roles)}
        found = [node for node in topological_order(root) if node.role in index]
        return sorted(found, key=lambda node: index[node.role])

    def residual_joins(self) -> dict:
        """The roles of this block's additions: {"skip": [sum0, sum1, ...]} (empty without a shortcut)."""
        return {"skip": list(self._sum_roles)} if self.shortcut != "none" else {}

    def output_roles(self) -> set[Role]:
        if self.activation_after_add and self.activation != "linear":
            return set(self._out_roles)
        if self.shortcut == "none":
            return (self.fc2 or self.fc1).output_roles()
        return set(self._sum_roles)

    def torch_twin(self, twins: Any, part: Callable[[Module], Any]) -> Any:
        """Its PyTorch twin, for nn.to_torch (see nn/torch_export.py)."""
        return twins.TorchResidualBlock(
            self.nin,
            self.nout,
            self.activation,
            self.shortcut,
            self.activation_after_add,
            part(self.fc1),
            None if self.fc2 is None else part(self.fc2),
            None if self.proj is None else part(self.proj),
        )

    def __repr__(self) -> str:
        extra = "" if self.activation_after_add else ", activation_after_add=False"
        layers = "" if self.layers == 2 else ", layers=1"
        return (
            f"ResidualBlock({self.nin}, {self.nout}, activation={self.activation!r}, "
            f"shortcut={self.shortcut!r}{layers}{extra})"
        )


class ResidualMLP(Module):
    """An input layer, `depth` residual blocks of width `width`, and a linear head.

    With `shortcut="none"` and the same seed it is the plain network with exactly the same weights:
    only the skips differ. `plain_and_residual` builds both.

    >>> model = ResidualMLP(2, width=4, depth=3, seed=0)
    >>> [m.name for m in model.children()]
    ['input', 'block0', 'block1', 'block2', 'head']
    """

    kind = "resmlp"

    def __init__(
        self,
        nin: int,
        width: int,
        depth: int,
        nout: int = 1,
        *,
        activation: str = "relu",
        shortcut: str = "identity",
        layers: int = 2,
        activation_after_add: bool = True,
        seed: int | None = None,
        rng: random.Random | None = None,
        name: str = "",
    ) -> None:
        nin = checks.integer(nin, "ResidualMLP", "nin", minimum=1)
        width = checks.integer(width, "ResidualMLP", "width", minimum=1)
        depth = checks.integer(depth, "ResidualMLP", "depth", minimum=0)
        nout = checks.integer(nout, "ResidualMLP", "nout", minimum=1)
        checks.one_of(shortcut, "ResidualMLP", "shortcut", SHORTCUTS)
        checks.one_of(layers, "ResidualMLP", "layers", (1, 2))
        blocks = depth * _block_parameters(width, width, layers, shortcut)
        checks.parameters("ResidualMLP", (nin + 1) * width + blocks + (width + 1) * nout)
        source = self._setup("ResidualMLP", name, seed, rng)
        self.nin = nin
        self.input = Layer(nin, width, activation=activation, rng=source)
        self.blocks = [
            ResidualBlock(
                width, width, activation, shortcut, layers=layers, activation_after_add=activation_after_add, rng=source
            )
            for _ in range(depth)
        ]
        self.head = Layer(width, nout, activation="linear", rng=source)

    def __call__(self, x: Sequence[Input] | Input) -> Any:
        h = self.input.outputs(_as_inputs(x, self.nin, self))
        for block in self.blocks:
            h = block(h)
        return self.head(h)

    def children(self) -> list[Module]:
        return [self.input, *self.blocks, self.head]

    def torch_twin(self, twins: Any, part: Callable[[Module], Any]) -> Any:
        """Its PyTorch twin, for nn.to_torch (see nn/torch_export.py)."""
        return twins.TorchResidualMLP(part(self.input), [part(b) for b in self.blocks], part(self.head))

    def __repr__(self) -> str:
        block = self.blocks[0] if self.blocks else None
        return f"ResidualMLP({self.nin} -> {len(self.blocks)} x {block!r} -> {self.head.nout})"


def _block_parameters(nin: int, nout: int, layers: int, shortcut: str) -> int:
    """How many parameters a ResidualBlock of these sizes has: fc1, fc2 (two layers), Ws (projection)."""
    return (nin + 1) * nout + (nout + 1) * nout * (layers == 2) + nin * nout * (shortcut == "projection")


def _detached(x: Sequence[Input]) -> list[Input]:
    return [v.detach() if isinstance(v, Value) else v for v in x]


def plain_and_residual(
    nin: int, width: int, depth: int, nout: int = 1, *, seed: int = 0, **options: Any
) -> tuple[ResidualMLP, ResidualMLP]:
    """Two networks with identical weights, one without skips and one with identity skips.

    >>> plain, res = plain_and_residual(2, 4, 2, seed=3)
    >>> [p.data for p in plain.parameters()] == [p.data for p in res.parameters()]
    True
    """
    plain = ResidualMLP(nin, width, depth, nout, shortcut="none", seed=seed, **options)
    residual = ResidualMLP(nin, width, depth, nout, shortcut="identity", seed=seed, **options)
    return plain, residual
