"""What wraps a graph walk and a backward pass from outside: one walk at a time, Python's cyclic garbage
collector paused, and the all-or-nothing rule for gradients. Standard library only.

>>> import gc
>>> with collector_paused():
...     gc.isenabled()
False
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from .domain import located, not_finite
from .fields import Fields

# One graph walk, backward or zero_grad at a time: walks mark the nodes they visit, and threads
# whose graphs share nodes would otherwise overwrite each other's marks.
graph_lock = threading.RLock()


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off meanwhile: backward makes no reference cycles, but each
    collection its allocations trigger scans the whole graph (about half of backward's time on W5)."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


@contextmanager
def all_or_nothing(order: Sequence[Fields]) -> Iterator[None]:
    """Gradients from earlier calls are set aside, the pass adds only its own, then they are added back;
    if the pass raises, every grad is put back as it was (and an undefined derivative's error names its
    node)."""
    earlier = [(node, node._grad) for node in order if node._grad]
    for node, _ in earlier:
        node._grad = 0.0
    try:
        yield
        for node, grad in earlier:
            total = node._grad + grad
            if total - total:
                raise not_finite(node, total)
            node._grad = total
    except BaseException as failure:
        reworded = located(failure, order)  # before the grads are put back: it reads them
        for node in order:
            node._grad = 0.0
        for node, grad in earlier:
            node._grad = grad
        if reworded is not None:
            raise reworded from None
        raise
