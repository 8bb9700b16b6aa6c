"""How keys are written in the help screen and README: one table, read both ways.

Textual names keys ``left_square_bracket`` and ``pagedown``; people read ``[`` and ``pgdn``.
Tests turn every written key back into Textual's name and compare with the bindings, row by
row, so help and README can neither miss a binding nor name one that does not exist.
"""

from __future__ import annotations

from collections.abc import Iterable

_SHOWN = {
    "left": "←",
    "right": "→",
    "up": "↑",
    "down": "↓",
    "pageup": "pgup",
    "pagedown": "pgdn",
    "left_square_bracket": "[",
    "right_square_bracket": "]",
    "left_curly_bracket": "{",
    "right_curly_bracket": "}",
    "slash": "/",
    "question_mark": "?",
    "escape": "esc",
    "less_than_sign": "<",
    "greater_than_sign": ">",
}
_NAMES = {shown: name for name, shown in _SHOWN.items()}
DIGITS = [str(digit) for digit in range(1, 10)]


def shown_key(key: str) -> str:
    """``ctrl+shift+left`` → ``ctrl+shift+←``."""
    *modifiers, last = key.split("+") if key != "+" else ["+"]
    return "+".join([*modifiers, _SHOWN.get(last, last)])


def key_name(shown: str) -> str:
    """The inverse of :func:`shown_key`."""
    *modifiers, last = shown.split("+")
    return "+".join([*modifiers, _NAMES.get(last, last)])


def shown_keys(keys: Iterable[str]) -> str:
    """Keys as one help-screen cell: ``a / x``; the digit keys as ``1–9``."""
    keys = list(keys)
    if keys == DIGITS:
        return "1–9"
    return " / ".join(shown_key(key) for key in keys)


def key_names(cell: str) -> list[str]:
    """The inverse of :func:`shown_keys`."""
    if cell == "1–9":
        return list(DIGITS)
    return [key_name(part) for part in cell.split(" / ")]
