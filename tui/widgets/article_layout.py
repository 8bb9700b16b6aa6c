"""Lay an article out in terminal cells: where lines wrap, and offset ↔ cell lookups.

What each character shows as comes from :mod:`annotate.safetext` (hostile text displays
literally, never as control sequences). Every stored character keeps its own cells (possibly
zero for a combining mark or a variation selector), so cursor, selection and highlights stay
aligned with the character offsets that get stored. Rich markup is never parsed: the reader
renders Segments of plain text.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass

from annotate.safetext import Glyph, glyph_after


@dataclass(frozen=True, slots=True)
class Line:
    """One display line: the characters ``[start, end)`` of the text (no newline)."""

    start: int
    end: int


class Layout:
    """Wrapped display lines for a text at a width, and offset ↔ cell lookups."""

    def __init__(self, text: str, width: int) -> None:
        self.text = text
        self.width = max(8, width)
        self.lines: list[Line] = []
        self._wrap()
        self.line_starts = [line.start for line in self.lines]

    def _wrap(self) -> None:
        text, width = self.text, self.width
        position = 0
        for paragraph in text.split("\n"):
            end = position + len(paragraph)
            if position == end:
                self.lines.append(Line(position, end))
            line_start = position
            cells = 0
            last_space = -1
            previous: str | None = None
            for index in range(position, end):
                char = text[index]
                char_width = glyph_after(previous, char).width
                previous = char
                if cells + char_width > width and index > line_start:
                    if last_space >= line_start:
                        self.lines.append(Line(line_start, last_space + 1))
                        line_start = last_space + 1
                    else:
                        self.lines.append(Line(line_start, index))
                        line_start = index
                    cells = sum(
                        glyph_after(text[i - 1] if i > line_start else None, text[i]).width
                        for i in range(line_start, index)
                    )
                    last_space = -1
                cells += char_width
                if char == " ":
                    last_space = index
            if line_start < end:
                self.lines.append(Line(line_start, end))
            position = end + 1

    def line_of(self, offset: int) -> int:
        """The display line holding ``offset`` (a newline belongs to the line it ends)."""
        return max(0, bisect_right(self.line_starts, offset) - 1)

    def glyphs(self, index: int) -> list[tuple[int, Glyph]]:
        line = self.lines[index]
        previous: str | None = None
        shown: list[tuple[int, Glyph]] = []
        for offset in range(line.start, line.end):
            char = self.text[offset]
            shown.append((offset, glyph_after(previous, char)))
            previous = char
        return shown

    def column_of(self, offset: int) -> tuple[int, int]:
        """(line, cell column) where ``offset`` is drawn."""
        index = self.line_of(offset)
        column = 0
        for char_offset, shown in self.glyphs(index):
            if char_offset >= offset:
                break
            column += shown.width
        return index, column

    def offset_at(self, index: int, column: int) -> int:
        """The character drawn at cell ``column`` of display line ``index`` (clamped)."""
        index = min(max(index, 0), len(self.lines) - 1)
        line = self.lines[index]
        cells = 0
        for offset, shown in self.glyphs(index):
            if cells + shown.width > column:
                return offset
            cells += shown.width
        return line.end
