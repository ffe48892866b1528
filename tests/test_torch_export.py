"""to_torch / from_torch: for every model kind the exported module's outputs and every parameter's
gradient agree with ours to 1e-9 relative in float64, and ours -> torch -> ours is exact."""

import io
import math
import pickle
import random
import sys

import pytest

from autograd import Value, sum_of
from nn import (
    GPT,
    MLP,
    Layer,
    Module,
    Neuron,
    ResidualBlock,
    Sequential,
    from_torch,
    to_torch,
)
from nn.io import architecture, build
from nn.torch_export import exportable, parameter_map
from tests.model_zoo import every_model as zoo_models
from tests.model_zoo import sequence_models, vector_models

RTOL = 1e-9


def relative(a, b):
    """|a - b| / max(|a|, |b|), 0 when both are 0: the measure every parity check here uses."""
    largest = max(abs(a), abs(b))
    return 0.0 if largest == 0 else abs(a - b) / largest


def worst(ours, theirs):
    assert len(ours) == len(theirs)
    return max((relative(a, b) for a, b in zip(ours, theirs, strict=True)), default=0.0)


VECTOR = vector_models()


def perturb(model, seed=5):
    """Gains and biases start at 1 and 0: move them so their gradients are tested in general."""
    rng = random.Random(seed)
    for p in model.parameters():
        p.data += rng.uniform(-0.3, 0.3)
    return model


def compare_gradients(model, module):
    """The worst relative difference of any parameter's gradient, through the name mapping."""
    where = parameter_map(model)
    tensors = dict(module.named_parameters())
    ours, theirs = [], []
    for name, p in model.named_parameters():
        tensor, index = where[name]
        ours.append(p.grad)
        theirs.append(tensors[tensor].grad[index].item())
    return worst(ours, theirs)


@pytest.mark.parametrize("make, nin", [(m, n) for _, m, n in VECTOR], ids=[i for i, _, _ in VECTOR])
def test_vector_models_agree_in_outputs_and_every_gradient(make, nin):
    torch = pytest.importorskip("torch")
    model = perturb(make())
    rng = random.Random(0)
    batch = [[rng.uniform(-2, 2) for _ in range(nin)] for _ in range(4)]
    module = model.to_torch()
    x = torch.tensor(batch, dtype=torch.float64, requires_grad=True)
    out = module(x)
    assert out.dtype == torch.float64 and out.shape[0] == 4
    out = out.reshape(4, -1)  # a Neuron gives (batch,)
    upstream = [[rng.uniform(-1, 1) for _ in range(out.shape[1])] for _ in range(4)]
    (out * torch.tensor(upstream, dtype=torch.float64)).sum().backward()

    model.zero_grad()
    inputs = [[Value(v) for v in row] for row in batch]
    ours, terms = [], []
    for row, u in zip(inputs, upstream, strict=True):
        y = model(row)
        y = y if isinstance(y, list) else [y]
        ours.append([v.data for v in y])
        terms += [ui * yi for ui, yi in zip(u, y, strict=True)]
    sum_of(terms).backward()  # the same scalar loss on both sides

    assert worst([v for row in ours for v in row], out.flatten().tolist()) <= RTOL
    assert compare_gradients(model, module) <= RTOL
    assert worst([v.grad for row in inputs for v in row], x.grad.flatten().tolist()) <= RTOL


SEQUENCE = sequence_models()


@pytest.mark.parametrize("make", [m for _, m, _ in SEQUENCE], ids=[i for i, _, _ in SEQUENCE])
def test_sequence_models_agree_on_a_batch_of_sequences(make):
    torch = pytest.importorskip("torch")
    model = perturb(make())
    rng = random.Random(1)
    batch = [[[rng.uniform(-1, 1) for _ in range(8)] for _ in range(5)] for _ in range(3)]  # (batch, T, C)
    upstream = [[[rng.uniform(-1, 1) for _ in range(8)] for _ in range(5)] for _ in range(3)]
    module = model.to_torch()
    out = module(torch.tensor(batch, dtype=torch.float64))
    (out * torch.tensor(upstream, dtype=torch.float64)).sum().backward()
    model.zero_grad()
    ys = [model(seq) for seq in batch]
    sum_of(
        [
            u * y
            for ys_, us in zip(ys, upstream, strict=True)
            for yt, ut in zip(ys_, us, strict=True)
            for y, u in zip(yt, ut, strict=True)
        ]
    ).backward()
    assert worst([y.data for seq in ys for yt in seq for y in yt], out.flatten().tolist()) <= RTOL
    assert compare_gradients(model, module) <= RTOL


