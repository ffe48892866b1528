"""The `slow` marker's rule, kept by the suite itself: a test that spends 0.2 s of CPU or more is marked
`slow`, so that `pytest -m "not slow"` stays a quick loop. A run in which an unmarked test broke the
rule fails, naming the test and its time.

What is counted is the test's own work, so that the check does not fail by chance:
- CPU time (this process's and its finished children's), not wall time, so that another job on the
  machine does not make a quick test look slow;
- less the cyclic garbage collector's passes, which fall on whichever test happens to allocate when the
  heap that the whole run built up is due for one;
- with the optional packages that tests import imported once first, so that the first test to use one
  is not charged for its import (torch's alone takes more than a second).
`tasks.py test --all-pythons` checks the rule on the Python that runs it, not again on the others."""

from __future__ import annotations

import gc
import importlib
import importlib.util
import resource
import time
from collections.abc import Generator
from typing import Any

import pytest

LIMIT = 0.2  # seconds of CPU for one test's set-up, call and tear-down together
PRELOADED = ("numpy", "torch", "graphviz", "PIL.Image", "matplotlib.pyplot", "nbformat", "micrograd.engine")
spent: dict[str, float] = {}
collecting = {"started": 0.0, "total": 0.0}  # the garbage collector's CPU time, so far in this run


def cpu_seconds() -> float:
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def count_collections(phase: str, info: dict[str, int]) -> None:
    if phase == "start":
        collecting["started"] = time.process_time()
    else:
        collecting["total"] += time.process_time() - collecting["started"]


def pytest_sessionstart(session: pytest.Session) -> None:
    for module in PRELOADED:
        if importlib.util.find_spec(module.split(".")[0]) is not None:
            importlib.import_module(module)
    gc.callbacks.append(count_collections)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: Any) -> Generator[None, Any, None]:
    started, collected = cpu_seconds(), collecting["total"]
    yield
    if item.get_closest_marker("slow") is None:
        spent[item.nodeid] = cpu_seconds() - started - (collecting["total"] - collected)


def broken() -> dict[str, float]:
    """The unmarked tests of this run that spent LIMIT or more."""
    return {test: seconds for test, seconds in spent.items() if seconds >= LIMIT}


def pytest_terminal_summary(terminalreporter: Any) -> None:
    for test, seconds in sorted(broken().items(), key=lambda found: -found[1]):
        terminalreporter.write_line(f"not marked slow, but spent {seconds:.2f} s of CPU: {test}", red=True)


def pytest_sessionfinish(session: pytest.Session) -> None:
    if count_collections in gc.callbacks:
        gc.callbacks.remove(count_collections)
    if broken() and session.exitstatus == 0:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
