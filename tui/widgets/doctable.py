"""A document table that draws only its visible rows (10,000 documents open instantly)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import BindingType
from textual.message import Message
from textual.strip import Strip

from annotate.corpus.overview import DocumentSummary
from annotate.model import ReviewState
from annotate.safetext import visible
from tui.keymap import LIST
from tui.theme import palette
from tui.widgets.cursor_table import CursorTable, fit, row_style

STATE_MARKS = {
    ReviewState.TODO: "○",
    ReviewState.IN_PROGRESS: "◐",
    ReviewState.DONE: "●",
    ReviewState.SKIPPED: "⊘",
}
#: Before the title of a document everyone annotates (the agreement overlap of ``assign``).
SHARED_MARK = "⇄"
#: (heading, width); the title takes what is left.
COLUMNS: list[tuple[str, int]] = [
    ("✓", 2),
    ("title", 0),
    ("date", 11),
    ("agency", 8),
    ("pending", 8),
    ("entities", 9),
    ("claims", 7),
]


class DocumentTable(CursorTable[DocumentSummary]):
    """Rows of document summaries with a cursor; Enter (or a click) opens one."""

    BINDINGS: ClassVar[list[BindingType]] = LIST.bindings("table")

    @dataclass
    class Chosen(Message):
        """The analyst opened ``doc_id``."""

        doc_id: str

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        #: What a search matched, shown instead of the title (by document id).
        self.contexts: dict[str, Text] = {}
        #: The heading of the pending column (adjudication counts conflicts there).
        self.pending_heading = "pending"

    def set_rows(
        self,
        rows: list[DocumentSummary],
        keep: str | None = None,
        contexts: dict[str, Text] | None = None,
    ) -> None:
        self.rows = rows
        self.contexts = contexts or {}
        self._size_to_rows()
        index = None
        if keep is not None:
            index = next((i for i, row in enumerate(rows) if row.doc_id == keep), None)
        self.cursor_row = (
            index if index is not None else min(self.cursor_row, max(0, len(rows) - 1))
        )
        self.scroll_cursor_visible()
        self.refresh()

    @property
    def current(self) -> DocumentSummary | None:
        return self.rows[self.cursor_row] if 0 <= self.cursor_row < len(self.rows) else None

    def select(self, doc_id: str) -> bool:
        for index, row in enumerate(self.rows):
            if row.doc_id == doc_id:
                self.cursor_row = index
                self.scroll_cursor_visible()
                self.refresh()
                return True
        return False

    def header(self, width: int) -> str:
        names = [name for name, _ in COLUMNS]
        names[names.index("pending")] = self.pending_heading
        return self._line(names, width)

    def _widths(self, width: int) -> list[int]:
        fixed = sum(w for _, w in COLUMNS)
        return [w or max(10, width - fixed - len(COLUMNS)) for _, w in COLUMNS]

    def _line(self, cells: list[str], width: int) -> str:
        parts = []
        for index, (value, size) in enumerate(zip(cells, self._widths(width), strict=True)):
            parts.append(fit(visible(value), size, right=index >= 4))
        return fit(" ".join(parts), width)

    def render_line(self, y: int) -> Strip:
        width = self._row_width
        index = y + int(self.scroll_offset.y)
        colours = palette(self.app)
        background = colours.background
        if index >= len(self.rows):
            return Strip.blank(width, Style(bgcolor=background.rich_color))
        row = self.rows[index]
        cells = [
            STATE_MARKS[row.state],
            f"{SHARED_MARK} {row.title}" if row.shared else row.title,
            row.date,
            row.agency,
            str(row.pending),
            str(row.entities),
            str(row.claims),
        ]
        dim = row.state in (ReviewState.DONE, ReviewState.SKIPPED)
        style = row_style(self, index, index == self.cursor_row, dim=dim)
        context = self.contexts.get(row.doc_id)
        if context is None:
            return Strip([Segment(self._line(cells, width), style)], width)
        # a search result: the words around the match take the title's place
        widths = self._widths(width)
        shown = context.copy()
        shown.no_wrap = True
        shown.truncate(widths[1], overflow="ellipsis", pad=True)
        line = Text(fit(cells[0], widths[0]) + " ", no_wrap=True)
        line.append_text(shown)
        # aligned as every other row is (date and agency left, the counts right)
        rest = [
            fit(visible(c), w, right=index >= 4)
            for index, (c, w) in enumerate(zip(cells[2:], widths[2:], strict=True), start=2)
        ]
        line.append(" " + " ".join(rest))
        line.truncate(width, pad=True)
        segments = Segment.apply_style(line.render(self.app.console), style)
        return Strip(list(segments), width)

    def action_move(self, step: int) -> None:
        self.move_cursor(self.cursor_row + step)

    def action_page(self, direction: int) -> None:
        self.move_cursor(self.cursor_row + direction * max(1, self.size.height - 1))

    def action_jump(self, where: int) -> None:
        self.move_cursor(len(self.rows) - 1 if where < 0 else 0)

    def action_choose(self) -> None:
        if self.current is not None:
            self.post_message(self.Chosen(self.current.doc_id))

    def on_click(self, event: events.Click) -> None:
        row = self.row_at(event.y)
        if row is not None:
            self.move_cursor(row)
            if event.chain >= 2:
                self.action_choose()
