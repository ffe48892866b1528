"""Characters as tokens, for training a GPT on words such as names: one token per character and one
`bos` token that starts and ends every word (microgpt's tokenizer)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence


class Characters:
    """The characters of `words`, sorted, as tokens 0..n-1; token n is `bos`.

    >>> chars = Characters(["ab", "ba", "cab"])
    >>> chars.encode("cab"), chars.decode([2, 0, 1]), chars.vocab_size
    ([3, 2, 0, 1, 3], 'cab', 4)
    """

    def __init__(self, words: Iterable[str]) -> None:
        self.chars = sorted(set("".join(words)))
        if not self.chars:
            raise ValueError("Characters needs at least one non-empty word")
        self.index = {c: i for i, c in enumerate(self.chars)}
        self.bos = len(self.chars)
        self.vocab_size = len(self.chars) + 1

    def encode(self, word: str) -> list[int]:
        """bos, the word's characters, bos."""
        unknown = sorted(set(word) - set(self.index))
        if unknown:
            raise ValueError(f"{word!r} has characters outside the vocabulary: {''.join(unknown)!r}")
        return [self.bos, *(self.index[c] for c in word), self.bos]

    def decode(self, tokens: Sequence[int]) -> str:
        """The characters of `tokens`, bos left out."""
        return "".join(self.chars[t] for t in tokens if t != self.bos)

    def __repr__(self) -> str:
        return f"Characters({''.join(self.chars)!r} + bos)"
