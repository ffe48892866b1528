"""Keeping a model: state dicts (names to floats) and a readable JSON file with the architecture.

`model.state_dict()` maps each parameter's PyTorch-style dotted name (from `named_parameters()`) to
its float; `model.load_state_dict(d)` puts them back, and refuses, changing nothing, when a name is
missing or unexpected or a value is not a finite real number.

`save(model, path)` writes the model's class and constructor arguments (what `Module.__new__`
recorded in `_made_with`; modules among the arguments, such as Sequential's parts, nested the same
way), every weight, and a format version. JSON writes a float as its shortest repr, which reads
back as the same float, so weights round-trip exactly. `load(path)` makes the model again:

- nn's own classes are rebuilt by name (`NN_CLASSES`, which each class joins as it is defined); a
  class of your own is registered (`class MyModel(nn.Module, register=True)`) or passed,
  `load(path, classes=[MyModel])`. Nothing named in the file is ever imported.
- the model is first built from its arguments (a model made with `seed=` makes the same initial
  weights), then every weight is overwritten with the saved one.
- a corrupt, truncated or newer-version file is a ValueError naming the problem; no model is returned
  half-loaded. Loading leaves the global `random` state as it was.

>>> import os, tempfile
>>> from nn import MLP
>>> model = MLP(2, [3, 1], seed=0)
>>> path = os.path.join(tempfile.mkdtemp(), "mlp.json")
>>> save(model, path)
>>> again = load(path)
>>> again.state_dict() == model.state_dict()
True
"""

from __future__ import annotations

import errno
import json
import math
import os
import random
import uuid
from collections.abc import Iterable, Mapping
from numbers import Integral, Real
from typing import Any

from autograd import checks

from .module import NN_CLASSES, REGISTERED, Module
from .state import listed
from .text import Characters
from .transformer import GPT

FORMAT = "skipgrad-model"
VERSION = 1


# ------------------------------------------------------------------------------ state dicts
def state_dict(model: Module) -> dict[str, float]:
    """`model.state_dict()`: {dotted name: float} for every parameter, in `parameters()` order.

    >>> from nn import Neuron
    >>> state_dict(Neuron(2, seed=0))
    {'w.0': 0.6888437030500962, 'w.1': 0.515908805880605, 'b': 0.0}
    """
    if not isinstance(model, Module):
        raise checks.wrong_type("state_dict", "model", "an nn.Module", model)
    return model.state_dict()


def load_state_dict(model: Module, state: Mapping[str, Any]) -> None:
    """`model.load_state_dict(state)`: all the parameters or, with a ValueError, none."""
    if not isinstance(model, Module):
        raise checks.wrong_type("load_state_dict", "model", "an nn.Module", model)
    model.load_state_dict(state)


# ------------------------------------------------------------------------------ architecture
def architecture(model: Module) -> dict[str, Any]:
    """How `model` was made, as JSON-ready data: {"class", "module", "args", "kwargs"}.

    Modules among the arguments are nested as {"module": {...}}, tuples as {"tuple": [...]} and dicts
    as {"dict": {...}}, so every other JSON object in the file is a tag. An argument JSON cannot hold
    (an rng, a function, inf) is a ValueError naming it.

    >>> from nn import MLP
    >>> architecture(MLP(2, [3, 1], seed=0))
    {'class': 'MLP', 'module': 'nn.module', 'args': [2, [3, 1]], 'kwargs': {'seed': 0}}
    """
    return _architecture(model, type(model).__name__, [])


def _architecture(model: Module, where: str, seen: list[int]) -> dict[str, Any]:
    if not isinstance(model, Module):
        raise TypeError(f"expected an nn.Module, got {type(model).__name__}")
    if id(model) in seen:
        raise ValueError(f"{where}: a module is among its own constructor arguments")
    made_with = getattr(model, "_made_with", None)
    if not (isinstance(made_with, tuple) and len(made_with) == 2):
        raise ValueError(f"{where}: {type(model).__name__} does not record how it was made (no _made_with)")
    args, kwargs = made_with
    seen = [*seen, id(model)]
    return {
        "class": type(model).__qualname__,
        "module": type(model).__module__,
        "args": [_encode(a, f"{where} argument {i}", seen) for i, a in enumerate(args)],
        "kwargs": {k: _encode(v, f"{where} argument {k}=", seen) for k, v in kwargs.items()},
    }


