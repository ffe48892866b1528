"""Which side a plain-number operand stood on, for pictures and tables.

>>> Left(2.0) + 1.0, type(Left(2.0)).__name__
(3.0, 'Left')
"""


class Left(float):
    """A plain-number operand that stood on the LEFT of the op (2 - a, 2 ** a), for display."""

    __slots__ = ()
