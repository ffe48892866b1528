"""The notebooks' shape: numbered, stored without outputs, each opening with what you will see,
none defining engine code. Running them is done by `pytest --nbmake` (the README's test command)."""

import json
from pathlib import Path

import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))


def test_notebooks_are_numbered_one_after_another():
    assert [p.name[:3] for p in NOTEBOOKS] == [f"{i:02d}_" for i in range(1, len(NOTEBOOKS) + 1)]
    assert len(NOTEBOOKS) >= 7


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_shape(path):
    cells = json.loads(path.read_text())["cells"]
    assert cells[0]["cell_type"] == "markdown" and "What you will see" in "".join(cells[0]["source"])
    code = [cell for cell in cells if cell["cell_type"] == "code"]
    assert all(not cell["outputs"] and cell["execution_count"] is None for cell in code), "stored with outputs"
    source = "\n".join("".join(cell["source"]) for cell in code)
    assert "class Value" not in source and "def backward" not in source  # the engine is imported, not defined
    assert "assert " in source  # running the notebook checks its numbers
    assert "from autograd" in source or "from nn" in source