def _encode(value: object, where: str, seen: list[int]) -> Any:
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, Integral):
        return int(value)
    if isinstance(value, Real):
        number = float(value)
        if not math.isfinite(number):
            raise ValueError(f"{where}: {number!r} cannot be saved in a JSON file (only finite numbers)")
        return number
    if isinstance(value, list):
        return [_encode(v, f"{where}[{i}]", seen) for i, v in enumerate(value)]
    if isinstance(value, tuple):
        return {"tuple": [_encode(v, f"{where}[{i}]", seen) for i, v in enumerate(value)]}
    if isinstance(value, dict):
        if not all(isinstance(k, str) for k in value):
            raise ValueError(f"{where}: a dict argument can be saved only with str keys")
        return {"dict": {k: _encode(v, f"{where}[{k!r}]", seen) for k, v in value.items()}}
    if isinstance(value, Module):
        return {"module": _architecture(value, f"{where} ({type(value).__name__})", seen)}
    hint = ""
    if isinstance(value, random.Random):
        hint = "; make the model with seed= instead of rng= (its weights are saved anyway)"
    elif callable(value):
        hint = "; a function cannot be saved: pass something the constructor can look up by name"
    raise ValueError(
        f"{where}: {type(value).__name__} {value!r:.60} cannot be saved in a JSON file (only numbers, "
        f"strings, booleans, None, lists, tuples, dicts and nn modules){hint}"
    )


def build(arch: Mapping[str, Any], classes: Iterable[type] = ()) -> Module:
    """The model an `architecture()` describes, with fresh weights (the global `random` state kept).

    Classes are looked up in `classes` (yours) and in nn's classes and the registered ones; nothing is imported.
    """
    lookup = _classes(classes)
    state = random.getstate()  # a model made without seed= draws from the global random module
    try:
        return _build(arch, lookup, "the model")
    finally:
        random.setstate(state)


def _classes(classes: Iterable[type]) -> dict[str, type[Module]]:
    """The classes by "module:qualname" and by qualname alone (a class may live in another module
    where it is loaded, say a notebook's __main__ against a script's)."""
    if isinstance(classes, type):
        classes = [classes]
    lookup: dict[str, type[Module]] = {}
    for cls in classes:
        if not (isinstance(cls, type) and issubclass(cls, Module)):
            raise checks.wrong_type("nn.load", "classes", "nn.Module subclasses", cls)
        lookup[f"{cls.__module__}:{cls.__qualname__}"] = cls
        lookup.setdefault(cls.__qualname__, cls)
    return lookup


def _build(arch: object, lookup: Mapping[str, type[Module]], where: str) -> Module:
    if not isinstance(arch, Mapping):
        raise ValueError(f"{where}: an architecture must be a JSON object, got {type(arch).__name__}")
    if set(arch) != {"class", "module", "args", "kwargs"}:
        raise ValueError(f"{where}: an architecture has keys class, module, args, kwargs; got {sorted(arch)}")
    name, module, args, kwargs = arch["class"], arch["module"], arch["args"], arch["kwargs"]
    if not isinstance(name, str) or not isinstance(module, str):
        raise ValueError(f"{where}: class and module must be strings")
    if not isinstance(args, list) or not isinstance(kwargs, Mapping):
        raise ValueError(f"{where}: args must be a list and kwargs an object")
    cls = lookup.get(f"{module}:{name}") or lookup.get(name) or REGISTERED.get(f"{module}:{name}")
    if cls is None and (module == "nn" or module.startswith("nn.")):
        cls = NN_CLASSES.get(name)
    if cls is None:
        raise ValueError(
            f"{where} is a {name} (defined in {module}), which is not one of nn's classes; "
            f"nothing named in a file is imported, so pass the class: nn.load(path, classes=[{name}])"
        )
    inner = f"{where} ({name})"
    made_args = [_decode(a, f"{inner} argument {i}", lookup) for i, a in enumerate(args)]
    made_kwargs = {str(k): _decode(v, f"{inner} argument {k}=", lookup) for k, v in kwargs.items()}
    try:
        return cls(*made_args, **made_kwargs)
    except Exception as error:
        raise ValueError(f"{inner} could not be made from the saved arguments: {error}") from error


