"""fit(live=True): one figure in a Jupyter output, redrawn in place as the model trains.

The figure is drawn with matplotlib's Agg canvas (never pyplot, so Jupyter does not show it a second
time at the end of the cell), turned into a PNG, displayed once with a display id, and every few steps
replaced through that id: an update_display_data message, so the output neither grows nor flickers.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Sequence
from typing import Any

from autograd import Value

GRID = 30  # grid points a side for the decision boundary: GRID**2 forward passes a redraw


def _matplotlib() -> tuple[Any, Any]:
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError as missing:
        raise ImportError("fit(live=True) needs matplotlib: pip install 'skipgrad[plot]'") from missing
    return Figure, FigureCanvasAgg


class LiveView:
    """The loss and accuracy curves so far, and for 2-D inputs the model's decision regions with the data.

    `update(step, history)` redraws; the first call displays the figure, later calls replace it.
    """

    def __init__(
        self, model: Any, X: Sequence[Sequence[float]], y: Sequence, *, loss: Any, steps: int, grid: int = GRID
    ) -> None:
        Figure, FigureCanvasAgg = _matplotlib()
        self.model, self.X, self.y, self.loss, self.steps, self.grid = model, X, y, loss, steps, grid
        self.two_d = bool(X) and len(X[0]) == 2
        self.figure = Figure(figsize=(11.5 if self.two_d else 8, 3.4), dpi=72)
        FigureCanvasAgg(self.figure)
        self.axes = self.figure.subplots(1, 3 if self.two_d else 2)
        self.figure.subplots_adjust(left=0.06, right=0.98, bottom=0.16, top=0.8, wspace=0.25)  # tight_layout: slow
        self.handle = None
        if self.two_d:
            self.xs = _span([float(p[0]) for p in X], grid)
            self.ys = _span([float(p[1]) for p in X], grid)

    def update(self, step: int, history: Any) -> None:
        from IPython.display import display

        self._draw(step, history)
        bundle = {"image/png": self._png(), "text/plain": self.title}
        if self.handle is None:
            self.handle = display(bundle, raw=True, display_id=True)
        else:
            self.handle.update(bundle, raw=True)

    def _draw(self, step: int, history: Any) -> None:
        loss_ax, accuracy_ax = self.axes[0], self.axes[1]
        for ax in self.axes:
            ax.clear()
        done = range(1, len(history.loss) + 1)
        loss_ax.plot(done, history.loss, color="tab:blue")
        loss_ax.set_title("loss")
        accuracy_ax.plot(done, history.accuracy, color="tab:green")
        accuracy_ax.set_ylim(-0.02, 1.02)
        accuracy_ax.set_title("training accuracy")
        for ax in (loss_ax, accuracy_ax):
            ax.set_xlim(1, max(self.steps, 2))
            ax.set_xlabel("step")
        if self.two_d:
            self._boundary(self.axes[2])
        self.title = f"step {step}/{self.steps}: loss {history.loss[-1]:.4f}"
        if history.accuracy[-1] == history.accuracy[-1]:  # not NaN (mse and custom losses)
            self.title += f", accuracy {history.accuracy[-1]:.0%}"
        self.figure.suptitle(self.title)

    def _boundary(self, ax: Any) -> None:
        """A filled contour of the model's score on the grid (the class with the largest logit for several
        outputs), the zero line of the score, and the data coloured by label."""
        scores = [[_score(self.model([a, b])) for a in self.xs] for b in self.ys]
        several = isinstance(scores[0][0], int)
        if several:
            classes = 1 + max(int(s) for row in scores + [list(self.y)] for s in row)
            ax.contourf(
                self.xs, self.ys, scores, levels=[k - 0.5 for k in range(classes + 1)], cmap="coolwarm", alpha=0.35
            )
        else:
            clipped = [[max(-2.0, min(2.0, s)) for s in row] for row in scores]
            ax.contourf(
                self.xs, self.ys, clipped, levels=[-2.0 + 0.5 * k for k in range(9)], cmap="coolwarm", alpha=0.35
            )
            if any(s > 0 for row in scores for s in row) and any(s < 0 for row in scores for s in row):
                ax.contour(self.xs, self.ys, scores, levels=[0.0], colors="k", linewidths=1.0)
        labels = [float(t) for t in self.y]
        ax.scatter(
            [p[0] for p in self.X],
            [p[1] for p in self.X],
            c=labels,
            cmap="coolwarm",
            s=12,
            edgecolors="k",
            linewidths=0.3,
        )
        ax.set_xlim(self.xs[0], self.xs[-1])
        ax.set_ylim(self.ys[0], self.ys[-1])
        ax.set_title("decision boundary")

    def _png(self) -> str:
        buffer = io.BytesIO()
        self.figure.savefig(buffer, format="png")
        return base64.b64encode(buffer.getvalue()).decode("ascii")


def _span(values: list[float], n: int) -> list[float]:
    low, high = min(values), max(values)
    pad = 0.1 * (high - low) or 0.5
    low, high = low - pad, high + pad
    return [low + (high - low) * i / (n - 1) for i in range(n)]


def _score(out: Any) -> float | int:
    """The score of a one-output model, or the index of the largest of several outputs."""
    if isinstance(out, Value):
        return float(out.data)
    if not isinstance(out, Sequence):
        return float(out)
    if len(out) == 1:
        return _score(out[0])
    data = [o.data if isinstance(o, Value) else float(o) for o in out]
    return max(range(len(data)), key=data.__getitem__)
