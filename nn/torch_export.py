"""From skipgrad to PyTorch and back: `to_torch(model)` and `from_torch(module)`.

`to_torch(model)` returns a `torch.nn.Module` that computes exactly what `model` computes (the same
formulas, written with tensors), with the same parameters, in float64 unless `dtype=` says otherwise.
`from_torch(module)` copies its weights back into a skipgrad model; ours -> torch -> ours gives the
same floats, bit for bit (in float64).

The batch convention: a tensor's last axis is what our model takes as a list, and any leading axes
are a batch (a 1-D tensor is one example, as for `torch.nn.Linear`).

    Neuron                 (..., nin) -> (...)
    Layer, MLP, ResidualBlock, ResidualMLP, Linear, FeedForward, norms
                           (..., nin) -> (..., nout)       (nout = 1 gives (..., 1), not a scalar)
    Sequential             torch.nn.Sequential of the parts' exports
    CausalSelfAttention, TransformerBlock
                           (..., T, n_embd) -> (..., T, n_embd)
    Embedding              LongTensor (...) -> (..., dim)
    GPT                    LongTensor (batch, T) or (T,) -> logits (batch, T, vocab) or (T, vocab);
                           `.loss(tokens)` is nn.GPT.loss's mean cross-entropy of predicting
                           tokens[..., 1:] from tokens[..., :-1] (for a batch, the mean over every
                           prediction in it), `.generate(n, temperature, seed)` samples as nn.GPT does.

Parameter names: the torch module keeps our attribute names and puts a tensor where we keep a list of
Values. A transformer's `blocks.0.attn.wq.weight.3.5` is `blocks.0.attn.wq.weight[3, 5]`; a Layer's
neurons become one matrix, so `layers.0.neurons.3.w.1` is `layers.0.weight[3, 1]` and
`layers.0.neurons.3.b` is `layers.0.bias[3]`. `parameter_map(model)` lists every pair.

Your own class: `to_torch` exports a model whose every module class defines its twin, a method
`torch_twin(self, twins, part)` returning the `torch.nn.Module` it becomes: `twins` is
nn/torch_twins.py (and `twins.torch` is torch), `part(m)` is the export of a sub-module `m`. A
subclass does not inherit its base's twin (it may compute something else). The twin's parameters are
found by name: a sub-module's come from its own export, wherever the twin keeps it, and a Value or a
list of Values kept directly in an attribute becomes the twin's parameter of the same name
(`self.scale = [Value(1.0)] * 3` is `scale[i]`); a class whose Values sit otherwise lists them with a
`torch_links(self)` method [(value, twin parameter name, index)], as Neuron and Layer do.

    class TwoHeads(nn.Module, register=True):
        def __init__(self, nin, seed=0):
            self.body = nn.Layer(nin, 4, seed=seed)
            self.heads = [nn.Linear(4, 1, seed=seed), nn.Linear(4, 1, seed=seed + 1)]
        def __call__(self, x):
            h = self.body(x)
            return [head(h)[0] for head in self.heads]
        def torch_twin(self, twins, part):
            return TorchTwoHeads(part(self.body), [part(h) for h in self.heads])  # your torch module

PyTorch is imported only inside these functions (and nn/torch_twins.py, which they import); without
it they raise an ImportError that says what to install.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from autograd import Value, checks

from .io import architecture, build
from .module import NN_CLASSES, REGISTERED, Module, public_attributes, set_torch_exporter

TORCH_REQUIREMENT = "torch==2.13.0"
Link = tuple[Value, str, tuple[int, ...]]  # our parameter, the torch parameter's name, the index in it


def _torch() -> Any:
    try:
        import torch
    except ImportError as error:
        raise ImportError(
            f"exporting to PyTorch needs PyTorch, which is not installed: pip install {TORCH_REQUIREMENT} "
            "(or pip install -e '.[torch]' in a checkout of skipgrad)"
        ) from error
    return torch


def _twins() -> Any:
    """nn/torch_twins.py, imported when first needed (it imports torch)."""
    _torch()  # the ImportError that says what to install
    from . import torch_twins

    return torch_twins


def __getattr__(name: str) -> Any:
    """The twins by their old address: exports pickled before they moved to nn/torch_twins.py."""
    if name.startswith("Torch"):
        return getattr(_twins(), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def exportable() -> list[type[Module]]:
    """nn's classes, and the registered ones, that define their PyTorch twin."""
    return [c for c in (*NN_CLASSES.values(), *REGISTERED.values()) if "torch_twin" in vars(c)]


