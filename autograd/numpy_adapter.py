"""The one place that knows numpy. numpy stays optional: nothing here imports it; numpy's values are
recognised by what they can do (`.tolist()`, `.item()`) or by the module their type comes from.

>>> as_python([1.0, 2.0]), is_numpy_bool(True)
([1.0, 2.0], False)
"""

from __future__ import annotations

from numbers import Real
from typing import Any


def as_python(x: Any) -> Any:
    """A numpy array or scalar as the Python lists and numbers `.tolist()` gives (the same floats, bit
    for bit); anything else as it is. A numpy scalar becomes a number, so it has no len()."""
    tolist = getattr(x, "tolist", None)
    return tolist() if callable(tolist) else x


def is_numpy_bool(x: object) -> bool:
    """numpy's bool scalar, which is neither a Python bool nor a numbers.Real but converts to a float."""
    kind = type(x)
    return kind.__module__ == "numpy" and kind.__name__ in ("bool_", "bool")


def is_numpy(x: object) -> bool:
    """Any value of a numpy type (an array or a scalar, a long double included)."""
    return type(x).__module__ == "numpy"


def scalar(x: Any) -> Any:
    """A 0-d array or tensor, or a numpy scalar, as the Python number `.item()` gives; else x itself."""
    item = getattr(x, "item", None)
    if callable(item) and not isinstance(x, Real) and getattr(x, "shape", None) in ((), []):
        return item()
    return x
