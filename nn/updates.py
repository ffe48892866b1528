"""The optimizers' arithmetic for every parameter, one loop each: the part of a training step that runs
per parameter, kept apart from the classes of nn/optim.py so that the compiled build compiles it with
the engine (autograd/compiling.py). Each returns new lists; the optimizer assigns them all or none.

>>> from autograd import Value
>>> p = Value(1.0); p.grad = 2.0
>>> sgd([p], lr=0.1, momentum=0.0, weight_decay=0.0, velocity=None)
(None, [0.8])
>>> m, v, new = adam([p], [0.0], [0.0], lr=0.1, betas=(0.9, 0.999), corrections=(0.1, 0.001), eps=1e-8)
>>> round(new[0], 6)
0.9
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from autograd.value import Value


def sgd(
    params: Sequence[Value], lr: float, momentum: float, weight_decay: float, velocity: list[float] | None
) -> tuple[list[float] | None, list[float]]:
    """(velocity, new data): v = momentum * v + (grad + weight_decay * p); p - lr * v (v starts as the
    first gradient; without momentum, v is the gradient)."""
    grads = [p.grad + weight_decay * p.data for p in params]
    if momentum:
        velocity = grads if velocity is None else [momentum * v + g for v, g in zip(velocity, grads, strict=True)]
        grads = velocity
    return velocity, [p.data - lr * g for p, g in zip(params, grads, strict=True)]


def adam(
    params: Sequence[Value],
    m: list[float],
    v: list[float],
    lr: float,
    betas: tuple[float, float],
    corrections: tuple[float, float],
    eps: float,
) -> tuple[list[float], list[float], list[float]]:
    """(first moments, second moments, new data) after one Adam step, with bias corrections
    (1 - b1**t, 1 - b2**t)."""
    b1, b2 = betas
    correction1, correction2 = corrections
    new_m: list[float] = []
    new_v: list[float] = []
    new: list[float] = []
    p: Value
    mi: float
    vi: float
    for p, mi, vi in zip(params, m, v, strict=True):  # one loop: this runs per parameter per step
        g = p.grad
        mi = b1 * mi + (1 - b1) * g
        vi = b2 * vi + (1 - b2) * g * g
        new_m.append(mi)
        new_v.append(vi)
        new.append(p.data - lr * (mi / correction1) / (math.sqrt(vi / correction2) + eps))
    return new_m, new_v, new
