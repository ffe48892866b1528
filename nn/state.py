"""Putting saved floats back into parameters, all or nothing: what `Module.load_state_dict` does.

Works on (name, Value) pairs, so that it imports no module of nn (nn/module.py imports this file).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from numbers import Real
from typing import Any

from autograd import Value, checks
from autograd.numpy_adapter import scalar


def load(params: Sequence[tuple[str, Value]], state: Mapping[str, Any], owner: str) -> None:
    """Set each named parameter from `state`; `owner` names the model in messages.

    Every name must be there and nothing else, and every value a finite real number; otherwise a
    ValueError lists all the problems and no parameter is changed. Gradients are left as they are.

    >>> p = Value(0.0)
    >>> load([("w", p)], {"w": 2.5}, "Mine"); p.data
    2.5
    """
    if not isinstance(state, Mapping):
        raise checks.wrong_type(f"{owner}.load_state_dict", "state", "a dict of names to numbers", state)
    wanted = {name for name, _ in params}
    values: dict[str, float] = {}
    bad = []
    for name, value in state.items():
        if name in wanted:
            number = real(value)
            if number is None:
                bad.append(f"{name}={checks.shown(value)}")
            else:
                values[name] = number
    problems = _problems(
        [name for name, _ in params if name not in state], [_key(key) for key in state if key not in wanted], bad
    )
    if problems:
        raise ValueError(f"{owner}.load_state_dict: {'; '.join(problems)} (nothing was changed)")
    for name, p in params:
        p.data = values[name]


def _problems(missing: list[str], unexpected: list[str], bad: list[str]) -> list[str]:
    problems = []
    if missing:
        problems.append(f"missing {len(missing)} key(s): {listed(missing)}")
    if unexpected:
        problems.append(f"unexpected {len(unexpected)} key(s): {listed(unexpected)}")
    if bad:
        problems.append(f"{len(bad)} value(s) not a finite real number: {listed(bad)}")
    return problems


def real(value: object) -> float | None:
    """A finite real number as a float (numpy's and torch's 0-d values too), else None."""
    if isinstance(value, bool):
        return None
    value = scalar(value)  # a numpy scalar or a 0-d array or tensor
    if not isinstance(value, Real) or isinstance(value, bool):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def _key(key: object) -> str:
    """A name for a message: as it is when it is a short printable str, else its short repr."""
    return key if isinstance(key, str) and key.isprintable() and len(key) <= 60 else checks.shown(key)


def listed(items: list[str], limit: int = 10) -> str:
    """Up to `limit` items, comma-separated, and how many more."""
    shown = ", ".join(items[:limit])
    return shown + (f", ... ({len(items) - limit} more)" if len(items) > limit else "")
