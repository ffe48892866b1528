"""numpy arrays and scalars go wherever a number goes in nn, and give the same floats as lists, bit for bit."""

import os
import subprocess
import sys

import pytest

from autograd import Value
from nn import (
    MLP,
    Layer,
    Neuron,
    ResidualBlock,
    ResidualMLP,
    accuracy,
    binary_cross_entropy_with_logits,
    cross_entropy,
    fit,
    hinge_loss,
    l2_penalty,
    make_moons,
    make_spirals,
    mse_loss,
)

np = pytest.importorskip("numpy")

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCORES = [2.0, -0.5, 0.0, 0.25, -3.0]
LOGITS = [[2.0, -0.5, 0.0], [30.0, -40.0, 1.0], [0.1, 0.2, 0.3], [-1.0, 1.0, 0.5]]


def run(loss, scores, targets):
    """The loss and the gradient of every score: what must not change when targets are numpy."""
    vs = [[Value(z) for z in row] for row in scores] if isinstance(scores[0], list) else [Value(z) for z in scores]
    out = loss(vs, targets)
    out.backward()
    grads = [v.grad for row in vs for v in row] if isinstance(vs[0], list) else [v.grad for v in vs]
    return out.data, grads


# ------------------------------------------------------------------------------ losses
@pytest.mark.parametrize("dtype", ["float16", "float32", "float64"])
def test_mse_loss_takes_float_arrays_and_scalars(dtype):
    targets = np.array([0.1, -1.3, 2.0, 0.0, 5.5], dtype=dtype)
    assert run(mse_loss, SCORES, targets) == run(mse_loss, SCORES, targets.tolist())
    assert run(mse_loss, SCORES, list(targets)) == run(mse_loss, SCORES, targets.tolist())  # a list of numpy scalars
    assert run(mse_loss, SCORES[:1], targets[0]) == run(mse_loss, SCORES[:1], float(targets[0]))


def test_mse_loss_takes_numpy_predictions():
    scores = np.array(SCORES, dtype=np.float32)
    assert mse_loss(scores, [1.0] * 5).data == mse_loss(scores.tolist(), [1.0] * 5).data
    assert mse_loss(list(scores), [1.0] * 5).data == mse_loss(scores.tolist(), [1.0] * 5).data


@pytest.mark.parametrize("dtype", ["int8", "int32", "int64", "float32", "float64"])
def test_hinge_loss_takes_label_arrays_of_any_real_dtype(dtype):
    labels = [1, -1, 1, 1, -1]
    assert run(hinge_loss, SCORES, np.array(labels, dtype=dtype)) == run(hinge_loss, SCORES, labels)
    assert run(hinge_loss, SCORES[:1], np.dtype(dtype).type(-1)) == run(hinge_loss, SCORES[:1], -1)


@pytest.mark.parametrize("dtype", ["uint8", "int32", "int64", "float32", "float64", "bool"])
def test_bce_takes_label_arrays_of_any_real_dtype(dtype):
    labels = [1, 0, 1, 1, 0]
    loss = binary_cross_entropy_with_logits
    assert run(loss, SCORES, np.array(labels, dtype=dtype)) == run(loss, SCORES, labels)
    assert run(loss, SCORES[:1], np.dtype(dtype).type(1)) == run(loss, SCORES[:1], 1)


@pytest.mark.parametrize("dtype", ["uint8", "int32", "int64"])
def test_cross_entropy_takes_integer_label_arrays(dtype):
    labels = [2, 0, 1, 1]
    assert run(cross_entropy, LOGITS, np.array(labels, dtype=dtype)) == run(cross_entropy, LOGITS, labels)
    assert run(cross_entropy, LOGITS, list(np.array(labels, dtype=dtype))) == run(cross_entropy, LOGITS, labels)
    one = np.dtype(dtype).type(2)
    assert run(cross_entropy, LOGITS[0], one) == run(cross_entropy, LOGITS[0], 2)


def test_cross_entropy_takes_numpy_logits():
    logits = np.array(LOGITS, dtype=np.float32)
    labels = np.array([2, 0, 1, 1])
    assert cross_entropy(logits, labels).data == cross_entropy(logits.tolist(), [2, 0, 1, 1]).data
    assert cross_entropy(list(logits), labels).data == cross_entropy(logits.tolist(), [2, 0, 1, 1]).data
    assert cross_entropy(logits[0], np.int64(2)).data == cross_entropy(logits[0].tolist(), 2).data


