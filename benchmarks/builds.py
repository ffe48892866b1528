"""Which build of skipgrad's engine each row ran in, and how the two builds' rows sit side by side.

The benchmark's own process runs the build that is active (compiled after `python3 tasks.py build`);
skipgrad's pure-Python rows then come from a child process (benchmarks/pure_rows.py). A process
cannot hold both builds: which one runs is decided once, when autograd is imported.
"""

from __future__ import annotations

from typing import Any

import autograd

COMPILED, PURE = "compiled", "pure Python"
OWN_ENGINES = ("skipgrad", "skipgrad, binary ops", "skipgrad, plain ops", "skipgrad nn.GPT")


def this_build() -> str:
    """The build this process runs."""
    return COMPILED if autograd.COMPILED else PURE


def builds() -> list[str]:
    """The builds a run measures skipgrad in: both when this process is compiled, else pure Python."""
    return [COMPILED, PURE] if autograd.COMPILED else [PURE]


def label(name: str, build: str) -> str:
    """A row's engine as the tables show it: skipgrad's engines say their build."""
    return f"{name} ({build})" if name in OWN_ENGINES else name


def side_by_side(runs: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """One table's rows from each build's rows ({build: {engine: row}}), in this process's order, each of
    skipgrad's engines once per build (compiled first), the other engines once, as measured here."""
    merged = {}
    for name, row in runs[this_build()].items():
        if name not in OWN_ENGINES:
            merged[name] = row
            continue
        for build, rows in runs.items():
            if name in rows:
                merged[label(name, build)] = rows[name]
    return merged


def header_line() -> str:
    """The header's sentence on the builds."""
    if autograd.COMPILED:
        return (
            f'skipgrad\'s engines ran in both of its builds: the rows marked "({COMPILED})" in this process, '
            f'with the engine compiled by mypyc, the rows marked "({PURE})" in a child process started with '
            "SKIPGRAD_PURE=1, at the same sizes, checked and timed the same way."
        )
    return (
        f"The compiled build is not in use ({autograd.BUILD}), so skipgrad's engines ran in pure Python "
        f'only (the rows marked "({PURE})").'
    )
