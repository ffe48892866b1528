"""Gradient-flow diagnostics and the plain-vs-residual experiment."""

import math

import pytest

from autograd import Value, sum_of
from nn import MLP, ResidualMLP, compare_gradient_flow, first_layer_ratio, gradient_flow, make_moons, mse_loss


def test_rows_follow_the_model_and_match_hand_computed_means():
    model = MLP(2, [3, 2, 1], seed=0)
    X, y = make_moons(4, seed=0)
    loss = mse_loss([model(x) for x in X], [float(t) for t in y])
    loss.backward()
    rows = gradient_flow(loss, model)
    assert [r.name for r in rows] == ["layer0", "layer1", "layer2"]
    weights = model.layers[1].weights()
    assert rows[1].weight_grad == pytest.approx(sum(abs(w.grad) for w in weights) / len(weights))
    # the head's activations are the 4 predictions; d mse / d p = 2 (p - y) / 4
    preds = [model(x).data for x in X]
    expected = sum(abs(2 * (p - t) / 4) for p, t in zip(preds, y, strict=True)) / 4
    assert rows[2].activation_grad == pytest.approx(expected)
    text = str(rows)
    assert text.splitlines()[0].split() == ["module", "mean|dL/da|", "mean|dL/dW|"] and "layer2" in text


def test_blocks_are_reported_one_row_each():
    model = ResidualMLP(2, 4, 3, seed=0)
    out = model([0.5, -0.5])
    out.backward()
    rows = gradient_flow(out, model)
    assert [r.name for r in rows] == ["input", "block0", "block1", "block2", "head"]
    assert all(math.isfinite(r.weight_grad) for r in rows)


@pytest.mark.slow
def test_plain_first_layer_gradient_vanishes_at_depth_20_with_sigmoid():
    result = compare_gradient_flow(depth=20, width=8, activations=("sigmoid",), samples=16, seed=0)["sigmoid"]
    assert len(result["plain"]) == len(result["residual"]) == 22
    ratio = first_layer_ratio(result)
    assert ratio > 1e3  # orders of magnitude, measured ~1e5 on this seed
    assert result["plain"][0].weight_grad < 1e-15


@pytest.mark.slow
def test_clean_highway_keeps_the_gradient_alive():
    """Without an activation after the addition the identity path carries the gradient unchanged."""
    result = compare_gradient_flow(depth=20, width=8, activations=("sigmoid",), activation_after_add=False)
    residual = result["sigmoid"]["residual"]
    assert residual[0].weight_grad > 1e-3 * residual[-1].weight_grad


@pytest.mark.slow
def test_plot_returns_axes():
    pytest.importorskip("matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    from nn import plot_gradient_flow

    ax = plot_gradient_flow(compare_gradient_flow(depth=3, width=4, activations=("tanh", "relu"), samples=4))
    assert len(ax.get_lines()) == 4 and ax.get_yscale() == "log"


def test_inputs_given_as_values_get_gradients_through_every_block():
    model = ResidualMLP(2, 4, 5, seed=1)
    x = [Value(0.3), Value(-0.4)]
    out = sum_of([model(x)])
    out.backward()
    assert all(v.grad != 0.0 for v in x)
    for block in model.blocks:  # the gradient passes every block: some of its additions get one
        grads = [j.grad for j in block.joins(out)]
        assert len(grads) == 4 and any(g != 0.0 for g in grads)
