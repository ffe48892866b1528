"""Optimizers: step() updates parameters from their gradients; zero_grad() clears them."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from typing import Union

from autograd import Value, checks
from autograd.fields import set_data, zero_grads
from autograd.numpy_adapter import as_python

from . import updates

LearningRate = Union[float, Callable[[int], float]]


class Optimizer:
    """Holds the parameters and the step count; `lr` may be a number or a function of the step (0, 1, ...)."""

    def __init__(self, params: Sequence[Value], lr: LearningRate) -> None:
        where = type(self).__name__
        params = as_python(params)  # a numpy array of Values
        if isinstance(params, (str, bytes, Value)) or not isinstance(params, Iterable):
            raise checks.wrong_type(where, "params", "a list of Values (model.parameters())", params)
        self.params = list(params)
        if not self.params:
            raise ValueError(f"{where}(params): expected at least one parameter, got none")
        for p in self.params:
            if not isinstance(p, Value):
                raise checks.wrong_type(where, "params", "Values", p)
        if not callable(lr):
            lr = checks.real(lr, where, "lr", positive=True, words="a number > 0 or a function of the step")
        self.lr = lr
        self.steps = 0

    def learning_rate(self) -> float:
        """The learning rate for the coming step."""
        if not callable(self.lr):
            return float(self.lr)
        return checks.real(self.lr(self.steps), f"{type(self).__name__}: lr({self.steps})", "", minimum=0.0)

    def zero_grad(self) -> None:
        zero_grads(self.params)

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
        momentum = checks.real(momentum, "SGD", "momentum", minimum=0.0)
        weight_decay = checks.real(weight_decay, "SGD", "weight_decay", minimum=0.0)
        self.momentum, self.weight_decay = momentum, weight_decay
        self.velocity: list[float] | None = None

    def _update(self, lr: float) -> None:
        velocity, new = updates.sgd(self.params, lr, self.momentum, self.weight_decay, self.velocity)
        _assign(self, new)
        self.velocity = velocity


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
        if not isinstance(betas, (tuple, list)) or len(betas) != 2:
            raise checks.wrong_type("Adam", "betas", "a pair of numbers in [0, 1)", betas)
        b1, b2 = (checks.real(b, "Adam", "betas", minimum=0.0, words="numbers in [0, 1)") for b in betas)
        betas = (b1, b2)
        if not all(b < 1.0 for b in betas):
            raise checks.wrong_value("Adam", "betas", "numbers in [0, 1)", betas)
        eps = checks.real(eps, "Adam", "eps", positive=True)
        self.betas, self.eps = betas, eps
        self.m = [0.0] * len(self.params)
        self.v = [0.0] * len(self.params)

    def _update(self, lr: float) -> None:
        b1, b2 = self.betas
        t = self.steps + 1
        m, v, new = updates.adam(self.params, self.m, self.v, lr, self.betas, (1 - b1**t, 1 - b2**t), self.eps)
        _assign(self, new)
        self.m, self.v = m, v


def _assign(optimizer: Optimizer, new: list[float]) -> None:
    """Set every parameter's data, or none when a value is not finite (a step too large for a float)."""
    if not all(map(math.isfinite, new)):
        i = next(i for i, value in enumerate(new) if not math.isfinite(value))
        raise OverflowError(
            f"{type(optimizer).__name__}.step: parameter {i} would become {new[i]!r} (gradient "
            f"{optimizer.params[i].grad!r}); nothing was changed: lower the learning rate"
        )
    set_data(optimizer.params, new)
