"""The Claimscope Textual app and ``make_app``, the factory the CLI and the tests share."""

from __future__ import annotations

import getpass
import os
import time
from collections.abc import Iterable
from functools import partial
from pathlib import Path

from textual import events
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen
from textual.widget import Widget

from annotate.labels import LabelSet, load_labels
from annotate.store import Store
from tui.article import ArticleView
from tui.documents import DocumentListScreen
from tui.reader import DocumentDone, ReaderScreen

IDLE_CHECKPOINT_SECONDS = 10.0


def default_annotator() -> str:
    """The login name, else ``annotator``."""
    try:
        return getpass.getuser() or "annotator"
    except (KeyError, OSError):
        return os.environ.get("USER") or "annotator"


class ClaimscopeApp(App[None]):
    """Browse documents, read and annotate them; every edit is saved as it is made."""

    CSS_PATH = "claimscope.tcss"
    TITLE = "Claimscope"
    ENABLE_COMMAND_PALETTE = True

    def __init__(self, store: Store, annotator: str, labels: LabelSet) -> None:
        super().__init__()
        self.store = store
        self.annotator = annotator
        self.labels = labels
        self.list_screen = DocumentListScreen()
        self.last_input = time.monotonic()

    def on_mount(self) -> None:
        self.push_screen(self.list_screen)
        self.set_interval(IDLE_CHECKPOINT_SECONDS / 2, self._checkpoint_when_idle)

    def on_key(self, event: events.Key) -> None:
        self.last_input = time.monotonic()

    def _checkpoint_when_idle(self) -> None:
        """Fold the journal into the database file while the analyst is not typing."""
        idle = time.monotonic() - self.last_input >= IDLE_CHECKPOINT_SECONDS
        if idle and self.store.pending_journal_entries:
            self.run_worker(self.store.checkpoint, thread=True, exclusive=True, group="checkpoint")

    def open_document(self, doc_id: str) -> None:
        self.push_screen(ReaderScreen(doc_id), self._reader_closed)

    def _reader_closed(self, result: None = None) -> None:
        self.list_screen.refresh_rows()

    def remember_document(self, doc_id: str) -> None:
        self.store.save_ui_state(self.annotator, last_doc=doc_id)
        self.list_screen.select_document(doc_id)

    def on_document_done(self, message: DocumentDone) -> None:
        self.pop_screen()
        self.list_screen.refresh_rows()
        following = self.list_screen.next_document_after(message.doc_id)
        if following is None:
            self.list_screen.select_document(message.doc_id)
            self.notify("all documents are done", timeout=3)
            return
        self.open_document(following)

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        """Every key binding of the screen (and the article view) by name, for ctrl+p."""
        yield from super().get_system_commands(screen)
        targets: list[tuple[Widget, list[Binding]]] = [
            (screen, [b for b in screen.BINDINGS if isinstance(b, Binding)])
        ]
        for article in screen.query(ArticleView):
            targets.append((article, [b for b in article.BINDINGS if isinstance(b, Binding)]))
        for target, bindings in targets:
            for binding in bindings:
                if binding.action.startswith("app.") or not binding.description:
                    continue
                yield SystemCommand(
                    binding.description[:1].upper() + binding.description[1:],
                    f"key {binding.key}",
                    partial(target.run_action, binding.action),
                )

    def close_store(self) -> None:
        self.store.close()


def make_app(
    db_path: str | Path,
    *,
    annotator: str | None = None,
    labels_path: Path | None = None,
    store: Store | None = None,
) -> ClaimscopeApp:
    """Open the database (for writing) and build the app around it."""
    labels = load_labels(labels_path)
    opened = store or Store.open(db_path)
    return ClaimscopeApp(opened, annotator or default_annotator(), labels)
