"""State dicts and model files: exact round trips for every model kind and for a class of your own,
and clear refusals (that change nothing) for everything else."""

import json
import math
import random
import sys

import pytest

from autograd import Value, sum_of
from nn import (
    GPT,
    MLP,
    CausalSelfAttention,
    Embedding,
    FeedForward,
    Layer,
    LayerNorm,
    Module,
    Neuron,
    RMSNorm,
    Sequential,
    TransformerBlock,
    load,
    save,
)
from nn.io import NN_CLASSES, VERSION, architecture
from tests.model_zoo import every_model

TRICKY = [0.1 + 0.2, 5e-324, 2.2250738585072014e-308, -0.0, 1.7976931348623157e308, -1 / 3, 1e-310, 123456789.125]


def models():
    """(id, a function making the model) for every nn model kind, in the variants that change its layout."""
    return every_model()


def trained(model, tricky=False):
    """Change every weight, as training would, so that a round trip cannot pass by re-seeding; with
    `tricky`, the first weights are floats whose repr is easy to get wrong (too large to compute with)."""
    rng = random.Random(7)
    for i, p in enumerate(model.parameters()):
        p.data = TRICKY[i] if tricky and i < len(TRICKY) else p.data + rng.uniform(-0.5, 0.5)
    return model


def outputs(model):
    """What the model computes on a fixed input, as floats (to compare two models exactly)."""
    if isinstance(model, GPT):
        return [v.data for row in model([model.bos, 1, 2]) for v in row]
    if isinstance(model, Embedding):
        return [v.data for v in model(2)]
    if isinstance(model, (CausalSelfAttention, TransformerBlock)):
        rows = [[0.5, -1.0, 0.25, 2.0] * 2, [1.0, 0.0, -0.5, 0.3] * 2]
        return [v.data for row in model([row[: model.n_embd] for row in rows]) for v in row]
    out = model([0.1 * (i + 1) * (-1) ** i for i in range(_input_size(model))])
    return [v.data for v in (out if isinstance(out, list) else [out])]


def _input_size(model):
    if isinstance(model, Neuron):
        return len(model.w)
    if isinstance(model, Sequential):
        return _input_size(model.modules[0])
    if isinstance(model, FeedForward):
        return model.fc1.nin
    if isinstance(model, (RMSNorm, LayerNorm)):
        return model.dim
    return model.nin


# ------------------------------------------------------------------------------ state dicts
def test_state_dict_uses_named_parameters_names_in_parameter_order():
    model = MLP(2, [3, 1], seed=0)
    state = model.state_dict()
    assert list(state) == [name for name, _ in model.named_parameters()]
    assert list(state.values()) == [p.data for p in model.parameters()]
    assert list(state)[:4] == [
        "layers.0.neurons.0.w.0",
        "layers.0.neurons.0.w.1",
        "layers.0.neurons.0.b",
        "layers.0.neurons.1.w.0",
    ]
    assert all(type(v) is float for v in state.values())
    assert "blocks.0.attn.wq.weight.3.5" in GPT(27, seed=0).state_dict()


def test_load_state_dict_copies_every_float_exactly_and_leaves_gradients():
    source, target = trained(MLP(2, [3, 2], seed=0), tricky=True), MLP(2, [3, 2], seed=1)
    for p in target.parameters():
        p.grad = 0.5
    target.load_state_dict(source.state_dict())
    assert target.state_dict() == source.state_dict()
    assert [math.copysign(1, p.data) for p in target.parameters()] == [
        math.copysign(1, p.data) for p in source.parameters()
    ]
    assert all(p.grad == 0.5 for p in target.parameters())


