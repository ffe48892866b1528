"""The engines compared, each behind the same small interface, written the way its users write code.

- skipgrad:           nn.MLP (one fused `dot` node per neuron), nn losses and nn.SGD, sum_of for sums
- skipgrad, binary:   the same network from binary + and * on skipgrad's Value (micrograd's code shape)
- micrograd 0.1.0:    micrograd.nn.MLP and the loss of micrograd's demo notebook
- torch scalar:       every number a 0-d float64 tensor, one op at a time
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Callable
from typing import Any

from . import edges

Weights = list[list[tuple[list[float], float]]]  # layer -> neuron -> (w, b)


class DemoStep:
    """W1's training step of one engine: calling it runs one step and returns (loss, gradients in
    parameter order); `loss()` builds the loss graph alone, for counting its edges."""

    def __init__(self, step: Callable[[], tuple[float, list[float]]], loss: Callable[[], Any]) -> None:
        self.step, self.loss = step, loss

    def __call__(self) -> tuple[float, list[float]]:
        return self.step()


class Engine:
    name = ""
    modules: tuple[str, ...] = ()  # what it imports to run (skipgrad's are always imported)

    def available(self) -> bool:
        return True

    # W1: one training step of micrograd's demo
    def demo(self, weights: Weights, X, y, alpha: float, lr: float) -> DemoStep:
        raise NotImplementedError

    # W2: x = x * 1.0001 + 0.001, n times; returns (build, backward) closures
    def chain(self, n: int) -> tuple[Callable, Callable]:
        raise NotImplementedError

    # W3: sum of n products of leaf pairs
    def products(self, a: list[float], b: list[float]) -> tuple[Callable, Callable]:
        raise NotImplementedError

    # the number of edges of a graph of this engine, for ns per edge (benchmarks/edges.py)
    def edges(self, root: Any) -> int:
        raise NotImplementedError

    def chain_edges(self, graph: tuple[Any, Any]) -> int:
        """The edges of a W2 graph, (x0, x): those of x's graph."""
        return self.edges(graph[1])


class Skipgrad(Engine):
    name = "skipgrad"

    def demo(self, weights, X, y, alpha, lr):
        from nn import MLP, SGD, hinge_loss, l2_penalty

        model = MLP(2, [16, 16, 1], seed=0)
        _load(model.parameters(), weights)
        params = model.parameters()
        optimizer = SGD(params, lr=lr)

        def loss_graph():
            return hinge_loss([model(x) for x in X], y) + l2_penalty(params, alpha)

        def step():
            loss = loss_graph()
            optimizer.zero_grad()
            loss.backward()
            grads = [p.grad for p in params]
            optimizer.step()
            return loss.data, grads

        return DemoStep(step, loss_graph)

    def chain(self, n):
        from autograd import Value

        return _chain(Value, n)

    def products(self, a, b):
        from autograd import Value, sum_of

        return _products(Value, a, b, sum_of)

    def edges(self, root):
        return edges.skipgrad_edges(root)


class SkipgradBinary(Skipgrad):
    name = "skipgrad, binary ops"

    def demo(self, weights, X, y, alpha, lr):
        from autograd import Value

        return _binary_demo(Value, weights, X, y, alpha, lr)

    def products(self, a, b):
        from autograd import Value

        return _products(Value, a, b, sum)


class Micrograd(Engine):
    name = "micrograd 0.1.0"
    modules = ("micrograd.engine", "micrograd.nn")

    def available(self):
        return _importable("micrograd")

    def demo(self, weights, X, y, alpha, lr):
        from micrograd.engine import Value
        from micrograd.nn import MLP

        model = MLP(2, [16, 16, 1])
        _load(model.parameters(), weights)
        return _demo_step(Value, model, model.parameters(), X, y, alpha, lr)

    def chain(self, n):
        from micrograd.engine import Value

        return _chain(Value, n, raise_limit=True)

    def products(self, a, b):
        from micrograd.engine import Value

        return _products(Value, a, b, sum, raise_limit=True)

    def edges(self, root):
        return edges.micrograd_edges(root)


