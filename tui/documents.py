"""The document list: progress, filters (state, label, full text) and Enter to read."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Input, ProgressBar, Static

from annotate.model import ReviewState
from annotate.overview import DocumentSummary, document_summaries
from tui.dialogs import HelpScreen

if TYPE_CHECKING:
    from tui.app import ClaimscopeApp

STATE_FILTERS: list[ReviewState | None] = [None, *ReviewState]
STATE_MARKS = {
    ReviewState.TODO: ("○", ""),
    ReviewState.IN_PROGRESS: ("◐", "bold"),
    ReviewState.DONE: ("●", "bold green"),
    ReviewState.SKIPPED: ("⊘", "dim"),
}
TITLE_WIDTH = 60


class DocumentListScreen(Screen[None]):
    """All documents, one row each."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "open", "open", show=False),
        Binding("slash", "search", "search"),
        Binding("s", "cycle_state", "state filter"),
        Binding("l", "cycle_label", "label filter"),
        Binding("x", "skip", "skip doc", show=False),
        Binding("escape", "clear_filters", "clear filters", show=False),
        Binding("question_mark", "help", "help"),
        Binding("q", "app.quit", "quit"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[DocumentSummary] = []
        self.shown: list[DocumentSummary] = []
        self.state_filter: ReviewState | None = None
        self.label_filter: str | None = None
        self.query_text = ""
        self._lowered: dict[str, str] = {}

    @property
    def cs_app(self) -> ClaimscopeApp:
        from tui.app import ClaimscopeApp

        assert isinstance(self.app, ClaimscopeApp)
        return self.app

    def compose(self) -> ComposeResult:
        yield Static(id="list-title")
        yield ProgressBar(id="progress", show_eta=False)
        yield Input(
            placeholder="search all articles (/) — Enter applies, Escape clears", id="list-search"
        )
        yield Static(id="filters")
        yield DataTable(id="documents", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_column("", key="state", width=2)
        table.add_column("title", key="title", width=TITLE_WIDTH)
        table.add_column("date", key="date", width=10)
        table.add_column("agency", key="agency", width=8)
        table.add_column("pending", key="pending", width=7)
        table.add_column("entities", key="entities", width=8)
        table.add_column("claims", key="claims", width=6)
        self.refresh_rows()
        last = self.cs_app.store.ui_state(self.cs_app.annotator).get("last_doc")
        if isinstance(last, str):
            self.select_document(last)
        table.focus()

    def refresh_rows(self) -> None:
        """Recompute every row from the store (after returning from the reader)."""
        self.rows = document_summaries(self.cs_app.store, self.cs_app.annotator)
        self.apply_filters()

    def apply_filters(self) -> None:
        table = self.query_one(DataTable)
        current = self.current_doc_id()
        needle = self.query_text.lower()
        if needle and not self._lowered:
            store = self.cs_app.store
            self._lowered = {r["id"]: r["text"].lower() for r in store.raw_records("documents")}
        self.shown = [
            row
            for row in self.rows
            if (self.state_filter is None or row.state == self.state_filter)
            and (self.label_filter is None or self.label_filter in row.labels)
            and (
                not needle
                or needle in self._lowered.get(row.doc_id, "")
                or needle in row.title.lower()
            )
        ]
        table.clear()
        table.add_rows(
            [
                (
                    Text(*STATE_MARKS[row.state]),
                    Text(row.title[:TITLE_WIDTH]),
                    Text(row.date),
                    Text(row.agency),
                    Text(str(row.pending), style="bold" if row.pending else "dim"),
                    Text(str(row.entities)),
                    Text(str(row.claims)),
                )
                for row in self.shown
            ]
        )
        if current is not None:
            self.select_document(current)
        self._render_header()

    def _render_header(self) -> None:
        done = sum(1 for row in self.rows if row.state == ReviewState.DONE)
        total = len(self.rows)
        title = Text("Claimscope", style="bold")
        title.append(f"  {self.cs_app.annotator}", style="italic")
        title.append(f"  ·  {done} of {total} documents done", style="dim")
        self.query_one("#list-title", Static).update(title)
        bar = self.query_one(ProgressBar)
        bar.update(total=max(total, 1), progress=done)
        filters = Text("filters: ", style="dim")
        filters.append(f"state={self.state_filter.value if self.state_filter else 'any'}  ")
        filters.append(f"label={self.label_filter or 'any'}  ")
        filters.append(f"text={self.query_text!r}  " if self.query_text else "text=any  ")
        filters.append(f"— {len(self.shown)} shown", style="dim")
        self.query_one("#filters", Static).update(filters)

    def current_doc_id(self) -> str | None:
        table = self.query_one(DataTable)
        if not self.shown or table.cursor_row < 0 or table.cursor_row >= len(self.shown):
            return None
        return self.shown[table.cursor_row].doc_id

    def select_document(self, doc_id: str) -> None:
        for index, row in enumerate(self.shown):
            if row.doc_id == doc_id:
                self.query_one(DataTable).move_cursor(row=index, animate=False)
                return

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.action_open()

    def action_open(self) -> None:
        doc_id = self.current_doc_id()
        if doc_id is not None:
            self.cs_app.open_document(doc_id)

    def action_search(self) -> None:
        self.query_one("#list-search", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.query_text = event.value.strip()
        self.apply_filters()
        self.query_one(DataTable).focus()

    def action_cycle_state(self) -> None:
        index = STATE_FILTERS.index(self.state_filter)
        self.state_filter = STATE_FILTERS[(index + 1) % len(STATE_FILTERS)]
        self.apply_filters()

    def action_cycle_label(self) -> None:
        present = sorted({label for row in self.rows for label in row.labels})
        options: list[str | None] = [None, *present]
        index = options.index(self.label_filter) if self.label_filter in options else 0
        self.label_filter = options[(index + 1) % len(options)]
        self.apply_filters()

    def action_clear_filters(self) -> None:
        self.state_filter = None
        self.label_filter = None
        self.query_text = ""
        self.query_one("#list-search", Input).value = ""
        self.apply_filters()
        self.query_one(DataTable).focus()

    def action_skip(self) -> None:
        doc_id = self.current_doc_id()
        if doc_id is not None:
            self.cs_app.store.set_review(doc_id, self.cs_app.annotator, ReviewState.SKIPPED)
            self.refresh_rows()

    def action_help(self) -> None:
        self.app.push_screen(
            HelpScreen(
                "Document list keys",
                [
                    (
                        "Documents",
                        [
                            ("↑ / ↓, pgup / pgdn", "move"),
                            ("enter", "open the document in the reader"),
                            ("/", "full-text search (Enter applies)"),
                            ("s", "cycle the state filter: any, todo, in progress, done, skipped"),
                            ("l", "cycle the label filter: documents with that entity label"),
                            ("escape", "clear all filters"),
                            ("x", "mark the document skipped"),
                            ("ctrl+p", "command palette"),
                            ("q", "quit — every edit is already saved"),
                        ],
                    )
                ],
            )
        )

    def next_document_after(self, doc_id: str) -> str | None:
        """The next document in list order that is not done yet (wrapping around)."""
        order = [row.doc_id for row in self.rows]
        if doc_id not in order:
            return None
        start = order.index(doc_id)
        for step in range(1, len(order)):
            candidate = self.rows[(start + step) % len(order)]
            if candidate.state not in (ReviewState.DONE, ReviewState.SKIPPED):
                return candidate.doc_id
        return None
