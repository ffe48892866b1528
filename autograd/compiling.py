"""The compiled build: which modules mypyc compiles, whether this process runs them, and the source of
compiled code.

The engine's `.py` files are its only source. `python3 tasks.py build` (and `demo`, `test`) compiles
the modules in MODULES with mypyc into extension modules beside them, which Python then imports
instead of the `.py` files; with no C compiler the `.py` files run, as they always can. This module
decides, before the engine is imported, which of the two runs:

- `SKIPGRAD_PURE=1` in the environment: the `.py` files, even where compiled ones exist;
- compiled files whose record (the hash of each source they were built from) matches every source
  as it is now: the compiled ones;
- anything else (no build, a source edited since, a build for another Python): the `.py` files, with
  one line on stderr when a build exists but is out of date.

All or nothing: every module of MODULES is compiled, or none is. `autograd.COMPILED` says which.
Standard library only, and no import of the engine (tasks.py reads MODULES from this file).

>>> @mypyc_attr(allow_interpreted_subclasses=True)
... class Node: ...
>>> Node.__name__, "autograd.value" in MODULES
('Node', True)
"""

from __future__ import annotations

import ast
import functools
import hashlib
import importlib.abc
import importlib.machinery
import importlib.util
import inspect
import json
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any, TypeVar, Union

Class = TypeVar("Class", bound=type)

try:
    from mypy_extensions import mypyc_attr
except ImportError:  # mypy is not installed, so nothing was compiled: the decorator has nothing to say

    def mypyc_attr(*_: str, **__: object) -> Callable[[Class], Class]:  # type: ignore[misc]
        return lambda cls: cls


# The hot path, compiled together into one shared library (calls between them stay native): the engine,
# the checks its ops call, and the optimizers' per-parameter arithmetic.
MODULES = (
    "autograd.checks",
    "autograd.guards",
    "autograd.fields",
    "autograd.micrograd_compat",
    "autograd.walk",
    "autograd.value",
    "nn.updates",
)
GROUP = "autograd._engine"  # the shared library holds the compiled code; each module gets a small shim
ROOT = Path(__file__).resolve().parents[1]  # the folder that holds the autograd and nn packages


def source_file(module: str) -> Path:
    """The `.py` file of a module of MODULES: `autograd.value` -> <root>/autograd/value.py."""
    return ROOT.joinpath(*module.split(".")).with_suffix(".py")


def compiled_file(module: str) -> Path:
    """Where the compiled module of this Python sits: beside its source, with this Python's suffix."""
    return source_file(module).with_suffix(importlib.machinery.EXTENSION_SUFFIXES[0])


def record_file() -> Path:
    """The record of this Python's build: which source each compiled module was made from."""
    return ROOT / "autograd" / f"compiled-build.{sys.implementation.cache_tag}.json"


def source_hashes() -> dict[str, str]:
    """sha256 of each compiled module's source as it is now, and of this file, which says how to build."""
    modules = (*MODULES, "autograd.compiling")
    return {module: hashlib.sha256(source_file(module).read_bytes()).hexdigest() for module in modules}


def choose(environ: Mapping[str, str] = os.environ) -> tuple[bool, str]:
    """(run the compiled modules?, why), from the environment, the compiled files and the record."""
    present = [module for module in MODULES if compiled_file(module).exists()]
    if environ.get("SKIPGRAD_PURE") == "1":
        return False, "SKIPGRAD_PURE=1"
    if not present:
        return False, "not built"
    try:
        built_from = json.loads(record_file().read_text())["sources"]
    except (OSError, ValueError, KeyError):
        return False, "out of date: its build record is missing or unreadable"
    if len(present) < len(MODULES):
        return False, "out of date: some modules are not compiled"
    edited = [module for module, digest in source_hashes().items() if built_from.get(module) != digest]
    if edited:
        return False, f"out of date: {', '.join(edited)} changed since it was built"
    return True, "built from the current sources"


class _Sources(importlib.abc.MetaPathFinder):
    """Imports the modules of MODULES from their `.py` files, ahead of any compiled file beside them."""

    def find_spec(self, name: str, path: Sequence[str] | None = None, target: ModuleType | None = None) -> Any:
        if name not in MODULES:
            return None
        return importlib.util.spec_from_file_location(name, source_file(name))


def select_build() -> tuple[bool, str]:
    """Decide which build runs, once, before the engine is imported (autograd/__init__.py calls it)."""
    compiled, why = choose()
    if not compiled and any(compiled_file(module).exists() for module in MODULES):
        if not any(isinstance(finder, _Sources) for finder in sys.meta_path):
            sys.meta_path.insert(0, _Sources())
        if why.startswith("out of date"):
            print(
                f"skipgrad: running pure Python; the compiled engine is {why} (python3 tasks.py build)", file=sys.stderr
            )
    return compiled, why


def is_compiled(module: ModuleType) -> bool:
    """Whether the module was imported from a compiled file (not from its `.py`)."""
    return not str(getattr(module, "__file__", "")).endswith(".py")


