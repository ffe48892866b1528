"""Module, Neuron, Layer, MLP, Sequential: micrograd's names and numbers, on skipgrad's Value.

Structure for pictures and diagnostics travels as objects: every module is an autograd Group, and a
neuron gives its parameters and the nodes it builds Roles in that group (`w0 ... b`, `z` = w . x + b,
`a` after the activation). Labels stay free for the user.

Imports only autograd and nn/state.py: nn/io.py and nn/torch_export.py import this file, never the
other way round (torch_export hands `Module.to_torch` its exporter when it is imported).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, Union

from autograd import Value, checks, dot
from autograd.fields import zero_grads
from autograd.numpy_adapter import as_python, is_numpy
from autograd.structure import Group, Role

from . import state

Input = Union[Value, float, int]
ACTIVATIONS = ("relu", "tanh", "sigmoid", "linear")

#: nn's own model classes by name, filled as each is defined (see Module.__init_subclass__); nn.load
#: makes these by name, and nothing named in a file is ever imported.
NN_CLASSES: dict[str, type[Module]] = {}
#: your classes registered with `class MyNet(nn.Module, register=True)`, by "module:qualname".
REGISTERED: dict[str, type[Module]] = {}
#: set by nn/torch_export.py when it is imported (nn/__init__.py imports it), so that this file need not
#: import it back.
_TORCH_EXPORTER: list[Callable[..., Any]] = []


class Module(Group):
    """A part of a network: its parameters in a documented stable order, and zero_grad().

    A Module is an `autograd.Group`, so pictures draw it as a box. Assigning a module (or a list of
    modules) to an attribute makes it a part of this one: `self.fc = Layer(2, 3)` names the part
    "fc", and a list names its items by kind and position ("layer0", "block1"). That is also how a
    module of your own gets its box. Give nodes you build yourself a role with `self.mark(node, "y")`.

    Parameters are found the same way: every Value in a public attribute (directly, or in a list,
    tuple or dict, or in a sub-module) is a parameter, in attribute order, each once. Keep other
    Values in attributes whose names start with "_".

    `nn.save`/`nn.load` know nn's classes by name; register your own class with
    `class MyNet(nn.Module, register=True)` (or pass `classes=[MyNet]` to `nn.load`).

    >>> class Twice(Module):
    ...     def __init__(self):
    ...         self.fc = Layer(2, 1, seed=0)
    ...     def __call__(self, x):
    ...         return self.fc(x) * 2.0
    >>> [name for name, _ in Twice().named_parameters()]
    ['fc.neurons.0.w.0', 'fc.neurons.0.w.1', 'fc.neurons.0.b']
    """

    kind: str = ""  # list items are named kind + index: layer0, n3, block1 (default: the class name)
    _public: list[str]  # the public attributes' names, in the order first set (see __new__)

    def __init_subclass__(cls, register: bool | None = None, **options: Any) -> None:
        """nn's classes register by name; yours with `register=True`, by "module:qualname"."""
        super().__init_subclass__(**options)
        checks.flag(register if register is not None else False, cls.__name__, "register")
        ours = cls.__module__ == "nn" or cls.__module__.startswith("nn.")
        if register is False or "<locals>" in cls.__qualname__ or not (ours or register):
            return
        if ours:
            if NN_CLASSES.get(cls.__qualname__, cls) is not cls:
                raise TypeError(f"nn already has a class named {cls.__qualname__}")
            NN_CLASSES[cls.__qualname__] = cls
        else:
            REGISTERED[f"{cls.__module__}:{cls.__qualname__}"] = cls

    def __new__(cls, *args: object, **kwargs: object) -> Module:
        module = super().__new__(cls)
        assert isinstance(module, Module)
        # What it was made from, so that nn.save can write it down and nn.load make it again.
        object.__setattr__(module, "_made_with", (args, kwargs))
        # The public attributes in the order they were first set: what the walks read. Not vars(self):
        # reading an instance's __dict__ makes Python keep it as a real dict, and every attribute read of
        # that module (self.w in a forward pass) then costs more (measured: 6% of an MLP's forward).
        object.__setattr__(module, "_public", [])
        return module

    def __setattr__(self, name: str, value: object) -> None:
        if name == "name":
            value = _name(value, f"{type(self).__name__} name")
        elif name != "parent" and not name.startswith("_"):
            _adopt_all(self, name, value)
        if name != "parent" and not name.startswith("_") and name not in self._public:
            self._public.append(name)
        object.__setattr__(self, name, value)

    def __delattr__(self, name: str) -> None:
        object.__delattr__(self, name)
        if name in self._public:
            self._public.remove(name)

    def __call__(self, x: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__} does not define __call__")

    def parameters(self) -> list[Value]:
        """Every trainable Value: those in the public attributes, in attribute order, each once."""
        return _parameters(self)

    def named_parameters(self) -> list[tuple[str, Value]]:
        """`parameters()` with PyTorch-style dotted names from the attributes that hold them:
        `layers.0.neurons.3.w.1` is `self.layers[0].neurons[3].w[1]`.

        >>> [name for name, _ in Neuron(2, seed=0).named_parameters()]
        ['w.0', 'w.1', 'b']
        """
        named = list(_walk(self, named=True))
        if type(self).parameters is Module.parameters:
            return named
        # a class that lists its parameters by hand: its order, named from the attributes
        names: dict[int, str] = {}
        for name, p in named:
            names.setdefault(id(p), name)
        return [(names.get(id(p), f"?{i}"), p) for i, p in enumerate(self.parameters())]

    def state_dict(self) -> dict[str, float]:
        """{dotted name: float} for every parameter, named as `named_parameters()` names them.

        >>> Neuron(2, seed=0).state_dict()
        {'w.0': 0.6888437030500962, 'w.1': 0.515908805880605, 'b': 0.0}
        """
        return {name: p.data for name, p in self.named_parameters()}

    def load_state_dict(self, state_dict: Mapping[str, Any]) -> None:
        """Set every parameter from `state_dict`. A missing or unexpected name, or a value that is not
        a finite real number, is a ValueError listing them all, and then nothing is changed."""
        state.load(self.named_parameters(), state_dict, type(self).__name__)

    def to_torch(self, dtype: Any = None) -> Any:
        """A `torch.nn.Module` computing what this model computes, with the same parameters (float64
        unless `dtype` says otherwise); see nn/torch_export.py for the batch convention and for how
        to export a class of your own."""
        if not _TORCH_EXPORTER:
            raise ImportError("to_torch: import nn.torch_export first (import nn does)")
        return _TORCH_EXPORTER[0](self, dtype=dtype)

    def _setup(self, where: str, name: str, seed: int | None, rng: random.Random | None) -> Any:
        """The boilerplate of a constructor, written once: check `name` and give it to the module,
        and return the random source for its weights (see `make_rng`).

        >>> class Bias(Module):
        ...     def __init__(self, *, seed=None, rng=None, name=""):
        ...         source = self._setup("Bias", name, seed, rng)
        ...         self.b = Value(source.uniform(-1, 1))
        >>> Bias(seed=0, name="b0").name
        'b0'
        """
        checks.text(name, where, "name")
        source = make_rng(seed, rng, where)
        self.name = name
        return source

    def weights(self) -> list[Value]:
        """The parameters that multiply inputs (no biases): what gradient-flow reports average."""
        return [w for child in self.children() for w in child.weights()]

    def zero_grad(self) -> None:
        """Set the gradient of every parameter to 0.0."""
        zero_grads(self.parameters())

    def children(self) -> list[Module]:
        """The direct parts, in the order they were assigned (used by diagnostics and drawings).

        Modules appended to a list after it was assigned become parts here; give the list (or dict)
        whole to the attribute, so that pictures know them from the start.
        """
        parts: list[Module] = []
        for key, value in public_attributes(self):
            _adopt_all(self, key, value)
            items = (
                value.values() if isinstance(value, dict) else value if isinstance(value, (list, tuple)) else [value]
            )
            parts += [m for m in items if isinstance(m, Module) and m.parent is self]
        return parts

    def output_roles(self) -> set[Role]:
        """The roles of the nodes this module returns from a call (its activations)."""
        return set().union(*(m.output_roles() for m in self.children()[-1:]))

    def rename(self, name: str) -> None:
        """Give this module a new name: the title of its box and the first part of its nodes' names."""
        self.name = name