def test_long_doubles_count_as_real_numbers():
    # .tolist() leaves numpy's long doubles as numpy scalars: they are still read as floats
    targets = np.array([0.1, -1.3, 2.0, 0.0, 5.5], dtype=np.longdouble)
    assert run(mse_loss, SCORES, targets) == run(mse_loss, SCORES, [float(t) for t in targets])
    assert run(hinge_loss, SCORES[:1], np.longdouble(-1)) == run(hinge_loss, SCORES[:1], -1)
    assert Neuron(1, seed=0)(np.longdouble(0.75)).data == Neuron(1, seed=0)(0.75).data
    x = np.array([0.5, -1.25], dtype=np.longdouble)
    assert MLP(2, [4, 1], seed=0)(x).data == MLP(2, [4, 1], seed=0)([0.5, -1.25]).data


def test_l2_penalty_takes_numpy_alpha_and_an_array_of_parameters():
    ps = [Value(1.0), Value(-2.0), Value(3.0)]
    assert l2_penalty(np.array(ps, dtype=object), alpha=np.float32(0.5)).data == l2_penalty(ps, alpha=0.5).data


def test_numpy_bools_count_as_python_bools():
    # Python's True and False pass as 1 and 0 wherever a 0/1 or -1/+1 number does, and never as a
    # class index; numpy's bools (a mask such as y > 0) do exactly the same.
    mask = np.array([True, False, True, True, False])
    bce = binary_cross_entropy_with_logits
    assert run(bce, SCORES, mask) == run(bce, SCORES, mask.tolist()) == run(bce, SCORES, [1, 0, 1, 1, 0])
    assert run(mse_loss, SCORES, mask) == run(mse_loss, SCORES, [1, 0, 1, 1, 0])
    assert run(hinge_loss, SCORES[:1], np.True_) == run(hinge_loss, SCORES[:1], 1)
    with pytest.raises(ValueError, match=r"-1 or \+1, got False"):
        hinge_loss([Value(1.0)], np.array([False]))
    with pytest.raises(TypeError, match="class index"):
        cross_entropy([Value(1.0), Value(2.0)], np.True_)
    with pytest.raises(TypeError, match="True is not a class index"):
        cross_entropy([[Value(1.0), Value(2.0)]], np.array([True]))


# A target or prediction of the wrong kind is a TypeError, a number out of place a ValueError.
@pytest.mark.parametrize(
    "call, error, words",
    [
        (
            lambda: mse_loss([Value(1.0)], np.array(["a"])),
            TypeError,
            "mse_loss: targets must be plain numbers, got str",
        ),
        (lambda: mse_loss([Value(1.0)], np.array(["a"], dtype=object)), TypeError, "plain numbers, got str"),
        (lambda: mse_loss([Value(1.0)], np.array([1 + 1j])), TypeError, "plain numbers, got complex"),
        (lambda: mse_loss([Value(1.0)], [np.complex64(1)]), TypeError, "plain numbers, got complex"),
        (lambda: mse_loss([Value(1.0)], np.array([np.nan])), ValueError, "mse_loss: targets must be finite, got nan"),
        (lambda: mse_loss([Value(1.0)], np.float32(np.inf)), ValueError, "mse_loss: targets must be finite, got inf"),
        (lambda: mse_loss([Value(1.0)], np.array([[1.0]])), TypeError, "plain numbers, got list"),
        (lambda: hinge_loss([Value(1.0)], np.array([np.nan])), ValueError, "hinge_loss: targets must be"),
        (lambda: hinge_loss([Value(1.0)], np.array([0.5])), ValueError, r"-1 or \+1, got 0.5"),
        (lambda: binary_cross_entropy_with_logits([Value(1.0)], np.float64(np.nan)), ValueError, "targets must be"),
        (lambda: binary_cross_entropy_with_logits([Value(1.0)], np.array([2])), ValueError, "0 or 1, got 2"),
        (lambda: cross_entropy([Value(1.0), Value(2.0)], np.float64(1.0)), TypeError, "class index"),
        (lambda: cross_entropy([[Value(1.0), Value(2.0)]], np.array([1.0])), TypeError, "1.0 is not a class index"),
        (
            lambda: cross_entropy([[Value(1.0), Value(2.0)]], np.array([2])),
            ValueError,
            "2 is not a class index in 0..1",
        ),
        (lambda: cross_entropy([[Value(1.0), Value(2.0)]], np.array(["1"])), TypeError, "'1' is not a class index"),
        (lambda: mse_loss(np.array(["a"]), [1.0]), TypeError, "predictions must be Values or numbers, got str"),
    ],
)
def test_non_numbers_are_refused_by_name(call, error, words):
    with pytest.raises(error, match=words):
        call()


