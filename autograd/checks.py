"""Argument checks for the public API, one rule everywhere: a wrong type is a TypeError, a wrong value a
ValueError, each with one line that names the function, the argument and what was given, raised before
anything is built, changed or written. The ops read their plain-number operands with `as_float` too, so an
argument and an operand are refused in the same words. Standard library only; imports no other module
of the package but the numpy adapter.

>>> integer("27", "GPT", "vocab_size", minimum=1)
Traceback (most recent call last):
...
TypeError: GPT(vocab_size): expected an int, got str '27'
"""

from __future__ import annotations

import contextvars
import math
import operator
import os
import random
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from numbers import Real
from typing import Any

from .numpy_adapter import is_numpy_bool

#: The most parameters one model may have. Each is a Python object of about 150 bytes, and a forward
#: pass visits each at least once, so ten million is already about 1.5 GB and minutes per step; a
#: size beyond it is a typo (n_embd=1000000), refused before anything is allocated.
MAX_PARAMETERS = 10_000_000

# While nn.load builds a model, the number of weights its file holds: no module it makes may have more
# parameters than that (a file that asks for more is corrupt), so a small file cannot make a huge model.
# Up to CHEAP parameters the model is built anyway (a fraction of a second), and loading then names
# the weights that are missing, which says more than a count.
CHEAP = 100_000
_isfinite = math.isfinite  # bound once: the ops read every plain-number operand through as_float
_budget: contextvars.ContextVar[tuple[int, str] | None] = contextvars.ContextVar("parameter_budget", default=None)


def shown(x: object) -> str:
    """repr(x) on one line and at most about 40 characters, for messages."""
    try:
        text = repr(x)
    except Exception:  # a broken __repr__ must not hide the message that names it
        text = f"<{type(x).__name__}>"
    text = " ".join(text.split())
    return text if len(text) <= 40 else f"{text[:20]}...{text[-8:]} ({len(text)} characters)"


def as_float(
    x: object, where: str, expected: str = "a real number or a Value", overflow: type = OverflowError
) -> float:
    """x as a finite float, or TypeError/ValueError naming what was given and where.

    An int too large for a float raises `overflow`: OverflowError in the ops (as float arithmetic
    does), ValueError where it is an argument that was given (a setter, a size).
    """
    kind = type(x)
    if kind is float and _isfinite(x):  # type: ignore[arg-type]  # the common case, kept short
        return x  # type: ignore[return-value]
    if kind is float or kind is int or isinstance(x, Real) or is_numpy_bool(x):
        try:
            value = float(x)  # type: ignore[arg-type]
        except OverflowError:
            raise overflow(f"{where}: {shown(x)} is too large for a float") from None
        except (TypeError, ValueError):  # a Real whose __float__ is broken
            raise TypeError(f"{where}: {kind.__name__} {shown(x)} cannot be read as a float") from None
    else:
        raise TypeError(f"{where}: expected {expected}, got {kind.__name__} {shown(x)}")
    if not math.isfinite(value):
        raise ValueError(f"{where}: {shown(x)} is not a finite number")
    return value


def shown_path(path: str) -> str:
    """A file name for a message, whole, on one line (a name with a line break is shown as its repr)."""
    return path if path.isprintable() else repr(path)


def _at(where: str, arg: str) -> str:
    return f"{where}({arg})" if arg else where


def wrong_type(where: str, arg: str, expected: str, x: object) -> TypeError:
    """The TypeError for argument `arg` of `where`, which expected `expected` and got `x`."""
    return TypeError(f"{_at(where, arg)}: expected {expected}, got {type(x).__name__} {shown(x)}")


def wrong_value(where: str, arg: str, expected: str, x: object) -> ValueError:
    """The ValueError for argument `arg` of `where`, which expected `expected` and got `x`."""
    return ValueError(f"{_at(where, arg)}: expected {expected}, got {shown(x)}")


def is_integer(x: object) -> bool:
    """An int or a numpy integer, not a bool (nor an array)."""
    if isinstance(x, bool) or is_numpy_bool(x) or not hasattr(type(x), "__index__"):
        return False
    try:
        operator.index(x)  # type: ignore[arg-type]
    except Exception:  # an array of several numbers has __index__ too, and refuses
        return False
    return getattr(x, "ndim", 0) == 0


