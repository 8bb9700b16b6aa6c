"""Tokens derived from character offsets, for moving and selecting by keyboard.

Character offsets stay the one truth: tokens are computed from the text on demand and never
stored, by the one tokenizer every export uses too (:mod:`annotate.tokenizing`, spaCy's
English rules in pure Python: the reader must start fast), so a span snapped here is aligned
in every export.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass

from annotate.model import Offsets
from annotate.tokenizing import english

_SENTENCE_END = re.compile(r"[.!?][\"'”’)\]]*\s+|\n\s*\n")
_PARAGRAPH = re.compile(r"\n\s*\n")


@dataclass(frozen=True, slots=True)
class Tokens:
    """The token boundaries of one text."""

    text: str
    starts: tuple[int, ...]
    ends: tuple[int, ...]

    @classmethod
    def of(cls, text: str) -> Tokens:
        bounds = english()(text)
        words = [
            (start, end)
            for start, end in zip(bounds.starts, bounds.ends, strict=True)
            if not text[start:end].isspace()
        ]
        return cls(text, tuple(start for start, _ in words), tuple(end for _, end in words))

    def __len__(self) -> int:
        return len(self.starts)

    def index_at(self, char: int) -> int:
        """The token covering ``char``, else the next one (clamped to the last)."""
        if not self.starts:
            return 0
        index = bisect_right(self.starts, char) - 1
        if index >= 0 and char < self.ends[index]:
            return index
        return min(index + 1, len(self.starts) - 1)

    def span(self, index: int) -> Offsets:
        return Offsets(self.starts[index], self.ends[index])

    def next_start(self, char: int) -> int:
        index = bisect_right(self.starts, char)
        return self.starts[index] if index < len(self.starts) else char

    def previous_start(self, char: int) -> int:
        index = bisect_left(self.starts, char) - 1
        return self.starts[index] if index >= 0 else char

    def next_word(self, char: int) -> int:
        """Start of the next token that is a word (skipping punctuation)."""
        index = bisect_right(self.starts, char)
        while index < len(self.starts) and not self.text[self.starts[index]].isalnum():
            index += 1
        return self.starts[index] if index < len(self.starts) else char

    def previous_word(self, char: int) -> int:
        index = bisect_left(self.starts, char) - 1
        while index >= 0 and not self.text[self.starts[index]].isalnum():
            index -= 1
        return self.starts[index] if index >= 0 else char

    def snap(self, start: int, end: int) -> Offsets | None:
        """The whole tokens ``[start, end)`` touches (a range starting or ending inside a token
        takes all of it); None when it touches none."""
        if not self.starts or start >= end:
            return None
        first = bisect_right(self.ends, start)
        last = bisect_left(self.starts, end) - 1
        if first > last:
            return None
        return Offsets(self.starts[first], self.ends[last])


def _starts(pattern: re.Pattern[str], text: str) -> list[int]:
    return [0, *(m.end() for m in pattern.finditer(text) if m.end() < len(text))]


def _following(pattern: re.Pattern[str], text: str, char: int) -> int:
    """The first unit start after ``char`` (or the last character)."""
    starts = _starts(pattern, text)
    index = bisect_right(starts, char)
    return starts[index] if index < len(starts) else max(0, len(text) - 1)


def _preceding(pattern: re.Pattern[str], text: str, char: int) -> int:
    """The last unit start before ``char`` (the current unit's when inside it)."""
    starts = _starts(pattern, text)
    return starts[max(0, bisect_left(starts, char) - 1)]


def next_sentence(text: str, char: int) -> int:
    return _following(_SENTENCE_END, text, char)


def previous_sentence(text: str, char: int) -> int:
    return _preceding(_SENTENCE_END, text, char)


def next_paragraph(text: str, char: int) -> int:
    return _following(_PARAGRAPH, text, char)


def previous_paragraph(text: str, char: int) -> int:
    return _preceding(_PARAGRAPH, text, char)


# a comma or colon between digits ("3,500", "5:30") is no boundary
_CLAUSE_MARK = re.compile(r"[;()\[\]—–\"“”«»]|[,:](?!\d)|\s-\s")
_WORD = re.compile(r"\w+(?:['’]\w+)?")
#: Words that open a content clause and are not part of it ("said *that* …").
CLAUSE_OPENERS = frozenset({"that", "whether"})
_EDGE = " \t\n\r,;:.!?()[]—–-\"“”‘’'«»"


def _trimmed(text: str, start: int, end: int) -> Offsets:
    while start < end and text[start] in _EDGE:
        start += 1
    while end > start and text[end - 1] in _EDGE:
        end -= 1
    return Offsets(start, end)


def sentence_at(text: str, char: int) -> Offsets:
    """The sentence holding ``char``, without surrounding space (empty at a blank)."""
    starts = _starts(_SENTENCE_END, text)
    index = max(0, bisect_right(starts, char) - 1)
    end = starts[index + 1] if index + 1 < len(starts) else len(text)
    start = starts[index]
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return Offsets(start, end)


def clause_at(text: str, char: int, cue_forms: frozenset[str]) -> Offsets:
    """The clause holding ``char``: the stretch of its sentence between punctuation, quote
    marks, an opener ("that", "whether") and a cue verb ("said", "warned"), which ends the
    clause before the content. Falls back to the sentence when ``char`` is on a boundary."""
    sentence = sentence_at(text, char)
    cuts = {sentence.start, sentence.end}
    for mark in _CLAUSE_MARK.finditer(text, sentence.start, sentence.end):
        cuts.update((mark.start(), mark.end()))
    for word in _WORD.finditer(text, sentence.start, sentence.end):
        lowered = word.group().lower()
        if lowered in CLAUSE_OPENERS:
            cuts.update((word.start(), word.end()))
        elif lowered in cue_forms:
            cuts.add(word.end())
    ordered = sorted(cuts)
    index = bisect_right(ordered, char) - 1
    if index < 0 or index + 1 >= len(ordered):
        return sentence
    clause = _trimmed(text, ordered[index], ordered[index + 1])
    return clause if clause.start < clause.end else sentence