GPTS = [
    ("pre-rms-1", dict(norm="pre", norm_layer="rms", n_layer=1)),
    ("pre-rms-2", dict(norm="pre", norm_layer="rms", n_layer=2)),
    ("pre-layer-1", dict(norm="pre", norm_layer="layer", n_layer=1)),
    ("pre-layer-3", dict(norm="pre", norm_layer="layer", n_layer=3)),
    ("post-rms-1", dict(norm="post", norm_layer="rms", n_layer=1)),
    ("post-rms-2", dict(norm="post", norm_layer="rms", n_layer=2)),
    ("post-layer-1", dict(norm="post", norm_layer="layer", n_layer=1)),
    ("post-layer-2", dict(norm="post", norm_layer="layer", n_layer=2)),
    ("no-skips", dict(residual=False, n_layer=2)),
]
SEQUENCES = [[6, 1, 2, 3, 4, 6], [6, 4, 0, 5, 5, 6], [6, 2, 2, 2, 0, 1]]


@pytest.mark.slow
@pytest.mark.parametrize("options", [o for _, o in GPTS], ids=[i for i, _ in GPTS])
def test_gpt_agrees_in_logits_loss_and_every_gradient(options):
    torch = pytest.importorskip("torch")
    model = perturb(GPT(7, block_size=8, n_embd=8, n_head=2, seed=0, **options), seed=2)
    module = model.to_torch()
    logits = module(torch.tensor(SEQUENCES))
    assert tuple(logits.shape) == (3, 6, 7)
    ours = [v.data for seq in SEQUENCES for row in model(seq) for v in row]
    assert worst(ours, logits.flatten().tolist()) <= RTOL

    loss = sum_of([model.loss(seq) for seq in SEQUENCES]) * (1 / len(SEQUENCES))  # sequences of one length
    model.zero_grad()
    loss.backward()
    theirs = module.loss(torch.tensor(SEQUENCES))
    theirs.backward()
    assert relative(loss.data, theirs.item()) <= RTOL
    assert compare_gradients(model, module) <= RTOL


@pytest.mark.slow
def test_gpt_loss_of_one_sequence_is_nn_gpt_loss():
    torch = pytest.importorskip("torch")
    model = GPT(27, seed=0)
    module = model.to_torch()
    tokens = [26, 0, 13, 13, 0, 26]
    model.zero_grad()
    loss = model.loss(tokens)
    loss.backward()
    theirs = module.loss(torch.tensor(tokens))
    theirs.backward()
    assert theirs.dim() == 0 and relative(loss.data, theirs.item()) <= RTOL
    assert compare_gradients(model, module) <= RTOL
    # a list works as well as a tensor, and a (T,) input gives (T, vocab) logits
    assert module.loss(tokens).item() == theirs.item()
    assert tuple(module(tokens[:-1]).shape) == (5, 27)


@pytest.mark.slow
def test_gpt_generate_samples_what_ours_samples():
    pytest.importorskip("torch")
    model = perturb(GPT(7, block_size=6, n_embd=8, n_head=2, seed=0))
    module = model.to_torch()
    for temperature in (1.0, 0.5):
        assert module.generate(5, temperature=temperature, seed=3) == model.generate(5, temperature, seed=3)
    assert module.generate(2, seed=1, max_tokens=2) == model.generate(2, seed=1, max_tokens=2)
    with pytest.raises(ValueError, match=r"^generate\(temperature\): expected a number > 0, got 0$"):
        module.generate(1, temperature=0)


