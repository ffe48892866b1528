"""The speed targets, each against this run's numbers in both builds of skipgrad's engine.

Whether a target is met is judged on the compiled build when this run had it, else on pure Python;
the other build's number stands beside it for comparison. The graph explorer's goals
(benchmarks/explorer.py) ran in this process's build only.
"""

from __future__ import annotations

from collections.abc import Callable

from .builds import COMPILED, PURE
from .explorer import goals
from .tables import table

TARGETS: list[tuple[str, str, str, Callable[[float], bool]]] = [  # (key in `measured`, what, goal, met when)
    ("W1", "W1 step, x faster than micrograd", ">= 100x", lambda r: r >= 100),
    ("W2", "W2 backward at the largest N, x faster than micrograd", ">= 15x", lambda r: r >= 15),
    # RSS grows by whole pages, and a few kB of it are not the nodes' (100,000 nodes: 0.1 B each), so
    # W4 is read to the whole byte, as its table shows it.
    ("W4", "W4 RSS per op node, to the whole byte", "<= 160 B", lambda b: round(b) <= 160),
    ("W5 plain ops", "W5 plain ops, x faster than the local-gradient design", ">= 2x", lambda r: r >= 2),
    ("W5 nn.GPT", "W5 nn.GPT, x faster than the local-gradient design", ">= 10x", lambda r: r >= 10),
]


def targets(measured: dict[str, dict[str, float]], explorer: dict[str, float]) -> str:
    """The targets' table: `measured` holds each build's numbers ({build: {key: value}}), `explorer` the
    graph explorer's, which ran in the judged build."""
    judged = COMPILED if COMPILED in measured else PURE
    others = [build for build in measured if build != judged]
    rows = []
    for key, what, goal, met in TARGETS:
        value = measured[judged].get(key)
        shown = [_shown(key, measured[build].get(key)) for build in (judged, *others)]
        rows.append([what, goal, *shown, "-" if value is None else "yes" if met(value) else "no"])
    for what, goal, number, met_or_not in goals(explorer):
        rows.append([what, goal, number, *("-" for _ in others), met_or_not])
    columns = ["target", "goal", *(f"this run, {build}" for build in (judged, *others)), "met"]
    note = f"Met or not is judged on the {judged} build" + (
        f"; the {others[0]} column is for comparison, and the explorer ran compiled only." if others else "."
    )
    if judged == PURE:
        note += " The compiled build was not in use in this run."
    return f"{table('The targets, against this run', columns, rows)}\n\n{note}"


def _shown(key: str, value: float | None) -> str:
    if value is None:
        return "not measured (an engine is missing)"
    return f"{value:.0f} B" if key == "W4" else f"{value:.1f}x"
