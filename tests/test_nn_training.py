"""Losses and optimizers against PyTorch, toy data, fit(), and micrograd's demo reaching 100%."""

import inspect
import io
import math

import pytest

from autograd import Value
from nn import (
    MLP,
    SGD,
    Adam,
    ResidualMLP,
    binary_cross_entropy_with_logits,
    cross_entropy,
    fit,
    hinge_loss,
    l2_penalty,
    make_circles,
    make_moons,
    make_spirals,
    mse_loss,
)

LOGITS = [2.0, -0.5, 0.0, 30.0, -40.0]


def values(xs):
    return [Value(x) for x in xs]


def torch_grads(torch, fn, xs, *args):
    t = torch.tensor(xs, dtype=torch.float64, requires_grad=True)
    out = fn(t, *args)
    out.backward()
    return out.item(), t.grad.tolist()


def check_against_torch(ours, reference, xs, targets, torch_targets):
    torch = pytest.importorskip("torch")
    vs = values(xs)
    loss = ours(vs, targets)
    loss.backward()
    expected, expected_grads = torch_grads(torch, reference(torch), xs, torch_targets(torch))
    assert loss.data == pytest.approx(expected, rel=1e-12, abs=1e-15)
    assert [v.grad for v in vs] == pytest.approx(expected_grads, rel=1e-9, abs=1e-15)


def test_mse_against_torch():
    check_against_torch(
        mse_loss,
        lambda t: lambda x, y: t.nn.functional.mse_loss(x, y),
        LOGITS,
        [1.0, 0.0, -1.0, 2.0, 0.5],
        lambda t: t.tensor([1.0, 0.0, -1.0, 2.0, 0.5], dtype=t.float64),
    )


def test_bce_with_logits_against_torch_including_zero_and_extremes():
    targets = [1, 0, 1, 0, 1]
    check_against_torch(
        binary_cross_entropy_with_logits,
        lambda t: lambda x, y: t.nn.functional.binary_cross_entropy_with_logits(x, y),
        LOGITS,
        targets,
        lambda t: t.tensor(targets, dtype=t.float64),
    )


def test_hinge_against_torch():
    targets = [1, -1, 1, -1, -1]
    check_against_torch(
        hinge_loss,
        lambda t: lambda x, y: t.relu(1 - y * x).mean(),
        LOGITS,
        targets,
        lambda t: t.tensor(targets, dtype=t.float64),
    )


def test_cross_entropy_batch_and_single_against_torch():
    torch = pytest.importorskip("torch")
    rows = [[1.0, 2.0, 3.0], [500.0, -500.0, 0.0], [0.1, 0.1, 0.1]]
    labels = [2, 1, 0]
    vs = [values(r) for r in rows]
    loss = cross_entropy(vs, labels)
    loss.backward()
    t = torch.tensor(rows, dtype=torch.float64, requires_grad=True)
    ref = torch.nn.functional.cross_entropy(t, torch.tensor(labels))
    ref.backward()
    assert loss.data == pytest.approx(ref.item(), rel=1e-12)
    assert [v.grad for row in vs for v in row] == pytest.approx(t.grad.flatten().tolist(), rel=1e-9, abs=1e-15)
    single = cross_entropy(values(rows[0]), 2)
    assert single.data == pytest.approx(0.4076059644443806, rel=1e-12)


@pytest.mark.parametrize(
    "call, words",
    [
        (lambda: mse_loss([Value(1.0)], [1.0, 2.0]), "1 predictions but 2 targets"),
        (lambda: mse_loss([], []), "no predictions"),
        (lambda: hinge_loss([Value(1.0)], [0]), r"-1 or \+1"),
        (lambda: binary_cross_entropy_with_logits([Value(1.0)], [-1]), "0 or 1"),
        (lambda: cross_entropy(values([1.0, 2.0]), 2), "not a class index in 0..1"),
        (lambda: cross_entropy([values([1.0, 2.0])], [0, 1]), "1 rows of logits but 2 targets"),
        (lambda: cross_entropy(values([1.0, 2.0]), [0, 1]), "a batch needs a list of logit rows"),
    ],
)
def test_bad_shapes_and_labels_are_named(call, words):
    with pytest.raises(ValueError, match=words):
        call()


@pytest.mark.parametrize(
    "call, words",
    [
        (lambda: cross_entropy(values([1.0, 2.0]), 0.5), "targets must be a class index or a list"),  # type: ignore[arg-type]
        (lambda: mse_loss([Value(1.0)], [Value(1.0)]), "targets must be plain numbers"),  # type: ignore[list-item]
    ],
)
def test_targets_of_the_wrong_kind_are_type_errors(call, words):
    with pytest.raises(TypeError, match=words):
        call()


def test_l2_penalty():
    ps = values([1.0, -2.0, 3.0])
    assert l2_penalty(ps, alpha=0.5).data == 7.0


def run_torch_optimizer(torch, make, steps=5):
    p = torch.tensor([1.0, -2.0, 0.5], dtype=torch.float64, requires_grad=True)
    opt = make([p])
    for _ in range(steps):
        opt.zero_grad()
        (p**3).sum().backward()
        opt.step()
    return p.tolist()


def run_ours(make, steps=5):
    ps = values([1.0, -2.0, 0.5])
    opt = make(ps)
    for _ in range(steps):
        opt.zero_grad()
        for p in ps:
            (p**3).backward()
        opt.step()
    return [p.data for p in ps]


