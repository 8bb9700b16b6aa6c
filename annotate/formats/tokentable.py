"""spaCy's English tokenizer and the token table exports share (token offsets, spans to token
indices)."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from typing import Any

from annotate.model import Offsets


class Tokenizer:
    """spaCy's English tokenizer (no statistical model), the one Prodigy tasks use."""

    def __init__(self) -> None:
        import spacy

        self.nlp = spacy.blank("en")

    def __call__(self, text: str) -> Any:
        return self.nlp.make_doc(text)

    def tokens(self, text: str) -> TokenTable:
        """Token boundaries, read out of spaCy as arrays (no Token objects: much faster)."""
        from spacy.attrs import IDX, SPACY

        doc = self.nlp.make_doc(text)
        starts: list[int] = doc.to_array(IDX).tolist()
        spaces: list[int] = doc.to_array(SPACY).tolist()
        ends = [following - space for following, space in zip(starts[1:], spaces, strict=False)]
        if starts:
            ends.append(len(text) - spaces[-1])
        return TokenTable(starts, ends, spaces)


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
