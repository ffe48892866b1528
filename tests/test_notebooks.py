"""The notebooks: numbered, each opening with what you will see, none defining engine code, stored with
their outputs (so they read on the web), and those outputs current: each notebook is run again here
and must show what is stored (see tests/notebook_outputs.py for what is compared)."""

import difflib
import importlib.util
import json

import pytest

from tests.notebook_outputs import NOTEBOOKS, REFRESH, WIDGET, execute, noise, shown

PATHS = sorted(NOTEBOOKS.glob("*.ipynb"))
MAX_BYTES = 3_000_000  # all notebooks together, outputs included


def test_notebooks_are_numbered_one_after_another():
    assert [p.name[:3] for p in PATHS] == [f"{i:02d}_" for i in range(1, len(PATHS) + 1)]
    assert len(PATHS) >= 7


@pytest.mark.parametrize("path", PATHS, ids=[p.stem for p in PATHS])
def test_notebook_shape(path):
    cells = json.loads(path.read_text())["cells"]
    assert cells[0]["cell_type"] == "markdown" and "What you will see" in "".join(cells[0]["source"])
    code = [cell for cell in cells if cell["cell_type"] == "code"]
    source = "\n".join("".join(cell["source"]) for cell in code)
    assert "class Value" not in source and "def backward" not in source  # the engine is imported, not defined
    assert "assert " in source  # running the notebook checks its numbers
    assert "from autograd" in source or "from nn" in source


@pytest.mark.parametrize("path", PATHS, ids=[p.stem for p in PATHS])
def test_notebook_is_stored_as_run_top_to_bottom(path):
    nbformat = pytest.importorskip("nbformat")
    nbformat.validate(nbformat.read(path, as_version=4))  # e.g. a tag given twice is invalid
    code = [cell for cell in json.loads(path.read_text())["cells"] if cell["cell_type"] == "code"]
    assert [cell["execution_count"] for cell in code] == list(range(1, len(code) + 1)), f"run again: {REFRESH}"
    assert any(cell["outputs"] for cell in code), f"stored without outputs: {REFRESH}"
    for cell in code:
        tiny = "tiny" in cell["metadata"].get("tags", [])  # its tiny numbers are values (see notebook_outputs)
        for output in cell["outputs"]:
            assert output["output_type"] != "error"
            assert WIDGET not in output.get("data", {}), "a progress bar widget shows 0% on the web"
            text = "".join(output.get("text", "")) + "".join(output.get("data", {}).get("text/plain", ""))
            assert tiny or not noise(text), (
                f"prints rounding noise {noise(text)}, which differs by machine: print the bound"
            )
    assert "widgets" not in json.loads(path.read_text())["metadata"], "widget state of widgets not stored"


def test_notebooks_with_outputs_stay_small():
    assert sum(p.stat().st_size for p in PATHS) <= MAX_BYTES


@pytest.mark.slow
@pytest.mark.parametrize("path", PATHS, ids=[p.stem for p in PATHS])
def test_notebook_runs_and_shows_what_is_stored(path, dot):
    for package in ("nbclient", "ipykernel", "matplotlib"):
        if importlib.util.find_spec(package) is None:
            pytest.skip(f"running the notebooks needs {package}: pip install -e '.[notebooks]'")
    import nbformat

    fresh = shown(execute(path))  # raises, naming the cell, if any of the notebook's asserts fails
    if path.name.startswith("10_") and importlib.util.find_spec("torch") is None:
        pytest.skip("ran without PyTorch; its stored outputs were made with PyTorch")
    stored = shown(nbformat.read(path, as_version=4))
    if fresh != stored:
        cell = (
            next(i for i, (a, b) in enumerate(zip(stored, fresh, strict=True)) if a != b)
            if len(stored) == len(fresh)
            else None
        )
        diff = (
            ""
            if cell is None
            else "\n".join(
                difflib.unified_diff(
                    "\n".join(f"[{kind}] {text}" for kind, text in stored[cell]).splitlines(),
                    "\n".join(f"[{kind}] {text}" for kind, text in fresh[cell]).splitlines(),
                    "stored",
                    "now",
                    lineterm="",
                    n=1,
                )
            )
        )
        where = "the number of code cells changed" if cell is None else f"code cell {cell + 1} shows something else now"
        pytest.fail(f"{path.name}: the stored outputs are out of date ({where}).\n{diff}\nRefresh them: {REFRESH}")