# ------------------------------------------------------------------------------ modules
MODELS = {
    "neuron": lambda: Neuron(2, activation="tanh", seed=0),
    "layer": lambda: Layer(2, 3, activation="tanh", seed=0),
    "mlp": lambda: MLP(2, [16, 16, 1], seed=0),
    "block": lambda: ResidualBlock(2, 2, seed=0),
    "resmlp": lambda: ResidualMLP(2, width=4, depth=2, seed=0),
}


def outputs(y):
    return [v.data for v in y] if isinstance(y, list) else [y.data]


@pytest.mark.parametrize("make", MODELS.values(), ids=MODELS.keys())
@pytest.mark.parametrize("dtype", ["float32", "float64", "int64"])
def test_a_one_dimensional_sample_gives_the_list_outputs(make, dtype):
    model = make()
    x = np.array([0.5, -1.25], dtype=dtype) if dtype != "int64" else np.array([1, -2])
    assert outputs(model(x)) == outputs(model(x.tolist()))
    assert outputs(model(list(x))) == outputs(model(x.tolist()))


@pytest.mark.parametrize("make", MODELS.values(), ids=MODELS.keys())
def test_an_object_array_of_values_passes_gradients_through(make):
    model = make()
    as_list = [Value(0.5), Value(-1.25)]
    as_array = np.array([Value(0.5), Value(-1.25)], dtype=object)
    for x in (as_list, as_array):
        out = model(x)
        (out if isinstance(out, Value) else out[0]).backward()
    assert [v.grad for v in as_array] == [v.grad for v in as_list] != [0.0, 0.0]


def test_a_numpy_scalar_is_one_input():
    for x in (np.float32(0.75), np.int64(3), np.array(0.75), np.array([0.75])):
        plain = np.ravel(x).tolist()  # [0.75] or [3]
        assert Neuron(1, seed=0)(x).data == Neuron(1, seed=0)(plain).data
        assert MLP(1, [4, 1], seed=0)(x).data == MLP(1, [4, 1], seed=0)(plain).data


def test_bad_numpy_inputs_are_refused_by_name():
    model = MLP(2, [4, 1], seed=0)
    with pytest.raises(ValueError, match="expects 2 inputs, got 1"):
        model(np.array([[0.5, 1.0]]))  # a batch of one is not a sample
    with pytest.raises(ValueError, match="expects 2 inputs, got 3"):
        model(np.zeros(3))
    with pytest.raises(TypeError, match="str"):
        model(np.array(["a", "b"]))
    with pytest.raises(TypeError, match="complex"):
        model(np.array([1j, 2j]))
    with pytest.raises(TypeError, match="bool"):
        Neuron(1)(np.True_)  # as Neuron(1)(True): a bool is not an input


# ------------------------------------------------------------------------------ fit and accuracy
def same_training(model_a, model_b, history_a, history_b):
    assert history_a.loss == history_b.loss
    assert repr(history_a.accuracy) == repr(history_b.accuracy)  # repr: still exact, and mse's nan shows as nan
    assert all(type(v) is float for v in history_a.loss + history_a.accuracy)
    assert [p.data for p in model_a.parameters()] == [p.data for p in model_b.parameters()]
    assert [p.grad for p in model_a.parameters()] == [p.grad for p in model_b.parameters()]


