"""The Claimscope Textual app and ``make_app``, the factory the CLI and the tests share."""

from __future__ import annotations

import gc
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from contextlib import suppress
from functools import partial
from pathlib import Path

from rich.text import Text
from rich.traceback import Traceback
from textual import events
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.color import Color, ColorParseError
from textual.screen import Screen
from textual.theme import Theme
from textual.widget import Widget

from annotate.errors import ClaimscopeError, DamagedDatabaseError, StorageError
from annotate.labels import LabelSet, load_labels
from annotate.ledger.corpus import corpus_ledger
from annotate.review.session import default_annotator, load_ui_state, save_ui_state
from annotate.safetext import visible
from annotate.store import Store
from annotate.tokenizing import english
from tui.messages import DocumentDone, DocumentShown, OpenClaim, OpenDocument
from tui.review_order import ReviewOrder
from tui.screens.documents import DocumentListScreen
from tui.screens.reader import ReaderScreen
from tui.theme import readable
from tui.widgets.article import ArticleView

IDLE_CHECKPOINT_SECONDS = 10.0
#: How long the analyst must leave the keys alone before the source ledger is read ahead.
LEDGER_IDLE_SECONDS = 1.0
#: The cyclic garbage collector's thresholds while the reader runs (Python's are 700, 10,
#: 10): young objects are collected after 50,000 allocations, not 700, and a full collection
#: waits for 100 of the middle one (bench/ledger.py: the Sources screen opens 0.2 s sooner).
GC_THRESHOLDS = (50_000, 20, 100)


