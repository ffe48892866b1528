"""fit(): the training loop learners run, with a tqdm progress bar in a terminal or in Jupyter, or in Jupyter
with live=True one figure of the loss, accuracy and decision boundary redrawn in place (nn/live.py)."""

from __future__ import annotations

import random
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from statistics import fmean
from typing import Any

from autograd import Value, checks

from .losses import _plain, binary_cross_entropy_with_logits, cross_entropy, hinge_loss, l2_penalty, mse_loss
from .module import Module
from .optim import SGD, Optimizer

LOSSES: dict[str, Callable] = {
    "hinge": hinge_loss,
    "mse": mse_loss,
    "bce": binary_cross_entropy_with_logits,
    "cross_entropy": cross_entropy,
}


@dataclass
class History:
    """What fit() measured at each step, before that step's update."""

    loss: list[float] = field(default_factory=list)
    accuracy: list[float] = field(default_factory=list)


def fit(
    model: Module,
    X: Sequence[Sequence[float]],
    y: Sequence,
    *,
    steps: int = 100,
    loss: str | Callable = "hinge",
    optimizer: Optimizer | None = None,
    l2: float = 1e-4,
    batch_size: int | None = None,
    seed: int | None = None,
    progress: bool | None = None,
    live: bool = False,
    live_every: int = 10,
) -> History:
    """Train `model` on (X, y) and return the loss and accuracy of every step.

    Args:
        loss: "hinge" (labels -1/+1), "bce" (0/1), "cross_entropy" (class indices), "mse", or a
            function `loss(predictions, targets) -> Value`.
        optimizer: defaults to micrograd's demo: SGD with lr decaying linearly from 1.0 to 0.1.
        l2: weight of the L2 penalty added to the loss (0 for none).
        batch_size: train on a random batch each step (None: the whole set).
        progress: show a progress bar; None shows it in a terminal or a notebook, not in a pipe or CI.
        live: in Jupyter, instead of the bar, one figure redrawn in place every `live_every` steps and at
            the last: the loss and accuracy so far and, for 2-D inputs, the decision boundary with the
            data. Needs matplotlib (`pip install 'skipgrad[plot]'`). Outside Jupyter it notes that once
            and shows the progress bar (unless progress=False).
        live_every: steps between redraws; each redraw of the boundary runs the model on 900 grid points.

    X and y may be numpy arrays, X of shape (n, d) and y of shape (n,), with any real dtype: training
    on them gives exactly the numbers that training on `X.tolist()` and `y.tolist()` gives. For a
    one-output loss (hinge, bce, mse) a column of targets, shape (n, 1), is taken as shape (n,).

    >>> from nn import MLP, make_moons
    >>> X, y = make_moons(20, seed=0)
    >>> history = fit(MLP(2, [8, 1], seed=0), X, y, steps=3, progress=False)
    >>> len(history.loss)
    3
    """
    if not isinstance(model, Module):
        raise checks.wrong_type("fit", "model", "an nn.Module", model)
    X, y = _plain(X), _plain(y)  # lists from here on, as make_moons gives them
    _check_rows(X, "X")
    if not isinstance(y, (list, tuple)):
        raise checks.wrong_type("fit", "y", "a list of targets (or a 1-D numpy array)", y)
    steps = checks.integer(steps, "fit", "steps", minimum=1)
    _check_loss(loss)
    if optimizer is not None and not isinstance(optimizer, Optimizer):
        raise checks.wrong_type("fit", "optimizer", "an nn.SGD, nn.Adam or None", optimizer)
    l2 = checks.real(l2, "fit", "l2", minimum=0.0)
    if batch_size is not None:
        batch_size = checks.integer(batch_size, "fit", "batch_size", minimum=1, words="a positive int or None")
    seed = checks.seed(seed, "fit")
    _check_progress(progress, "fit")
    checks.flag(live, "fit", "live")
    live_every = checks.integer(live_every, "fit", "live_every", minimum=1)
    y = _targets(X, y, loss)
    loss_fn = _loss_function(loss)
    params = model.parameters()
    if optimizer is None:
        optimizer = SGD(params, lr=lambda k: 1.0 - 0.9 * k / steps)
    rng = random.Random(seed)
    history = History()
    view = _live_view(model, X, y, loss, steps, live_every) if live else None
    if live and view is None and progress is None:
        progress = True
    bar = range(steps) if view is not None else _progress_bar(steps, progress)
    for k in bar:
        rows = range(len(X)) if batch_size is None else rng.sample(range(len(X)), min(batch_size, len(X)))
        inputs = [X[i] for i in rows]
        targets = [y[i] for i in rows]
        predictions = [model(x) for x in inputs]
        total = loss_fn(predictions, targets)
        if l2:
            total = total + l2_penalty(params, l2)
        optimizer.zero_grad()
        total.backward()
        optimizer.step()
        history.loss.append(total.data)
        history.accuracy.append(accuracy(predictions, targets, loss))
        if hasattr(bar, "set_postfix"):
            bar.set_postfix(loss=f"{total.data:.4f}", accuracy=f"{history.accuracy[-1]:.0%}")
        if view is not None and (k == 0 or (k + 1) % live_every == 0 or k + 1 == steps):
            view.update(k + 1, history)
    return history