@pytest.mark.slow
@pytest.mark.parametrize(
    "loss, signed, dtype", [("hinge", True, "int64"), ("bce", False, "int64"), ("mse", True, "float32")]
)
def test_fit_on_numpy_moons_equals_fit_on_lists(loss, signed, dtype):
    X, y = make_moons(30, seed=0, signed=signed)
    Xn, yn = np.array(X), np.array(y, dtype=dtype)  # as sklearn's make_moons gives them: (n, 2) float64, (n,)
    assert Xn.shape == (30, 2) and Xn.dtype == np.float64
    a, b = MLP(2, [16, 16, 1], seed=0), MLP(2, [16, 16, 1], seed=0)
    options = dict(steps=4, loss=loss, progress=False)
    same_training(a, b, fit(a, Xn, yn, **options), fit(b, X, y, **options))


@pytest.mark.parametrize("loss, signed", [("hinge", True), ("bce", False), ("mse", True)])
def test_fit_takes_a_column_of_targets_for_one_output_losses(loss, signed):
    X, y = make_moons(20, seed=3, signed=signed)
    column = np.array(y, dtype=np.float64).reshape(-1, 1)  # shape (n, 1), as scikit-learn users often have it
    a, b = MLP(2, [8, 1], seed=0), MLP(2, [8, 1], seed=0)
    options = dict(steps=3, loss=loss, progress=False)
    same_training(a, b, fit(a, np.array(X), column, **options), fit(b, X, y, **options))
    with pytest.raises(TypeError, match="targets must be plain numbers"):  # two columns stay refused
        fit(MLP(2, [8, 1], seed=0), X, np.hstack([column, column]), **options)


def test_fit_on_float32_inputs_and_int32_labels():
    X, y = make_moons(20, seed=1)
    X32 = np.array(X, dtype=np.float32)
    a, b = MLP(2, [8, 1], seed=0), MLP(2, [8, 1], seed=0)
    ha = fit(a, X32, np.array(y, dtype=np.int32), steps=3, progress=False)
    same_training(a, b, ha, fit(b, X32.tolist(), y, steps=3, progress=False))


def test_fit_cross_entropy_with_uint8_labels_and_numpy_options():
    X, y = make_spirals(30, classes=3, seed=0)
    a, b = MLP(2, [8, 3], seed=0), MLP(2, [8, 3], seed=0)
    numpy_options = dict(steps=np.int64(3), l2=np.float64(1e-3), batch_size=np.int32(10), seed=0)
    ha = fit(a, np.array(X), np.array(y, dtype=np.uint8), loss="cross_entropy", progress=False, **numpy_options)
    hb = fit(b, X, y, loss="cross_entropy", steps=3, l2=1e-3, batch_size=10, seed=0, progress=False)
    same_training(a, b, ha, hb)


def test_fit_on_a_list_of_numpy_rows_and_labels():
    X, y = make_moons(20, seed=2)
    a, b = MLP(2, [8, 1], seed=0), MLP(2, [8, 1], seed=0)
    ha = fit(a, list(np.array(X)), list(np.array(y)), steps=3, progress=False)
    same_training(a, b, ha, fit(b, X, y, steps=3, progress=False))


def test_accuracy_takes_numpy_targets():
    scores = [Value(s) for s in SCORES]
    for labels, loss in (([1, 1, -1, -1, -1], "hinge"), ([1, 1, 0, 0, 0], "bce")):
        for targets in (np.array(labels), np.array(labels, dtype=np.float32), list(np.array(labels))):
            result = accuracy(scores, targets, loss)
            assert result == accuracy(scores, labels, loss) == 0.6 and type(result) is float
    rows = [[Value(z) for z in row] for row in LOGITS]
    result = accuracy(rows, np.array([0, 0, 2, 1], dtype=np.uint8), "cross_entropy")
    assert result == 1.0 and type(result) is float


@pytest.mark.slow
def test_nn_neither_needs_nor_imports_numpy():
    # numpy is optional: with it blocked, nn imports, trains on lists and never asks for numpy
    code = (
        "import sys; sys.modules['numpy'] = None\n"
        "from nn import MLP, fit, make_moons\n"
        "X, y = make_moons(10, seed=0)\n"
        "print(len(fit(MLP(2, [4, 1], seed=0), X, y, steps=2, progress=False).loss))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "2"