def set_torch_exporter(export: Callable[..., Any]) -> None:
    """What `Module.to_torch` calls: nn/torch_export.py gives its `to_torch` when it is imported."""
    _TORCH_EXPORTER[:] = [export]


def _parameters(module: Module) -> list[Value]:
    """What `_walk` finds, without the names: an iterator per container, so that the Values of a list
    need no stack entry each (parameters() runs every step when a loop calls model.zero_grad())."""
    found: list[Value] = []
    modules: set[int] = set()
    stack: list[Iterator[object]] = [iter((module,))]
    while stack:
        for value in stack[-1]:
            if isinstance(value, Value):
                found.append(value)
            elif isinstance(value, Module):
                if id(value) not in modules:  # a module reachable twice (or from itself) is walked once
                    modules.add(id(value))
                    stack.append(iter([getattr(value, k) for k in value._public]))
                    break
            elif isinstance(value, (list, tuple)):
                stack.append(iter(value))
                break
            elif isinstance(value, dict):
                stack.append(iter(value.values()))
                break
        else:
            stack.pop()
    return list({id(p): p for p in found}.values())  # each once, where it was first found


def public_attributes(module: Module) -> list[tuple[str, Any]]:
    """(name, value) of the module's public attributes, in the order they were first set ("parent" and
    names starting with "_" left out)."""
    return [(name, getattr(module, name)) for name in module._public]


