"""Who said what: the Sources screen — every source across the corpus, filtered, sorted by
count, name or date, corrected by keyboard (merge, rename, undo); Enter shows a source's
claims (:mod:`tui.screens.source_claims`)."""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property
from typing import ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.screen import Screen
from textual.widgets import Footer, Input

from annotate.ledger.corpus import corpus_ledger
from annotate.ledger.corrections import Correction, merge, rename
from annotate.ledger.sources import Entry
from annotate.safetext import visible
from tui.keymap import SOURCES
from tui.screens.dialogs import HelpScreen, PromptScreen
from tui.screens.source_claims import SourceClaimsScreen, undo_correction
from tui.theme import warning_style
from tui.widgets.safe import SafeInput, SafeStatic
from tui.widgets.source_table import SourceTable
from tui.workspace import Workspace, workspace_of

#: The orders the Sources screen cycles through with tab: (name, key, most first).
SORTS = ("claims", "name", "latest")


def sorted_entries(entries: list[Entry], order: str) -> list[Entry]:
    """``entries`` by the most claims, by name, or the latest claim first."""
    if order == "name":
        return sorted(entries, key=lambda e: (e.sort_name, -e.claim_count))
    if order == "latest":
        return sorted(entries, key=lambda e: e.last, reverse=True)
    # the ledger comes with the most claims first, ties by folded name (corpus_ledger), and
    # filtering keeps that order (working out 100,000 display names to break ties again
    # would take a second)
    return list(entries)


def matching(entries: list[Entry], query: str) -> list[Entry]:
    """The entries with every word of ``query`` in one of their names or their kind."""
    words = query.casefold().split()
    if not words:
        return entries
    found = []
    for entry in entries:
        haystack = " ".join([entry.kind, *entry.names]).casefold()
        if all(word in haystack for word in words):
            found.append(entry)
    return found


class SourcesScreen(Screen[None]):
    """Every source across the corpus, with its claims, documents, outlets and dates."""

    BINDINGS: ClassVar[list[BindingType]] = SOURCES.bindings()

    def __init__(self) -> None:
        super().__init__()
        self.entries: list[Entry] = []
        self.shown: list[Entry] = []
        self.order = SORTS[0]
        #: The ids of the sources marked for a merge.
        self.marked: set[str] = set()
        self.status = ""

    @cached_property
    def workspace(self) -> Workspace:
        return workspace_of(self.app)

    def compose(self) -> ComposeResult:
        yield SafeStatic(id="sources-title")
        yield SafeInput(
            placeholder="/ filters by words of a name or the kind (Enter: back to the list)",
            id="sources-filter",
        )
        yield SourceTable(id="sources-table")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(SourceTable).focus()
        self._title("reading the corpus…")
        self._read()

    @work(thread=True, exclusive=True, group="ledger")
    def _read(self) -> None:
        entries = corpus_ledger(self.workspace.store, self.workspace.annotator)
        self.app.call_from_thread(self._loaded, entries)

    def _loaded(self, entries: list[Entry]) -> None:
        self.entries = entries
        if self.marked:  # a merge or a split may have taken some away
            self.marked &= {entry.id for entry in entries}
        self._fill()

    def _fill(self) -> None:
        query = self.query_one(Input).value
        self.shown = sorted_entries(matching(self.entries, query), self.order)
        self.query_one(SourceTable).set_rows(self.shown, self.marked)
        self._title()

    def _title(self, note: str = "") -> None:
        title = Text("Sources", style="bold")
        count = len(self.shown)
        total = len(self.entries)
        shown = f"{count} of {total}" if count != total else str(total)
        title.append(
            f" · {shown} · a/s/r: claims accepted/suggested/rejected · by {self.order} (tab)",
            style="dim",
        )
        if self.marked:
            title.append(f" · {len(self.marked)} marked (M merges them)", style="bold")
        if note:
            title.append(f" · {note}", style="dim")
        elif not self.entries:
            title.append("\nno claim has a source yet: preannotate, or set sources in the reader")
        if self.status:
            warning = self.status.startswith("⚠")
            title.append(f"\n{self.status}", style=warning_style(self.app) if warning else "bold")
        self.query_one("#sources-title", SafeStatic).update(title)

    def _say(self, message: str) -> None:
        self.status = message
        self._title()

    def on_input_changed(self, event: Input.Changed) -> None:
        self._fill()

    def action_filter(self) -> None:
        self.query_one(Input).focus()

    def _current(self) -> Entry | None:
        table = self.query_one(SourceTable)
        if not self.shown:
            return None
        return self.shown[min(table.cursor_row, len(self.shown) - 1)]

    def action_mark(self) -> None:
        entry = self._current()
        if entry is None:
            return
        self.marked ^= {entry.id}
        self._title()
        self.action_move(1)

    def _correct(self, change: Callable[[], Correction], what: str) -> None:
        """Make a correction (durable when it returns), say so, and read the ledger again."""
        done: list[Correction] = []
        problem = self.workspace.try_write(lambda: done.append(change()))
        if problem is not None:
            self._say(f"⚠ {problem}")
            return
        correction = done[0]
        self.marked.clear()
        self._say(
            f"✓ {what}: {correction.claims} claim(s) in {correction.documents} document(s) "
            "(u undoes it)"
        )
        self._read()

    def action_merge(self) -> None:
        into = self._current()
        chosen = [entry for entry in self.entries if entry.id in self.marked]
        others = [entry for entry in chosen if into is None or entry.id != into.id]
        if into is None or not others:
            self._say("⚠ mark the sources to merge (m), then put the cursor on the one they join")
            return
        store, annotator = self.workspace.store, self.workspace.annotator
        names = ", ".join(visible(entry.name[:40]) for entry in others)
        self._correct(
            lambda: merge(store, annotator, others, into),
            f"merged {names} into {visible(into.name[:40])}",
        )

    def action_rename(self) -> None:
        entry = self._current()
        if entry is None:
            return
        store, annotator = self.workspace.store, self.workspace.annotator

        def renamed(name: str | None) -> None:
            if name is not None and name.strip():
                self._correct(
                    lambda: rename(store, annotator, entry, name), f"renamed to {visible(name)}"
                )

        self.app.push_screen(
            PromptScreen(f"Rename {visible(entry.name[:60])}", entry.name), renamed
        )

    def action_undo(self) -> None:
        message, undone = undo_correction(self.workspace)
        self._say(message)
        if undone:
            self._read()

    def action_sort(self, direction: int) -> None:
        self.order = SORTS[(SORTS.index(self.order) + direction) % len(SORTS)]
        self._fill()

    def action_move(self, rows: int) -> None:
        table = self.query_one(SourceTable)
        table.move_cursor(table.cursor_row + rows)

    def action_open(self) -> None:
        table = self.query_one(SourceTable)
        if self.query_one(Input).has_focus:  # Enter in the filter: back to the list
            table.focus()
            return
        if not self.shown:
            return
        entry = self.shown[min(table.cursor_row, len(self.shown) - 1)]
        self.app.push_screen(SourceClaimsScreen(entry))

    def on_source_table_chosen(self, event: SourceTable.Chosen) -> None:
        self.action_open()

    def action_back(self) -> None:
        search = self.query_one(Input)
        if search.value:
            search.value = ""
            return
        if search.has_focus:
            self.query_one(SourceTable).focus()
            return
        self.dismiss(None)

    def action_help(self) -> None:
        self.app.push_screen(HelpScreen(SOURCES.title, SOURCES.help_groups()))

    def on_screen_resume(self) -> None:
        """Back from a source's claims, where a split may have changed the ledger."""
        if self.entries:
            self._read()
