"""How the benchmark times and checks, the same in both builds' processes: medians of repeated runs with
Python's cyclic GC on (as users run code), and no time taken of an engine whose answer is wrong."""

from __future__ import annotations

import gc
import math
import statistics
import time
from collections.abc import Callable
from typing import Any


def agree(what: str, value: float, reference: float, against: str, rel: float = 1e-9) -> None:
    """Stop the run where an engine's answer differs from the reference engine's."""
    if not math.isclose(value, reference, rel_tol=rel, abs_tol=1e-12):
        raise AssertionError(f"{what}: {value!r} differs from {against}'s {reference!r}; not timing a wrong answer")


def time_build_and_backward(
    build: Callable[[], Any], backward: Callable[[Any], float], repeats: int, count_edges: Callable[[Any], int]
) -> tuple[float, float, float, int]:
    """Median build and backward times over `repeats` fresh graphs, the last gradient, and the edges of
    the last graph (counted after its times are taken: a graph's shape is the same every repeat)."""
    build_times, backward_times = [], []
    edges = 0
    for repeat in range(repeats):
        gc.collect()
        start = time.perf_counter()
        graph = build()
        built = time.perf_counter()
        grad = backward(graph)
        done = time.perf_counter()
        build_times.append(built - start)
        backward_times.append(done - built)
        if repeat == repeats - 1:
            edges = count_edges(graph)
        del graph
    return statistics.median(build_times), statistics.median(backward_times), grad, edges


def median_time(step: Callable[[], Any], repeats: int) -> float:
    step()  # warm-up
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def median_times_interleaved(steps: dict[str, Callable[[], Any]], repeats: int) -> dict[str, float]:
    """Median times of steps taken in turns (one warm-up each, then one step of each engine per round),
    so that a machine slowed by other work for a while slows every engine alike."""
    times: dict[str, list[float]] = {name: [] for name in steps}
    for step in steps.values():
        step()
    for _ in range(repeats):
        for name, step in steps.items():
            start = time.perf_counter()
            step()
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(t) for name, t in times.items()}


def mean_phases(trainers: list, repeats: int) -> dict[str, tuple[float, ...]]:
    """Each trainer's step timed in parts, the trainers interleaved as for the step times."""
    parts: dict[str, list[tuple[float, float, float, float]]] = {t.name: [] for t in trainers}
    for _ in range(repeats):
        for trainer in trainers:
            parts[trainer.name].append(trainer.timed_phases())
    return {name: tuple(statistics.fmean(p[i] for p in runs) for i in range(4)) for name, runs in parts.items()}
