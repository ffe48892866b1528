"""Small graphs the explorer's tests share: the seed circuit, a small MLP on one sample (boxes, a
parameter's optimizer state) and a residual block (skip paths), each after backward()."""

from __future__ import annotations

from autograd import Value, sum_of, topological_order
from autograd.examples import seed_circuit
from nn import MLP, Adam, ResidualBlock


def seed() -> Value:
    cost = seed_circuit()["cost"]
    cost.backward()
    return cost


def small_mlp() -> tuple[Value, Adam]:
    """MLP(2, [4, 1]) on one sample, squared error, after one Adam step and a second backward (so that
    the optimizer has state)."""
    model = MLP(2, [4, 1], seed=0)
    optimizer = Adam(model.parameters(), lr=0.01)
    for _ in range(2):
        model.zero_grad()
        loss = (model([Value(1.0, "x0"), Value(-2.0, "x1")]) - 0.5) ** 2
        loss.label = "loss"
        loss.backward()
        if optimizer.steps == 0:
            optimizer.step()
    return loss, optimizer


def residual() -> Value:
    block = ResidualBlock(3, seed=0)
    out = sum_of(block([Value(0.5, "x0"), Value(-1.0, "x1"), Value(2.0, "x2")]))
    out.backward()
    return out


def grad_table_rows(table: str) -> dict[str, tuple[str, str]]:
    """name -> (data, grad) as grad_table prints them."""
    rows = {}
    for line in table.splitlines()[2:]:
        cells = line.split()
        rows[cells[0]] = (cells[-2], cells[-1])
    return rows


__all__ = ["seed", "small_mlp", "residual", "grad_table_rows", "topological_order"]
