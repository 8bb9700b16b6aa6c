"""One sanitiser for every string that reaches a terminal: article text, titles, file names,
notes, labels, error messages.

Hostile text must display literally and never reach the terminal as control sequences:
C0/C1 controls and DEL become visible control pictures (``␛`` for ESC), tabs a visible arrow
and padding, zero-width and bidi-control characters a dim marker, combining marks ride on their
base character. :func:`glyph` says what one character shows as (the reader lays articles out
with it, cell by cell); :func:`visible` maps a whole string the same way for list rows, title
lines, panels, dialogs, status lines and CLI output.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from rich.cells import cell_len
from rich.text import Text

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


def visible(text: str, *, keep_newlines: bool = False) -> str:
    """``text`` with every character that could act on a terminal replaced by its visible
    stand-in (as the reader shows it). Newlines are kept with ``keep_newlines``, else shown
    as ``␊`` (for one-line places: list rows, title and status lines)."""
    if text.isascii() and text.isprintable():
        return text  # the common case, and nothing in it can act on a terminal
    shown: list[str] = []
    previous: str | None = None
    for char in text:
        if char == "\n" and keep_newlines:
            shown.append(char)
        else:
            shown.append(glyph_after(previous, char).text)
        previous = char
    return "".join(shown)


def visible_text(text: Text) -> Text:
    """A Rich ``Text`` with :func:`visible` applied to its characters, styles kept on the
    characters they covered (a stand-in may be longer than the character it replaces)."""
    plain = text.plain
    if plain.isascii() and plain.replace("\n", "").isprintable():
        return text
    moved = [0] * (len(plain) + 1)
    shown: list[str] = []
    position = 0
    previous: str | None = None
    for index, char in enumerate(plain):
        moved[index] = position
        piece = char if char == "\n" else glyph_after(previous, char).text
        shown.append(piece)
        position += len(piece)
        previous = char
    moved[len(plain)] = position
    result = Text(
        "".join(shown),
        style=text.style,
        justify=text.justify,
        overflow=text.overflow,
        no_wrap=text.no_wrap,
        end=text.end,
    )
    for span in text.spans:
        result.stylize(span.style, moved[span.start], moved[span.end])
    return result


def visible_one_for_one(text: str) -> str:
    """Like :func:`visible`, but every character becomes exactly one character (a tab an
    arrow, ESC ``␛``), for editors whose cursor counts characters of the stored value."""
    if text.isascii() and text.isprintable():
        return text
    return "".join((glyph(char).text or char)[0] for char in text)
