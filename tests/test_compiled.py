"""The compiled build (autograd/compiling.py): which build runs, that both give the same bits, and that
compiled code still shows its source. The rest of the suite runs in both builds (tasks.py test)."""

from __future__ import annotations

import importlib
import inspect
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import autograd
from autograd import Value, compiling

ROOT = Path(__file__).resolve().parents[1]
# tasks.py sets this when it has compiled the engine, so that a build that silently runs pure Python fails
EXPECTED = os.environ.get("SKIPGRAD_EXPECT_COMPILED") == "1"


def in_build(script: str, pure: bool) -> str:
    env = {k: v for k, v in os.environ.items() if k != "SKIPGRAD_PURE"}
    if pure:
        env["SKIPGRAD_PURE"] = "1"
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_the_build_this_process_runs_is_the_one_asked_for():
    if os.environ.get("SKIPGRAD_PURE") == "1":
        assert not autograd.COMPILED and autograd.BUILD == "SKIPGRAD_PURE=1"
    elif EXPECTED:
        assert autograd.COMPILED, autograd.BUILD
    engine = sys.modules["autograd.value"]
    assert str(engine.__file__).endswith(".py") is not autograd.COMPILED
    for name in compiling.MODULES:  # all or nothing
        assert compiling.is_compiled(importlib.import_module(name)) is autograd.COMPILED, name


@pytest.mark.slow
def test_skipgrad_pure_runs_the_py_files_even_where_compiled_ones_exist():
    script = "import autograd, autograd.walk as w; print(autograd.COMPILED, autograd.BUILD, w.__file__)"
    assert in_build(script, pure=True).split() == ["False", "SKIPGRAD_PURE=1", str(ROOT / "autograd" / "walk.py")]


def make_tree(root: Path, modules: tuple[str, ...], compiled: bool) -> None:
    for module in (*modules, "autograd.compiling"):
        source = root.joinpath(*module.split(".")).with_suffix(".py")
        source.parent.mkdir(parents=True, exist_ok=True)
        source.write_text(f"# {module}\n")
        if compiled and module in modules:
            compiling.compiled_file(module).write_bytes(b"")


def test_the_choice_between_builds(tmp_path, monkeypatch):
    monkeypatch.setattr(compiling, "ROOT", tmp_path)
    make_tree(tmp_path, compiling.MODULES, compiled=False)
    assert compiling.choose({}) == (False, "not built")
    make_tree(tmp_path, compiling.MODULES, compiled=True)
    assert compiling.choose({}) == (False, "out of date: its build record is missing or unreadable")
    compiling.record_file().write_text(json.dumps({"sources": compiling.source_hashes()}))
    assert compiling.choose({}) == (True, "built from the current sources")
    assert compiling.choose({"SKIPGRAD_PURE": "1"}) == (False, "SKIPGRAD_PURE=1")
    compiling.source_file("autograd.walk").write_text("# edited\n")
    assert compiling.choose({}) == (False, "out of date: autograd.walk changed since it was built")
    compiling.record_file().write_text(json.dumps({"sources": compiling.source_hashes()}))
    compiling.compiled_file("autograd.value").unlink()
    assert compiling.choose({}) == (False, "out of date: some modules are not compiled")


@pytest.mark.slow
def test_an_edited_source_runs_as_pure_python_and_says_so(tmp_path):
    """A compiled engine older than its source would run code that is no longer there: the `.py` files
    run instead, and one line says why. Tried on a copy of the built package."""
    if not autograd.COMPILED:
        pytest.skip("the engine is not compiled here")
    for package in ("autograd", "nn"):
        shutil.copytree(ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("vendor", "__pycache__"))
    script = "import autograd, autograd.walk as w; print(autograd.COMPILED, w.__file__)"
    env = {k: v for k, v in os.environ.items() if k != "SKIPGRAD_PURE"}

    def run() -> tuple[list[str], str]:
        done = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        return done.stdout.split(), done.stderr

    ran, said = run()
    assert ran[0] == "True" and ran[1].startswith(str(tmp_path)) and not said  # the copy runs compiled
    with open(tmp_path / "autograd" / "walk.py", "a") as walk:
        walk.write("# edited\n")
    ran, said = run()
    assert ran == ["False", str(tmp_path / "autograd" / "walk.py")]
    assert said == (
        "skipgrad: running pure Python; the compiled engine is out of date: autograd.walk changed since it "
        "was built (python3 tasks.py build)\n"
    )


