"""Train microgpt's GPT on the bundled names and sample new ones: `python3 tasks.py gpt` or
`skipgrad-gpt --steps 1000`. Prints the loss as it goes, then the samples."""

from __future__ import annotations

import argparse
import math
import sys
import time

from .data import names
from .text import Characters
from .train import train_gpt
from .transformer import GPT

TEMPERATURES = (1e-3, 1e3)  # the range --temperature accepts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="skipgrad-gpt", description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=_positive, default=1000, help="training steps, one name each (default 1000)")
    parser.add_argument("--layers", type=_positive, default=1, help="transformer blocks (default 1)")
    parser.add_argument("--norm", choices=("pre", "post"), default="pre", help="where the norms sit (default pre)")
    parser.add_argument("--samples", type=_count, default=20, help="names to sample at the end (default 20)")
    parser.add_argument(
        "--temperature",
        type=_temperature,
        default=0.5,
        help=f"sampling temperature, {TEMPERATURES[0]:g} to {TEMPERATURES[1]:g} (default 0.5)",
    )
    parser.add_argument("--seed", type=int, default=0, help="weights, data order and sampling (default 0)")
    parser.add_argument("--every", type=_positive, default=100, help="print the mean loss every this many steps")
    args = parser.parse_args(argv)
    words = names()
    chars = Characters(words)
    model = GPT(chars.vocab_size, n_layer=args.layers, norm=args.norm, seed=args.seed)
    print(
        f"{len(words)} names, {chars.vocab_size} tokens, {len(model.parameters())} parameters; "
        f"the first loss should be near ln {chars.vocab_size} = {math.log(chars.vocab_size):.3f}"
    )
    start = time.perf_counter()
    train_gpt(model, words, tokenizer=chars, steps=args.steps, seed=args.seed, every=args.every)
    seconds = time.perf_counter() - start
    print(f"trained {args.steps} steps in {seconds:.1f} s ({1000 * seconds / args.steps:.1f} ms a step)")
    for i, tokens in enumerate(model.generate(args.samples, temperature=args.temperature, seed=args.seed), 1):
        print(f"sample {i:2d}: {chars.decode(tokens)}")
    return 0


def _temperature(text: str) -> float:
    """A temperature in TEMPERATURES: below it sampling is the argmax, above it uniform, and the
    logits divided by it stop being numbers a float can hold (or nan, or inf, are not numbers at all)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not TEMPERATURES[0] <= value <= TEMPERATURES[1]:  # False for nan
        raise argparse.ArgumentTypeError(
            f"expected a number from {TEMPERATURES[0]:g} to {TEMPERATURES[1]:g}, got {text}"
        )
    return value


def _count(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be an integer >= 0, got {text}")
    return value


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {text}")
    return value


if __name__ == "__main__":
    sys.exit(main())