class ClaimscopeApp(App[None]):
    """Browse documents, read and annotate them; every edit is saved as it is made."""

    CSS_PATH = "claimscope.tcss"
    TITLE = "Claimscope"
    ENABLE_COMMAND_PALETTE = True

    def __init__(
        self,
        store: Store,
        annotator: str,
        labels: LabelSet,
        *,
        read_only_reason: str | None = None,
        debug: bool = False,
        adjudicating: tuple[str, ...] = (),
    ) -> None:
        super().__init__()
        self.store = store
        self.annotator = annotator
        #: The annotators whose work is adjudicated into ``annotator`` (empty: reading).
        self.adjudicating = adjudicating
        self.labels = labels
        self.debug_tracebacks = debug
        #: Why edits are refused (the database could not be written), or None.
        self.read_only_reason = read_only_reason
        self.list_screen = DocumentListScreen()
        self.last_input = time.monotonic()
        #: The commit the source ledger was last read ahead at (-1: not yet).
        self._ledger_read_at = -1
        self._gc_thresholds = gc.get_threshold()
        #: What the latest commit touched, for screens that update only that.
        self.last_changes: frozenset[tuple[str, int]] = frozenset()
        #: How pending suggestions are reviewed (order, confidence floor), for the session.
        self.review = ReviewOrder()
        store.observe(self._committed)

    def _committed(self, changes: frozenset[tuple[str, int]]) -> None:
        self.last_changes = changes

    def try_write(self, change: Callable[[], object]) -> str | None:
        """Run one store write. Returns None when it is durable, else the one-line message to
        show. A file-system failure (disk full, read-only, permissions) makes the app
        read-only: reading goes on, every acknowledged edit is kept, and the message says how
        to recover."""
        if self.read_only_reason is not None:
            return f"read-only: {self.read_only_reason}"
        try:
            change()
        except StorageError as error:
            self.read_only_reason = (
                f"{error}. The reader is read-only now: free space or fix permissions, "
                "then restart claimscope"
            )
            return self.read_only_reason
        except ClaimscopeError as error:
            return str(error)
        return None

    def on_mount(self) -> None:
        # The reader keeps 100,000s of long-lived objects (a corpus's source ledger): with
        # the default thresholds the cyclic collector walks them all again every few
        # thousand allocations (a third of a second each time at 100,000 documents).
        self._gc_thresholds = gc.get_threshold()
        gc.set_threshold(*GC_THRESHOLDS)
        remembered = load_ui_state(self.store.path, self.annotator).get("theme")
        if isinstance(remembered, str) and remembered in self.available_themes:
            self.theme = remembered
        self.theme_changed_signal.subscribe(self, self._remember_theme)
        self.push_screen(self.list_screen)
        # the tokenizer's rules compile in 0.1 s: do it while the analyst reads the list
        self.run_worker(english, thread=True, group="warm-up")
        self.set_interval(IDLE_CHECKPOINT_SECONDS / 2, self._checkpoint_when_idle)
        self.set_interval(LEDGER_IDLE_SECONDS, self._read_ledger_when_idle)

    def on_unmount(self) -> None:
        gc.set_threshold(*self._gc_thresholds)

    def _remember_theme(self, theme: Theme) -> None:
        """The theme an analyst picks (ctrl+p → theme) is theirs the next time too."""
        with suppress(OSError):
            save_ui_state(self.store.path, self.annotator, theme=theme.name)

    def get_css_variables(self) -> dict[str, str]:
        """The theme's variables, with the footer's key and description colours made to read
        (≥ 4.5:1) on its background: some themes leave them faint."""
        variables = super().get_css_variables()
        background = variables.get("footer-background") or variables.get("panel")
        if background:
            for name in ("footer-key-foreground", "footer-description-foreground"):
                colour = variables.get(name)
                if colour and not colour.startswith("$") and "%" not in colour:
                    with suppress(ColorParseError):
                        fixed = readable(Color.parse(colour), Color.parse(background))
                        variables[name] = fixed.hex
        return variables

    def on_key(self, event: events.Key) -> None:
        self.last_input = time.monotonic()

    def _checkpoint_when_idle(self) -> None:
        """Fold the journal into the database file while the analyst is not typing."""
        idle = time.monotonic() - self.last_input >= IDLE_CHECKPOINT_SECONDS
        failed = self.store.checkpoint_failure is not None
        if idle and self.store.pending_journal_entries and not failed:
            self.run_worker(self._checkpoint, thread=True, exclusive=True, group="checkpoint")

    def _read_ledger_when_idle(self) -> None:
        """Read the source ledger ahead while the analyst is not typing, after start and
        after each change, so the Sources screen (w) finds it ready instead of adding up
        every document's sources when it opens (a second at 100,000 documents)."""
        idle = time.monotonic() - self.last_input >= LEDGER_IDLE_SECONDS
        if idle and self.store.last_seq != self._ledger_read_at:
            self._ledger_read_at = self.store.last_seq
            self.run_worker(
                self._read_ledger, thread=True, group="ledger-ahead", exit_on_error=False
            )

    def _read_ledger(self) -> None:
        """In a worker thread: best effort (a store closing under it, a damaged partition
        the list will report anyway) — the Sources screen reads it again if it must."""
        with suppress(ClaimscopeError):
            corpus_ledger(self.store, self.annotator)

    def _checkpoint(self) -> None:
        """In a worker thread. A failed checkpoint loses nothing (the journal keeps every
        edit); it is reported, and not tried again while the app runs."""
        error = self.store.try_checkpoint()
        if error is not None:
            self.call_from_thread(self.notify, visible(str(error)), severity="warning", timeout=8)

    def _fatal_error(self) -> None:
        """An unexpected error ends the app with one line (every acknowledged edit is already
        durable). The traceback only with ``--debug``, and never with local variables: they
        would print the database's contents."""
        error = sys.exc_info()[1]
        self.bell()
        if self.debug_tracebacks:
            shown: Text | Traceback = Traceback(show_locals=False, width=None)
        else:
            shown = Text(
                visible(
                    f"error: internal error: {type(error).__name__}: {error}; every acknowledged "
                    "edit is kept (run with --debug for the traceback)"
                )
            )
        self._exit_renderables.append(shown)
        self._close_messages_no_wait()

    def open_document(
        self, doc_id: str, *, following: bool = False, claim_id: int | None = None
    ) -> None:
        try:
            self.store.spans(doc_id)  # reads its partition: a damaged file is a message here
        except ClaimscopeError as error:
            self.list_screen.say(str(error))
            return
        if self.adjudicating:
            from tui.screens.adjudication import AdjudicationScreen

            self.push_screen(AdjudicationScreen(doc_id, self.adjudicating), self._reader_closed)
            return
        reader = ReaderScreen(doc_id, following=following, claim_id=claim_id)
        self.push_screen(reader, self._reader_closed)

    def _reader_closed(self, result: None = None) -> None:
        self.list_screen.refresh_rows()

    def on_open_document(self, message: OpenDocument) -> None:
        self.open_document(message.doc_id)

    def on_open_claim(self, message: OpenClaim) -> None:
        self.open_document(message.doc_id, claim_id=message.claim_id)

    def on_document_shown(self, message: DocumentShown) -> None:
        self.remember_document(message.doc_id)

    def remember_document(self, doc_id: str) -> None:
        """Where the list is, also across restarts (not remembered when read-only)."""
        if not self.store.readonly and self.read_only_reason is None:
            with suppress(OSError):  # where the list was is a convenience, not annotation
                save_ui_state(self.store.path, self.annotator, last_doc=doc_id)
        self.list_screen.select_document(doc_id)

    def on_document_done(self, message: DocumentDone) -> None:
        self.pop_screen()
        self.list_screen.refresh_rows()
        following = self.list_screen.next_document_after(message.doc_id)
        if following is None:
            self.list_screen.select_document(message.doc_id)
            self.notify("all documents are done", timeout=3)
            return
        self.open_document(following, following=True)

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
        if isinstance(screen, ReaderScreen):
            for label in self.labels.labels:
                yield SystemCommand(
                    f"Label {visible(label.name)}",
                    f"key {label.key}" if label.key else "label the selection or focused span",
                    partial(screen.apply_label, label.name),
                )

    def close_store(self) -> None:
        self.store.close()


def make_app(
    db_path: str | Path,
    *,
    annotator: str | None = None,
    labels_path: Path | None = None,
    store: Store | None = None,
    debug: bool = False,
    adjudicate: Sequence[str] = (),
) -> ClaimscopeApp:
    """Open the database for writing and build the app around it. When the file system
    refuses writing (read-only, permissions) or the database is damaged (no writer opens
    one), open it read-only and say so in the app."""
    labels = load_labels(labels_path)
    reason = None
    if store is None:
        try:
            store = Store.open(db_path)
        except StorageError as error:
            store = Store.open(db_path, readonly=True)
            reason = f"{error}. Opened read-only: fix the permissions, then restart claimscope"
        except DamagedDatabaseError as error:  # what is intact can still be read
            store = Store.open(db_path, readonly=True)
            reason = f"{error}. Opened read-only: nothing is written to a damaged database"
    names = tuple(dict.fromkeys(name for name in adjudicate if name))
    if names and annotator in names:
        raise ClaimscopeError(f"--as {annotator}: gold must be an annotator of its own")
    return ClaimscopeApp(
        store,
        annotator or ("gold" if names else default_annotator()),
        labels,
        read_only_reason=reason,
        debug=debug,
        adjudicating=names,
    )
