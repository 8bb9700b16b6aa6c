"""The document list: progress, filters (state, label, full text) and Enter to read."""

from __future__ import annotations

import re
from functools import cached_property
from typing import ClassVar

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.screen import Screen
from textual.widgets import Footer, Input, ProgressBar

from annotate.corpus.overview import DocumentSummary, document_summaries
from annotate.model import ReviewState
from annotate.review.session import load_ui_state
from annotate.safetext import visible
from annotate.team.adjudicate import adjudicable
from tui.keymap import LIST
from tui.messages import OpenDocument
from tui.screens.dialogs import HelpScreen
from tui.screens.sources import SourcesScreen
from tui.theme import warning_style
from tui.widgets.doctable import SHARED_MARK, DocumentTable
from tui.widgets.safe import SafeInput, SafeStatic
from tui.workspace import Workspace, workspace_of

FILTER_KEYS = {
    "text": "/",
    "state": "s",
    "label": "l",
    "kind": "k",
    "verdict": "v",
    "annotator": "a",
    "pending": "p",
    "queue": "m",
}
CONTEXT_CHARS = 40


def match_context(text: str, start: int, end: int) -> Text:
    """The words around ``text[start:end]`` on one line, the match highlighted."""
    lead = text[max(0, start - CONTEXT_CHARS) : start]
    if start > CONTEXT_CHARS and " " in lead:
        lead = lead.split(" ", 1)[1]  # not half a word
    tail = text[end : end + CONTEXT_CHARS * 2]
    shown = Text("…" if start > CONTEXT_CHARS else "")
    shown.append(visible(_one_line(lead)))
    shown.append(visible(_one_line(text[start:end])), style="bold reverse")
    shown.append(visible(_one_line(tail)) + ("…" if end + len(tail) < len(text) else ""))
    return shown


def search_terms(query: str) -> list[str]:
    """The words of a list search, case-folded, to be found in any order; words in double
    quotes are one phrase (``"Mehsud dead"`` finds the two words together)."""
    terms = []
    for phrase, word in re.findall(r'"([^"]*)"?|(\S+)', query):
        term = " ".join((phrase or word).split()).casefold()
        if term:
            terms.append(term)
    return terms


def _one_line(text: str) -> str:
    return re.sub(r"\s+", " ", text)


#: What the filters line says of the keys, and of dropping filters: in full, and short.
_FILTER_HINTS = (
    "(/ text · s state · l label · k kind · v verdict · a annotator · p pending · m my queue)",
    " · backspace drops the last filter, escape all",
)
_SHORT_FILTER_HINTS = ("(keys / s l k v a p m; ? explains)", " · ⌫ drops the last, esc all")


