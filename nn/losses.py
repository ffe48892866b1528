"""Losses as plain functions, `loss(predictions, targets)` in PyTorch's order, reduced by the mean.

Predictions, targets and logits may also be numpy arrays or scalars of any real dtype: they are read
as the Python lists and numbers `.tolist()` gives, so the results are those of the lists, bit for bit.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from numbers import Real
from typing import Any, Union

from autograd import Value, checks, sum_of
from autograd.numpy_adapter import as_python

Prediction = Union[Value, float]


def mse_loss(predictions: Prediction | Sequence[Prediction], targets: float | Sequence[float]) -> Value:
    """mean((p - t)**2).

    >>> mse_loss([Value(1.0), Value(3.0)], [0.0, 1.0]).data
    2.5
    """
    ps, ts = _pair(predictions, targets, "mse_loss")
    return _mean([(_value(p) - t) ** 2 for p, t in zip(ps, ts, strict=True)])


def hinge_loss(scores: Prediction | Sequence[Prediction], targets: float | Sequence[float]) -> Value:
    """mean(relu(1 - y * s)) for labels y in {-1, +1}: micrograd's max-margin loss.

    >>> hinge_loss([Value(2.0), Value(0.5)], [1, -1]).data
    0.75
    """
    ps, ts = _pair(scores, targets, "hinge_loss")
    _check_labels(ts, (-1, 1), "hinge_loss", "-1 or +1")
    return _mean([(1 - t * _value(s)).relu() for s, t in zip(ps, ts, strict=True)])


def binary_cross_entropy_with_logits(
    logits: Prediction | Sequence[Prediction], targets: float | Sequence[float]
) -> Value:
    """mean(softplus(z) - y * z) for labels y in {0, 1}: -log sigmoid(z) for y = 1, stable for any z.

    >>> round(binary_cross_entropy_with_logits([Value(0.0)], [1]).data, 6)
    0.693147
    """
    zs, ts = _pair(logits, targets, "binary_cross_entropy_with_logits")
    _check_labels(ts, (0, 1), "binary_cross_entropy_with_logits", "0 or 1")
    return _mean([_value(z).softplus() - t * _value(z) for z, t in zip(zs, ts, strict=True)])


def cross_entropy(logits: Sequence[Prediction] | Sequence[Sequence[Prediction]], targets: int | Sequence[int]) -> Value:
    """-log softmax(z)[target], averaged over the batch; targets are class indices.

    One sample: `cross_entropy([z0, z1, z2], 2)`. A batch: a list of such rows and a list of ints.
    Uses log-sum-exp with the largest logit subtracted, so large logits cannot overflow.

    >>> round(cross_entropy([Value(1.0), Value(2.0), Value(3.0)], 2).data, 6)
    0.407606
    """
    logits, targets = _plain(logits), _plain(targets)
    if isinstance(targets, int) and not isinstance(targets, bool):
        rows: list = [logits]
        labels: list = [targets]
    elif not isinstance(targets, (list, tuple)):
        raise TypeError(f"cross_entropy: targets must be a class index or a list of them, got {checks.shown(targets)}")
    else:
        if not isinstance(logits, (list, tuple)):
            raise TypeError(
                f"cross_entropy: logits must be a list of rows (one per target), got {checks.shown(logits)}"
            )
        rows, labels = [_plain(row) for row in logits], [_plain(t) for t in targets]
        if not rows or not all(isinstance(row, (list, tuple)) for row in rows):
            raise ValueError("cross_entropy: a batch needs a list of logit rows (one list per sample)")
        if len(rows) != len(labels):
            raise ValueError(f"cross_entropy: {len(rows)} rows of logits but {len(labels)} targets")
    return _mean([_cross_entropy_one(row, label) for row, label in zip(rows, labels, strict=True)])


def l2_penalty(parameters: Sequence[Value], alpha: float = 1e-4) -> Value:
    """alpha * sum(p * p): weight decay as a loss term (micrograd's demo uses alpha = 1e-4)."""
    parameters = _plain(parameters)
    if isinstance(parameters, (str, bytes)) or not isinstance(parameters, (Sequence, set)):
        raise checks.wrong_type("l2_penalty", "parameters", "a list of Values", parameters)
    for p in parameters:
        if not isinstance(p, Value):
            raise checks.wrong_type("l2_penalty", "parameters", "a list of Values", p)
    alpha = checks.real(alpha, "l2_penalty", "alpha", minimum=0.0)
    return alpha * sum_of([p * p for p in parameters])


def _cross_entropy_one(row: Sequence[Prediction], label: int) -> Value:
    if not isinstance(row, (list, tuple)):
        raise checks.wrong_type("cross_entropy", "logits", "a list of logits per sample", row)
    if not row:
        raise ValueError("cross_entropy(logits): expected a non-empty list of logits per sample, got []")
    if not isinstance(label, int) or isinstance(label, bool):
        raise TypeError(f"cross_entropy: target {checks.shown(label)} is not a class index (an int)")
    if not 0 <= label < len(row):
        raise ValueError(f"cross_entropy: target {label!r} is not a class index in 0..{len(row) - 1}")
    zs = [_value(z, "cross_entropy") for z in row]
    top = max(z.data for z in zs)  # a constant shift: log-sum-exp does not depend on it
    log_sum_exp = sum_of([(z - top).exp() for z in zs]).log() + top
    return log_sum_exp - zs[label]


def _pair(predictions: Any, targets: Any, where: str) -> tuple[list, list]:
    predictions, targets = _plain(predictions), _plain(targets)
    ps = list(predictions) if isinstance(predictions, (list, tuple)) else [predictions]
    ts = [_plain(t) for t in targets] if isinstance(targets, (list, tuple)) else [targets]
    if not ps:
        raise ValueError(f"{where}: no predictions")
    if len(ps) != len(ts):
        raise ValueError(f"{where}: {len(ps)} predictions but {len(ts)} targets")
    ps = [_value(p, where) for p in ps]
    for t in ts:
        # Real, not (int, float): numpy's longdouble stays a numpy scalar through .tolist()
        if not isinstance(t, Real):
            raise TypeError(f"{where}: targets must be plain numbers, got {type(t).__name__} {checks.shown(t)}")
        try:
            finite = math.isfinite(t)
        except OverflowError:  # an int too large for a float
            finite = False
        if not finite:
            raise ValueError(f"{where}: targets must be finite, got {checks.shown(t)}")
    return ps, ts


def _plain(x: Any) -> Any:
    """A numpy array or scalar as Python lists and numbers, anything else as it is.

    Duck-typed on `.tolist()` so that numpy stays optional. The checks below then see the same types
    as for lists (an np.int64 is no int, an array no list), and the arithmetic the same numbers.
    """
    return as_python(x)


def _check_labels(targets: list, allowed: tuple, where: str, words: str) -> None:
    for t in targets:
        if t not in allowed:
            raise ValueError(f"{where}: targets must be {words}, got {t!r}")


def _value(p: Prediction, where: str = "loss") -> Value:
    if isinstance(p, Value):
        return p
    if isinstance(p, Real) and not isinstance(p, bool):  # numpy's real scalars too; a bool is no score
        return Value(checks.real(p, where, "predictions", words="Values or numbers"))
    raise TypeError(f"{where}: predictions must be Values or numbers, got {type(p).__name__} {checks.shown(p)}")


def _mean(terms: list[Value]) -> Value:
    # sum_of adds in order from 0.0, as Python's sum(): the same floats as micrograd's demo
    return sum_of(terms) * (1.0 / len(terms))
