"""Neuron, Layer, MLP, Sequential: micrograd's numbers, parameter bookkeeping, input checks."""

import random

import pytest

from autograd import Value, topological_order
from nn import MLP, Layer, Neuron, ResidualBlock, ResidualMLP, Sequential


def graph_leaves(root):
    return {id(n) for n in topological_order(root) if not n.children}


def outputs_of(model, x):
    out = model(x)
    return out if isinstance(out, list) else [out]


def scalar(model, x):
    from autograd import sum_of

    return sum_of(outputs_of(model, x))


MODELS = {
    "neuron": lambda: Neuron(3, activation="tanh", seed=0),
    "layer": lambda: Layer(3, 4, seed=0),
    "mlp": lambda: MLP(3, [4, 4, 1], seed=0),
    "identity block": lambda: ResidualBlock(3, seed=0),
    "projection block": lambda: ResidualBlock(3, 5, seed=0),
    "zeros block": lambda: ResidualBlock(3, 5, shortcut="zeros", seed=0),
    "one-layer block": lambda: ResidualBlock(3, layers=1, seed=0),
    "plain block": lambda: ResidualBlock(3, shortcut="none", seed=0),
    "residual mlp": lambda: ResidualMLP(3, 4, 2, seed=0),
    "sequential": lambda: Sequential(Layer(3, 4, seed=0), ResidualBlock(4, seed=1), Layer(4, 2, seed=2)),
}


@pytest.mark.parametrize("make", MODELS.values(), ids=MODELS.keys())
def test_parameters_are_exactly_the_graph_leaves_minus_inputs(make):
    model = make()
    x = [Value(0.3, "x0"), Value(-0.7, "x1"), Value(0.9, "x2")]
    root = scalar(model, x)
    leaves = graph_leaves(root) - {id(v) for v in x}
    params = model.parameters()
    assert len({id(p) for p in params}) == len(params)  # no duplicates
    assert {id(p) for p in params} == leaves


@pytest.mark.parametrize("make", MODELS.values(), ids=MODELS.keys())
def test_zero_grad_and_inputs_get_gradients(make):
    model = make()
    x = [Value(0.3), Value(-0.7), Value(0.9)]
    scalar(model, x).backward()
    assert any(v.grad != 0 for v in x)
    model.zero_grad()
    assert all(p.grad == 0.0 for p in model.parameters())


@pytest.mark.parametrize("make", MODELS.values(), ids=MODELS.keys())
def test_wrong_input_length_names_both_sizes(make):
    model = make()
    with pytest.raises(ValueError, match="expects 3 inputs, got 2"):
        model([1.0, 2.0])
    with pytest.raises(TypeError, match="str"):
        model("abc")


def test_neuron_attributes_and_initialisation():
    n = Neuron(50, seed=1)
    assert len(n.w) == 50 and all(-1 <= w.data <= 1 for w in n.w)
    assert n.b is not None and n.b.data == 0.0
    assert n.parameters() == n.w + [n.b]
    assert n.activation == "relu" and n.nonlin
    assert Neuron(2, nonlin=False).activation == "linear"
    for activation in ("relu", "tanh", "sigmoid", "linear"):
        out = Neuron(2, activation=activation, seed=0)([1.0, 2.0])
        assert out.op == ("dot" if activation == "linear" else activation)
    with pytest.raises(ValueError, match=r"Neuron\(activation\): expected one of"):
        Neuron(2, activation="gelu")
    assert repr(Neuron(3)) == "ReLUNeuron(3)" and repr(Neuron(3, nonlin=False)) == "LinearNeuron(3)"


def test_same_seed_same_weights():
    a, b, c = MLP(2, [4, 1], seed=5), MLP(2, [4, 1], seed=5), MLP(2, [4, 1], seed=6)
    assert [p.data for p in a.parameters()] == [p.data for p in b.parameters()]
    assert [p.data for p in a.parameters()] != [p.data for p in c.parameters()]
    rng = random.Random(5)
    assert [p.data for p in MLP(2, [4, 1], rng=rng).parameters()] == [p.data for p in a.parameters()]
    with pytest.raises(ValueError, match="either seed= or rng="):
        MLP(2, [1], seed=1, rng=rng)


def test_layer_returns_a_value_when_nout_is_one():
    assert isinstance(Layer(2, 1, seed=0)([1.0, 2.0]), Value)
    assert len(Layer(2, 3, seed=0)([1.0, 2.0])) == 3


def test_mlp_shape_and_parameter_order_match_micrograd():
    model = MLP(2, [16, 16, 1], seed=0)
    params = model.parameters()
    assert len(params) == 337
    first = model.layers[0].neurons[0]
    assert params[:3] == [first.w[0], first.w[1], first.b]
    assert params[3] is model.layers[0].neurons[1].w[0]
    assert params[-1] is model.layers[2].neurons[0].b
    assert [layer.neurons[0].activation for layer in model.layers] == ["relu", "relu", "linear"]
    assert params[0].role.qualified_name == "layer0.n0.w0" and params[-1].role.qualified_name == "layer2.n0.b"
    assert all(p.label == "" for p in params)  # labels stay free for the user


def test_same_numbers_as_micrograd_from_the_same_seed():
    micrograd_nn = pytest.importorskip("micrograd.nn")
    random.seed(1337)
    theirs = micrograd_nn.MLP(2, [16, 16, 1])
    random.seed(1337)
    ours = MLP(2, [16, 16, 1])  # global random, as micrograd
    assert [p.data for p in ours.parameters()] == [p.data for p in theirs.parameters()]
    x = [0.7, -1.3]
    out_theirs, out_ours = theirs(x), ours(x)
    assert out_ours.data == out_theirs.data  # the fused dot adds in micrograd's order: bit-identical
    (out_theirs * out_theirs).backward()
    (out_ours * out_ours).backward()
    for mine, reference in zip(ours.parameters(), theirs.parameters(), strict=True):
        assert mine.grad == pytest.approx(reference.grad, rel=1e-12, abs=1e-15)


def test_fused_neuron_matches_binary_nodes():
    n = Neuron(4, activation="tanh", seed=3)
    x = [Value(v) for v in (0.5, -1.0, 2.0, 0.25)]
    n(x).backward()
    fused = [p.grad for p in n.parameters()] + [v.grad for v in x]
    n.zero_grad()
    x2 = [Value(v.data) for v in x]
    act = n.b
    assert act is not None
    for w, xi in zip(n.w, x2, strict=True):
        act = act + w * xi
    act.tanh().backward()
    binary = [p.grad for p in n.parameters()] + [v.grad for v in x2]
    assert fused == binary


def test_sequential_and_repr():
    model = Sequential(Layer(2, 3, seed=0), Layer(3, 1, activation="linear", seed=1))
    assert [m.name for m in model.children()] == ["layer0", "layer1"]
    assert len(model.parameters()) == 9 + 4
    assert "Sequential(" in repr(model) and "Layer of" in repr(model)
    assert repr(MLP(2, [1], seed=0)) == "MLP of [Layer of [LinearNeuron(2)]]"
    with pytest.raises(ValueError, match="at least one module"):
        Sequential()


def test_single_input_may_be_a_bare_number():
    assert isinstance(Neuron(1, seed=0)(2.0), Value)
    assert MLP(1, [3, 1], seed=0)(Value(0.5)).data == MLP(1, [3, 1], seed=0)([0.5]).data
