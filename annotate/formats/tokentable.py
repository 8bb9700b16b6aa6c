"""The tokenizer and the token table exports share (token offsets, spans to token indices)."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from typing import Any

from annotate.model import Offsets
from annotate.tokenizing import english


class Tokenizer:
    """The one tokenizer (:mod:`annotate.tokenizing`: spaCy's English rules, the reader's
    too), as token tables for JSONL and CoNLL and as spaCy Docs for DocBin."""

    def __init__(self) -> None:
        self.rules = english()
        self._vocab: Any = None

    def __call__(self, text: str) -> Any:
        """A spaCy Doc with exactly these tokens (imports spaCy)."""
        import spacy
        from spacy.tokens import Doc

        if self._vocab is None:
            self._vocab = spacy.blank("en").vocab
        bounds = self.rules(text)
        return Doc(self._vocab, words=bounds.words(text), spaces=bounds.spaces)

    def tokens(self, text: str) -> TokenTable:
        bounds = self.rules(text)
        return TokenTable(bounds.starts, bounds.ends, [int(space) for space in bounds.spaces])


@dataclass(slots=True)
class TokenTable:
    """Token starts, ends and trailing-space flags of one text."""

    starts: list[int]
    ends: list[int]
    spaces: list[int]

    def bounds(self, offsets: Offsets) -> tuple[int, int, bool]:
        """Inclusive token indices covering ``offsets`` and whether they align exactly."""
        if not self.starts:
            return 0, 0, False
        first = max(0, bisect_right(self.ends, offsets.start))
        last = max(first, bisect_left(self.starts, offsets.end) - 1)
        first = min(first, len(self.starts) - 1)
        last = min(last, len(self.starts) - 1)
        exact = self.starts[first] == offsets.start and self.ends[last] == offsets.end
        return first, last, exact

    def records(self, text: str) -> list[dict[str, Any]]:
        return [
            {"text": text[start:end], "start": start, "end": end, "id": index, "ws": bool(space)}
            for index, (start, end, space) in enumerate(
                zip(self.starts, self.ends, self.spaces, strict=True)
            )
        ]
