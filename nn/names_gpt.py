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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="skipgrad-gpt", description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=_positive, default=1000, help="training steps, one name each (default 1000)")
    parser.add_argument("--layers", type=_positive, default=1, help="transformer blocks (default 1)")
    parser.add_argument("--norm", choices=("pre", "post"), default="pre", help="where the norms sit (default pre)")
    parser.add_argument("--samples", type=int, default=20, help="names to sample at the end (default 20)")
    parser.add_argument("--temperature", type=float, default=0.5, help="sampling temperature (default 0.5)")
    parser.add_argument("--seed", type=int, default=0, help="weights, data order and sampling (default 0)")
    parser.add_argument("--every", type=_positive, default=100, help="print the mean loss every this many steps")
    args = parser.parse_args(argv)
    if args.temperature <= 0:
        parser.error("--temperature must be > 0")
    words = names()
    chars = Characters(words)
    model = GPT(chars.vocab_size, n_layer=args.layers, norm=args.norm, seed=args.seed)
    print(
        f"{len(words)} names, {chars.vocab_size} tokens, {len(model.parameters())} parameters; "
        f"the first loss should be near ln {chars.vocab_size} = {math.log(chars.vocab_size):.3f}"
    )
    start = time.perf_counter()
    train_gpt(model, words, steps=args.steps, seed=args.seed, every=args.every)
    seconds = time.perf_counter() - start
    print(f"trained {args.steps} steps in {seconds:.1f} s ({1000 * seconds / args.steps:.1f} ms a step)")
    for i, tokens in enumerate(model.generate(args.samples, temperature=args.temperature, seed=args.seed), 1):
        print(f"sample {i:2d}: {chars.decode(tokens)}")
    return 0


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {text}")
    return value


if __name__ == "__main__":
    sys.exit(main())
