"""Lay an article out in terminal cells: what each character shows as, and where lines wrap.

Hostile text must display literally and never reach the terminal as control sequences:
C0/C1 controls and DEL become visible control pictures (``␛`` for ESC), tabs a visible arrow
and padding, zero-width and bidi-control characters a dim marker, combining marks ride on their
base character. Every stored character keeps its own cells (possibly zero for a combining mark
or a variation selector), so cursor, selection and highlights stay aligned with the character
offsets that get stored. Rich markup is never parsed: the reader renders Segments of plain text.
"""

from __future__ import annotations

import unicodedata
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache

from rich.cells import cell_len

TAB_WIDTH = 4
TAB_SHOWN = "→" + " " * (TAB_WIDTH - 1)
ZERO_WIDTH_SHOWN = "·"
BIDI_SHOWN = "↔"
INVISIBLE = frozenset("\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e\u2061\u2062\u2063\u2064")
BIDI_CONTROLS = frozenset(
    "\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)
VARIATION_SELECTORS = frozenset(chr(c) for c in range(0xFE00, 0xFE10))
LINE_SEPARATORS = {"\u2028": "␤", "\u2029": "¶", "\x85": "␤"}


@dataclass(frozen=True, slots=True)
class Glyph:
    """What one stored character shows as: its text and its width in cells."""

    text: str
    width: int
    marker: bool = False  # a stand-in for something invisible or dangerous


@lru_cache(maxsize=4096)
def glyph(char: str) -> Glyph:
    """How ``char`` is displayed. Never returns a control character."""
    code = ord(char)
    if char == "\t":
        return Glyph(TAB_SHOWN, TAB_WIDTH, marker=True)
    if code < 0x20:
        return Glyph(chr(0x2400 + code), 1, marker=True)
    if code == 0x7F:
        return Glyph("␡", 1, marker=True)
    if 0x80 <= code < 0xA0:
        return Glyph(LINE_SEPARATORS.get(char, "⍰"), 1, marker=True)
    if char in LINE_SEPARATORS:
        return Glyph(LINE_SEPARATORS[char], 1, marker=True)
    if char in BIDI_CONTROLS:
        return Glyph(BIDI_SHOWN, 1, marker=True)
    if char in INVISIBLE:
        return Glyph(ZERO_WIDTH_SHOWN, 1, marker=True)
    if char in VARIATION_SELECTORS:
        return Glyph("", 0)
    category = unicodedata.category(char)
    if category in ("Mn", "Me"):
        return Glyph(char, 0)  # rides on the character before it
    if category in ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"):
        return Glyph("⍰", 1, marker=True)
    width = cell_len(char)
    if width == 0:
        return Glyph("⍰", 1, marker=True)
    return Glyph(char, width)


def glyph_after(previous: str | None, char: str) -> Glyph:
    """A combining mark with nothing to combine with is shown on a dotted circle."""
    shown = glyph(char)
    if (
        shown.width == 0
        and shown.text
        and (previous is None or glyph(previous).marker or previous in " \n")
    ):
        return Glyph("◌" + char, 1, marker=True)
    return shown


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
