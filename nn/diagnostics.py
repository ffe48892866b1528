"""Gradient-flow diagnostics: how large the gradient is at each layer or block after backward(),
and the experiment that compares a plain deep network with a residual one. matplotlib is optional
and imported only by the plot function."""

from __future__ import annotations

from dataclasses import dataclass
from statistics import fmean
from typing import Any

from autograd import Value, topological_order

from .data import make_moons
from .losses import mse_loss
from .module import Layer, Module, Neuron
from .residual import ResidualBlock, plain_and_residual


@dataclass(frozen=True)
class LayerGradient:
    """Mean |gradient| at one layer or block: of the activations it output, and of its weights."""

    name: str
    activation_grad: float
    weight_grad: float


class GradientFlow(list):
    """LayerGradient rows, input side first; prints as a table."""

    def __str__(self) -> str:
        width = max([len("module")] + [len(row.name) for row in self])
        lines = [f"{'module':<{width}}  mean|dL/da|  mean|dL/dW|", f"{'-' * width}  -----------  -----------"]
        lines += [f"{row.name:<{width}}  {row.activation_grad:11.3e}  {row.weight_grad:11.3e}" for row in self]
        return "\n".join(lines)

    def weight_grads(self) -> list[float]:
        return [row.weight_grad for row in self]


def gradient_flow(root: Value, model: Module) -> GradientFlow:
    """After `root.backward()`, the mean |gradient| per layer (MLP) or per block (ResidualMLP).

    Activations are found by the roles each module gives its outputs (objects, not names), so any
    model built from nn's modules works; a batch of samples is averaged over.

    >>> from nn import MLP
    >>> model = MLP(2, [3, 1], seed=0)
    >>> out = model([1.0, 2.0]); out.backward()
    >>> [row.name for row in gradient_flow(out, model)]
    ['layer0', 'layer1']
    """
    units = [model] if isinstance(model, (Neuron, Layer, ResidualBlock)) else model.children()
    owner = {role: i for i, unit in enumerate(units) for role in unit.output_roles()}
    activation_grads: list[list[float]] = [[] for _ in units]
    for node in topological_order(root):
        i = owner.get(node.role) if node.role is not None else None
        if i is not None:
            activation_grads[i].append(abs(node.grad))
    rows = GradientFlow()
    for unit, grads in zip(units, activation_grads, strict=True):
        weights = unit.weights()
        rows.append(
            LayerGradient(
                name=unit.name or type(unit).__name__,
                activation_grad=fmean(grads) if grads else float("nan"),
                weight_grad=fmean(abs(w.grad) for w in weights) if weights else float("nan"),
            )
        )
    return rows


def compare_gradient_flow(
    depth: int = 20,
    width: int = 8,
    activations: tuple[str, ...] = ("tanh", "sigmoid", "relu"),
    samples: int = 16,
    seed: int = 0,
    **options: Any,
) -> dict[str, dict[str, GradientFlow]]:
    """Per-layer gradients of a plain deep net and a residual net with identical weights.

    For each activation: build both nets (input layer, `depth` two-layer blocks, linear head; the
    plain one has no skips), run one MSE backward pass on `samples` moons points, and report
    gradient_flow for both. Returns {activation: {"plain": rows, "residual": rows}}.

    >>> result = compare_gradient_flow(depth=3, width=4, activations=("tanh",), samples=4)
    >>> sorted(result["tanh"])
    ['plain', 'residual']
    """
    X, y = make_moons(samples, noise=0.1, seed=seed)
    results: dict[str, dict[str, GradientFlow]] = {}
    for activation in activations:
        nets = dict(
            zip(
                ("plain", "residual"),
                plain_and_residual(2, width, depth, 1, seed=seed, activation=activation, **options),
                strict=False,
            )
        )
        results[activation] = {}
        for kind, net in nets.items():
            loss = mse_loss([net(x) for x in X], [float(t) for t in y])
            loss.backward()
            results[activation][kind] = gradient_flow(loss, net)
    return results


def first_layer_ratio(result: dict[str, GradientFlow]) -> float:
    """residual / plain mean |weight gradient| at the first layer: how much the skips help it learn."""
    return result["residual"][0].weight_grad / result["plain"][0].weight_grad


def plot_gradient_flow(results: dict[str, dict[str, GradientFlow]], ax: Any = None) -> Any:
    """Mean |weight gradient| per layer, on a log scale, for every net in `results`.

    Needs matplotlib (`pip install skipgrad[plot]`). Returns the matplotlib Axes.
    """
    try:
        import matplotlib.pyplot as plt
    except ImportError as missing:
        raise ImportError("plot_gradient_flow needs matplotlib: pip install 'skipgrad[plot]'") from missing
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 4.5))
    styles = {"plain": "--", "residual": "-"}
    for i, (activation, nets) in enumerate(results.items()):
        color = f"C{i % 10}"  # matplotlib's ten cycle colours
        for kind, rows in nets.items():
            ax.semilogy(
                range(len(rows)),
                rows.weight_grads(),
                styles.get(kind, ":"),
                color=color,
                marker="o",
                markersize=3,
                label=f"{activation}, {kind}",
            )
    ax.set_xlabel("layer or block (input side on the left)")
    ax.set_ylabel("mean |dL/dW|")
    ax.set_title("Gradient reaching each layer: plain vs residual")
    ax.legend(fontsize="small")
    return ax
