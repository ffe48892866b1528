"""The `skipgrad` command line: gradient tables, JSON, pictures, and refusing unsafe or bad input."""

import ast
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import autograd
from autograd.cli import main
from autograd.expression import build

ROOT = Path(__file__).resolve().parents[1]
SEED = ["grad", "x*y + max(z, w)", "x=3", "y=-4", "z=2", "w=-1"]


def refused(result, words):
    """A refusal: status 2, nothing on stdout, one line on stderr that contains `words`."""
    code, out, err = result
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("skipgrad: error: ") and words in err, err


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


@pytest.mark.usefixtures("dot")
def test_render_and_steps_write_files(capsys, tmp_path):
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
    refused(run(["grad", expression, "x=3"], capsys), words)


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


def test_demo_prints_and_renders(capsys, tmp_path, monkeypatch, request):
    monkeypatch.chdir(tmp_path)
    code, out, _ = run(["demo"], capsys)  # the table and status 0 whether or not it can draw
    assert code == 0 and "xy    *    x, y      -12     4" in out
    code, plain, _ = run(["demo", "--no-render"], capsys)
    assert code == 0 and "xy    *    x, y      -12     4" in plain and "picture" not in plain
    request.getfixturevalue("dot")  # drawing the picture needs the graphviz package and `dot`
    assert (tmp_path / "skipgrad-demo.png").exists() and "picture: skipgrad-demo.png" in out


@pytest.mark.slow
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