def _walk(module: Module, named: bool) -> Iterator[tuple[str, Value]]:
    """The Values in `module`'s public attributes (in lists, tuples, dicts and sub-modules too), depth
    first in attribute order, each once, with dotted names when `named`. No recursion: modules nest."""
    seen: set[int] = set()
    todo: list[tuple[str, object]] = [("", module)]
    while todo:
        prefix, value = todo.pop()
        if id(value) in seen:
            continue
        if isinstance(value, Value):
            seen.add(id(value))
            yield prefix, value
        elif isinstance(value, Module):
            seen.add(id(value))  # a module reachable twice (or from itself) is walked once
            items = public_attributes(value)
            todo += [(f"{prefix}.{k}" if prefix else k, v) if named else ("", v) for k, v in reversed(items)]
        elif isinstance(value, (list, tuple)):
            todo += [(f"{prefix}.{i}" if named else "", v) for i, v in reversed(list(enumerate(value)))]
        elif isinstance(value, dict):
            todo += [(f"{prefix}.{k}" if named else "", v) for k, v in reversed(list(value.items()))]


def _adopt_all(parent: Module, name: str, value: object) -> None:
    """The modules in an attribute become parts: itself, a list's items (kind + index: layer0) or a
    dict's values (by key)."""
    if isinstance(value, Module) and value is not parent:
        _adopt(parent, value, name)
    elif isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            if isinstance(item, Module) and item.parent is None:
                _adopt(parent, item, f"{item.kind or type(item).__name__.lower()}{i}")
    elif isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, Module) and item.parent is None:
                _adopt(parent, item, str(key))


def _name(name: object, where: str) -> str:
    if not isinstance(name, str):
        raise TypeError(f"{where} must be a str, got {type(name).__name__} {name!r:.40}")
    return name


def _adopt(parent: Module, child: Module, name: str) -> None:
    """Make `child` a part of `parent`; a child that already has a name keeps it."""
    object.__setattr__(child, "parent", parent)
    if not child.name:
        object.__setattr__(child, "name", name)


