"""The document list: progress, filters (state, label, full text) and Enter to read."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Footer, Input, ProgressBar

from annotate.model import ReviewState
from annotate.overview import DocumentSummary, document_summaries
from tui.dialogs import HelpScreen
from tui.doctable import DocumentTable
from tui.safe import SafeInput, SafeStatic

if TYPE_CHECKING:
    from tui.app import ClaimscopeApp

STATE_FILTERS: list[ReviewState | None] = [None, *ReviewState]


class DocumentListScreen(Screen[None]):
    """All documents, one row each."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "search", "search"),
        Binding("s", "cycle_state", "state filter"),
        Binding("l", "cycle_label", "label filter"),
        Binding("x", "skip", "skip doc / unskip", show=False),
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
        #: The result of the last action when it failed (shown under the title), else None.
        self.status: str | None = None
        self._lowered: dict[str, str] = {}

    @property
    def cs_app(self) -> ClaimscopeApp:
        from tui.app import ClaimscopeApp

        assert isinstance(self.app, ClaimscopeApp)
        return self.app

    def compose(self) -> ComposeResult:
        yield SafeStatic(id="list-title")
        yield ProgressBar(id="progress", show_eta=False)
        yield SafeInput(
            placeholder="search all articles (/) — Enter applies, Escape clears", id="list-search"
        )
        yield SafeStatic(id="filters")
        yield SafeStatic(id="table-header")
        yield DocumentTable(id="documents")
        yield Footer()

    def on_mount(self) -> None:
        last = self.cs_app.store.ui_state(self.cs_app.annotator).get("last_doc")
        self.refresh_rows(keep=last if isinstance(last, str) else None)
        self.query_one(DocumentTable).focus()

    def on_resize(self, event: events.Resize) -> None:
        self.call_after_refresh(self._render_table_header)

    def _render_table_header(self) -> None:
        """The column names over the rows, at the rows' width (a scrollbar takes two cells)."""
        table = self.query_one(DocumentTable)
        width = max(20, table.scrollable_content_region.width)
        header = Text(table.header(width), style="bold", no_wrap=True)
        self.query_one("#table-header", SafeStatic).update(header, layout=False)

    def refresh_rows(self, keep: str | None = None) -> None:
        """Recompute every row from the store (after returning from the reader)."""
        self.rows = document_summaries(self.cs_app.store, self.cs_app.annotator)
        self.apply_filters(keep)

    def apply_filters(self, keep: str | None = None) -> None:
        table = self.query_one(DocumentTable)
        current = keep or self.current_doc_id()
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
        table.set_rows(self.shown, keep=current)
        self.call_after_refresh(self._render_table_header)  # a scrollbar may come or go
        self._render_header()

    def _render_header(self) -> None:
        done = sum(1 for row in self.rows if row.state == ReviewState.DONE)
        total = len(self.rows)
        title = Text("Claimscope", style="bold")
        title.append(f"  {self.cs_app.annotator}", style="italic")
        title.append(f"  ·  {done} of {total} documents done", style="dim")
        problem = self.status or self.cs_app.read_only_reason
        if problem:
            title.append(f"\n⚠ {problem}", style="bold yellow")
        self.query_one("#list-title", SafeStatic).update(title, layout=False)
        bar = self.query_one(ProgressBar)
        bar.update(total=max(total, 1), progress=done)
        filters = Text("filters: ", style="dim")
        filters.append(f"state={self.state_filter.value if self.state_filter else 'any'}  ")
        filters.append(f"label={self.label_filter or 'any'}  ")
        filters.append(f"text={self.query_text!r}  " if self.query_text else "text=any  ")
        filters.append(f"— {len(self.shown)} shown", style="dim")
        self.query_one("#filters", SafeStatic).update(filters, layout=False)

    def current_doc_id(self) -> str | None:
        current = self.query_one(DocumentTable).current
        return current.doc_id if current is not None else None

    def select_document(self, doc_id: str) -> None:
        self.query_one(DocumentTable).select(doc_id)

    def on_document_table_chosen(self, event: DocumentTable.Chosen) -> None:
        self.cs_app.open_document(event.doc_id)

    def action_search(self) -> None:
        self.query_one("#list-search", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.query_text = event.value.strip()
        self.apply_filters()
        self.query_one(DocumentTable).focus()

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
        self.query_one(DocumentTable).focus()

    def action_skip(self) -> None:
        """Skip the document, or take a skipped one back (to do): ``x`` toggles."""
        doc_id = self.current_doc_id()
        if doc_id is not None:
            store, annotator = self.cs_app.store, self.cs_app.annotator
            skipped = store.review_state(doc_id, annotator) == ReviewState.SKIPPED
            state = ReviewState.TODO if skipped else ReviewState.SKIPPED
            self.status = self.cs_app.try_write(lambda: store.set_review(doc_id, annotator, state))
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
                            ("x", "mark the document skipped (again: take it back)"),
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