def accuracy(predictions: list, targets: list, loss: str | Callable = "hinge") -> float:
    """The fraction classified right: the sign of a score for hinge (-1/+1) and bce (0/1) labels,
    the largest logit for cross_entropy. NaN for mse and custom losses."""
    # Python numbers, so that numpy targets compare to Python bools and the fraction is a float
    targets = [_plain(t) for t in _plain(targets)]
    if len(predictions) != len(targets):
        raise ValueError(f"accuracy: {len(predictions)} predictions but {len(targets)} targets; they must match")
    if loss == "cross_entropy":
        right = [
            max(range(len(row)), key=lambda k: _data(row[k])) == t for row, t in zip(predictions, targets, strict=True)
        ]
    elif loss in ("hinge", "bce"):
        right = [(_data(p) > 0) == (t == 1) for p, t in zip(predictions, targets, strict=True)]
    else:
        return float("nan")
    return sum(right) / len(right)


def _data(p: Any) -> float:
    return p.data if isinstance(p, Value) else float(p)


def _check_loss(loss: object) -> None:
    if not callable(loss) and not any(loss == name for name in LOSSES if isinstance(loss, str)):
        words = f"one of {', '.join(map(repr, LOSSES))} or a function"
        raise (checks.wrong_value if isinstance(loss, str) else checks.wrong_type)("fit", "loss", words, loss)


def _targets(X: Sequence, y: Sequence, loss: object) -> Sequence:
    """y, one target per input (a column of one-output targets, shape (n, 1), read as shape (n,))."""
    if loss in ("hinge", "bce", "mse") and y and all(isinstance(t, (list, tuple)) and len(t) == 1 for t in y):
        y = [t[0] for t in y]  # a column of targets, as scikit-learn users often have it
    if len(X) != len(y):
        raise ValueError(f"fit: {len(X)} inputs but {len(y)} targets")
    if not X:
        raise ValueError("fit(X): expected at least one input, got none")
    return y


def _loss_function(loss: str | Callable) -> Callable:
    if callable(loss):
        return loss
    if loss not in LOSSES:
        raise ValueError(f"loss must be one of {', '.join(LOSSES)} or a function; got {loss!r}")
    return LOSSES[loss]


def _check_rows(X: object, arg: str) -> None:
    """X is a list of inputs, each a number or a flat list of numbers (a 1-D or 2-D array as lists)."""
    if not isinstance(X, (list, tuple)):
        raise checks.wrong_type("fit", arg, "a list of inputs (or a 2-D numpy array)", X)
    width = None
    for i, row in enumerate(X):
        row = _plain(row)
        items = row if isinstance(row, (list, tuple)) else [row]
        for v in items:
            if not isinstance(v, Value):
                checks.real(v, "fit", f"{arg}[{i}]", words="numbers or Values (X is 1-D or 2-D)")
        if width is None:
            width = len(items)
        elif len(items) != width:
            raise ValueError(f"fit({arg}): row {i} has {len(items)} numbers but row 0 has {width} (ragged)")


def _check_progress(progress: object, where: str) -> None:
    if progress is not None:
        checks.flag(progress, where, "progress")


def _progress_bar(steps: int, progress: bool | None) -> Any:
    show = _in_notebook() or sys.stderr.isatty() if progress is None else progress
    if not show:
        return range(steps)
    try:
        from tqdm.auto import trange
    except ImportError:
        return range(steps)
    return trange(steps, desc="training", leave=True)


_noted_live_outside_jupyter = False


def _live_view(model: Module, X: Sequence, y: Sequence, loss: Any, steps: int, every: int) -> Any:
    """The live figure in Jupyter; None elsewhere, after a one-time note that the bar stands in for it."""
    global _noted_live_outside_jupyter
    if every < 1:
        raise ValueError(f"live_every must be a positive number of steps; got {every!r}")
    if not _in_notebook():
        if not _noted_live_outside_jupyter:
            _noted_live_outside_jupyter = True
            print("fit(live=True): the live figure needs Jupyter; showing the progress bar instead", file=sys.stderr)
        return None
    from .live import LiveView

    return LiveView(model, X, y, loss=loss, steps=steps)