def make_rng(seed: int | None = None, rng: random.Random | None = None, where: str = "make_rng") -> Any:
    """The random source for weights: `rng`, else a fresh Random(seed), else the global `random`
    module (so that `random.seed(1337)` before building reproduces micrograd's weights)."""
    seed = checks.seed(seed, where)
    rng = checks.rng(rng, where)
    if rng is not None and seed is not None:
        raise ValueError(f"{where}: give either seed= or rng=, not both")
    if rng is not None:
        return rng
    if seed is not None:
        return random.Random(seed)
    return random


class Neuron(Module):
    """g(w . x + b): one weight per input, weights uniform(-1, 1), bias 0.

    Args:
        nin: number of inputs.
        nonlin: micrograd's switch; False means a linear neuron.
        activation: "relu", "tanh", "sigmoid" or "linear" (overrides `nonlin`).
        bias: False for a neuron without b (He's projection shortcut Ws . x).
        seed, rng: where the weights come from (see `make_rng`).
        name: the title of its box in pictures, and the first part of its nodes' names.

    `parameters()` is `[w0, ..., w(nin-1), b]`.

    >>> n = Neuron(2, activation="tanh", seed=0)
    >>> out = n([1.0, -2.0]); out.role.qualified_name
    'a'
    >>> len(n.parameters())
    3
    """

    def __init__(
        self,
        nin: int,
        nonlin: bool = True,
        *,
        activation: str | None = None,
        bias: bool = True,
        seed: int | None = None,
        rng: random.Random | None = None,
        name: str = "",
    ) -> None:
        nin = checks.integer(nin, "Neuron", "nin", minimum=1)
        checks.flag(nonlin, "Neuron", "nonlin")
        checks.flag(bias, "Neuron", "bias")
        if activation is not None:
            checks.one_of(activation, "Neuron", "activation", ACTIVATIONS)
        checks.parameters("Neuron", nin + bool(bias))
        source = self._setup("Neuron", name, seed, rng)
        self.activation = activation if activation is not None else "relu" if nonlin else "linear"
        self.nonlin = self.activation != "linear"
        self.w = [self.mark(Value(source.uniform(-1, 1)), f"w{i}", parameter=True) for i in range(nin)]
        self.b = self.mark(Value(0.0), "b", parameter=True) if bias else None
        self._z_role = self.role("z")  # made once: each call only points its nodes at them
        self._a_role = self.role("a")

    kind = "n"

    def __call__(self, x: Sequence[Input] | Input) -> Value:
        x = _as_inputs(x, len(self.w), self)
        try:
            return self._forward(x)
        except (TypeError, ValueError):
            _check_items(x, self)  # names the module and the input, not dot()
            raise

    def _forward(self, x: Sequence[Input]) -> Value:
        """The call without the input check (a Layer checks once for all its neurons)."""
        z = dot(self.w, x, self.b if self.b is not None else 0.0)
        z.role = self._z_role
        if self.activation == "linear":
            return z
        a = getattr(z, self.activation)()
        a.role = self._a_role
        return a

    def weights(self) -> list[Value]:
        return list(self.w)

    def output_roles(self) -> set[Role]:
        return {self._z_role if self.activation == "linear" else self._a_role}

    def torch_twin(self, twins: Any, part: Callable[[Module], Any]) -> Any:
        """Its PyTorch twin, for nn.to_torch (see nn/torch_export.py)."""
        return twins.TorchNeuron(len(self.w), self.activation, self.b is not None)

    def torch_links(self) -> list[tuple[Value, str, tuple[int, ...]]]:
        """Where its parameters sit in the twin: w[i] is weight[i], b is bias."""
        links = [(w, "weight", (i,)) for i, w in enumerate(self.w)]
        return links + ([(self.b, "bias", ())] if self.b is not None else [])

    def __repr__(self) -> str:
        kind = {"relu": "ReLU", "linear": "Linear"}.get(self.activation, self.activation.capitalize())
        return f"{kind}Neuron({len(self.w)})"


