"""What the reader's virtual tables share: rows drawn only where they are on screen
(toolong-style ``ScrollView`` with ``render_line``), a cursor row kept in view, cells cut to
their column, and rows striped in the theme's colours with the cursor's row in its primary."""

from __future__ import annotations

from typing import ClassVar, Generic, TypeVar

from rich.cells import cell_len, set_cell_size
from rich.style import Style
from textual import events
from textual.geometry import Region, Size
from textual.scroll_view import ScrollView

from tui.theme import on_theme_change, palette

RowT = TypeVar("RowT")


def fit(text: str, width: int, *, right: bool = False) -> str:
    """``text`` cut or padded to exactly ``width`` cells."""
    if cell_len(text) > width:
        return set_cell_size(text, max(0, width - 1)) + "…"
    return set_cell_size(text, width) if not right else " " * (width - cell_len(text)) + text


def row_style(table: ScrollView, index: int, cursor: bool, *, dim: bool | None = None) -> Style:
    """How a table draws row ``index``: the cursor's row in the theme's primary colour (paler
    when the table has no focus), the others in stripes."""
    colours = palette(table.app)
    background, foreground = colours.background, colours.foreground
    if cursor:
        bg = colours.primary if table.has_focus else background.blend(colours.primary, 0.35)
        return Style(bgcolor=bg.rich_color, color=bg.get_contrast_text(1.0).rich_color, bold=True)
    bg = background.blend(foreground, 0.04) if index % 2 else background
    return Style(bgcolor=bg.rich_color, color=foreground.rich_color, dim=dim)


class CursorTable(ScrollView, Generic[RowT], can_focus=True):
    """Rows with a cursor, drawn by the subclass's ``render_line``; ``HEADING_LINES`` lines
    above them stay put while they scroll under."""

    HEADING_LINES: ClassVar[int] = 0

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.rows: list[RowT] = []
        self.cursor_row = 0

    @property
    def _row_width(self) -> int:
        """The width rows may use: the vertical scrollbar takes its own cells."""
        return self.scrollable_content_region.width

    def _size_to_rows(self) -> None:
        self.virtual_size = Size(self._row_width, len(self.rows) + self.HEADING_LINES)

    def row_at(self, y: int) -> int | None:
        """The row drawn on line ``y`` of the table, if one is."""
        row = y - self.HEADING_LINES + int(self.scroll_offset.y)
        return row if y >= self.HEADING_LINES and 0 <= row < len(self.rows) else None

    def scroll_cursor_visible(self) -> None:
        # a heading covers the first lines, so the row must show below them
        region = Region(0, self.cursor_row, 1, 1 + self.HEADING_LINES)
        self.scroll_to_region(region, animate=False, immediate=True)

    def move_cursor(self, row: int) -> None:
        """The cursor to ``row`` (kept within the rows), in view."""
        if not self.rows:
            return
        self.cursor_row = max(0, min(row, len(self.rows) - 1))
        self.scroll_cursor_visible()
        self.refresh()

    def on_resize(self, event: events.Resize) -> None:
        self._size_to_rows()

    def on_mount(self) -> None:
        on_theme_change(self, self.refresh)

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()
