"""skipgrad's scalar autograd engine: Value, its graph walk, gradient checks and gradient tables.

>>> from autograd import Value
>>> x = Value(3.0, "x")
>>> (x * x).backward(); x.grad
6.0
"""

from . import pickling  # noqa: F401  # registers how a Value pickles and deep-copies
from .custom import CustomOp, WrongDerivative, custom_op, find_wrong_derivative
from .gradcheck import GradcheckError, gradcheck
from .report import grad_table, print_grads
from .structure import Group, Role, mark_skip
from .value import Value, dot, sum_of, topological_order

__all__ = [
    "Value",
    "dot",
    "sum_of",
    "topological_order",
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

# Drawing needs the graphviz package; it is imported on first use so that the engine needs nothing.
_DRAWING = {"draw", "render", "Drawing", "DotNotFoundError", "GraphTooLargeError"}
_STEPS = {"backward_steps", "render_steps", "Frame"}
_ANIMATION = {"render_animation"}  # also needs Pillow
_EXPLORER = {"explore", "Explorer"}  # the graph explorer (its pages embed elkjs, installed by tasks.py)


def __getattr__(name: str):
    if name in _DRAWING:
        try:
            from . import drawing
        except ModuleNotFoundError as missing:
            if missing.name != "graphviz":
                raise
            raise ImportError(
                f"autograd.{name} needs the graphviz package: pip install 'skipgrad[viz]' "
                "(and Graphviz's dot program); grad_table(root) prints the same numbers as text"
            ) from missing
        return getattr(drawing, name)
    if name in _STEPS:
        from . import steps

        return getattr(steps, name)
    if name in _ANIMATION:
        from . import animation

        return getattr(animation, name)
    if name in _EXPLORER:
        from . import explorer

        return getattr(explorer, name)
    raise AttributeError(f"module 'autograd' has no attribute {name!r}")
