"""Toy data with no dependency: 2-d moons, circles and spirals, each returned as (X, y) lists, and a
bundled list of first names for character-level language models (see nn/datasets/README.md)."""

from __future__ import annotations

import math
import random
from importlib import resources


def make_moons(
    n: int = 100, noise: float = 0.1, seed: int | None = None, *, signed: bool = True
) -> tuple[list[list[float]], list[int]]:
    """Two interleaved half circles: n points, half in each class.

    Labels are -1/+1 (as micrograd's demo uses them) or, with signed=False, 0/1.

    >>> X, y = make_moons(10, seed=0)
    >>> len(X), sorted(set(y)), y.count(1)
    (10, [-1, 1], 5)
    """
    _check(n, noise)
    rng = random.Random(seed)
    upper = n // 2
    points = []
    for i in range(n):
        if i < upper:
            t = math.pi * i / max(upper - 1, 1)
            points.append((math.cos(t), math.sin(t), 0))
        else:
            t = math.pi * (i - upper) / max(n - upper - 1, 1)
            points.append((1.0 - math.cos(t), 0.5 - math.sin(t), 1))
    return _finish(points, noise, rng, signed)


def make_circles(
    n: int = 100, noise: float = 0.05, seed: int | None = None, *, factor: float = 0.5, signed: bool = True
) -> tuple[list[list[float]], list[int]]:
    """A small circle (class +1, or 1) inside a large one (class -1, or 0).

    >>> X, y = make_circles(8, seed=1)
    >>> len(X), y.count(1)
    (8, 4)
    """
    _check(n, noise)
    if not 0 < factor < 1:
        raise ValueError(f"factor must be between 0 and 1, got {factor!r}")
    rng = random.Random(seed)
    outer = n // 2
    points = []
    for i in range(n):
        if i < outer:
            t = 2 * math.pi * i / outer
            points.append((math.cos(t), math.sin(t), 0))
        else:
            t = 2 * math.pi * (i - outer) / (n - outer)
            points.append((factor * math.cos(t), factor * math.sin(t), 1))
    return _finish(points, noise, rng, signed)


def make_spirals(
    n: int = 150, classes: int = 3, noise: float = 0.2, seed: int | None = None
) -> tuple[list[list[float]], list[int]]:
    """`classes` interleaved spiral arms (CS231n's toy set); labels are class indices 0..classes-1.

    >>> X, y = make_spirals(30, classes=3, seed=0)
    >>> len(X), [y.count(k) for k in range(3)]
    (30, [10, 10, 10])
    """
    _check(n, noise)
    if not isinstance(classes, int) or classes < 2:
        raise ValueError(f"classes must be an int >= 2, got {classes!r}")
    rng = random.Random(seed)
    points = []
    for i in range(n):
        k = i % classes
        j = i // classes
        per_class = (n - k + classes - 1) // classes
        r = j / max(per_class - 1, 1)
        t = k * 4.0 + 4.0 * r + rng.gauss(0.0, noise)
        points.append((r * math.sin(t), r * math.cos(t), k))
    rng.shuffle(points)
    return [[x, y] for x, y, _ in points], [k for _, _, k in points]


def names() -> list[str]:
    """5,163 lowercase US first names (a-z only, no duplicates), most frequent first, as a new list.

    They are every first name of the US Census Bureau's 1990 name files (public domain), as shipped
    by the PyPI package names 0.3.0; nn/datasets/README.md says how the list was made.

    >>> words = names()
    >>> len(words) >= 1000, words[:3], "emma" in words
    (True, ['james', 'john', 'robert'], True)
    """
    text = (resources.files("nn") / "datasets" / "names.txt").read_text(encoding="ascii")
    return text.split()


def _check(n: int, noise: float) -> None:
    if not isinstance(n, int) or n < 2:
        raise ValueError(f"n must be an int >= 2, got {n!r}")
    if noise < 0:
        raise ValueError(f"noise must be >= 0, got {noise!r}")


def _finish(
    points: list[tuple[float, float, int]], noise: float, rng: random.Random, signed: bool
) -> tuple[list[list[float]], list[int]]:
    rng.shuffle(points)
    X = [[x + rng.gauss(0.0, noise), y + rng.gauss(0.0, noise)] for x, y, _ in points]
    y = [(2 * k - 1) if signed else k for _, _, k in points]
    return X, y
