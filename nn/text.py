"""Characters as tokens, for training a GPT on words such as names: one token per character and one
`bos` token that starts and ends every word (microgpt's tokenizer)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from autograd import checks
from autograd.numpy_adapter import as_python


class Characters:
    """The characters of `words`, sorted, as tokens 0..n-1; token n is `bos`.

    >>> chars = Characters(["ab", "ba", "cab"])
    >>> chars.encode("cab"), chars.decode([2, 0, 1]), chars.vocab_size
    ([3, 2, 0, 1, 3], 'cab', 4)
    """

    def __init__(self, words: Iterable[str]) -> None:
        if isinstance(words, (str, bytes)) or not isinstance(words, Iterable):
            raise checks.wrong_type("Characters", "words", "a list of words (strs)", words)
        words = list(words)
        for i, word in enumerate(words):
            if not isinstance(word, str):
                raise checks.wrong_type("Characters", f"words[{i}]", "a str", word)
        self.chars = sorted(set("".join(words)))
        if not self.chars:
            raise ValueError("Characters(words): expected at least one non-empty word, got none")
        self.index = {c: i for i, c in enumerate(self.chars)}
        self.bos = len(self.chars)
        self.vocab_size = len(self.chars) + 1

    def encode(self, word: str) -> list[int]:
        """bos, the word's characters, bos."""
        if not isinstance(word, str):
            raise checks.wrong_type("Characters.encode", "word", "a str", word)
        unknown = sorted(set(word) - set(self.index))
        if unknown:
            raise ValueError(
                f"Characters.encode: {checks.shown(word)} has characters outside the vocabulary: {''.join(unknown)!r}"
            )
        return [self.bos, *(self.index[c] for c in word), self.bos]

    def decode(self, tokens: Sequence[int]) -> str:
        """The characters of `tokens`, bos left out."""
        tokens = as_python(tokens)  # a numpy array of token ids
        if not isinstance(tokens, (list, tuple)):
            raise checks.wrong_type("Characters.decode", "tokens", "a list of token ids", tokens)
        for t in tokens:
            checks.integer(t, "Characters.decode", "tokens", minimum=0, maximum=self.bos, words=f"ids in 0..{self.bos}")
        return "".join(self.chars[t] for t in tokens if t != self.bos)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Characters) and other.chars == self.chars

    def __hash__(self) -> int:
        return hash(tuple(self.chars))

    def __repr__(self) -> str:
        return f"Characters({''.join(self.chars)!r} + bos)"