def _decode(value: object, where: str, lookup: Mapping[str, type[Module]]) -> Any:
    if isinstance(value, list):
        return [_decode(v, f"{where}[{i}]", lookup) for i, v in enumerate(value)]
    if isinstance(value, Mapping):
        if len(value) != 1 or next(iter(value)) not in ("tuple", "dict", "module"):
            raise ValueError(
                f"{where}: an object in the arguments must be one of tuple, dict, module; got {value!r:.80}"
            )
        tag, inner = next(iter(value.items()))
        if tag == "module":
            return _build(inner, lookup, where)
        if tag == "tuple" and isinstance(inner, list):
            return tuple(_decode(v, f"{where}[{i}]", lookup) for i, v in enumerate(inner))
        if tag == "dict" and isinstance(inner, Mapping):
            return {k: _decode(v, f"{where}[{k!r}]", lookup) for k, v in inner.items()}
        raise ValueError(f"{where}: a {tag} holds a {type(inner).__name__}")
    return value


# ------------------------------------------------------------------------------ files
def save(model: Module, path: str | os.PathLike[str]) -> None:
    """Write `model` to a JSON file at `path`: format, version, architecture and every weight.

    Before writing, the model is made again from its architecture (in memory, its own classes) and
    the parameter names are compared, so what `load` could not make again is refused now, with a
    ValueError (say, a model changed after it was made). The file is replaced in one step, so a
    crash never leaves half a file. A GPT's tokenizer (`model.tokenizer`, set by train_gpt) is kept too.
    """
    if not isinstance(model, Module):
        raise checks.wrong_type("nn.save", "model", "an nn.Module", model)
    target = _path(path, "nn.save")
    folder = os.path.dirname(target)
    if not os.path.isdir(folder):
        shown = f"there is no folder {checks.shown_path(folder)} to write {checks.shown_path(target)} in"
        raise FileNotFoundError(errno.ENOENT, f"nn.save: {shown}")
    if os.path.isdir(target):
        raise IsADirectoryError(errno.EISDIR, f"nn.save: {checks.shown_path(target)} is a folder")
    arch = architecture(model)
    weights = state_dict(model)
    bad = [f"{name}={value!r}" for name, value in weights.items() if not math.isfinite(value)]
    if bad:
        raise ValueError(f"{type(model).__name__} cannot be saved: weights that are not finite: {listed(bad)}")
    classes = _classes_in(model)
    remade = state_dict(build(arch, classes))
    lost = [name for name in weights if name not in remade]
    new = [name for name in remade if name not in weights]
    if lost or new:
        raise ValueError(
            f"{type(model).__name__} cannot be saved: made again from its constructor arguments it has "
            f"different parameters (missing: {listed(lost) or 'none'}; new: {listed(new) or 'none'}); "
            "was it changed after it was made?"
        )
    data: dict[str, Any] = {"format": FORMAT, "version": VERSION, "architecture": arch, "weights": weights}
    tokenizer = getattr(model, "tokenizer", None)
    if isinstance(tokenizer, Characters):
        data["tokenizer"] = {"chars": list(tokenizer.chars)}
    text = json.dumps(data, indent=1, allow_nan=False)
    temporary = os.path.join(folder, f".{os.path.basename(target)}.{uuid.uuid4().hex}.tmp")
    try:
        with open(temporary, "x", encoding="utf-8") as file:  # "x": the usual permissions, never another file
            file.write(text + "\n")
        os.replace(temporary, target)
    except OSError as error:  # named after the user's file, not the temporary one
        if os.path.exists(temporary):
            os.remove(temporary)
        raise type(error)(error.errno, f"nn.save: cannot write {checks.shown_path(target)}: {error.strerror}") from None
    except BaseException:
        if os.path.exists(temporary):
            os.remove(temporary)
        raise


def _path(path: object, where: str) -> str:
    """An absolute path from a str or os.PathLike."""
    if not isinstance(path, (str, os.PathLike)):
        raise checks.wrong_type(where, "path", "a str or a pathlib.Path", path)
    text = os.fspath(path)
    if not isinstance(text, str):
        raise checks.wrong_type(where, "path", "a str or a pathlib.Path", path)
    if not text or "\0" in text:
        raise checks.wrong_value(where, "path", "a file name", path)
    return os.path.abspath(text)


