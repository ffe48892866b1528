"""Render the pictures in docs/ (run: .venv/bin/python docs/make_pictures.py)."""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import matplotlib  # noqa: E402

matplotlib.use("Agg")
import graphviz  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402

from autograd import render, render_animation  # noqa: E402
from autograd.examples import seed_circuit  # noqa: E402
from autograd.expression import build  # noqa: E402
from nn import compare_gradient_flow, plot_gradient_flow  # noqa: E402
from tests.drawing_examples import micrograd_api_dot, residual_block_graph, seed_circuit_graph  # noqa: E402

for name, example in (("seed_circuit", seed_circuit_graph), ("residual_block", residual_block_graph)):
    root, options = example()
    print(render(root, ROOT / "docs" / f"{name}.png", **options))

# The backward pass of the seed circuit, one step a second, for a slide.
print(render_animation(seed_circuit()["cost"], ROOT / "docs" / "seed_circuit_backward.gif", fps=1.0, hold_last=3.0))

# The trial's expression, as the command line draws it: skipgrad grad "tanh(x*0.5 + y*1.5)" x=1 y=2
out, _ = build("tanh(x*0.5 + y*1.5)", {"x": 1.0, "y": 2.0})
out.backward()
print(render(out, ROOT / "docs" / "tanh_expression.png"))

# Notebook 5's first picture: the gradient reaching each layer, with and without skips.
flows = compare_gradient_flow(depth=20, width=8, activations=("sigmoid",), samples=16, seed=0)
clean = compare_gradient_flow(
    depth=20, width=8, activations=("sigmoid",), samples=16, seed=0, activation_after_add=False
)
flows["sigmoid, no activation after the add"] = {"residual": clean["sigmoid"]["residual"]}
ax = plot_gradient_flow(flows)
ax.set_title("20 sigmoid blocks, same weights: the gradient reaching each layer")
ax.figure.tight_layout()
ax.figure.savefig(ROOT / "docs" / "gradient_highway.png", dpi=110)
plt.close(ax.figure)
print(ROOT / "docs" / "gradient_highway.png")

# micrograd's drawing code reads _prev and _op: the same expression through that API on both engines.
from micrograd.engine import Value as TheirValue  # noqa: E402

from autograd import Value  # noqa: E402

graphs = {}
for title, make in (("micrograd 0.1.0", TheirValue), ("skipgrad", Value)):
    y = (make(0.5) * 2 + 1).relu()
    y.backward()
    graphs[f"{title}: (x*2 + 1).relu()"] = y
source = graphviz.Source(micrograd_api_dot(graphs))
source.render(outfile=str(ROOT / "docs" / "micrograd_api.png"), format="png", cleanup=True)
print(ROOT / "docs" / "micrograd_api.png")