# ------------------------------------------------------------------------------ twins and names
def parameter_map(model: Module) -> dict[str, tuple[str, tuple[int, ...]]]:
    """{our dotted name: (torch parameter name, index in that tensor)} for every parameter of `model`.
    Needs PyTorch: the names are read from the twin that `to_torch` would build. For `Layer(2, 1)`:

        {'neurons.0.w.0': ('weight', (0, 0)), 'neurons.0.w.1': ('weight', (0, 1)), 'neurons.0.b': ('bias', (0,))}

    (tests/test_torch_export.py checks this example where PyTorch is installed.)
    """
    where = {id(p): (name, index) for p, name, index in _export(model)[1]}
    return {name: where[id(p)] for name, p in model.named_parameters()}


def _export(model: Module) -> tuple[Any, list[Link]]:
    """The torch module for `model` (parameters of the right shapes, zeros) and where each of our
    parameters goes in it."""
    twins = _twins()
    made: dict[int, tuple[Module, Any]] = {}  # by id: the export of each module, made once

    def part(module: Module) -> Any:
        if not isinstance(module, Module):
            raise checks.wrong_type("torch_twin: part", "module", "an nn.Module", module)
        if id(module) not in made:
            made[id(module)] = (module, _twin(module, twins, part))
        return made[id(module)][1]

    root = part(model)
    ours = {id(twin): module for module, twin in made.values()}
    links: list[Link] = []
    for prefix, twin in root.named_modules():
        module = ours.get(id(twin))
        if module is not None:
            at = f"{prefix}." if prefix else ""
            links += [(p, at + name, index) for p, name, index in _links_of(module)]
    _check_links(model, links)
    return root, links


def _twin(model: Module, twins: Any, part: Callable[[Module], Any]) -> Any:
    make = vars(type(model)).get("torch_twin")  # its own class's: a subclass may compute something else
    if make is None:
        raise TypeError(
            f"to_torch exports nn's models ({', '.join(c.__name__ for c in exportable())}) and classes "
            f"that define their twin; {type(model).__name__} is not one of them (a subclass may compute "
            "something else, so it does not inherit its base's twin): give your class its own to_torch "
            "method, or a method torch_twin(self, twins, part) returning the torch.nn.Module it becomes "
            "(see nn/torch_export.py)"
        )
    twin = make(model, twins, part)
    if not isinstance(twin, twins.torch.nn.Module):
        raise TypeError(
            f"to_torch: {type(model).__name__}.torch_twin returned {type(twin).__name__}, not a torch.nn.Module"
        )
    return twin


def _links_of(model: Module) -> list[Link]:
    """Where `model`'s own parameters go in its twin: its `torch_links()`, or by attribute name."""
    own_links = getattr(model, "torch_links", None)
    if callable(own_links):
        return list(own_links())
    links: list[Link] = []
    for key, value in public_attributes(model):
        todo: list[tuple[object, tuple[int, ...]]] = [(value, ())]
        while todo:  # a Value, or lists of lists of Values: weight[i][j] is weight[i, j]
            item, index = todo.pop()
            if isinstance(item, Value):
                links.append((item, key, index))
            elif isinstance(item, (list, tuple)):
                todo += [(v, (*index, i)) for i, v in reversed(list(enumerate(item)))]
    return links


def _check_links(model: Module, links: list[Link]) -> None:
    ours = {id(p) for p in model.parameters()}
    theirs = {id(p) for p, _, _ in links}
    if ours != theirs:
        raise TypeError(
            f"{type(model).__name__}: its parameters are not the ones its export holds "
            f"({len(ours - theirs)} not exported, {len(theirs - ours)} not among parameters()); "
            "was it changed after it was made, or does a torch_twin leave a part out?"
        )