class Layer(Module):
    """`nout` neurons reading the same inputs. Returns one Value when nout == 1 (as micrograd), else
    a list. `parameters()` is neuron by neuron: each neuron's weights, then its bias.

    >>> layer = Layer(3, 2, seed=0)
    >>> len(layer([1.0, 2.0, 3.0])), len(layer.parameters())
    (2, 8)
    """

    kind = "layer"

    def __init__(
        self,
        nin: int,
        nout: int,
        *,
        seed: int | None = None,
        rng: random.Random | None = None,
        name: str = "",
        **neuron_options: Any,
    ) -> None:
        nin = checks.integer(nin, "Layer", "nin", minimum=1)
        nout = checks.integer(nout, "Layer", "nout", minimum=1)
        checks.parameters("Layer", nout * (nin + (neuron_options.get("bias", True) is not False)))
        source = self._setup("Layer", name, seed, rng)
        self.nin, self.nout = nin, nout
        self.neurons = [Neuron(nin, rng=source, **neuron_options) for _ in range(nout)]

    def __call__(self, x: Sequence[Input] | Input) -> Any:
        """One Value when nout == 1, else a list of Values (typed Any, as PyTorch types a Tensor)."""
        out = self.outputs(x)
        return out[0] if len(out) == 1 else out

    def outputs(self, x: Sequence[Input] | Input) -> list[Value]:
        """The layer's outputs, always as a list."""
        x = _as_inputs(x, self.nin, self)
        try:
            return [n._forward(x) for n in self.neurons]
        except (TypeError, ValueError):
            _check_items(x, self)  # names the module and the input, not dot()
            raise

    def output_roles(self) -> set[Role]:
        return set().union(*(n.output_roles() for n in self.neurons))

    def torch_twin(self, twins: Any, part: Callable[[Module], Any]) -> Any:
        """Its PyTorch twin, for nn.to_torch (see nn/torch_export.py)."""
        return twins.TorchLayer(self.nin, self.nout, *_one_kind(self.neurons))

    def torch_links(self) -> list[tuple[Value, str, tuple[int, ...]]]:
        """Its neurons as one matrix: neurons[i].w[j] is weight[i, j], neurons[i].b is bias[i]."""
        links: list[tuple[Value, str, tuple[int, ...]]] = []
        for i, n in enumerate(self.neurons):
            links += [(w, "weight", (i, j)) for j, w in enumerate(n.w)]
            links += [(n.b, "bias", (i,))] if n.b is not None else []
        return links

    def __repr__(self) -> str:
        return f"Layer of [{', '.join(str(n) for n in self.neurons)}]"


class MLP(Module):
    """Layers in sequence: every hidden layer nonlinear (ReLU unless `activation=`), the last linear.

    `MLP(2, [16, 16, 1])` has 337 parameters, layer by layer and neuron by neuron, exactly as
    micrograd's, so the same seed gives the same weights and the same numbers.

    >>> model = MLP(2, [16, 16, 1], seed=1337)
    >>> len(model.parameters())
    337
    """

    kind = "mlp"

    def __init__(
        self,
        nin: int,
        nouts: Sequence[int],
        *,
        activation: str = "relu",
        seed: int | None = None,
        rng: random.Random | None = None,
        name: str = "",
    ) -> None:
        nin = checks.integer(nin, "MLP", "nin", minimum=1)
        if isinstance(nouts, (str, bytes)) or not isinstance(nouts, Sequence) and not hasattr(nouts, "tolist"):
            raise checks.wrong_type("MLP", "nouts", "a list of layer sizes, such as [16, 16, 1]", nouts)
        nouts = [checks.integer(n, "MLP", "nouts", minimum=1, words="positive ints") for n in list(nouts)]
        if not nouts:
            raise ValueError("MLP(nouts): expected at least one layer size, got []")
        checks.one_of(activation, "MLP", "activation", ACTIVATIONS)
        sizes = [nin, *nouts]
        checks.parameters("MLP", sum((sizes[i] + 1) * sizes[i + 1] for i in range(len(nouts))))
        source = self._setup("MLP", name, seed, rng)
        last = len(nouts) - 1
        self.layers = [
            Layer(sizes[i], sizes[i + 1], rng=source, activation="linear" if i == last else activation)
            for i in range(len(nouts))
        ]
        self.nin = nin

    def __call__(self, x: Sequence[Input] | Input) -> Any:
        """One Value when the last layer has one neuron, else a list of Values."""
        _as_inputs(x, self.nin, self)
        for layer in self.layers:
            x = layer(x)
        return x

    def torch_twin(self, twins: Any, part: Callable[[Module], Any]) -> Any:
        """Its PyTorch twin, for nn.to_torch (see nn/torch_export.py)."""
        return twins.TorchMLP([part(layer) for layer in self.layers])

    def __repr__(self) -> str:
        return f"MLP of [{', '.join(str(layer) for layer in self.layers)}]"


