"""Residual blocks, checked by hand from their parameters: forward, the split of the input gradient
into branch and skip parts, zero weights, projection and zero-pad shortcuts, and one-layer blocks."""

import pytest

from autograd import Value, gradcheck, sum_of, topological_order
from nn import Layer, ResidualBlock

UPSTREAM = [0.7, -1.1, 0.4, 2.0, -0.3]  # a fixed dL/dy for up to 5 outputs


def loss_of(y):
    return sum_of([c * yi for c, yi in zip(UPSTREAM[: len(y)], y, strict=True)])  # one weight per output


def matrix(layer):
    return [[w.data for w in n.w] for n in layer.neurons], [n.b.data if n.b else 0.0 for n in layer.neurons]


def affine(layer, x):
    W, b = matrix(layer)
    return [sum(wij * xj for wij, xj in zip(row, x, strict=True)) + bi for row, bi in zip(W, b, strict=True)]


def relu(v):
    return [max(0.0, vi) for vi in v]


def input_grads(block, xs, detach=None):
    x = [Value(v) for v in xs]
    y = block(x, detach=detach)
    loss = loss_of(y)
    loss.backward()
    return [v.grad for v in x], loss


def node(loss, name):
    return next(n for n in topological_order(loss) if n.role is not None and n.role.qualified_name == name)


def test_forward_matches_the_formula():
    block = ResidualBlock(3, seed=4)
    x = [0.5, -0.2, 0.9]
    expected = relu([h + xi for h, xi in zip(affine(block.fc2, relu(affine(block.fc1, x))), x, strict=True)])
    assert [v.data for v in block(x)] == pytest.approx(expected, rel=1e-14)


def test_input_gradient_is_branch_part_plus_skip_part():
    block = ResidualBlock(3, activation="tanh", seed=2)
    x = [0.5, -0.2, 0.9]
    total, loss = input_grads(block, x)
    branch, _ = input_grads(block, x, detach="skip")
    skip, _ = input_grads(block, x, detach="branch")
    assert total == pytest.approx([b + s for b, s in zip(branch, skip, strict=True)], rel=1e-12)
    # the identity shortcut hands each x_i exactly the gradient that arrived at the addition
    assert skip == [node(loss, f"sum{i}").grad for i in range(3)]
    assert all(abs(b) > 1e-6 for b in branch)


def test_zero_block_weights_pass_x_and_its_gradient_through():
    block = ResidualBlock(4, seed=0)
    for p in block.parameters():
        p.data = 0.0
    x = [0.5, 1.5, 0.25, 2.0]  # positive, so relu'(x) = 1
    y = block([Value(v) for v in x])
    assert [v.data for v in y] == x
    grads, _ = input_grads(block, x)
    assert grads == UPSTREAM[:4]  # exactly the upstream gradient
    clean = ResidualBlock(4, activation="sigmoid", activation_after_add=False, seed=0)
    for p in clean.parameters():
        p.data = 0.0
    grads, _ = input_grads(clean, [-3.0, 0.0, 1.0, 7.0])
    assert grads == UPSTREAM[:4]


def test_projection_shortcut_sends_the_gradient_through_ws_transposed():
    block = ResidualBlock(3, 5, seed=1)
    assert block.proj is not None
    assert block.shortcut == "projection" and block.proj.neurons[0].b is None
    skip, loss = input_grads(block, [0.5, -0.2, 0.9], detach="branch")
    Ws, _ = matrix(block.proj)
    at_sum = [node(loss, f"sum{i}").grad for i in range(5)]
    expected = [sum(Ws[i][j] * at_sum[i] for i in range(5)) for j in range(3)]
    assert skip == pytest.approx(expected, rel=1e-12)


def test_zero_pad_shortcut_clips_the_gradient_to_x():
    wider = ResidualBlock(3, 5, shortcut="zeros", seed=1)
    skip, loss = input_grads(wider, [0.5, -0.2, 0.9], detach="branch")
    assert skip == [node(loss, f"sum{i}").grad for i in range(3)]  # the last 2 are dropped
    assert [c for c in node(loss, "sum4").children] == [node(loss, "fc2.n4.z")]  # padded with + 0
    assert node(loss, "sum4").operands[1] == 0.0
    narrower = ResidualBlock(5, 3, shortcut="zeros", seed=1)
    skip, loss = input_grads(narrower, [0.5, -0.2, 0.9, 1.0, -1.0], detach="branch")
    assert skip[:3] == [node(loss, f"sum{i}").grad for i in range(3)]
    assert skip[3:] == [0.0, 0.0]  # extra inputs are dropped: no gradient through the skip


def test_identity_shortcut_needs_equal_sizes_and_bad_options_are_named():
    with pytest.raises(ValueError, match="nin == nout"):
        ResidualBlock(3, 4, shortcut="identity")
    with pytest.raises(ValueError, match=r"ResidualBlock\(shortcut\): expected one of"):
        ResidualBlock(3, shortcut="dense")
    with pytest.raises(ValueError, match=r"ResidualBlock\(layers\): expected one of 1, 2, got 3"):
        ResidualBlock(3, layers=3)
    with pytest.raises(ValueError, match=r"ResidualBlock\(detach\): expected one of 'skip', 'branch', got 'x'"):
        ResidualBlock(3)([1.0, 2.0, 3.0], detach="x")


def test_parameter_order_is_layer1_layer2_shortcut():
    block = ResidualBlock(2, 3, seed=0)
    assert block.fc2 is not None and block.proj is not None
    assert block.parameters() == block.fc1.parameters() + block.fc2.parameters() + block.proj.parameters()
    assert block.parameters()[-1].role.qualified_name == "proj.n2.w1"


def test_one_layer_block_equals_a_plain_layer_with_w_plus_identity():
    for activation in ("relu", "sigmoid", "tanh"):
        block = ResidualBlock(3, activation=activation, layers=1, seed=7)
        plain = Layer(3, 3, activation=activation, seed=99)
        for i, (bn, pn) in enumerate(zip(block.fc1.neurons, plain.neurons, strict=True)):
            for j, (bw, pw) in enumerate(zip(bn.w, pn.w, strict=True)):
                pw.data = bw.data + (1.0 if i == j else 0.0)
            assert pn.b is not None and bn.b is not None
            pn.b.data = bn.b.data
        for x in ([0.5, -0.2, 0.9], [-1.0, 2.0, 0.1]):
            assert [v.data for v in block(x)] == pytest.approx([v.data for v in plain(x)], rel=1e-14, abs=1e-15)


@pytest.mark.parametrize("shortcut", ["identity", "projection", "zeros", "none"])
def test_parameter_gradients_match_central_differences(shortcut):
    nout = 3 if shortcut in ("identity", "none") else 4
    block = ResidualBlock(3, nout, activation="tanh", shortcut=shortcut, seed=11)
    params = block.parameters()
    x = [0.4, -0.6, 0.8]

    loss = loss_of(block(x))
    loss.backward()
    eps = 1e-6
    for p in params:
        keep = p.data
        p.data = keep + eps
        up = loss_of(block(x)).data
        p.data = keep - eps
        down = loss_of(block(x)).data
        p.data = keep
        assert p.grad == pytest.approx((up - down) / (2 * eps), rel=1e-5, abs=1e-7), p.role
    assert gradcheck(lambda a, b, c: loss_of(block([a, b, c])), x)
