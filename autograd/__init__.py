"""skipgrad's scalar autograd engine: Value, its graph walk, gradient checks and gradient tables.

>>> from autograd import Value
>>> x = Value(3.0, "x")
>>> (x * x).backward(); x.grad
6.0
"""

from .gradcheck import GradcheckError, gradcheck
from .graph import topological_order
from .report import grad_table, print_grads
from .value import Value, dot, sum_of

__all__ = [
    "Value",
    "dot",
    "sum_of",
    "topological_order",
    "gradcheck",
    "GradcheckError",
    "grad_table",
    "print_grads",
]
__version__ = "0.1.0"
