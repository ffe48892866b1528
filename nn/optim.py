"""Optimizers: step() updates parameters from their gradients; zero_grad() clears them."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Union

from autograd import Value

LearningRate = Union[float, Callable[[int], float]]


class Optimizer:
    """Holds the parameters and the step count; `lr` may be a number or a function of the step (0, 1, ...)."""

    def __init__(self, params: Sequence[Value], lr: LearningRate) -> None:
        self.params = list(params)
        if not self.params:
            raise ValueError(f"{type(self).__name__} got no parameters")
        for p in self.params:
            if not isinstance(p, Value):
                raise TypeError(f"{type(self).__name__} optimizes Values, got {type(p).__name__}")
        if not callable(lr) and not (isinstance(lr, (int, float)) and lr > 0):
            raise ValueError(f"lr must be a positive number or a function of the step, got {lr!r}")
        self.lr = lr
        self.steps = 0

    def learning_rate(self) -> float:
        """The learning rate for the coming step."""
        return float(self.lr(self.steps)) if callable(self.lr) else float(self.lr)

    def zero_grad(self) -> None:
        for p in self.params:
            p.grad = 0.0

    def step(self) -> None:
        self._update(self.learning_rate())
        self.steps += 1

    def _update(self, lr: float) -> None:
        raise NotImplementedError


class SGD(Optimizer):
    """p -= lr * v, where v = momentum * v + (grad + weight_decay * p) (PyTorch's form; v starts as
    the first gradient).

    >>> p = Value(1.0); p.grad = 0.5
    >>> SGD([p], lr=0.1).step(); p.data
    0.95
    """

    def __init__(
        self, params: Sequence[Value], lr: LearningRate, momentum: float = 0.0, weight_decay: float = 0.0
    ) -> None:
        super().__init__(params, lr)
        if momentum < 0 or weight_decay < 0:
            raise ValueError("momentum and weight_decay must be >= 0")
        self.momentum, self.weight_decay = momentum, weight_decay
        self.velocity: list[float] | None = None

    def _update(self, lr: float) -> None:
        grads = [p.grad + self.weight_decay * p.data for p in self.params]
        if self.momentum:
            if self.velocity is None:
                self.velocity = grads
            else:
                self.velocity = [self.momentum * v + g for v, g in zip(self.velocity, grads)]
            grads = self.velocity
        for p, g in zip(self.params, grads):
            p.data -= lr * g


class Adam(Optimizer):
    """Adam (Kingma & Ba), with bias-corrected first and second moments.

    >>> p = Value(1.0); p.grad = 2.0
    >>> Adam([p], lr=0.1).step(); round(p.data, 6)
    0.9
    """

    def __init__(
        self,
        params: Sequence[Value],
        lr: LearningRate = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
    ) -> None:
        super().__init__(params, lr)
        self.betas, self.eps = betas, eps
        self.m = [0.0] * len(self.params)
        self.v = [0.0] * len(self.params)

    def _update(self, lr: float) -> None:
        b1, b2 = self.betas
        t = self.steps + 1
        correction1, correction2 = 1 - b1**t, 1 - b2**t
        for i, p in enumerate(self.params):
            g = p.grad
            self.m[i] = b1 * self.m[i] + (1 - b1) * g
            self.v[i] = b2 * self.v[i] + (1 - b2) * g * g
            p.data -= lr * (self.m[i] / correction1) / (math.sqrt(self.v[i] / correction2) + self.eps)