def test_gpt_refuses_bad_tokens():
    torch = pytest.importorskip("torch")
    module = GPT(7, block_size=4, n_embd=4, n_head=1, seed=0).to_torch()
    with pytest.raises(ValueError, match="block_size is 4"):
        module(torch.tensor([1, 2, 3, 4, 5]))
    with pytest.raises(ValueError, match=r"tokens must be in 0..6"):
        module(torch.tensor([1, 7]))
    with pytest.raises(ValueError, match="must be integers"):
        module(torch.tensor([1.0, 2.0]))
    with pytest.raises(ValueError, match="at least 2 tokens"):
        module.loss(torch.tensor([1]))


# ------------------------------------------------------------------------------ names and round trips
def every_model():
    """Every model of the zoo, freshly made."""
    return [make() for _, make in zoo_models()]


def test_every_nn_model_kind_is_exported():
    assert {type(m) for m in every_model()} == set(exportable())


@pytest.mark.slow
def test_ours_to_torch_to_ours_is_exact():
    pytest.importorskip("torch")
    for model in every_model():
        perturb(model)
        module = model.to_torch()
        back = from_torch(module)  # a new model, made from the architecture to_torch recorded
        assert type(back) is type(model) and back is not model
        assert back.state_dict() == model.state_dict()  # every float, bit for bit
        fresh = build(architecture(model))
        assert from_torch(module, fresh) is fresh and fresh.state_dict() == model.state_dict()


@pytest.mark.slow
def test_the_name_mapping_covers_every_parameter_once():
    torch = pytest.importorskip("torch")
    for model in every_model() + [MLP(2, [3, 1], seed=0)]:
        module = model.to_torch()
        where = parameter_map(model)
        assert list(where) == [name for name, _ in model.named_parameters()]
        assert len(set(where.values())) == len(where) == sum(t.numel() for t in module.parameters())
        tensors = dict(module.named_parameters())
        for name, p in model.named_parameters():
            tensor, index = where[name]
            assert tensors[tensor][index].item() == p.data
        assert all(t.dtype == torch.float64 and t.requires_grad for t in module.parameters())


def test_names_follow_our_attributes():
    pytest.importorskip("torch")
    where = parameter_map(GPT(27, seed=0))
    assert where["blocks.0.attn.wq.weight.3.5"] == ("blocks.0.attn.wq.weight", (3, 5))
    assert where["norm_f.gain.2"] == ("norm_f.gain", (2,))
    where = parameter_map(MLP(2, [4, 1], seed=0))
    assert where["layers.0.neurons.3.w.1"] == ("layers.0.weight", (3, 1))
    assert where["layers.1.neurons.0.b"] == ("layers.1.bias", (0,))
    assert parameter_map(Sequential(Neuron(2, seed=0)))["modules.0.b"] == ("0.bias", ())
    names = [n for n, _ in ResidualBlock(2, 3, seed=0).to_torch().named_parameters()]
    assert names == ["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias", "proj.weight"]


@pytest.mark.slow  # torch.optim's first step takes about 2 s
def test_training_in_torch_comes_back_exactly():
    torch = pytest.importorskip("torch")
    model = MLP(2, [4, 1], seed=0)
    module = model.to_torch()
    optimizer = torch.optim.SGD(module.parameters(), lr=0.1)
    x, y = (
        torch.tensor([[0.5, -1.0], [1.0, 2.0]], dtype=torch.float64),
        torch.tensor([[1.0], [-1.0]], dtype=torch.float64),
    )
    for _ in range(3):
        optimizer.zero_grad()
        ((module(x) - y) ** 2).mean().backward()
        optimizer.step()
    from_torch(module, model)
    where = parameter_map(model)
    tensors = dict(module.named_parameters())
    assert all(p.data == tensors[where[n][0]][where[n][1]].item() for n, p in model.named_parameters())


