"""How the benchmark's numbers are written: Markdown tables, times, ratios and ns per edge."""

from __future__ import annotations

EDGE_NOTE = (
    "ns per edge (W1, W2, W3, W5): the time divided by the number of edges (input links) of that "
    "engine's own graph, counted once by walking it (benchmarks/edges.py), which compares engines per "
    "unit of graph whatever shape their graphs take. For scale: about 10 ns per scalar op is the floor "
    'for autograd written in C (the figure from arogozhnikov\'s "Fastest Autograd in the West").'
)


def table(title: str, columns: list[str], rows: list[list[str]]) -> str:
    lines = [f"**{title}**", "", "| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def ratio(times: dict[str, float], reference: str, name: str) -> str:
    """How many times faster `name` ran than `reference`, or "-"."""
    if reference not in times or name == reference:
        return "-"
    return f"{times[reference] / times[name]:.1f}x"


def ns_per_edge(seconds: float, edges: float) -> str:
    if not edges:
        return "-"
    ns = seconds / edges * 1e9
    return f"{ns:.1f} ns" if ns < 10 else f"{ns:,.0f} ns"


def ms(seconds: float) -> str:
    return f"{seconds * 1e3:.1f} ms"


def s(seconds: float) -> str:
    return f"{seconds:.3f} s" if seconds < 10 else f"{seconds:.1f} s"


def count(n: float) -> str:
    return f"{int(n):,}"