def test_the_comparison_ignores_only_what_varies_by_design():
    nbformat = pytest.importorskip("nbformat")
    from tests.notebook_outputs import clean

    def notebook(*outputs, tags=()):
        cell = nbformat.v4.new_code_cell("pass", outputs=list(outputs), metadata={"tags": list(tags)})
        return clean(nbformat.v4.new_notebook(cells=[cell]))

    def stream(text, name="stdout"):
        return nbformat.v4.new_output("stream", name=name, text=text)

    def svg(text, x):
        return nbformat.v4.new_output("display_data", {"image/svg+xml": f'<svg><text x="{x}">{text}</text></svg>'})

    bar = stream("40%|████      | 40/100", name="stderr")
    assert shown(notebook(stream("loss 0."), stream("25\n"), bar)) == shown(notebook(stream("loss 0.25\n")))
    assert shown(notebook(stream("loss 0.25\n"))) != shown(notebook(stream("loss 0.26\n")))
    assert shown(notebook(svg("grad 4", 10))) == shown(notebook(svg("grad 4", 12)))  # layout may move
    assert shown(notebook(svg("grad 4", 10))) != shown(notebook(svg("grad 5", 10)))  # numbers may not
    plot = '<svg><metadata>https://matplotlib.org/</metadata><text x="1">10<tspan>-20</tspan></text></svg>'
    other_ticks = plot.replace("-20", "-18")
    assert shown(notebook(nbformat.v4.new_output("display_data", {"image/svg+xml": plot}))) == shown(
        notebook(nbformat.v4.new_output("display_data", {"image/svg+xml": other_ticks}))
    )
    noisy = [stream("largest difference 5.4e-12\n"), stream("largest difference 6.0e-12\n")]
    assert shown(notebook(noisy[0])) == shown(notebook(noisy[1]))  # rounding noise, in any cell
    assert shown(notebook(noisy[0])) != shown(notebook(stream("largest difference 2.0e-09\n")))
    assert shown(notebook(noisy[0], tags=["tiny"])) != shown(notebook(noisy[1], tags=["tiny"]))  # values, compared
    timing = [stream("ours:   812.5 ms a step\n"), stream("ours:  1812.5 ms a step\n")]  # padded to a width
    assert shown(notebook(timing[0], tags=["varies"])) == shown(notebook(timing[1], tags=["varies"]))
    assert shown(notebook(timing[0])) != shown(notebook(timing[1]))
    assert shown(notebook(stream("12 ms a step\n"), tags=["varies"])) != shown(
        notebook(stream("12 s a step\n"), tags=["varies"])
    )


# Patches nn.Module.to_torch so that the exported module's parameter gradients are scaled (see below).
SCALED_GRADIENTS = """
import nn

exported = nn.Module.to_torch


def scaled(model, dtype=None):
    module = exported(model, dtype)
    for i, parameter in enumerate(module.parameters()):
        parameter.register_hook(lambda grad, i=i: grad * FACTOR(i))
    return module


nn.Module.to_torch = scaled
"""


@pytest.mark.slow
def test_notebook_10_shows_the_same_under_rounding_noise_and_fails_on_a_wrong_gradient():
    """Another CPU or PyTorch build rounds differently: PyTorch's gradients scaled by 1 +- 1e-12 (relative
    noise, much larger than float64's 1e-16) must show the stored outputs; one gradient off by 1e-6 must
    fail the notebook. Runs the notebook up to and including its gradient comparison."""
    pytest.importorskip("torch")
    for package in ("nbclient", "ipykernel"):
        pytest.importorskip(package)
    import nbformat
    from nbclient.exceptions import CellExecutionError

    path = NOTEBOOKS / "10_graduating_to_pytorch.ipynb"
    stored = nbformat.read(path, as_version=4)
    code = [cell for cell in stored.cells if cell.cell_type == "code"]
    upto = next(i for i, cell in enumerate(code) if "gradients compared" in cell.source) + 1
    noisy = SCALED_GRADIENTS.replace("FACTOR(i)", "(1 + 1e-12 * (-1) ** i)")
    assert shown(execute(path, preamble=noisy, cells=upto)) == shown(stored)[:upto]
    wrong = SCALED_GRADIENTS.replace("FACTOR(i)", "(1 + 1e-6 * (i == 7))")
    with pytest.raises(CellExecutionError, match="worst <= 1e-9"):
        execute(path, preamble=wrong, cells=upto)
