"""The `skipgrad` command line: gradient tables, JSON, pictures, and refusing unsafe or bad input."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from autograd.cli import main

ROOT = Path(__file__).resolve().parents[1]
SEED = ["grad", "x*y + max(z, w)", "x=3", "y=-4", "z=2", "w=-1"]


def run(args, capsys):
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


def test_grad_prints_the_table(capsys):
    code, out, err = run(SEED, capsys)
    assert code == 0 and err == ""
    rows = {line.split()[0]: line.split() for line in out.splitlines()[2:] if len(line.split()) == 3}
    assert [rows[v][-1] for v in "xyzw"] == ["-4", "3", "1", "0"]
    assert out.splitlines()[-1].split()[-2:] == ["-10", "1"]


def test_json_output(capsys):
    code, out, _ = run([*SEED, "--json"], capsys)
    data = json.loads(out)
    assert code == 0 and data["output"] == {"data": -10.0, "grad": 1.0}
    assert data["variables"]["x"] == {"data": 3.0, "grad": -4.0}
    assert data["nodes"][-1]["name"] == "x * y + max(z, w)" and data["nodes"][-1]["inputs"] == ["x * y", "max(z, w)"]


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot program is not installed")
def test_render_and_steps_write_files(capsys, tmp_path):
    pytest.importorskip("graphviz")
    code, out, _ = run([*SEED, "--render", str(tmp_path / "g.svg"), "--steps", str(tmp_path / "steps")], capsys)
    assert code == 0 and (tmp_path / "g.svg").exists() and (tmp_path / "steps" / "index.html").exists()
    assert "picture:" in out and "step-through:" in out


@pytest.mark.parametrize(
    "expression, words",
    [
        ("__import__('os').system('true')", "is not an allowed function"),
        ("x.__class__", "Attribute is not allowed"),
        ("x[0]", "Subscript is not allowed"),
        ("lambda: x", "Lambda is not allowed"),
        ("open('f')", "open() is not an allowed function"),
        ("exec('1')", "exec() is not an allowed function"),
        ("x if x else x", "IfExp is not allowed"),
        ("x @ x", "MatMult is not allowed"),
        ("'text' * x", "only numbers are allowed"),
        ("[x]", "List is not allowed"),
        ("max(x)", "takes exactly 2 arguments"),
        ("exp(x=1)", "takes exactly 1 argument"),
        ("x +", "not a valid expression"),
        ("", "empty"),
        ("-" * 200 + "x", "nested more than"),
        ("(" * 300 + "x" + ")" * 300, "not a valid expression"),
        ("x+" * 600 + "x", "limit is 1000"),
        ("log(x - 3)", "logarithm"),
        ("x / (x - 3)", "division by zero"),
        ("sqrt(x - 3)", "infinite"),
    ],
)
def test_refusals_are_one_line_with_status_2(expression, words, capsys):
    code, out, err = run(["grad", expression, "x=3"], capsys)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("skipgrad: error: ") and words in err, err


@pytest.mark.parametrize(
    "variables, words",
    [
        ([], "no value given for x"),
        (["x=3", "q=1"], "unknown variable 'q'"),
        (["x=three"], "not a number"),
        (["x=nan"], "finite"),
        (["x=1", "x=2"], "given twice"),
        (["3x=1"], "not a valid variable name"),
        (["exp=1"], "is a function name"),
        (["x"], "NAME=NUMBER"),
    ],
)
def test_bad_variables_are_named(variables, words, capsys):
    code, _, err = run(["grad", "x * 2", *variables], capsys)
    assert code == 2 and words in err and err.count("\n") == 1


def test_expression_may_start_with_unary_minus(capsys):
    code, out, _ = run(["grad", "-x*y", "x=2", "y=-3", "--json"], capsys)
    assert code == 0 and json.loads(out)["output"]["data"] == 6.0


def test_demo_prints_and_renders(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, out, _ = run(["demo"], capsys)
    assert code == 0 and "xy    *    x, y      -12     4" in out
    if shutil.which("dot"):
        assert (tmp_path / "skipgrad-demo.png").exists() and "picture: skipgrad-demo.png" in out
    code, out, _ = run(["demo", "--no-render"], capsys)
    assert code == 0 and "picture" not in out


def test_module_and_console_script_entry_points():
    done = subprocess.run(
        [sys.executable, "-m", "autograd", "grad", "a*b", "a=2", "b=5", "--json"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert done.returncode == 0 and json.loads(done.stdout)["variables"]["a"]["grad"] == 5.0
    script = shutil.which("skipgrad", path=str(Path(sys.executable).parent))
    if script is None:
        pytest.skip("the skipgrad console script is not installed in this environment")
    done = subprocess.run([script, "grad", "x)", "x=1"], capture_output=True, text=True)
    assert done.returncode == 2 and done.stderr.startswith("skipgrad: error:")


def test_unwritable_output_is_a_one_line_error(capsys, tmp_path):
    pytest.importorskip("graphviz")
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    code, _, err = run([*SEED, "--render", str(blocker / "g.svg")], capsys)
    assert code == 2 and err.startswith("skipgrad: error: cannot write") and err.count("\n") == 1
