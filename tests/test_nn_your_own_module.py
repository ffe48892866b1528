"""A Module of your own, made of nn parts: its parameters are found by the attribute walk, fit trains
it, nn.save/nn.load keep it (registered, or with classes=), and to_torch exports it once it says
what its twin is, or says exactly what to do."""

from __future__ import annotations

import math
from typing import Any

import pytest

import nn
from autograd import Value
from nn import Layer, Linear, Module, fit, load, make_moons, save, to_torch


class TwoPaths(Module):
    """y = head(relu(body(x))) * scale + sum of the side layers' outputs: parts in an attribute, in a
    list, and a Value of its own."""

    def __init__(self, nin: int, seed: int = 0) -> None:
        self.body = Layer(nin, 4, seed=seed)
        self.head = Linear(4, 1, seed=seed + 1)
        self.sides = [Layer(nin, 1, activation=a, seed=seed + 2 + i) for i, a in enumerate(("linear", "tanh"))]
        self.scale = Value(0.5)

    def __call__(self, x: Any) -> Value:
        y = self.head(self.body(x))[0] * self.scale
        for side in self.sides:
            y = y + side(x)
        return y


class Registered(TwoPaths, register=True):
    """The same, registered: nn.load knows it without classes=."""


def test_its_parameters_are_found_in_attribute_order():
    model = TwoPaths(2)
    names = [name for name, _ in model.named_parameters()]
    assert names[0] == "body.neurons.0.w.0" and names[-1] == "scale"
    assert len(names) == 4 * 3 + 4 + 3 + 3 + 1 == len(model.parameters())
    assert [p for _, p in model.named_parameters()] == model.parameters()
    assert any(n.startswith("head.weight.0.") for n in names) and "sides.1.neurons.0.b" in names


def test_fit_trains_it():
    X, y = make_moons(30, seed=0)
    model = TwoPaths(2)
    before = [p.data for p in model.parameters()]
    history = fit(model, X, y, steps=5, progress=False)
    assert len(history.loss) == 5 and math.isfinite(history.loss[-1])
    assert [p.data for p in model.parameters()] != before


def test_save_and_load_round_trip_it_with_classes_or_registration(tmp_path):
    model = TwoPaths(2, seed=3)
    model.scale.data = -1.25
    save(model, tmp_path / "mine.json")
    with pytest.raises(ValueError, match=r"classes=\[TwoPaths\]"):
        load(tmp_path / "mine.json")
    again = load(tmp_path / "mine.json", classes=[TwoPaths])
    assert again.state_dict() == model.state_dict() and again([0.3, -0.2]).data == model([0.3, -0.2]).data
    registered = Registered(2, seed=4)
    save(registered, tmp_path / "registered.json")
    assert load(tmp_path / "registered.json").state_dict() == registered.state_dict()
    assert "Registered" not in nn.module.NN_CLASSES  # nn's own names stay nn's


def test_to_torch_says_what_to_do_and_then_exports_it_exactly():
    torch = pytest.importorskip("torch")
    model = TwoPaths(2)
    with pytest.raises(TypeError, match=r"TwoPaths is not one of them.*torch_twin\(self, twins, part\)"):
        to_torch(model)

    TorchModule: Any = torch.nn.Module  # torch is optional: typed Any

    class TorchTwoPaths(TorchModule):
        def __init__(self, body: Any, head: Any, sides: list) -> None:
            super().__init__()
            self.body, self.head, self.sides = body, head, torch.nn.ModuleList(sides)
            self.scale = torch.nn.Parameter(torch.zeros((), dtype=torch.float64))

        def forward(self, x: Any) -> Any:
            y = self.head(self.body(x))[..., 0] * self.scale
            for side in self.sides:
                y = y + side(x)[..., 0]
            return y

    class Exported(TwoPaths):
        def torch_twin(self, twins: Any, part: Any) -> Any:
            return TorchTwoPaths(part(self.body), part(self.head), [part(s) for s in self.sides])

    model = Exported(2, seed=5)
    model.scale.data = 0.75
    module = model.to_torch()
    assert dict(nn.torch_export.parameter_map(model))["scale"] == ("scale", ())
    for x in ([0.3, -0.2], [1.5, 2.0], [-1.0, 0.1]):
        assert module(torch.tensor(x, dtype=torch.float64)).item() == pytest.approx(model(x).data, abs=1e-9)
    back = nn.from_torch(module, Exported(2, seed=9))
    assert back.state_dict() == model.state_dict()


def test_a_twin_that_leaves_a_part_out_is_refused():
    torch = pytest.importorskip("torch")

    class Forgetful(TwoPaths):
        def torch_twin(self, twins: Any, part: Any) -> Any:
            return torch.nn.ModuleList([part(self.body)])

    with pytest.raises(TypeError, match=r"not exported.*torch_twin leave a part out"):
        Forgetful(2).to_torch()
