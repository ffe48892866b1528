"""`pytest` collects doctests from every module of autograd/ and nn/ (--doctest-modules), and that imports
each module. The few that import an optional package at the top cannot be imported without it; without
the package their doctests are reported as one skip each instead of failing collection, so that plain
`pytest` works with only the test tools installed. tests/test_package.py checks that this list is complete."""

from __future__ import annotations

import importlib.util
from collections.abc import Generator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent

pytest_plugins = ["tests.slow_marker"]  # the `slow` marker's rule, checked on every run

# module (relative to this folder) -> the optional package it imports at the top
NEEDS = {
    "autograd/drawing.py": "graphviz",
    "autograd/animation.py": "graphviz",
    "autograd/step_page.py": "graphviz",
    "nn/torch_twins.py": "torch",
}


def missing_package(path: Path) -> str | None:
    """The optional package that `path` imports and that is not installed, if any."""
    try:
        relative = path.resolve().relative_to(ROOT).as_posix()
    except ValueError:
        return None
    package = NEEDS.get(relative)
    return package if package and importlib.util.find_spec(package) is None else None


class NeedsPackage(pytest.File):
    """Stands in for a module's doctests when the module cannot be imported: skipped with the reason."""

    package = ""

    def collect(self):
        pytest.skip(f"{self.package} is not installed, so the doctests of {self.path.name} cannot run")


class CompiledDoctests(pytest.File):
    """A compiled module's doctests: mypyc keeps no docstrings, so they are read from the module's source
    and run against the compiled module, as its `.py` file's doctests run in the pure build."""

    def collect(self) -> Generator[pytest.Item, None, None]:
        import doctest

        from _pytest.doctest import DoctestItem, _get_checker, _get_runner, get_optionflags

        from autograd import compiling

        name = ".".join(self.path.resolve().relative_to(ROOT).with_suffix("").parts)
        module = importlib.import_module(name)
        runner = _get_runner(verbose=False, optionflags=get_optionflags(self.config), checker=_get_checker())
        parser = doctest.DocTestParser()
        for qualname, text, line in compiling.docstrings(name):
            test = parser.get_doctest(text, dict(module.__dict__), qualname, str(self.path), line)
            if test.examples:
                yield DoctestItem.from_parent(self, name=qualname, runner=runner, dtest=test)  # type: ignore[arg-type]


def compiled_module(path: Path) -> bool:
    """Whether `path` is the source of a module that this process runs compiled."""
    if path.suffix != ".py" or path.parent.parent != ROOT:
        return False
    import autograd
    from autograd import compiling

    return autograd.COMPILED and f"{path.parent.name}.{path.stem}" in compiling.MODULES


@pytest.hookimpl(hookwrapper=True)
def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> Generator[None, Any, None]:
    outcome = yield
    package = missing_package(file_path)
    if package is not None and outcome.get_result():
        stand_in = NeedsPackage.from_parent(parent, path=file_path)
        stand_in.package = package
        outcome.force_result([stand_in])
    elif outcome.get_result() and compiled_module(file_path):
        outcome.force_result([CompiledDoctests.from_parent(parent, path=file_path)])