# ------------------------------------------------------------------------------ export and import
def to_torch(model: Module, dtype: Any = None) -> Any:
    """A torch.nn.Module that computes what `model` computes, with a copy of its parameters.

    Args:
        dtype: a torch floating dtype; torch.float64 by default (the same arithmetic as ours, up to
            the order of sums).

    The module also carries `skipgrad_architecture` (how the model was made, when that can be saved
    as JSON), so that `from_torch(module)` can make a new skipgrad model without being given one.
    """
    if not isinstance(model, Module):
        raise checks.wrong_type("to_torch", "model", "an nn.Module", model)
    torch = _torch()
    dtype = torch.float64 if dtype is None else dtype
    if not (isinstance(dtype, torch.dtype) and dtype.is_floating_point):
        raise TypeError(
            f"to_torch: dtype must be a torch floating dtype such as torch.float64, got {checks.shown(dtype)}"
        )
    module, links = _export(model)
    tensors = dict(module.named_parameters())
    flat = {name: [0.0] * t.numel() for name, t in tensors.items()}
    for p, name, index in links:
        flat[name][_offset(index, tensors[name].shape)] = p.data
    with torch.no_grad():
        for name, tensor in tensors.items():
            tensor.copy_(torch.tensor(flat[name], dtype=torch.float64).reshape(tensor.shape))
    module.to(dtype)
    try:
        module.skipgrad_architecture = architecture(model)
    except ValueError:
        module.skipgrad_architecture = None  # made with rng= or the like: from_torch then needs the model
    return module


def from_torch(module: Any, model: Module | None = None) -> Module:
    """Copy the weights of a torch module made by `to_torch` into a skipgrad model, and return it.

    Args:
        module: the torch module (trained or not; any floating dtype, any device).
        model: the skipgrad model to copy into, of the same architecture. By default a new one is made
            from the architecture `to_torch` recorded.

    A torch module whose parameters do not fit (a missing or extra tensor, a wrong shape) is a
    ValueError, and then the model is left unchanged.
    """
    torch = _torch()
    if not isinstance(module, torch.nn.Module):
        raise TypeError(f"from_torch expects a torch.nn.Module, got {type(module).__name__}")
    if model is not None and not isinstance(model, Module):
        raise checks.wrong_type("from_torch", "model", "an nn.Module or None", model)
    if model is None:
        arch = getattr(module, "skipgrad_architecture", None)
        if arch is None:
            raise ValueError(
                "from_torch: this module does not record a skipgrad architecture (it was not made by "
                "to_torch, or the model was made with arguments JSON cannot hold, such as rng=); pass "
                "the model to copy into: nn.from_torch(module, model)"
            )
        model = build(arch)
    links = _export(model)[1]
    tensors = dict(module.named_parameters())
    problems = _misfits(links, {name: tuple(t.shape) for name, t in tensors.items()}, type(model).__name__)
    if problems:
        raise ValueError(f"from_torch: the module does not fit the model: {'; '.join(problems)} (nothing changed)")
    flat = {name: t.detach().to("cpu", torch.float64).reshape(-1).tolist() for name, t in tensors.items()}
    names = {id(p): name for name, p in model.named_parameters()}
    state = {names[id(p)]: flat[name][_offset(index, tuple(tensors[name].shape))] for p, name, index in links}
    model.load_state_dict(state)
    return model


def _misfits(links: list[Link], shapes: dict[str, tuple[int, ...]], kind: str) -> list[str]:
    """What keeps torch tensors of these shapes from filling exactly the parameters `links` place."""
    wanted: dict[str, list[tuple[int, ...]]] = {}
    for _, name, index in links:
        wanted.setdefault(name, []).append(index)
    problems = [f"missing {name}" for name in wanted if name not in shapes]
    problems += [f"unexpected {name}" for name in shapes if name not in wanted]
    for name, indexes in wanted.items():
        shape = shapes.get(name)
        if shape is not None:
            fits = all(len(i) == len(shape) and all(0 <= k < n for k, n in zip(i, shape, strict=True)) for i in indexes)
            if not fits or len(set(indexes)) != math.prod(shape):
                problems.append(f"{name} has shape {shape}, which does not fit {kind}")
    return problems


def _offset(index: tuple[int, ...], shape: Any) -> int:
    """The position of `index` in a row-major tensor of `shape`, flattened."""
    offset = 0
    for i, n in zip(index, shape, strict=True):
        offset = offset * n + i
    return offset


set_torch_exporter(to_torch)
