"""CONTRIBUTING.md's recipe for a new op, carried out on a scratch copy of the engine: one decorated
method in value.py, and the op is in the expression parser, the command line's help, the pictures
and the derivative check, with no other file edited."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# Two ops as the recipe writes them: one written as a call, one with an operator of Python's. The
# second call op has a wrong derivative on purpose (3a instead of 3a**2): the check must find it.
NEW_OPS = '''
    @table_row("cube", 1)
    def cube(self) -> Value:
        """a**3;  d/da = 3 a**2."""
        a = self._data
        return _unary("cube", a * a * a, self, 3.0 * a * a)

    @table_row("wrongcube", 1)
    def wrongcube(self) -> Value:
        """a**3 with a wrong local derivative, 3 a."""
        a = self._data
        return _unary("wrongcube", a * a * a, self, 3.0 * a)

    @table_row("%", 2, syntax="%")
    def __mod__(self, other: Operand) -> Value:
        """a % b;  d/da = 1, d/db = -floor(a / b)."""
        b = other._data if isinstance(other, Value) else as_float(other, "%")
        out = self._data % b
        if isinstance(other, Value):
            return _binary("%", out, self, 1.0, other, -float(math.floor(self._data / b)))
        return _unary("%", out, self, 1.0, b)

'''

PROBE = """
import json, subprocess, sys
import autograd
from autograd import Value, draw, find_wrong_derivative
from autograd.expression import build

out, leaves = build("cube(x) % y + wrongcube(x)", {"x": 2.0, "y": 5.0})
out.backward()
help_text = subprocess.run([sys.executable, "-m", "autograd", "grad", "--help"], capture_output=True, text=True).stdout
wrong = find_wrong_derivative(out)
print(json.dumps({
    "engine": autograd.__file__,
    "data": out.data,
    "x_grad": leaves["x"].grad,
    "y_grad": leaves["y"].grad,
    "help": " ".join(help_text.split()),
    "picture": draw(out).source,
    "wrong": wrong.node.op if wrong else None,
    "good_ok": find_wrong_derivative(Value(2.0).cube()) is None,
}))
"""


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the autograd package with the new ops written into value.py and nothing else changed."""
    root = tmp_path_factory.mktemp("scratch")
    shutil.copytree(ROOT / "autograd", root / "autograd", ignore=shutil.ignore_patterns("__pycache__"))
    value = root / "autograd" / "value.py"
    source = value.read_text(encoding="utf-8")
    anchor = "    # ---------------------------------------------------------------- ops written as a call\n"
    assert source.count(anchor) == 1
    value.write_text(source.replace(anchor, NEW_OPS + anchor), encoding="utf-8")
    return root


@pytest.mark.slow  # a subprocess that imports the package twice, and draws (about 1 s)
def test_a_new_op_is_one_decorated_method(scratch: Path) -> None:
    pytest.importorskip("graphviz")
    run = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=scratch, capture_output=True, text=True, env={"PYTHONPATH": str(scratch)}
    )
    assert run.returncode == 0, run.stderr
    found = json.loads(run.stdout)
    assert found["engine"].startswith(str(scratch))  # the scratch copy, not the real package
    # the parser knows both ops, and the values and gradients are the math's: x=2, y=5
    # out = (8 % 5) + 8 = 11; d/dx = 3*4 (cube, through %'s d/da = 1) + 3*4 (wrongcube's true value) = 24,
    # but wrongcube stores 3*2 = 6: the engine gives 12 + 6 = 18; d/dy = -floor(8/5) = -1
    assert found["data"] == 11.0
    assert found["x_grad"] == 18.0
    assert found["y_grad"] == -1.0
    assert "cube" in found["help"] and "%" in found["help"] and "wrongcube" in found["help"]
    assert "cube" in found["picture"] and "%" in found["picture"]
    assert found["wrong"] == "wrongcube"  # the check reran the op's forward from the table
    assert found["good_ok"] is True
