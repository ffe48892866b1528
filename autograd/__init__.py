"""skipgrad's scalar autograd engine: Value, its graph walk, gradient checks and gradient tables.

>>> from autograd import Value
>>> x = Value(3.0, "x")
>>> (x * x).backward(); x.grad
6.0
"""

import importlib
from typing import TYPE_CHECKING

from . import compiling
from .compiling import source

BUILD: str = compiling.select_build()[1]  # before the engine is imported: why this build of it runs

from . import pickling  # noqa: E402, F401  # registers how a Value pickles and deep-copies
from . import value as _engine  # noqa: E402
from .custom import CustomOp, WrongDerivative, custom_op, find_wrong_derivative  # noqa: E402
from .gradcheck import GradcheckError, gradcheck  # noqa: E402
from .report import grad_table, print_grads  # noqa: E402
from .structure import Group, Role, mark_skip  # noqa: E402
from .value import Value, dot, sum_of, topological_order  # noqa: E402

COMPILED: bool = compiling.is_compiled(_engine)
"""Whether the engine runs compiled by mypyc (`python3 tasks.py build`) or as pure Python; BUILD says why."""

__all__ = [
    "Value",
    "dot",
    "sum_of",
    "topological_order",
    "source",
    "COMPILED",
    "Group",
    "Role",
    "mark_skip",
    "gradcheck",
    "custom_op",
    "CustomOp",
    "find_wrong_derivative",
    "WrongDerivative",
    "GradcheckError",
    "grad_table",
    "print_grads",
    "draw",
    "render",
    "backward_steps",
    "render_steps",
    "render_animation",
    "explore",
    "Explorer",
]
__version__ = "0.1.0"

if TYPE_CHECKING:  # the names __getattr__ gives, with their types, for mypy and editors only
    from .animation import render_animation
    from .drawing import DotNotFoundError as DotNotFoundError
    from .drawing import Drawing as Drawing
    from .drawing import GraphTooLargeError as GraphTooLargeError
    from .drawing import draw, render
    from .explorer import Explorer as Explorer
    from .explorer import explore
    from .step_page import render_steps
    from .steps import Frame as Frame
    from .steps import backward_steps

# Pictures need the graphviz package (a GIF also Pillow); their modules are imported on first use so
# that the engine needs nothing. Each public name lives in one module:
_LAZY = {
    **dict.fromkeys(("draw", "render", "Drawing", "DotNotFoundError", "GraphTooLargeError"), "drawing"),
    **dict.fromkeys(("backward_steps", "Frame"), "steps"),  # no graphviz until a frame is drawn
    "render_steps": "step_page",
    "render_animation": "animation",
    **dict.fromkeys(("explore", "Explorer"), "explorer"),  # its pages embed elkjs, which tasks.py installs
}


def __getattr__(name: str) -> object:
    if name not in _LAZY:
        raise AttributeError(f"module 'autograd' has no attribute {name!r}")
    try:
        module = importlib.import_module(f".{_LAZY[name]}", __name__)
    except ModuleNotFoundError as missing:
        if missing.name != "graphviz":
            raise
        raise ImportError(
            f"autograd.{name} needs the graphviz package: pip install 'skipgrad[viz]' "
            "(and Graphviz's dot program); grad_table(root) prints the same numbers as text"
        ) from missing
    return getattr(module, name)
