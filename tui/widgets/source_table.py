"""The Sources screen's table: a heading line and one row per source, drawing only the rows
on screen, so a ledger of 100,000 sources shows at once (each row's cells are worked out the
first time it is drawn)."""

from __future__ import annotations

from dataclasses import dataclass

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.message import Message
from textual.strip import Strip

from annotate.ledger.sources import Entry
from annotate.safetext import visible
from tui.theme import palette
from tui.widgets.cursor_table import CursorTable, fit, row_style

#: (heading, width); the source's name takes what is left, the outlets a share of it.
COLUMNS: list[tuple[str, int]] = [
    ("source", 0),
    ("kind", 6),
    ("a/s/r", 9),
    ("docs", 5),
    ("first", 10),
    ("last", 10),
    ("outlets", 0),
]
#: How the kinds are written in the narrow kind column.
KIND_WORDS = {"organisation": "org", "anonymous": "anon"}
#: Marks a source chosen for a merge.
MARK = "● "


def entry_cells(entry: Entry) -> list[str]:
    """What a row shows of ``entry``: name, kind, claims accepted/suggested/rejected,
    documents, first and last date, outlets (names not yet made safe)."""
    states = entry.states()
    first, last = entry.dates()
    return [
        entry.name,
        KIND_WORDS.get(entry.kind, entry.kind),
        "/".join(str(states[s]) for s in ("accepted", "suggested", "rejected")),
        str(len(entry.documents)),
        first or "—",
        last or "—",
        ", ".join(sorted(entry.outlets)),
    ]


class SourceTable(CursorTable[Entry]):
    """Sources with a cursor; the screen moves it, Enter (or a double click) opens one."""

    HEADING_LINES = 1

    @dataclass
    class Chosen(Message):
        """The analyst opened the source at ``row``."""

        row: int

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        #: The ids of the sources marked for a merge.
        self.marked: set[str] = set()
        self._cells: dict[str, list[str]] = {}

    @property
    def row_count(self) -> int:
        return len(self.rows)

    def set_rows(self, rows: list[Entry], marked: set[str]) -> None:
        """Show ``rows`` (the cursor stays on its line), ``marked`` with a dot."""
        self.rows = rows
        self.marked = marked
        self._cells.clear()
        self.cursor_row = min(self.cursor_row, max(0, len(rows) - 1))
        self._size_to_rows()
        self.scroll_cursor_visible()
        self.refresh()

    def cells(self, row: int) -> list[str]:
        """The row's cells as drawn (safe to show; a marked source's name begins with ●)."""
        entry = self.rows[row]
        cells = self._cells.get(entry.id)
        if cells is None:
            cells = self._cells[entry.id] = [visible(cell) for cell in entry_cells(entry)]
        if entry.id in self.marked:
            return [MARK + cells[0], *cells[1:]]
        return cells

    def _widths(self, width: int) -> list[int]:
        fixed = sum(w for _, w in COLUMNS) + len(COLUMNS) - 1
        left = max(24, width - fixed)
        outlets = max(8, min(30, left // 3))
        return [w or (left - outlets if name == "source" else outlets) for name, w in COLUMNS]

    def _line(self, cells: list[str], width: int) -> str:
        parts = [
            fit(value, size, right=index in (2, 3))
            for index, (value, size) in enumerate(zip(cells, self._widths(width), strict=True))
        ]
        return fit(" ".join(parts), width)

    def render_line(self, y: int) -> Strip:
        width = self._row_width
        colours = palette(self.app)
        background, foreground = colours.background, colours.foreground
        if y == 0:  # the heading stays put while the rows scroll under it
            style = Style(bgcolor=background.rich_color, color=foreground.rich_color, bold=True)
            heading = self._line([name for name, _ in COLUMNS], width)
            return Strip([Segment(heading, style)], width)
        index = y - 1 + int(self.scroll_offset.y)
        if index >= len(self.rows):
            return Strip.blank(width, Style(bgcolor=background.rich_color))
        style = row_style(self, index, index == self.cursor_row)
        return Strip([Segment(self._line(self.cells(index), width), style)], width)

    def on_click(self, event: events.Click) -> None:
        row = self.row_at(event.y)
        if row is not None:
            self.move_cursor(row)
            if event.chain >= 2:
                self.post_message(self.Chosen(row))