@pytest.mark.slow
def test_both_builds_give_the_same_bits():
    """Every value and gradient of the fuzzer's graphs, W1 and W5, bit for bit (tests/build_fingerprint.py)."""
    script = "import runpy; runpy.run_path('tests/build_fingerprint.py', run_name='__main__')"
    pure = json.loads(in_build(script, pure=True))
    compiled = json.loads(in_build(script, pure=False))
    assert pure.pop("compiled") is False
    if not compiled.pop("compiled"):
        assert not EXPECTED, "tasks.py compiled the engine, but it runs as pure Python"
        pytest.skip("the engine is not compiled here: nothing to compare")
    assert compiled == pure


def test_the_source_of_compiled_code_is_read_from_its_file():
    """What notebook 01 prints: Value's ops and backward, compiled or not."""
    mul = autograd.source(Value.__mul__)
    assert mul.lstrip().startswith('@table_row("*", 2, syntax="*")') and "d/da = b, d/db = a" in mul
    assert autograd.source(Value.backward).lstrip().startswith("def backward(self) -> None:")
    assert "root._grad = 1.0" in autograd.source(sys.modules["autograd.value"]._chain_rule)
    if not autograd.COMPILED:
        assert mul == inspect.getsource(Value.__mul__)
    with pytest.raises(TypeError, match="no source"):
        autograd.source(len)


def test_a_user_subclass_of_value_works_in_either_build():
    class Named(Value):
        def describe(self) -> str:
            return f"{self.label}={self.data}"

    a = Named(2.0, "a")
    out = a * a + a
    out.backward()
    assert (a.describe(), a.grad, type(out) is Value) == ("a=2.0", 5.0, True)


@pytest.mark.slow
def test_a_wheel_is_the_pure_engine_and_works_without_a_compiler(tmp_path):
    """`python -m build` packs the `.py` files only, even from a tree whose engine is compiled; installed
    where nothing was built, the engine runs as pure Python."""
    pytest.importorskip("build")
    command = [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(tmp_path), str(ROOT)]
    # run from elsewhere: in the checkout, its build/ folder would stand in for the build package
    built = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True)
    assert built.returncode == 0, built.stdout[-2000:] + built.stderr[-2000:]
    (wheel,) = tmp_path.glob("skipgrad-*.whl")
    with zipfile.ZipFile(wheel) as packed:
        names = packed.namelist()
        packed.extractall(tmp_path / "installed")  # a wheel is a zip of the files to install
    assert [name for name in names if "compiled-build" in name or name.endswith((".so", ".pyd"))] == []
    assert {"autograd/compiling.py", "autograd/value.py", "nn/updates.py"} <= set(names)
    script = "import autograd; print(autograd.COMPILED, autograd.BUILD)\nprint((autograd.Value(2.0) ** 2).data)"
    env = {k: v for k, v in os.environ.items() if k != "SKIPGRAD_PURE"}
    env["PYTHONPATH"] = str(tmp_path / "installed")
    ran = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert ran.stdout.splitlines() == ["False not built", "4.0"], ran.stderr


def test_the_build_keeps_a_times_b_plus_c_rounded_twice(monkeypatch, tmp_path):
    """The flag behind the same-bits promise on processors whose compilers fuse a * b + c by default."""
    mypyc_build = pytest.importorskip("mypyc.build")
    setuptools = pytest.importorskip("setuptools")
    made: list = []

    class Extension:
        def __init__(self) -> None:
            self.extra_compile_args: list[str] = []

    class Distribution:
        def __init__(self, attrs: dict) -> None:
            made.extend(attrs["ext_modules"])

        def get_command_obj(self, name: str) -> object:
            return type("Command", (), {})()

        def run_command(self, name: str) -> None:
            pass

    monkeypatch.setattr(mypyc_build, "mypycify", lambda paths, **options: [Extension(), Extension()])
    monkeypatch.setattr(setuptools, "Distribution", Distribution)
    compiling._compile(tmp_path)
    assert made and all("-ffp-contract=off" in extension.extra_compile_args for extension in made)


@pytest.mark.slow
def test_a_compiled_node_is_larger_as_the_readme_says():
    """README: mypyc adds to each object, and boxes a plain-number operand anew (W4's memory per node)."""
    script = (
        "import autograd; from autograd import Value; c = 1.0001; n = Value(1.0) * c\n"
        "print(autograd.COMPILED, type(n).__basicsize__, n._number is c)"
    )
    pure, compiled = in_build(script, pure=True).split(), in_build(script, pure=False).split()
    if compiled[0] == "False":
        assert not EXPECTED, "tasks.py compiled the engine, but it runs as pure Python"
        pytest.skip("the engine is not compiled here: nothing to compare")
    assert pure[2] == "True" and compiled[2] == "False"
    assert int(compiled[1]) > int(pure[1])