class TorchScalar(Engine):
    name = "torch scalar"
    modules = ("torch",)

    def available(self):
        return _importable("torch")

    def demo(self, weights, X, y, alpha, lr):
        import torch

        def scalar(v, grad=False):
            return torch.tensor(v, dtype=torch.float64, requires_grad=grad)

        layers = [[([scalar(w, True) for w in ws], scalar(b, True)) for ws, b in layer] for layer in weights]
        params = [p for layer in layers for ws, b in layer for p in (*ws, b)]
        inputs = [[scalar(v) for v in row] for row in X]

        def forward(x):
            for i, layer in enumerate(layers):
                out = []
                for ws, b in layer:
                    act = b
                    for w, xi in zip(ws, x, strict=True):
                        act = act + w * xi
                    out.append(torch.relu(act) if i < len(layers) - 1 else act)
                x = out
            return x[0]

        def loss_graph():
            scores = [forward(x) for x in inputs]
            losses = [torch.relu(1 + -yi * s) for yi, s in zip(y, scores, strict=True)]
            data_loss = sum(losses) * (1.0 / len(losses))
            reg_loss = alpha * sum(p * p for p in params)
            return data_loss + reg_loss

        def step():
            loss = loss_graph()
            for p in params:
                p.grad = None
            loss.backward()
            grads = [p.grad.item() for p in params]
            with torch.no_grad():
                for p in params:
                    p -= lr * p.grad
            return loss.item(), grads

        return DemoStep(step, loss_graph)

    def chain(self, n):
        return _chain(_torch_leaf, n)

    def products(self, a, b):
        return _products(_torch_leaf, a, b, sum)

    def edges(self, root):
        return edges.torch_edges(root)


def _torch_leaf(v: float):
    import torch

    return torch.tensor(v, dtype=torch.float64, requires_grad=True)


ENGINES = [Skipgrad(), SkipgradBinary(), Micrograd(), TorchScalar()]


# ------------------------------------------------------------------------------------ shared code
def _importable(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


def _load(params, weights: Weights) -> None:
    flat = [v for layer in weights for ws, b in layer for v in (*ws, b)]
    assert len(flat) == len(params)
    for p, v in zip(params, flat, strict=True):
        p.data = v


def _demo_step(Value, forward, params, X, y, alpha, lr):
    """The training step of micrograd's demo notebook, for any Value class with micrograd's API."""

    def loss_graph():
        inputs = [list(map(Value, row)) for row in X]
        scores = [forward(x) for x in inputs]
        losses = [(1 + -yi * si).relu() for yi, si in zip(y, scores, strict=True)]
        data_loss = sum(losses) * (1.0 / len(losses))
        reg_loss = alpha * sum(p * p for p in params)
        return data_loss + reg_loss

    def step():
        loss = loss_graph()
        for p in params:
            p.grad = 0.0
        loss.backward()
        grads = [p.grad for p in params]
        for p in params:
            p.data -= lr * p.grad
        return loss.data, grads

    return DemoStep(step, loss_graph)


def _binary_demo(Value, weights, X, y, alpha, lr):
    """micrograd's demo network written with binary ops on any Value class (neuron = b + w0*x0 + ...)."""
    layers = [[([Value(w) for w in ws], Value(b)) for ws, b in layer] for layer in weights]
    params = [p for layer in layers for ws, b in layer for p in (*ws, b)]

    def forward(x):
        for i, layer in enumerate(layers):
            out = []
            for ws, b in layer:
                act = sum((w * xi for w, xi in zip(ws, x, strict=True)), b)
                out.append(act.relu() if i < len(layers) - 1 else act)
            x = out
        return x[0]

    return _demo_step(Value, forward, params, X, y, alpha, lr)


def _chain(leaf, n, raise_limit=False):
    """`leaf(number)` makes an input of the engine: a Value class, or a function."""

    def build():
        x0 = leaf(1.0)
        x = x0
        for _ in range(n):
            x = x * 1.0001 + 0.001
        return x0, x

    def backward(graph):
        x0, x = graph
        with _recursion_limit(4 * n + 1000 if raise_limit else None):
            x.backward()
        return float(x0.grad)

    return build, backward


def _products(leaf, a, b, total, raise_limit=False):
    va = [leaf(v) for v in a]
    vb = [leaf(v) for v in b]

    def build():
        return total([x * y for x, y in zip(va, vb, strict=True)])

    def backward(out):
        with _recursion_limit(4 * len(a) + 1000 if raise_limit else None):
            out.backward()
        return float(va[0].grad)

    return build, backward


class _recursion_limit:
    """Raise the recursion limit for an engine whose backward recurses once per node."""

    def __init__(self, limit: int | None):
        self.limit = limit

    def __enter__(self):
        self.saved = sys.getrecursionlimit()
        if self.limit and self.limit > self.saved:
            sys.setrecursionlimit(self.limit)

    def __exit__(self, *exc):
        sys.setrecursionlimit(self.saved)