def _in_notebook() -> bool:
    shell = getattr(sys.modules.get("IPython"), "get_ipython", lambda: None)()
    return type(shell).__name__ == "ZMQInteractiveShell"


def train_gpt(
    model: Any,
    words: Sequence[str],
    *,
    tokenizer: Any = None,
    steps: int = 500,
    lr: float = 0.01,
    seed: int | None = 0,
    progress: bool | None = None,
    every: int = 0,
) -> History:
    """Train a GPT on words, one word per step (as microgpt): Adam (betas 0.85, 0.99), the learning rate
    decaying linearly to 0, words taken in a shuffled order. Returns the loss of every step.

    Args:
        model: an nn.GPT.
        words: e.g. nn.data.names().
        tokenizer: the nn.Characters that turns the words into the model's tokens. It becomes
            `model.tokenizer` (which nn.save keeps), so that samples decode the same way. Left out, the
            model's own tokenizer is used, or, for a model that has none yet, `Characters(words)`, which
            must then have exactly the model's vocab_size and bos. A word the tokenizer cannot encode is
            refused before training.
        every: print "step k: loss" every this many steps (0: never).

    >>> from nn import GPT, Characters
    >>> chars = Characters(["ab", "ba"])
    >>> model = GPT(chars.vocab_size, seed=0)
    >>> history = train_gpt(model, ["ab", "ba"], tokenizer=chars, steps=2, progress=False)
    >>> len(history.loss), model.tokenizer.decode(model.generate(1, seed=0)[0]) in ("", "a", "b", "ab", "ba")
    (2, True)
    """
    from .optim import Adam
    from .transformer import GPT

    if not isinstance(model, GPT):
        raise checks.wrong_type("train_gpt", "model", "an nn.GPT", model)
    if isinstance(words, (str, bytes)) or not isinstance(words, Sequence):
        raise checks.wrong_type("train_gpt", "words", "a list of words (strs)", words)
    for i, word in enumerate(words):
        if not isinstance(word, str):
            raise checks.wrong_type("train_gpt", f"words[{i}]", "a str", word)
    if not any(words):
        raise ValueError("train_gpt(words): expected at least one non-empty word")
    steps = checks.integer(steps, "train_gpt", "steps", minimum=1)
    lr = checks.real(lr, "train_gpt", "lr", positive=True)
    seed = checks.seed(seed, "train_gpt")
    _check_progress(progress, "train_gpt")
    every = checks.integer(every, "train_gpt", "every", minimum=0)
    chars = model_tokenizer(model, words, tokenizer)
    order = list(words)
    random.Random(seed).shuffle(order)
    optimizer = Adam(model.parameters(), lr=lambda k: lr * (1 - k / steps), betas=(0.85, 0.99))
    history = History()
    bar = _progress_bar(steps, progress)
    for k in bar:
        tokens = chars.encode(order[k % len(order)])[: model.block_size + 1]
        loss = model.loss(tokens)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        history.loss.append(loss.data)
        if hasattr(bar, "set_postfix"):
            bar.set_postfix(loss=f"{loss.data:.4f}")
        if every and (k + 1) % every == 0:
            print(f"step {k + 1:5d}: loss {fmean(history.loss[-every:]):.4f}")
    return history


def model_tokenizer(model: Any, words: Sequence[str], tokenizer: Any = None) -> Any:
    """The tokenizer that goes with `model` for these words (see train_gpt), after checking that it fits
    the model and encodes every word; it becomes `model.tokenizer`. Raises before anything changes."""
    from .text import Characters

    own = getattr(model, "tokenizer", None)
    if tokenizer is not None and not isinstance(tokenizer, Characters):
        raise checks.wrong_type("train_gpt", "tokenizer", "an nn.Characters or None", tokenizer)
    if tokenizer is not None and own is not None and tokenizer != own:
        raise ValueError(f"train_gpt(tokenizer): {tokenizer!r} is not the model's own tokenizer {own!r}")
    chars = tokenizer or own or Characters(words)
    if (chars.vocab_size, chars.bos) != (model.vocab_size, model.bos):
        hint = (
            "" if tokenizer or own else "; pass the tokenizer the model was made for: train_gpt(..., tokenizer=chars)"
        )
        raise ValueError(
            f"train_gpt: the tokenizer {chars!r} has vocab_size {chars.vocab_size} and bos {chars.bos}, the model "
            f"vocab_size {model.vocab_size} and bos {model.bos}{hint}"
        )
    unknown = sorted(set("".join(words)) - set(chars.index))
    if unknown:
        example = next(w for w in words if set(w) & set(unknown))
        raise ValueError(
            f"train_gpt(words): {checks.shown(example)} and maybe others have characters the model's tokenizer "
            f"cannot encode: {''.join(unknown)!r}"
        )
    model.tokenizer = chars
    return chars