def test_load_state_dict_takes_numbers_of_any_real_kind():
    np = pytest.importorskip("numpy")
    model = Neuron(3, seed=0)
    model.load_state_dict({"w.0": 1, "w.1": np.float32(0.5), "w.2": np.array(2.0), "b": np.int64(-3)})
    assert [p.data for p in model.parameters()] == [1.0, 0.5, 2.0, -3.0]
    assert all(type(p.data) is float for p in model.parameters())


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda s: s.pop("layers.1.neurons.0.b"), r"missing 1 key\(s\): layers.1.neurons.0.b"),
        (
            lambda s: s.update({"layers.2.neurons.0.b": 1.0, "extra": 2.0}),
            r"unexpected 2 key\(s\): layers.2.neurons.0.b, extra",
        ),
        (
            lambda s: s.update({"layers.0.neurons.0.w.0": float("nan")}),
            r"not a finite real number: layers.0.neurons.0.w.0=nan",
        ),
        (lambda s: s.update({"layers.0.neurons.0.b": float("inf")}), "layers.0.neurons.0.b=inf"),
        (lambda s: s.update({"layers.0.neurons.0.b": "0.5"}), "layers.0.neurons.0.b='0.5'"),
        (lambda s: s.update({"layers.0.neurons.0.b": 1j}), "layers.0.neurons.0.b=1j"),
        (lambda s: s.update({"layers.0.neurons.0.b": None}), "layers.0.neurons.0.b=None"),
        (lambda s: s.update({"layers.0.neurons.0.b": True}), "layers.0.neurons.0.b=True"),
    ],
)
def test_load_state_dict_refuses_and_changes_nothing(change, message):
    model = MLP(2, [3, 1], seed=0)
    before = model.state_dict()
    state = {name: value + 1.0 for name, value in before.items()}  # every other value would be a change
    change(state)
    with pytest.raises(ValueError, match=message) as error:
        model.load_state_dict(state)
    assert "nothing was changed" in str(error.value)
    assert model.state_dict() == before


def test_load_state_dict_lists_every_problem_at_once():
    model = Neuron(2, seed=0)
    with pytest.raises(ValueError) as error:
        model.load_state_dict({"w.0": float("nan"), "bogus": 1.0})
    text = str(error.value)
    assert "missing 2 key(s): w.1, b" in text and "unexpected 1 key(s): bogus" in text and "w.0=nan" in text


def test_load_state_dict_needs_a_mapping():
    with pytest.raises(TypeError, match=r"load_state_dict\(state\): expected a dict of names to numbers, got list"):
        Neuron(2, seed=0).load_state_dict([("w.0", 1.0)])  # type: ignore[arg-type]


# ------------------------------------------------------------------------------ files
@pytest.mark.parametrize("make", [m for _, m in models()], ids=[i for i, _ in models()])
def test_save_and_load_give_the_same_model_exactly(make, tmp_path):
    path = tmp_path / "model.json"
    model = trained(make(), tricky=True)
    save(model, path)
    again = load(path)
    assert type(again) is type(model) and repr(again) == repr(model) and again.name == model.name
    assert again.state_dict() == model.state_dict()
    signs = [math.copysign(1, v) for v in model.state_dict().values()]
    assert [math.copysign(1, v) for v in again.state_dict().values()] == signs  # -0.0 stays -0.0
    model = trained(make())
    save(model, path)
    assert outputs(load(path)) == outputs(model)


def test_every_nn_model_kind_is_tested_and_allowed():
    tested = {type(make()).__name__ for _, make in models()}
    assert tested == set(NN_CLASSES)


def test_the_file_is_readable_json_with_format_version_architecture_and_weights(tmp_path):
    model = trained(MLP(2, [3, 1], seed=0), tricky=True)
    save(model, tmp_path / "m.json")
    text = (tmp_path / "m.json").read_text()
    data = json.loads(text)
    assert data["format"] == "skipgrad-model" and data["version"] == VERSION == 1
    assert data["architecture"] == {"class": "MLP", "module": "nn.module", "args": [2, [3, 1]], "kwargs": {"seed": 0}}
    assert list(data["weights"].values())[: len(TRICKY)] == TRICKY
    assert '"layers.0.neurons.0.w.0": 0.30000000000000004' in text  # one weight per line, readable
    assert [p.name for p in tmp_path.iterdir()] == ["m.json"]  # no temporary file left behind


