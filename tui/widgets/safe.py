"""Widgets that put text from articles, files and users on screen through the one sanitiser
(:mod:`annotate.safetext`): nothing they show can act on the terminal."""

from __future__ import annotations

from rich.text import Text
from textual.visual import VisualType
from textual.widgets import Input, Static

from annotate.safetext import visible, visible_one_for_one, visible_text


def safe(content: VisualType) -> VisualType:
    """``content`` with every control character replaced by its visible stand-in. A plain
    string is taken as text, never as markup."""
    if isinstance(content, Text):
        return visible_text(content)
    if isinstance(content, str):
        return Text(visible(content, keep_newlines=True))
    return content


class SafeStatic(Static):
    """A ``Static`` whose content always goes through :func:`safe`."""

    def __init__(
        self,
        content: VisualType = "",
        *,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(safe(content), name=name, id=id, classes=classes)

    def update(self, content: VisualType = "", *, layout: bool = True) -> None:
        super().update(safe(content), layout=layout)


class SafeInput(Input):
    """An ``Input`` that edits the stored value as it is but draws every control character
    as its one-character stand-in (so the cursor still lines up)."""

    @property
    def _value(self) -> Text:
        shown = super()._value
        safe_plain = visible_one_for_one(shown.plain)
        if safe_plain == shown.plain:
            return shown
        copy = shown.copy()
        copy.plain = safe_plain
        return copy


#: A table cell longer than this is cut (a 10,000-character source name stays one cell).
CELL_LIMIT = 60


def cell(value: object, limit: int = CELL_LIMIT) -> Text:
    """A table cell: one line of sanitised text, never markup, cut at ``limit``."""
    line = " ".join(str(value).split())
    if len(line) > limit:
        line = line[: limit - 1] + "…"
    return Text(visible(line))
