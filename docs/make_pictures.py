"""Render the pictures in docs/ (run: .venv/bin/python docs/make_pictures.py)."""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from autograd import render  # noqa: E402
from tests.drawing_examples import residual_block_graph, seed_circuit_graph  # noqa: E402

for name, example in (("seed_circuit", seed_circuit_graph), ("residual_block", residual_block_graph)):
    root, options = example()
    print(render(root, ROOT / "docs" / f"{name}.png", **options))