class DocumentListScreen(Screen[None]):
    """All documents, one row each."""

    BINDINGS: ClassVar[list[BindingType]] = LIST.bindings()

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[DocumentSummary] = []
        self.shown: list[DocumentSummary] = []
        #: Active filters by name, in the order they were set (backspace drops the last).
        self.filters: dict[str, str] = {}
        #: The result of the last action when it failed (shown under the title), else None.
        self.status: str | None = None
        self._lowered: dict[str, str] = {}
        self._title_message = ""

    @cached_property
    def workspace(self) -> Workspace:
        """The app, as far as a screen may use it."""
        return workspace_of(self.app)

    def compose(self) -> ComposeResult:
        yield SafeStatic(id="list-title")
        yield ProgressBar(id="progress", show_eta=False)
        yield SafeInput(
            placeholder="find words in the text, title, file name or id (/) — Enter applies",
            id="list-search",
        )
        yield SafeStatic(id="filters")
        yield SafeStatic(id="table-header")
        yield DocumentTable(id="documents")
        yield Footer()

    def on_mount(self) -> None:
        last = load_ui_state(self.workspace.store.path, self.workspace.annotator).get("last_doc")
        self.refresh_rows(keep=last if isinstance(last, str) else None)
        self.query_one(DocumentTable).focus()

    def on_resize(self, event: events.Resize) -> None:
        self.call_after_refresh(self._render_table_header)
        self.call_after_refresh(self._render_header)  # the filters hint fits the new width

    def _render_table_header(self) -> None:
        """The column names over the rows, at the rows' width (a scrollbar takes two cells)."""
        table = self.query_one(DocumentTable)
        width = max(20, table.scrollable_content_region.width)
        header = Text(table.header(width), style="bold", no_wrap=True)
        self.query_one("#table-header", SafeStatic).update(header, layout=False)

    def say(self, message: str) -> None:
        """Show a one-line message under the list's title."""
        self.status = message
        self._render_header()

    def refresh_rows(self, keep: str | None = None) -> None:
        """Recompute every row from the store (after returning from the reader)."""
        rows = document_summaries(self.workspace.store, self.workspace.annotator)
        if self.workspace.adjudicating:
            rows = self._adjudication_rows(rows)
        self.rows = rows
        self.apply_filters(keep)

    def _adjudication_rows(self, rows: list[DocumentSummary]) -> list[DocumentSummary]:
        """Only documents two or more of the annotators finished, the most conflicts first;
        the pending column counts the conflicts left."""
        by_id = {row.doc_id: row for row in rows}
        store, app = self.workspace.store, self.workspace
        ordered = []
        for doc_id, conflicts in adjudicable(store, app.adjudicating, app.annotator):
            row = by_id[doc_id]
            row.pending = conflicts
            ordered.append(row)
        self.query_one(DocumentTable).pending_heading = "≠ left"
        return ordered

    @property
    def state_filter(self) -> ReviewState | None:
        state = self.filters.get("state")
        return ReviewState(state) if state is not None else None

    @property
    def label_filter(self) -> str | None:
        return self.filters.get("label")

    @property
    def query_text(self) -> str:
        return self.filters.get("text", "")

    def _keeps(self, row: DocumentSummary) -> bool:
        for name, value in self.filters.items():
            if name == "state" and row.state.value != value:
                return False
            if name == "label" and value not in row.labels:
                return False
            if name == "kind" and value not in row.kinds:
                return False
            if name == "verdict" and value not in row.verdicts:
                return False
            if name == "annotator" and value not in row.annotators:
                return False
            if name == "pending" and not row.pending:
                return False
            if name == "queue" and row.queue is None:
                return False
        return True

    def apply_filters(self, keep: str | None = None) -> None:
        table = self.query_one(DocumentTable)
        current = keep or self.current_doc_id()
        terms = search_terms(self.query_text)
        if terms and not self._lowered:
            store = self.workspace.store
            self._lowered = {doc_id: text.casefold() for doc_id, text in store.document_texts()}
        shown: list[DocumentSummary] = []
        contexts: dict[str, Text] = {}
        for row in self.rows if self.filters else ():
            if not self._keeps(row):
                continue
            if terms:
                context = self._match(row, terms)
                if context is None:
                    continue
                contexts[row.doc_id] = context
            shown.append(row)
        self.shown = shown if self.filters else list(self.rows)
        table.set_rows(self.shown, keep=current, contexts=contexts)
        self.call_after_refresh(self._render_table_header)  # a scrollbar may come or go
        self._render_header()

    def _match(self, row: DocumentSummary, terms: list[str]) -> Text | None:
        """Whether every term is found in the document (its text, title, file name or id),
        in any order: the words around the first term found in the text, else the field the
        first term matched; None when a term is nowhere."""
        text = self._lowered.get(row.doc_id, "")
        fields = (("title", row.title), ("file", row.source), ("id", row.doc_id))
        folded = [value.casefold() for _, value in fields]
        if not all(term in text or any(term in value for value in folded) for term in terms):
            return None
        found_in_text = [(text.find(term), term) for term in terms if term in text]
        if found_in_text:
            at, term = min(found_in_text)
            original = self.workspace.store.get_document(row.doc_id).text
            return match_context(original, at, at + len(term))
        needle = terms[0]
        for (name, value), lowered in zip(fields, folded, strict=True):
            found = lowered.find(needle)
            if found >= 0:
                shown = Text(f"{name}: ", style="italic")
                shown.append(visible(value[:found]))
                shown.append(visible(value[found : found + len(needle)]), style="bold reverse")
                shown.append(visible(value[found + len(needle) :]))
                return shown
        return None

    def _render_header(self) -> None:
        done = sum(1 for row in self.rows if row.state == ReviewState.DONE)
        total = len(self.rows)
        title = Text("Claimscope", style="bold")
        title.append(f" · {visible(self.workspace.annotator)}", style="italic")
        if self.workspace.adjudicating:
            left = sum(row.pending for row in self.rows)
            names = ", ".join(self.workspace.adjudicating)
            title.append(f" · adjudicating {visible(names)}: {left} conflict(s) left", style="bold")
            if not self.rows:
                title.append(
                    f"\nno document has been marked done by two or more of {visible(names)}",
                    style=warning_style(self.app),
                )
        title.append(f" · {done} of {total} documents done", style="dim")
        queued = [row for row in self.rows if row.queue is not None]
        if queued:
            finished = sum(1 for row in queued if row.state == ReviewState.DONE)
            shared = sum(1 for row in queued if row.shared)
            note = f"; {shared} shared ({SHARED_MARK}, for agreement)" if shared else ""
            title.append(
                f" · your queue: {finished} of {len(queued)} done{note}, listed first",
                style="dim",
            )
        problem = self.status or self.workspace.read_only_reason
        if problem:
            title.append(f"\n⚠ {problem}", style=warning_style(self.app))
        # a title whose message changed may need more or fewer lines (it wraps): make room
        message = problem or ""
        self.query_one("#list-title", SafeStatic).update(
            title, layout=message != self._title_message
        )
        self._title_message = message
        bar = self.query_one(ProgressBar)
        bar.update(total=max(total, 1), progress=done)
        widget = self.query_one("#filters", SafeStatic)
        room = widget.content_region.width or 80
        # the longest wording of the hint that fits the one row (80 columns: the short one)
        for hints in (_FILTER_HINTS, _SHORT_FILTER_HINTS):
            filters = self._filters_line(*hints)
            if filters.cell_len <= room:
                break
        widget.update(filters, layout=False)

    def _filters_line(self, keys: str, drop: str) -> Text:
        filters = Text("filters: ", style="dim")
        if not self.filters:
            filters.append(f"none {keys}", style="dim")
        for name, value in self.filters.items():
            shown = {"pending": "has pending", "queue": "my queue"}.get(name, f"{name}={value}")
            filters.append(f"{visible(shown)}", style="bold")
            filters.append(f" [{FILTER_KEYS[name]}]  ", style="dim")
        filters.append(f" — {len(self.shown)} shown", style="dim")
        if self.filters:
            filters.append(drop, style="dim")
        return filters

    def current_doc_id(self) -> str | None:
        current = self.query_one(DocumentTable).current
        return current.doc_id if current is not None else None

    def select_document(self, doc_id: str) -> None:
        self.query_one(DocumentTable).select(doc_id)

    def on_document_table_chosen(self, event: DocumentTable.Chosen) -> None:
        self.post_message(OpenDocument(event.doc_id))

    def action_search(self) -> None:
        self.query_one("#list-search", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self._set_filter("text", event.value.strip() or None)
        self.query_one(DocumentTable).focus()

    def _set_filter(self, name: str, value: str | None) -> None:
        self.filters.pop(name, None)  # a changed filter moves to the end of the stack
        if value is not None:
            self.filters[name] = value
        self.apply_filters()

    def _choices(self, name: str) -> list[str]:
        if name == "state":
            return [state.value for state in ReviewState]
        field = {"label": "labels", "kind": "kinds", "verdict": "verdicts"}.get(name, "annotators")
        return sorted({value for row in self.rows for value in getattr(row, field)})

    def action_cycle(self, name: str) -> None:
        """Next value of one filter: any → each value present in the corpus → any."""
        options: list[str | None] = [None, *self._choices(name)]
        current = self.filters.get(name)
        index = options.index(current) if current in options else 0
        chosen = options[(index + 1) % len(options)]
        if len(options) == 1:
            self.status = f"no document has a {name} to filter by"
        self._set_filter(name, chosen)

    def action_toggle_pending(self) -> None:
        self._set_filter("pending", None if "pending" in self.filters else "yes")

    def action_toggle_queue(self) -> None:
        """Only the documents assigned to this annotator (``claimscope assign``)."""
        if not any(row.queue is not None for row in self.rows):
            self.status = "nothing is assigned to you (claimscope assign)"
            self._render_header()
            return
        self._set_filter("queue", None if "queue" in self.filters else "yes")

    def action_drop_filter(self) -> None:
        """Remove the filter set last; the others stay."""
        if self.filters:
            name = list(self.filters)[-1]
            if name == "text":
                self.query_one("#list-search", Input).value = ""
            self._set_filter(name, None)

    def action_clear_filters(self) -> None:
        self.filters.clear()
        self.query_one("#list-search", Input).value = ""
        self.apply_filters()
        self.query_one(DocumentTable).focus()

    def action_skip(self) -> None:
        """Skip the document, or take the skip back to the state it had: ``x`` toggles."""
        doc_id = self.current_doc_id()
        if doc_id is not None:
            store, annotator = self.workspace.store, self.workspace.annotator
            self.status = self.workspace.try_write(lambda: store.toggle_skip(doc_id, annotator))
            self.refresh_rows()

    def action_sources(self) -> None:
        """Who said what across the corpus."""
        self.app.push_screen(SourcesScreen())

    def action_help(self) -> None:
        self.app.push_screen(HelpScreen(LIST.title, LIST.help_groups()))

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