def test_nested_modules_tuples_and_dicts_are_saved_as_tagged_objects():
    seq = Sequential(Layer(2, 3, seed=0), MLP(3, (2, 1), seed=1))
    arch = architecture(seq)
    assert arch["args"][0] == {
        "module": {"class": "Layer", "module": "nn.module", "args": [2, 3], "kwargs": {"seed": 0}}
    }
    assert arch["args"][1]["module"]["args"] == [3, {"tuple": [2, 1]}]


def test_a_model_made_without_a_seed_round_trips_and_load_keeps_the_global_random_state(tmp_path):
    random.seed(1337)
    model = MLP(2, [4, 1])
    save(model, tmp_path / "m.json")
    state = random.getstate()
    again = load(tmp_path / "m.json")
    assert random.getstate() == state
    assert again.state_dict() == model.state_dict()


@pytest.mark.slow
def test_a_trained_gpt_round_trips(tmp_path):
    from nn import Characters, train_gpt

    words = ["anna", "bob", "cecil", "dana"]
    chars = Characters(words)
    model = GPT(chars.vocab_size, block_size=8, n_embd=8, n_head=2, seed=0)
    train_gpt(model, words, steps=3, progress=False)
    save(model, tmp_path / "gpt.json")
    again = load(tmp_path / "gpt.json")
    assert isinstance(again, GPT) and again.state_dict() == model.state_dict()
    tokens = chars.encode("anna")
    assert again.loss(tokens).data == model.loss(tokens).data
    assert again.generate(3, seed=1) == model.generate(3, seed=1)


# ------------------------------------------------------------------------------ your own classes
class TwoHeads(Module):
    """A user's model: an MLP body and two linear heads, with options of its own."""

    def __init__(self, nin, hidden=4, *, scale=1.0, seed=0):
        self.body = MLP(nin, [hidden], seed=seed)
        self.heads = [Layer(hidden, 1, activation="linear", seed=seed + i) for i in range(2)]
        self.scale = scale

    def __call__(self, x):
        h = self.body(x)
        return [head(h) * self.scale for head in self.heads]

    def parameters(self):
        return self.body.parameters() + [p for head in self.heads for p in head.parameters()]


class Wrapper(Module):
    """A user's module that takes another module as an argument."""

    def __init__(self, inner):
        self.inner = inner

    def __call__(self, x):
        return self.inner(x)

    def parameters(self):
        return self.inner.parameters()


def test_your_own_class_needs_classes_and_then_round_trips(tmp_path):
    model = trained(TwoHeads(3, hidden=5, scale=0.5, seed=2))
    save(model, tmp_path / "mine.json")
    with pytest.raises(ValueError, match=r"TwoHeads .*pass the class: nn.load\(path, classes=\[TwoHeads\]\)"):
        load(tmp_path / "mine.json")
    again = load(tmp_path / "mine.json", classes=[TwoHeads])
    assert type(again) is TwoHeads and again.scale == 0.5
    assert again.state_dict() == model.state_dict()
    assert [v.data for v in again([0.1, 0.2, 0.3])] == [v.data for v in model([0.1, 0.2, 0.3])]


def test_your_own_classes_nested_in_nn_models_and_nn_models_in_yours(tmp_path):
    model = trained(Sequential(Wrapper(MLP(2, [3], seed=0)), Wrapper(Wrapper(Layer(3, 1, seed=1)))))
    save(model, tmp_path / "nested.json")
    with pytest.raises(ValueError, match=r"classes=\[Wrapper\]"):
        load(tmp_path / "nested.json")
    again = load(tmp_path / "nested.json", classes=[Wrapper])
    assert again.state_dict() == model.state_dict()
    assert again([0.5, -0.5]).data == model([0.5, -0.5]).data