def test_float32_export_and_back():
    torch = pytest.importorskip("torch")
    model = perturb(MLP(3, [5, 2], seed=0))
    module = to_torch(model, dtype=torch.float32)
    assert all(t.dtype == torch.float32 for t in module.parameters())
    x = [[0.1, 0.2, 0.3]]
    ours = [v.data for v in model(x[0])]
    assert module(torch.tensor(x)).flatten().tolist() == pytest.approx(ours, rel=1e-5)
    assert module(x).dtype == torch.float32  # lists become tensors of the module's dtype
    back = from_torch(module)
    assert back.state_dict() == {n: float(torch.tensor(v, dtype=torch.float32)) for n, v in model.state_dict().items()}
    with pytest.raises(TypeError, match="floating dtype"):
        to_torch(model, dtype=torch.int64)


def test_a_pickled_export_loads_again():
    torch = pytest.importorskip("torch")
    module = GPT(7, block_size=4, n_embd=4, n_head=1, seed=0).to_torch()
    copy = pickle.loads(pickle.dumps(module))
    tokens = torch.tensor([6, 1, 2])
    assert torch.equal(copy(tokens), module(tokens))
    assert type(copy).__module__ == "nn.torch_twins" and type(copy).__name__ == "TorchGPT"
    # exports pickled before the twins moved to nn/torch_twins.py name them in nn.torch_export
    assert pickle.Unpickler(io.BytesIO(b"")).find_class("nn.torch_export", "TorchGPT") is type(copy)


# ------------------------------------------------------------------------------ refusals
def test_from_torch_refuses_a_module_that_does_not_fit_and_changes_nothing():
    pytest.importorskip("torch")
    model = MLP(2, [3, 1], seed=0)
    before = model.state_dict()
    with pytest.raises(ValueError, match=r"layers.0.weight has shape \(4, 2\)") as error:
        from_torch(MLP(2, [4, 1], seed=1).to_torch(), model)
    assert "nothing changed" in str(error.value)
    with pytest.raises(ValueError, match=r"missing layers.1.weight.*unexpected 0.weight"):
        from_torch(Sequential(Layer(2, 3, seed=0)).to_torch(), model)
    assert model.state_dict() == before


def test_from_torch_needs_the_model_when_no_architecture_was_recorded():
    torch = pytest.importorskip("torch")
    model = MLP(2, [3, 1], rng=random.Random(0))  # an rng cannot be written down
    module = model.to_torch()
    assert module.skipgrad_architecture is None
    with pytest.raises(ValueError, match=r"nn.from_torch\(module, model\)"):
        from_torch(module)
    assert from_torch(module, MLP(2, [3, 1], seed=5)).state_dict() == model.state_dict()
    with pytest.raises(ValueError, match="does not record a skipgrad architecture"):
        from_torch(torch.nn.Linear(2, 1))
    with pytest.raises(TypeError, match="expects a torch.nn.Module"):
        from_torch(model)


class Custom(Module):
    def __init__(self):
        self.layer = Layer(2, 1, seed=0)

    def parameters(self):
        return self.layer.parameters()


def test_only_nn_models_are_exported():
    pytest.importorskip("torch")
    with pytest.raises(TypeError, match="Custom is not one of them .*its own to_torch"):
        Custom().to_torch()

    class MyMLP(MLP):
        pass

    with pytest.raises(TypeError, match="MyMLP is not one of them"):
        to_torch(MyMLP(2, [1], seed=0))
    assert {c.__name__ for c in exportable()} >= {"MLP", "Layer", "Neuron", "ResidualBlock", "ResidualMLP", "GPT"}


def test_without_torch_the_error_says_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", None)  # `import torch` now raises ImportError
    for call in (lambda: MLP(2, [1], seed=0).to_torch(), lambda: from_torch(object())):
        with pytest.raises(ImportError, match=r"pip install torch==2\.13\.0"):
            call()


def test_parity_measure_is_relative():
    assert relative(0.0, 0.0) == 0.0 and relative(1.0, 1.0 + 1e-12) < 1e-11 and relative(1e-30, 0.0) == 1.0
    assert math.isclose(relative(2.0, 1.0), 0.5)


def test_parameter_maps_docstring_example():
    pytest.importorskip("torch")

    assert parameter_map(Layer(2, 1, seed=0)) == {
        "neurons.0.w.0": ("weight", (0, 0)),
        "neurons.0.w.1": ("weight", (0, 1)),
        "neurons.0.b": ("bias", (0,)),
    }