# -------------------------------------------------------------------- the source of compiled code
def source(obj: Any) -> str:
    """The source text of a function, method or class, as `inspect.getsource` gives it, also when it is
    compiled (then read from its module's `.py` file, found by its qualified name).

    >>> from autograd import Value
    >>> source(Value.__mul__).splitlines()[0].strip()
    '@table_row("*", 2, syntax="*")'
    """
    try:
        return inspect.getsource(obj)
    except (TypeError, OSError):
        pass
    module = getattr(obj, "__module__", None) or getattr(getattr(obj, "__objclass__", None), "__module__", None)
    owner = getattr(obj, "__objclass__", None)
    qualname = getattr(obj, "__qualname__", None) or (f"{owner.__qualname__}.{obj.__name__}" if owner else None)
    if module not in MODULES or not qualname:
        raise TypeError(f"no source for {obj!r}")
    text, tree = _parsed(module)
    node = _definition(tree, qualname.split("."))
    first = min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", []))])
    return "".join(text.splitlines(keepends=True)[first - 1 : node.end_lineno])  # indented, as inspect gives it


Definition = Union[ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef]


@functools.cache
def _parsed(module: str) -> tuple[str, ast.Module]:
    """A compiled module's source and its syntax tree, read once (source() is asked for many names)."""
    text = source_file(module).read_text()
    return text, ast.parse(text)


def _definition(tree: ast.Module, path: list[str]) -> Definition:
    """The def or class statement at a qualified name such as ['Value', '__mul__']."""
    scope: ast.Module | Definition = tree
    for name in path:
        found = [
            node
            for node in getattr(scope, "body", [])
            if isinstance(node, (ast.FunctionDef, ast.ClassDef, ast.AsyncFunctionDef)) and node.name == name
        ]
        if not found:
            raise TypeError(f"no definition of {'.'.join(path)} in the source")
        scope = found[-1]
    if isinstance(scope, ast.Module):
        raise TypeError("no name to look up")
    return scope


def docstrings(module: str) -> list[tuple[str, str, int]]:
    """(qualified name, docstring, line) of a compiled module's module, classes and functions, read
    from its source: mypyc keeps no docstrings, and their examples are the module's doctests."""
    tree = ast.parse(source_file(module).read_text())
    found: list[tuple[str, str, int]] = []
    stack: list[tuple[str, ast.AST]] = [(module, tree)]
    while stack:
        name, node = stack.pop()
        text = ast.get_docstring(node, clean=False) if isinstance(node, _DOCUMENTED) else None
        if text:
            found.append((name, text, getattr(node, "lineno", 1)))
        for child in getattr(node, "body", []):
            if isinstance(child, _DOCUMENTED[1:]):
                stack.append((f"{name}.{child.name}", child))
    return sorted(found, key=lambda entry: entry[2])


_DOCUMENTED = (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)


# -------------------------------------------------------------------- building (python3 tasks.py build)
def missing_tools() -> str:
    """What the compile needs and this machine lacks (a C compiler, Python's headers, mypy), or ""."""
    import shutil
    import sysconfig

    compiler = (sysconfig.get_config_var("CC") or "cc").split()[0]
    if not shutil.which(compiler):
        return f"no C compiler ({compiler})"
    if not Path(sysconfig.get_paths()["include"], "Python.h").exists():
        return f"no Python headers (Python.h) for Python {sys.version_info[0]}.{sys.version_info[1]}"
    if importlib.util.find_spec("mypyc") is None or importlib.util.find_spec("setuptools") is None:
        return "mypy (which brings mypyc) or setuptools is not installed: pip install 'skipgrad[compile]'"
    return ""


def build(log: Path) -> str:
    """Compile MODULES in place with mypyc, writing its output to `log`; "" when built, else the reason.
    Run by tasks.py in a process that has not imported the engine, whose files it replaces."""
    import contextlib

    if missing := missing_tools():
        return missing
    shared = ROOT.joinpath(*GROUP.split(".")).with_name(GROUP.split(".")[-1] + "__mypyc")
    for stale in [*(compiled_file(module) for module in MODULES), record_file()]:
        stale.unlink(missing_ok=True)  # unlinked, not overwritten: a running process may have it mapped
    shared.with_suffix(importlib.machinery.EXTENSION_SUFFIXES[0]).unlink(missing_ok=True)
    hashes = source_hashes()  # what the compiled files are made from
    os.chdir(ROOT)
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "w") as out, contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        try:
            _compile(log.parent / f"mypyc-{sys.implementation.cache_tag}")
        except (Exception, SystemExit) as failed:  # mypyc and setuptools raise many kinds; the log has it
            print(f"{type(failed).__name__}: {failed}")
            return f"the compile failed ({type(failed).__name__}; see {log})"
    record_file().write_text(json.dumps({"python": sys.version.split()[0], "sources": hashes}, indent=1) + "\n")
    return ""


def _compile(work: Path) -> None:
    from mypyc.build import mypycify
    from setuptools import Distribution  # type: ignore[import-untyped]

    paths = [str(source_file(module).relative_to(ROOT)) for module in MODULES]
    extensions = mypycify(paths, group_name=GROUP, target_dir=str(work), opt_level="3")
    for extension in extensions:
        # a * b + c stays two roundings, as in Python: no fused multiply-add (arm64's compilers fuse by default)
        extension.extra_compile_args.append("-ffp-contract=off")
    distribution = Distribution({"name": "skipgrad-compiled-engine", "ext_modules": extensions})
    command = distribution.get_command_obj("build_ext")
    command.inplace = True
    command.build_temp = str(work / "temp")
    command.build_lib = str(work / "lib")  # not build/lib, which a wheel's build would pack
    distribution.run_command("build_ext")