class Sequential(Module):
    """Modules applied one after another; parameters in module order.

    Names unnamed modules by kind and position (`layer0`, `block1`, ...), so that names stay unique.

    >>> model = Sequential(Layer(2, 3, seed=0), Layer(3, 1, activation="linear", seed=1))
    >>> model([0.5, -0.5]).role.qualified_name
    'layer1.n0.z'
    """

    kind = "seq"

    def __init__(self, *modules: Module, name: str = "") -> None:
        if not modules:
            raise ValueError("Sequential: expected at least one module, got none")
        for i, m in enumerate(modules):
            if not isinstance(m, Module):
                raise checks.wrong_type("Sequential", f"module {i}", "an nn.Module", m)
        checks.text(name, "Sequential", "name")
        self.name = name
        self.modules = list(modules)

    def __call__(self, x: Any) -> Any:
        for module in self.modules:
            x = module(x)
        return x

    def torch_twin(self, twins: Any, part: Callable[[Module], Any]) -> Any:
        """Its PyTorch twin, for nn.to_torch (see nn/torch_export.py)."""
        return twins.torch.nn.Sequential(*[part(m) for m in self.modules])

    def __repr__(self) -> str:
        inner = ",\n  ".join(repr(m) for m in self.modules)
        return f"Sequential(\n  {inner}\n)"


# ------------------------------------------------------------------------------ checks
def _one_kind(neurons: list[Neuron]) -> tuple[str, bool]:
    """The activation and bias that a Layer's neurons share, to become one matrix in PyTorch."""
    first = neurons[0]
    for n in neurons:
        if n.activation != first.activation or (n.b is None) != (first.b is None) or len(n.w) != len(first.w):
            raise TypeError("to_torch: a Layer's neurons must share activation, bias and size to become one matrix")
    return first.activation, first.b is not None


def _check_activation(activation: object, where: str = "ResidualBlock") -> str:
    return checks.one_of(activation, where, "activation", ACTIVATIONS)


def _check_items(x: Sequence[Input], module: Module) -> None:
    """The TypeError or ValueError that names the first input that is not a finite number or a Value."""
    for i, v in enumerate(x):
        if not isinstance(v, Value):
            checks.real(v, type(module).__name__, f"input {i}", words="a real number or a Value")


def _as_inputs(x: object, expected: int, module: Module) -> Sequence[Input]:
    """x as a sequence of `expected` inputs, or a ValueError naming both sizes.

    A numpy array or scalar is read as the Python list or number `.tolist()` gives (duck typing keeps
    numpy optional): the same floats as a list, and a numpy scalar, which has no len(), is one input.
    """
    x = as_python(x)
    # the only numpy scalars tolist() leaves are long doubles: one input, which dot() reads or names
    if (isinstance(x, (Value, int, float)) and not isinstance(x, bool)) or is_numpy(x):
        x = [x]
    elif isinstance(x, (str, bytes, dict, set)) or not hasattr(x, "__len__") or not hasattr(x, "__getitem__"):
        raise checks.wrong_type(type(module).__name__, "x", f"a list of {expected} numbers or Values", x)
    if len(x) != expected:
        raise ValueError(f"{type(module).__name__} expects {expected} inputs, got {len(x)}")
    return x  # type: ignore[return-value]