def _classes_in(model: Module) -> list[type[Module]]:
    """The classes of `model` and of the modules among its constructor arguments, at any depth."""
    found: list[type[Module]] = []
    todo: list[object] = [model]
    while todo:
        value = todo.pop()
        if isinstance(value, Module):
            if type(value) not in found:
                found.append(type(value))
            args, kwargs = getattr(value, "_made_with", ((), {}))
            todo += [*args, *kwargs.values()]
        elif isinstance(value, (list, tuple)):
            todo += list(value)
        elif isinstance(value, dict):
            todo += list(value.values())
    return found


def load(path: str | os.PathLike[str], classes: Iterable[type] = ()) -> Module:
    """The model saved at `path`, made again with the saved weights.

    Args:
        classes: your own Module subclasses the file names (nn's are known by name).

    Raises ValueError for a file that is not a complete skipgrad model file, was written by a newer
    version, names a class you did not pass, or whose weights do not fit the architecture.
    """
    _path(path, "nn.load")
    if isinstance(classes, type):
        classes = [classes]
    if isinstance(classes, (str, bytes)) or not isinstance(classes, Iterable):
        raise checks.wrong_type("nn.load", "classes", "a list of nn.Module subclasses", classes)
    classes = list(classes)
    _classes(classes)  # checked before the file is read
    try:
        with open(path, encoding="utf-8") as file:
            text = file.read()
    except UnicodeDecodeError as error:
        raise ValueError(f"{os.fspath(path)} is not a skipgrad model file: it is not UTF-8 text ({error})") from None
    except OSError as error:  # no such file, a folder, no permission: named in one line
        raise type(error)(
            error.errno, f"nn.load: cannot read {checks.shown_path(os.fspath(path))}: {error.strerror}"
        ) from None
    try:
        data = json.loads(text, parse_constant=_refuse_constant)
    except json.JSONDecodeError as error:
        raise ValueError(
            f"{os.fspath(path)} is not a complete JSON document (truncated or corrupt?): {error}"
        ) from None
    except ValueError as error:  # NaN or Infinity, which JSON does not have
        raise ValueError(f"{os.fspath(path)}: corrupt file: {error}") from None
    return _from_data(data, classes, os.fspath(path))


def _refuse_constant(name: str) -> float:
    raise ValueError(f"{name} is not a finite number")


def _from_data(data: object, classes: Iterable[type], source: str) -> Module:
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ValueError(f'{source} is not a skipgrad model file (no "format": "{FORMAT}")')
    version = data.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise ValueError(f"{source}: the format version must be a positive int, got {version!r:.40}")
    if version > VERSION:
        raise ValueError(
            f"{source} was written by a newer skipgrad (file format version {version}; this one reads "
            f"version {VERSION}): upgrade skipgrad to load it"
        )
    for key in ("architecture", "weights"):
        if not isinstance(data.get(key), dict):
            raise ValueError(f'{source}: corrupt file, "{key}" is missing or not a JSON object')
    tokenizer = _tokenizer(data.get("tokenizer"), source)
    try:
        # No module may be made with more parameters than the file has weights: a few bytes that ask
        # for n_embd 1000000 are refused before anything is allocated.
        with checks.parameter_budget(len(data["weights"]), source):
            model = build(data["architecture"], classes)
    except ValueError as error:
        raise ValueError(f"{source}: {error}") from error
    try:
        load_state_dict(model, data["weights"])
    except ValueError as error:
        raise ValueError(f"{source}: the weights do not fit the architecture: {error}") from None
    if tokenizer is not None:
        if not isinstance(model, GPT) or (tokenizer.vocab_size, tokenizer.bos) != (model.vocab_size, model.bos):
            raise ValueError(f"{source}: corrupt file, the tokenizer {tokenizer!r} does not fit the model")
        model.tokenizer = tokenizer
    return model


def _tokenizer(saved: object, source: str) -> Characters | None:
    """The tokenizer a file keeps (files written before tokenizers were saved have none)."""
    if saved is None:
        return None
    chars = saved.get("chars") if isinstance(saved, dict) and set(saved) == {"chars"} else None
    if (
        not isinstance(chars, list)
        or not chars
        or not all(isinstance(c, str) and len(c) == 1 for c in chars)
        or chars != sorted(set(chars))
    ):
        raise ValueError(f'{source}: corrupt file, "tokenizer" must be {{"chars": [sorted distinct characters]}}')
    return Characters(["".join(chars)])