def test_classes_must_be_module_subclasses(tmp_path):
    save(Neuron(2, seed=0), tmp_path / "n.json")
    with pytest.raises(TypeError, match="nn.Module subclasses"):
        load(tmp_path / "n.json", classes=[dict])


def test_nothing_named_in_a_file_is_imported(tmp_path):
    arch: dict = {"class": "system", "module": "skipgrad_test_never_imported", "args": ["echo hi"], "kwargs": {}}
    path = tmp_path / "evil.json"
    path.write_text(json.dumps({"format": "skipgrad-model", "version": 1, "architecture": arch, "weights": {}}))
    with pytest.raises(ValueError, match=r"not one of nn's classes.*classes=\[system\]"):
        load(path)
    assert "skipgrad_test_never_imported" not in sys.modules
    # an nn class name from another module is not nn's class either
    arch = {"class": "MLP", "module": "os", "args": [2, [1]], "kwargs": {}}
    path.write_text(json.dumps({"format": "skipgrad-model", "version": 1, "architecture": arch, "weights": {}}))
    with pytest.raises(ValueError, match=r"classes=\[MLP\]"):
        load(path)


# ------------------------------------------------------------------------------ refusals at save time
def test_save_refuses_arguments_json_cannot_hold(tmp_path):
    path = tmp_path / "m.json"
    with pytest.raises(ValueError, match=r"MLP argument rng=: Random .*make the model with seed= instead"):
        save(MLP(2, [3], rng=random.Random(0)), path)
    with pytest.raises(ValueError, match=r"Sequential argument 1 \(Layer\) argument rng=: Random"):
        save(Sequential(Layer(2, 3, seed=0), Layer(3, 1, rng=random.Random(0))), path)
    with pytest.raises(ValueError, match=r"argument 1: inf cannot be saved"):
        save(_with_function(math.inf), path)
    with pytest.raises(ValueError, match="a function cannot be saved"):
        save(_with_function(), path)
    assert not path.exists()


def _with_function(fn=abs):
    class Scaled(Wrapper):
        def __init__(self, inner, fn):
            super().__init__(inner)
            self.fn = fn

    return Scaled(Neuron(2, seed=0), fn)


def test_save_refuses_a_model_changed_after_it_was_made(tmp_path):
    model = MLP(2, [3, 1], seed=0)
    model.layers.append(Layer(1, 1, seed=0))
    with pytest.raises(ValueError, match=r"changed after it was made"):
        save(model, tmp_path / "m.json")
    assert not (tmp_path / "m.json").exists()


def test_a_failed_save_keeps_the_old_file(tmp_path):
    path = tmp_path / "m.json"
    save(Neuron(2, seed=0), path)
    before = path.read_text()
    with pytest.raises(ValueError):
        save(MLP(2, [3], rng=random.Random(0)), path)
    assert path.read_text() == before


# ------------------------------------------------------------------------------ refusals at load time
def _file(tmp_path, text):
    path = tmp_path / "bad.json"
    path.write_text(text) if isinstance(text, str) else path.write_bytes(text)
    return path


def _good(tmp_path):
    save(trained(MLP(2, [3, 1], seed=0)), tmp_path / "good.json")
    return json.loads((tmp_path / "good.json").read_text())


@pytest.mark.parametrize("cut", [0, 1, 10, 100, 0.5, -3])
def test_a_truncated_file_is_a_value_error(tmp_path, cut):
    save(MLP(2, [3, 1], seed=0), tmp_path / "good.json")
    text = (tmp_path / "good.json").read_text()
    keep = int(len(text) * cut) if isinstance(cut, float) else cut
    with pytest.raises(ValueError, match="not a complete JSON document"):
        load(_file(tmp_path, text[:keep]))