@pytest.mark.slow  # torch.optim's first step takes about 2 s
def test_sgd_with_momentum_and_weight_decay_matches_torch():
    torch = pytest.importorskip("torch")
    ours = run_ours(lambda ps: SGD(ps, lr=0.05, momentum=0.9, weight_decay=0.01))
    theirs = run_torch_optimizer(torch, lambda ps: torch.optim.SGD(ps, lr=0.05, momentum=0.9, weight_decay=0.01))
    assert ours == pytest.approx(theirs, rel=1e-12)


@pytest.mark.slow  # torch.optim's first step takes about 2 s
def test_adam_matches_torch():
    torch = pytest.importorskip("torch")
    ours = run_ours(lambda ps: Adam(ps, lr=0.1))
    theirs = run_torch_optimizer(torch, lambda ps: torch.optim.Adam(ps, lr=0.1))
    assert ours == pytest.approx(theirs, rel=1e-10)


def test_learning_rate_may_be_a_function_of_the_step():
    p = Value(0.0)
    seen = []

    def lr(k: int) -> float:
        seen.append(k)
        return 1.0 - 0.9 * k / 100

    opt = SGD([p], lr=lr)
    for _ in range(3):
        p.grad = 1.0
        opt.step()
    assert seen == [0, 1, 2] and p.data == pytest.approx(-(1.0 + 0.991 + 0.982))
    with pytest.raises(ValueError, match=r"^SGD\(lr\): expected a number > 0 or a function of the step, got -1$"):
        SGD([p], lr=-1)
    with pytest.raises(TypeError, match=r"^SGD\(params\): expected Values, got float 1.0$"):
        SGD([1.0], lr=0.1)  # type: ignore[list-item]


@pytest.mark.parametrize("make", [make_moons, make_circles])
def test_two_class_sets_are_balanced_and_reproducible(make):
    X, y = make(100, seed=3)
    assert len(X) == 100 and all(len(row) == 2 for row in X)
    assert y.count(1) == 50 and y.count(-1) == 50
    assert make(100, seed=3) == (X, y) and make(100, seed=4) != (X, y)
    _, y01 = make(100, seed=3, signed=False)
    assert sorted(set(y01)) == [0, 1]
    with pytest.raises(ValueError, match="n must be"):
        make(1)


def test_spirals_have_class_indices():
    X, y = make_spirals(90, classes=3, seed=0)
    assert len(X) == 90 and [y.count(k) for k in range(3)] == [30, 30, 30]


@pytest.mark.slow
def test_micrograd_demo_reaches_full_training_accuracy(micrograd_demo):
    """The README's moons example is micrograd's demo (fit's defaults: max-margin loss, 1e-4 L2); its
    training runs once per session, for this test and for test_readme."""
    defaults = inspect.signature(fit).parameters
    assert defaults["loss"].default == "hinge" and defaults["l2"].default == 1e-4
    assert defaults["steps"].default == 100 and defaults["optimizer"].default is None  # SGD, lr 1.0 -> 0.1
    X, y, model, history = (micrograd_demo[name] for name in ("X", "y", "model", "history"))
    assert (X, y) == make_moons(100, noise=0.1, seed=1337)
    assert [len(layer.neurons) for layer in model.layers] == [16, 16, 1] and len(model.parameters()) == 337
    assert history.accuracy[-1] == 1.0
    assert history.loss[-1] < history.loss[0] / 10
    assert len(history.loss) == len(history.accuracy) == 100


@pytest.mark.slow
def test_fit_with_cross_entropy_adam_and_batches():
    X, y = make_spirals(60, classes=3, noise=0.1, seed=0)
    model = ResidualMLP(2, 8, 1, nout=3, seed=0)
    history = fit(
        model,
        X,
        y,
        steps=60,
        loss="cross_entropy",
        optimizer=Adam(model.parameters(), lr=0.05),
        batch_size=30,
        seed=0,
        progress=False,
    )
    assert history.loss[-1] < 0.2 * history.loss[0]  # measured: 1.278 -> 0.152
    assert history.accuracy[0] < 0.5 and history.accuracy[-1] > 0.85  # chance is 1/3; measured 0.2 -> 0.93


def test_fit_is_quiet_when_not_a_terminal(monkeypatch):
    err = io.StringIO()  # not a TTY
    monkeypatch.setattr("sys.stderr", err)
    X, y = make_moons(10, seed=0)
    fit(MLP(2, [4, 1], seed=0), X, y, steps=2)
    assert err.getvalue() == ""


def test_fit_shows_a_progress_bar_when_asked(monkeypatch):
    pytest.importorskip("tqdm")
    err = io.StringIO()
    monkeypatch.setattr("sys.stderr", err)
    X, y = make_moons(10, seed=0)
    fit(MLP(2, [4, 1], seed=0), X, y, steps=3, progress=True)
    assert "training" in err.getvalue() and "3/3" in err.getvalue()


def test_fit_rejects_mismatched_data_and_unknown_losses():
    with pytest.raises(ValueError, match="3 inputs but 2 targets"):
        fit(MLP(2, [1]), [[0, 0]] * 3, [1, -1], progress=False)
    with pytest.raises(ValueError, match=r"fit\(loss\): expected one of .* or a function, got .l1."):
        fit(MLP(2, [1]), [[0, 0]], [1], loss="l1", progress=False)
    assert math.isnan(fit(MLP(2, [1], seed=0), [[0.0, 1.0]], [1.0], loss="mse", steps=1, progress=False).accuracy[0])


def test_accuracy_refuses_predictions_and_targets_of_different_lengths():
    from autograd import Value
    from nn import accuracy

    with pytest.raises(ValueError, match="accuracy: 2 predictions but 3 targets"):
        accuracy([Value(1.0), Value(-1.0)], [1, 1, 1])