@pytest.mark.usefixtures("graphviz")
def test_unwritable_output_is_a_one_line_error(capsys, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    code, _, err = run([*SEED, "--render", str(blocker / "g.svg")], capsys)
    assert code == 2 and err.startswith("skipgrad: error: cannot write") and err.count("\n") == 1


# ------------------------------------------------------------------ refusals before output, odd input, pipes
@pytest.mark.parametrize(
    "expression, variables, words",
    [
        ("exp*2", [], "'exp' is a function; call it as exp(...)"),
        ("max", [], "'max' is a function; call it as max(..., ...)"),
        ("exp + x", ["x=1"], "'exp' is a function; call it as exp(...)"),
    ],
)
def test_a_function_name_used_as_a_variable_is_refused(expression, variables, words, capsys):
    refused(run(["grad", expression, *variables], capsys), words)


@pytest.mark.parametrize(
    "args, words",
    [
        (["grad"], "the following arguments are required: expression"),
        (["frobnicate"], "invalid choice: 'frobnicate'"),
        (["demo", "--render", "d.png", "--no-render"], "not allowed with argument"),
    ],
)
def test_argument_mistakes_are_one_line_too(args, words, capsys):
    with pytest.raises(SystemExit) as leaving:
        main(args)
    _, err = capsys.readouterr()
    assert leaving.value.code == 2 and err.count("\n") == 1 and err.startswith("skipgrad: error: ") and words in err


def test_a_bad_render_path_is_refused_before_anything_is_printed(capsys, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    (tmp_path / "folder.svg").mkdir()
    for target, words in [
        (tmp_path / "g.txt", "must end in .png, .svg or .pdf"),
        (blocker / "g.svg", "is not a folder"),
        (tmp_path / "folder.svg", "is a folder"),
    ]:
        for extra in ([], ["--json"]):
            code, out, err = run([*SEED, *extra, "--render", str(target)], capsys)
            assert code == 2 and out == "", (target, out)
            assert err.count("\n") == 1 and err.startswith("skipgrad: error: ") and words in err, err


def test_render_and_steps_into_a_missing_folder_are_refused_and_make_no_folder(capsys, tmp_path):
    target = tmp_path / "new" / "deeper" / "g.svg"
    code, out, err = run([*SEED, "--render", str(target)], capsys)
    assert code == 2 and out == ""
    assert err == f"skipgrad: error: cannot write {target}: there is no folder {target.parent}\n"
    code, out, err = run([*SEED, "--steps", str(tmp_path / "new" / "steps")], capsys)
    assert code == 2 and out == "" and f"there is no folder {tmp_path / 'new'}" in err
    assert list(tmp_path.iterdir()) == []


def test_steps_makes_its_own_folder_in_one_that_exists(capsys, tmp_path):
    code, out, _ = run([*SEED, "--steps", str(tmp_path / "steps")], capsys)
    page = tmp_path / "steps" / "index.html"
    assert code == 0 and page.exists()
    found = re.search(r'id="skipgrad-graph">(.*?)</script>', page.read_text(encoding="utf-8"))
    assert found is not None
    model = json.loads(found.group(1))
    assert model["captions"][:2] == [
        "seed: “x * y + max(z, w)” is the output, so its gradient is 1",
        "“x * y + max(z, w)” (+) sends 1 to “x * y” and 1 to “max(z, w)”",
    ]


def test_steps_without_the_layout_library_is_refused_before_anything_is_printed(capsys, tmp_path, monkeypatch):
    from autograd.explorer import page

    monkeypatch.setattr(page, "ELK_BUNDLE", tmp_path / "missing.js")
    code, out, err = run([*SEED, "--steps", str(tmp_path / "steps")], capsys)
    assert code == 2 and out == "" and "elkjs is missing" in err
    assert list(tmp_path.iterdir()) == []


@pytest.mark.usefixtures("graphviz")
def test_render_without_dot_fails_with_the_install_hint(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # an empty folder: no `dot` anywhere
    code, out, err = run([*SEED, "--render", str(tmp_path / "g.svg")], capsys)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("skipgrad: error: ") and "apt-get install graphviz" in err, err
    code, out, err = run([*SEED, "--steps", str(tmp_path / "steps")], capsys)  # the explorer's page: no dot
    assert code == 0 and (tmp_path / "steps" / "index.html").exists() and "step-through:" in out, err


@pytest.mark.usefixtures("graphviz")
def test_demo_without_dot_still_prints_its_table(capsys, tmp_path, monkeypatch):
    """The demo's picture is a default, not a request: without `dot` it is skipped with a note."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PATH", str(tmp_path))
    code, out, err = run(["demo"], capsys)
    assert code == 0 and "xy    *    x, y" in out and "apt-get install graphviz" in err
    code, out, err = run(["demo", "--render", "d.png"], capsys)
    assert code == 2 and out == "" and "apt-get install graphviz" in err


def _balanced_sum(terms: int) -> str:
    """x + x + ... (`terms` of them, a power of two) as a balanced tree of parentheses: ((x+x)+(x+x))."""
    parts = ["x"] * terms
    while len(parts) > 1:
        parts = [f"({a}+{b})" for a, b in zip(parts[::2], parts[1::2], strict=True)]
    return parts[0]


@pytest.mark.slow
@pytest.mark.parametrize(
    "args",
    [["grad", _balanced_sum(128), "x=1"], ["grad", _balanced_sum(128), "x=1", "--json"], ["demo", "--no-render"]],
)
def test_output_into_a_closed_pipe_ends_quietly(args):
    """As `skipgrad grad ... | head -1`, with the reader gone before the first line is written."""
    child = subprocess.Popen(
        [sys.executable, "-m", "autograd", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    assert child.stdout is not None and child.stderr is not None
    child.stdout.close()  # long before Python has started in the child
    err = child.stderr.read()
    child.wait(timeout=60)
    assert "Traceback" not in err and "BrokenPipe" not in err and "Broken pipe" not in err, err
    assert err == "" and child.returncode == 1


def test_flat_sums_and_products_are_not_nesting(capsys):
    code, out, err = run(["grad", "+".join(["x"] * 61), "x=1", "--json"], capsys)
    assert code == 0 and err == "" and json.loads(out)["output"]["data"] == 61.0
    code, out, err = run(["grad", "*".join(["x"] * 61) + " - x/x/x", "x=1", "--json"], capsys)
    assert code == 0 and err == "" and json.loads(out)["output"]["data"] == 0.0
    longest = "x+" * 499 + "x"  # 999 characters, 500 terms: no recursion per term anywhere
    code, out, err = run(["grad", longest, "x=1", "--json"], capsys)
    data = json.loads(out)
    assert code == 0 and err == "" and data["output"]["data"] == 500.0 and data["variables"]["x"]["grad"] == 500.0
    code, out, err = run(["grad", longest, "x=1"], capsys)
    assert code == 0 and err == "" and out.splitlines()[-1].split()[-2:] == ["500", "1"]


def _sums_of_products(depth: int) -> str:
    """(((x*x+x)*x+x)*x+x): every bracket is two levels, a product inside a sum."""
    text = "x"
    for _ in range(depth):
        text = f"({text}*x+x)"
    return text


@pytest.mark.parametrize(
    "expression",
    [
        "-" * 200 + "x",
        "exp(" * 61 + "x" + ")" * 61,
        "x" + "+(x" * 61 + ")" * 61,
        _sums_of_products(31),
    ],
)
def test_deep_nesting_is_still_refused(expression, capsys):
    code, out, err = run(["grad", expression, "x=1"], capsys)
    assert code == 2 and out == "" and "nested more than 60" in err and err.count("\n") == 1, err


@pytest.mark.parametrize(
    "expression",
    ["-(x+y)", "(-x)**2", "2**-x", "-x**2", "x-(y-z)", "(x-y)-z", "x/(y*z)", "x**y**z", "(x**y)**z", "max(x+y, -z)*2"],
)
def test_labels_read_as_python_writes_the_expression(expression):
    values = {"x": 2, "y": 3, "z": 4}
    out, _ = build(expression, {name: value for name, value in values.items() if name in expression})
    assert out.label == ast.unparse(ast.parse(expression, mode="eval").body)


@pytest.mark.parametrize(
    "expression, variables, words",
    [
        ("1e400*x", ["x=1"], "the number 1e400 is too large for a float"),
        ("x*1" + "0" * 400, ["x=1"], "is too large for a float"),
        ("x*2", ["x=1e400"], "x=1e400: the number 1e400 is too large for a float"),
        ("x*2", ["x=-1e400"], "too large"),
        ("x*2", ["x=inf"], "finite"),
    ],
)
def test_numbers_beyond_a_float_are_named(expression, variables, words, capsys):
    refused(run(["grad", expression, *variables], capsys), words)


def test_names_are_normalised_as_python_does(capsys):
    for args in (["ｘ*2", "x=3"], ["x*2", "ｘ=3"], ["ｘ*2", "ｘ=3"]):
        code, out, err = run(["grad", *args, "--json"], capsys)
        assert code == 0 and err == "" and json.loads(out)["variables"] == {"x": {"data": 3.0, "grad": 2.0}}
    code, _, err = run(["grad", "x*2", "x=3", "ｘ=4"], capsys)
    assert code == 2 and "given twice" in err
    code, _, err = run(["grad", "x*2", "x=3", "ｅｘｐ=4"], capsys)
    assert code == 2 and "'exp' is a function name" in err


def test_json_nodes_have_ids_so_repeats_can_be_told_apart(capsys):
    code, out, _ = run(["grad", "x*y + x*y + 2*x", "x=2", "y=3", "--json"], capsys)
    nodes = json.loads(out)["nodes"]
    assert code == 0 and [node["id"] for node in nodes] == list(range(len(nodes)))
    by_id = {node["id"]: node for node in nodes}
    products = [node for node in nodes if node["name"] == "x * y"]
    assert len(products) == 2 and products[0]["id"] != products[1]["id"]
    for node in nodes:
        assert len(node["input_ids"]) == len(node["inputs"])
        for name, ref in zip(node["inputs"], node["input_ids"], strict=True):
            assert (ref is None and name == "2") or by_id[ref]["name"] == name
    total = nodes[-1]
    assert total["inputs"] == ["x * y + x * y", "2 * x"]
    first_sum = by_id[total["input_ids"][0]]
    assert sorted(first_sum["input_ids"]) == sorted(p["id"] for p in products)
    assert by_id[total["input_ids"][1]]["input_ids"] == [None, by_id[0]["id"]]


# ------------------------------------------------------------------ pipes, option order, numbers, width
def _run_into_closed_pipe(args, env=None):
    """Run `python -m autograd args` with its stdout closed before it starts: `... | head -0`."""
    child = subprocess.Popen(
        [sys.executable, "-m", "autograd", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env=env,
    )
    assert child.stdout is not None and child.stderr is not None
    child.stdout.close()
    err = child.stderr.read()
    child.wait(timeout=60)
    return child.returncode, err


@pytest.mark.slow
@pytest.mark.usefixtures("dot")
@pytest.mark.parametrize("extra", [[], ["--json"]])
def test_pictures_are_written_even_when_the_reader_leaves(tmp_path, extra):
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    picture, steps = tmp_path / "hp2.png", tmp_path / "steps"
    code, err = _run_into_closed_pipe(
        ["grad", "x*2", "x=1", *extra, "--render", str(picture), "--steps", str(steps)], env
    )
    assert code == 1 and err == "", err
    assert picture.stat().st_size > 0 and (steps / "index.html").exists()
    # a table longer than the output buffer fails while printing, even when PYTHONUNBUFFERED is not set
    code, err = _run_into_closed_pipe(["grad", _balanced_sum(128), "x=1", "--render", str(tmp_path / "big.svg")])
    assert code == 1 and err == "" and (tmp_path / "big.svg").exists(), err


@pytest.mark.parametrize(
    "args",
    [
        ["grad", "x*y", "--json", "x=1", "y=2"],
        ["grad", "--json", "x*y", "x=1", "y=2"],
        ["grad", "x*y", "x=1", "--json", "y=2"],
        ["grad", "--json", "--", "x*y", "x=1", "y=2"],
    ],
)
def test_options_may_go_anywhere(args, capsys):
    code, out, err = run(args, capsys)
    assert code == 0 and err == "" and json.loads(out)["variables"]["x"] == {"data": 1.0, "grad": 2.0}


def test_render_may_go_between_the_variables(capsys, tmp_path):
    """The refusal names the --render path, so the option was read as one, not as a variable."""
    code, out, err = run(["grad", "x*y", "x=1", "--render", str(tmp_path / "g.txt"), "y=2"], capsys)
    assert code == 2 and out == "" and "must end in .png, .svg or .pdf" in err and err.count("\n") == 1, err


@pytest.mark.parametrize(
    "args, data",
    [
        (["grad", "--", "-x", "x=1", "--json"], -1.0),
        (["grad", "--json", "x", "--", "x=-1"], -1.0),
        (["grad", "-x*y", "x=2", "y=-3", "--json"], 6.0),
        (["grad", "-3", "--json"], -3.0),
        (["grad", "-1e3*x", "x=2", "--json"], -2000.0),
        (["grad", "-h*x", "h=2", "x=3", "--json"], -6.0),
    ],
)
def test_a_leading_minus_and_the_end_of_options_marker(args, data, capsys):
    code, out, err = run(args, capsys)
    assert code == 0 and err == "", err
    result = json.loads(out)
    assert result["output"]["data"] == data and not result["expression"].startswith(" ")


@pytest.mark.parametrize(
    "args, words",
    [
        (["grad", "x*2", "x=1", "--jsn"], "unrecognized arguments: --jsn"),
        (["grad", "--jsn", "x*2", "x=1"], "unrecognized arguments: --jsn"),
        (["-x"], "invalid choice: '-x'"),
        (["demo", "-x"], "unrecognized arguments: -x"),
        (["grad", "x*2", "x=1", "--render"], "expected one argument"),
    ],
)
def test_option_mistakes_are_argparse_own_without_an_added_space(args, words, capsys):
    with pytest.raises(SystemExit) as leaving:
        main(args)
    _, err = capsys.readouterr()
    assert leaving.value.code == 2 and err.count("\n") == 1 and err.startswith("skipgrad: error: ") and words in err
    assert "  -" not in err and "' -" not in err, err


def test_a_stray_option_like_word_is_named_without_an_added_space(capsys):
    code, _, err = run(["grad", "x*2", "x=1", "-q"], capsys)
    assert code == 2 and "got '-q'" in err and err.count("\n") == 1, err


def test_version(capsys):
    with pytest.raises(SystemExit) as leaving:
        main(["--version"])
    out, err = capsys.readouterr()
    assert leaving.value.code == 0 and out == f"skipgrad {autograd.__version__}\n" and err == ""


@pytest.mark.parametrize(
    "expression, variables, data",
    [
        ("max(2, 3)", [], 3.0),
        ("exp(0)", [], 1.0),
        ("min(exp(0), 2) * x", ["x=5"], 5.0),
        ("max(2, x)", ["x=1"], 2.0),
        ("min(2, x) + max(-1, x)", ["x=1"], 2.0),
    ],
)
def test_a_function_of_numbers_is_a_number_not_a_leaf(expression, variables, data, capsys):
    code, out, err = run(["grad", expression, *variables, "--json"], capsys)
    result = json.loads(out)
    assert code == 0 and err == "" and result["output"]["data"] == data
    assert not any(node["name"].startswith("leaf#") for node in result["nodes"]), result["nodes"]
    leaves = [node["name"] for node in result["nodes"] if not node["op"]]
    assert leaves == ([v.split("=")[0] for v in variables] or [expression])  # numbers alone make one leaf: the result


def test_a_number_first_in_max_is_a_plain_operand():
    out, leaves = build("max(2, x)", {"x": 1})
    same, same_leaves = build("max(x, 2)", {"x": 1})
    assert (
        out.op == same.op == "max" and out.operands == (leaves["x"], 2.0) and same.operands == (same_leaves["x"], 2.0)
    )
    out.backward()
    assert leaves["x"].grad == 0.0 and out.data == 2.0


@pytest.mark.parametrize(
    "expression, variables, words",
    [
        ("1e-400 * x", ["x=1"], "the number 1e-400 is too small for a float (it would be 0)"),
        ("x * -0.00001e-320", ["x=1"], "the number 0.00001e-320 is too small for a float"),
        ("x*2", ["x=1e-400"], "x=1e-400: the number 1e-400 is too small for a float (it would be 0)"),
        ("x*2", ["x=-1e-400"], "too small"),
    ],
)
def test_numbers_that_would_be_0_are_named(expression, variables, words, capsys):
    refused(run(["grad", expression, *variables], capsys), words)


@pytest.mark.parametrize(
    "expression, variables", [("5e-324 * x", ["x=1"]), ("x*2", ["x=5e-324"]), ("0e-400*x", ["x=0e-999"])]
)
def test_tiny_numbers_and_zeros_are_fine(expression, variables, capsys):
    code, _, err = run(["grad", expression, *variables, "--json"], capsys)
    assert code == 0 and err == ""


@pytest.mark.parametrize("expression", ["+".join(["x"] * 300), "x * 1" + "0" * 299, "-(" + "x+" * 100 + "x)"])
def test_table_rows_stay_readable_while_json_keeps_full_names(expression, capsys):
    code, out, err = run(["grad", expression, "x=1"], capsys)
    assert code == 0 and err == ""
    assert max(len(line) for line in out.splitlines()) < 100, max(out.splitlines(), key=len)
    names = [line[:41].rstrip() for line in out.splitlines()[2:]]
    assert any(name.endswith("…") and len(name) == 40 for name in names), names
    code, out, _ = run(["grad", expression, "x=1", "--json"], capsys)
    assert code == 0 and json.loads(out)["nodes"][-1]["name"] == ast.unparse(ast.parse(expression, mode="eval").body)


@pytest.mark.usefixtures("graphviz")
def test_a_failed_render_names_the_picture_asked_for(capsys, tmp_path, monkeypatch):
    """Whatever file graphviz trips over on the way (a .gv source), the user asked for their picture."""
    import errno

    import autograd.drawing

    if shutil.which("dot") is None:
        monkeypatch.setattr("autograd.cli._check_dot", lambda: None)

    def fail(root, path, **options):
        raise OSError(errno.ENOENT, "No such file or directory", str(tmp_path / "a.gv"))

    monkeypatch.setattr(autograd.drawing, "render", fail)
    code, out, err = run([*SEED, "--render", str(tmp_path / "a.png")], capsys)
    assert code == 2 and err == f"skipgrad: error: cannot write {tmp_path / 'a.png'}: No such file or directory\n", err


def test_html_writes_the_explorer_and_refuses_another_suffix(capsys, tmp_path):
    from autograd.explorer.page import ELK_BUNDLE

    refused(run([*SEED, "--html", str(tmp_path / "g.txt")], capsys), "must end in .html")
    refused(run([*SEED, "--html", str(tmp_path / "nowhere" / "g.html")], capsys), "there is no folder")
    if not ELK_BUNDLE.is_file():
        pytest.skip("elkjs is not installed: run python3 tasks.py test")
    code, out, _ = run([*SEED, "--html", str(tmp_path / "g.html")], capsys)
    page = (tmp_path / "g.html").read_text(encoding="utf-8")
    assert code == 0 and out.splitlines()[-1] == f"explorer: {tmp_path / 'g.html'}" and '"x * y"' in page
