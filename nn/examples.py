"""Small named networks used by the docs pictures, the tests and the notebooks."""

from __future__ import annotations

from autograd import Value, sum_of

from .residual import ResidualBlock


def residual_block_example() -> tuple[Value, dict[str, Value]]:
    """One two-layer ReLU block on two inputs, every ReLU active, loss L = y0 + y1, back-propagated.

    Returns (L, {"x0": ..., "x1": ...}). Each input's gradient is what came through the weights plus
    exactly 1 through the skip.

    >>> loss, x = residual_block_example()
    >>> round(x["x0"].grad, 4), round(x["x1"].grad, 4)
    (1.3445, 1.4631)
    """
    block = ResidualBlock(2, seed=5, name="block0")
    x = {"x0": Value(0.5, "x0"), "x1": Value(1.0, "x1")}
    loss = sum_of(block(list(x.values())))
    loss.label = "L"
    loss.backward()
    return loss, x