def test_a_newer_version_is_a_value_error_saying_so(tmp_path):
    data = _good(tmp_path)
    data["version"] = VERSION + 1
    with pytest.raises(ValueError, match=r"newer skipgrad \(file format version 2; this one reads version 1\)"):
        load(_file(tmp_path, json.dumps(data)))


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda d: d.update(format="something-else"), "is not a skipgrad model file"),
        (lambda d: d.pop("format"), "is not a skipgrad model file"),
        (lambda d: d.update(version="1"), "version must be a positive int"),
        (lambda d: d.update(version=0), "version must be a positive int"),
        (lambda d: d.pop("weights"), r'"weights" is missing'),
        (lambda d: d.update(architecture=[1]), r'"architecture" is missing or not a JSON object'),
        (lambda d: d["architecture"].pop("kwargs"), "an architecture has keys class, module, args, kwargs"),
        (lambda d: d["architecture"].update(args=[2, {"set": [3]}]), "must be one of tuple, dict, module"),
        (lambda d: d["architecture"].update(args=[2, {"tuple": 3}]), "a tuple holds a int"),
        (lambda d: d["architecture"].update(args=[-1, [3, 1]]), r"made from the saved arguments: MLP\(nin"),
        (lambda d: d["architecture"].update(args=[2, [3, 2]]), r"do not fit the architecture: .*missing 4 key"),
        (lambda d: d["weights"].pop("layers.0.neurons.2.b"), r"missing 1 key\(s\): layers.0.neurons.2.b"),
        (lambda d: d["weights"].update({"layers.0.neurons.0.b": "x"}), "not a finite real number"),
    ],
)
def test_a_corrupt_file_is_a_value_error_naming_the_problem(tmp_path, change, message):
    data = _good(tmp_path)
    change(data)
    with pytest.raises(ValueError, match=message):
        load(_file(tmp_path, json.dumps(data)))


def test_nan_and_infinity_in_a_file_are_refused(tmp_path):
    text = json.dumps(_good(tmp_path))
    name = '"layers.0.neurons.0.b": '
    start = text.index(name) + len(name)
    end = text.index(",", start)
    for constant in ("NaN", "Infinity", "-Infinity"):
        with pytest.raises(ValueError, match=f"{constant} is not a finite number"):
            load(_file(tmp_path, text[:start] + constant + text[end:]))


def test_not_text_and_not_json_are_value_errors(tmp_path):
    with pytest.raises(ValueError, match="not UTF-8"):
        load(_file(tmp_path, b"\xff\xfe\x00garbage"))
    with pytest.raises(ValueError, match="not a skipgrad model file"):
        load(_file(tmp_path, "[1, 2, 3]"))
    with pytest.raises(FileNotFoundError):
        load(tmp_path / "missing.json")


def test_values_round_trip_through_the_models_own_arithmetic(tmp_path):
    """A loaded model trains on exactly as the original does (same data, same gradients)."""
    model = trained(MLP(2, [3, 1], seed=0))
    save(model, tmp_path / "m.json")
    again = load(tmp_path / "m.json")
    for m in (model, again):
        loss = sum_of([(m([x, -x]) - 1.0) ** 2 for x in (0.5, 1.5)])
        loss.backward()
    assert [p.grad for p in again.parameters()] == [p.grad for p in model.parameters()]
    assert isinstance(again.parameters()[0], Value)


def test_save_refuses_weights_that_are_not_finite(tmp_path):
    model = Neuron(2, seed=0)
    with pytest.raises(ValueError, match=r"^Value.data: nan is not a finite number$"):
        model.w[1].data = float("nan")  # the setter refuses it; save checks again, for a weight set behind its back
    model.w[1]._data = float("nan")
    with pytest.raises(ValueError, match=r"not finite: w.1=nan"):
        save(model, tmp_path / "n.json")
    assert list(tmp_path.iterdir()) == []


def test_the_file_gets_the_permissions_of_any_new_file(tmp_path):
    save(Neuron(2, seed=0), tmp_path / "n.json")
    (tmp_path / "plain.txt").write_text("x")
    assert (tmp_path / "n.json").stat().st_mode == (tmp_path / "plain.txt").stat().st_mode