def integer(
    x: object, where: str, arg: str, *, minimum: int | None = None, maximum: int | None = None, words: str = ""
) -> int:
    """x as an int (numpy integers too, not bools) in minimum..maximum."""
    if not is_integer(x):
        raise wrong_type(where, arg, words or "an int", x)
    value = operator.index(x)  # type: ignore[arg-type]
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        if not words:
            words = (
                "a positive int"
                if minimum == 1 and maximum is None
                else f"an int >= {minimum}"
                if maximum is None
                else f"an int in {minimum}..{maximum}"
            )
        raise wrong_value(where, arg, words, x)
    return value


def real(
    x: object,
    where: str,
    arg: str,
    *,
    minimum: float | None = None,
    maximum: float | None = None,
    positive: bool = False,
    words: str = "",
) -> float:
    """x as a finite float (numpy reals too); positive=True asks for > 0."""
    if isinstance(x, bool) or is_numpy_bool(x):  # a Value is refused by real(), in the same words
        raise wrong_type(where, arg, words or "a real number", x)
    value = as_float(x, _at(where, arg), words or "a real number", overflow=ValueError)
    if (positive and not value > 0) or (minimum is not None and value < minimum):
        raise wrong_value(where, arg, words or ("a number > 0" if positive else f"a number >= {minimum}"), x)
    if maximum is not None and value > maximum:
        raise wrong_value(where, arg, words or f"a number <= {maximum}", x)
    return value


def text(x: object, where: str, arg: str) -> str:
    if not isinstance(x, str):
        raise wrong_type(where, arg, "a str", x)
    return x


def path(x: object, where: str, arg: str = "path") -> str:
    """A file or folder name from a str or an os.PathLike (pathlib.Path)."""
    if not isinstance(x, (str, os.PathLike)):
        raise wrong_type(where, arg, "a str or a pathlib.Path", x)
    text = os.fspath(x)
    if not isinstance(text, str):
        raise wrong_type(where, arg, "a str or a pathlib.Path", x)
    if not text or "\0" in text:
        raise wrong_value(where, arg, "a file name", x)
    return text


def flag(x: object, where: str, arg: str) -> bool:
    """A bool (numpy's too)."""
    if not isinstance(x, bool) and not is_numpy_bool(x):
        raise wrong_type(where, arg, "True or False", x)
    return bool(x)


def one_of(x: object, where: str, arg: str, choices: Sequence[Any]) -> Any:
    """x, which must be one of `choices` (compared by ==, after a type check against them)."""
    if not any(type(x) is type(c) and x == c for c in choices):
        words = "one of " + ", ".join(repr(c) for c in choices)
        if any(isinstance(x, type(c)) for c in choices):
            raise wrong_value(where, arg, words, x)
        raise wrong_type(where, arg, words, x)
    return x


def seed(x: object, where: str) -> int | None:
    """A seed for random.Random: an int or None."""
    if x is None:
        return None
    return integer(x, where, "seed", words="an int or None")


def rng(x: object, where: str) -> Any:
    """A source of random numbers: a random.Random, the `random` module itself, or None."""
    if x is not None and x is not random and not isinstance(x, random.Random):
        raise wrong_type(where, "rng", "a random.Random or None", x)
    return x


def parameters(where: str, count: int) -> None:
    """Refuse sizes that make more than MAX_PARAMETERS parameters (or, inside nn.load, more than the
    file holds), before anything is built."""
    if count > MAX_PARAMETERS:
        raise ValueError(
            f"{where}: these sizes make {count:,} parameters, more than the {MAX_PARAMETERS:,} a scalar engine "
            "can hold (each is a Python object)"
        )
    budget = _budget.get()
    if budget is not None and count > max(budget[0], CHEAP):
        raise ValueError(
            f"{where} would have {count:,} parameters but {budget[1]} holds {budget[0]:,} weights: corrupt file"
        )


@contextmanager
def parameter_budget(count: int, source: str) -> Iterator[None]:
    """Within this block no module may be made with more than `count` parameters (see nn.load)."""
    token = _budget.set((count, source))
    try:
        yield
    finally:
        _budget.reset(token)
