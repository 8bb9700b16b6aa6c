"""The adjudication reader: one document's conflicts between annotators, settled into gold.

It is the reader, run as the gold annotator, plus: agreed units are adopted when the document
opens; conflicts are marked in the article (tinted, underlined, ``≠`` in the margin); the side
panel lists every annotator's version of the conflict under the cursor; one key picks a
version (``1``–``9``), keeps them all (``b``) or drops them (``x``); ``n``/``p`` go from
conflict to conflict and the title line counts those left. Every decision is a gold edit, so
``u`` undoes it as any other.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from rich.text import Text
from textual.binding import BindingType

from annotate.model import ReviewState
from annotate.safetext import visible
from annotate.team.adjudicate import Adjudication, Unit
from tui.keymap import ADJUDICATION, READER
from tui.messages import DocumentDone
from tui.screens.dialogs import HelpScreen
from tui.screens.reader import ReaderScreen
from tui.widgets.article import CONFLICT_TINT, ArticleView


class AdjudicationScreen(ReaderScreen):
    """Settle one document's conflicts into the gold annotator's version."""

    BINDINGS: ClassVar[list[BindingType]] = ADJUDICATION.bindings()

    def __init__(self, doc_id: str, annotators: tuple[str, ...]) -> None:
        super().__init__(doc_id)
        self.annotators = annotators
        self.open_conflicts: list[Unit] = []

    @property
    def adjudication(self) -> Adjudication:
        return Adjudication(
            self.workspace.store, self.doc_id, self.annotators, self.workspace.annotator
        )

    def on_mount(self) -> None:
        # Textual runs ReaderScreen.on_mount too, after this one: start once it has
        self.call_after_refresh(self._start)

    def _start(self) -> None:
        adopted: list[int] = []
        if self._write(lambda: adopted.append(self.adjudication.adopt_agreed())):
            self._reload()
        self._find_conflicts()
        taken = adopted[0] if adopted else 0
        names = ", ".join(self.adjudication.participants())
        self._say(
            f"{names}: {taken} agreed unit(s) taken as gold, {len(self.open_conflicts)} "
            "conflict(s) to settle (n goes to the next)"
        )
        if self.open_conflicts:
            self._go_to(self.open_conflicts[0])

    # Conflicts -------------------------------------------------------------------------------

    def _find_conflicts(self) -> None:
        self.open_conflicts = self.adjudication.conflicts()
        self.query_one(ArticleView).set_conflicts([u.offsets for u in self.open_conflicts])

    def _after_change(self) -> None:
        if self.document is not None and self.is_mounted:
            self._find_conflicts()
        super()._after_change()

    def _progress_note(self) -> str:
        return f" · {len(self.open_conflicts)} conflict(s) left"

    def _conflict_here(self) -> Unit | None:
        cursor = self.query_one(ArticleView).cursor
        return next((u for u in self.open_conflicts if u.start <= cursor < u.end), None)

    def _go_to(self, unit: Unit) -> None:
        self.query_one(ArticleView).move_to(unit.start)

    def action_next_conflict(self, direction: int) -> None:
        if not self.open_conflicts:
            self._say("no conflict left: D marks the document done")
            return
        cursor = self.query_one(ArticleView).cursor
        if direction > 0:
            following = [u for u in self.open_conflicts if u.start > cursor]
            target = following[0] if following else self.open_conflicts[0]
        else:
            before = [u for u in self.open_conflicts if u.start < cursor]
            target = before[-1] if before else self.open_conflicts[-1]
        self._go_to(target)

    def _settle(self, decide: Callable[[Unit], None], what: str) -> bool:
        unit = self._conflict_here()
        if unit is None:
            return False
        if self._write(lambda: decide(unit)):
            self.status = f"✓ {what}"
            self._reload()
            if self.open_conflicts:
                self.action_next_conflict(1)
            else:
                self._say(f"{what} · no conflict left: D marks the document done")
        return True

    def action_pick(self, index: int) -> None:
        unit = self._conflict_here()
        if unit is None:
            super().action_label(str(index + 1))  # outside a conflict the digits label
            return
        if index >= len(unit.versions):
            self._say(f"this conflict has {len(unit.versions)} versions", warning=True)
            return
        names = ", ".join(unit.versions[index].annotators)
        self._settle(lambda u: self.adjudication.pick(u, index), f"took {names}'s version")

    def action_keep_all(self) -> None:
        if not self._settle(self.adjudication.keep_all, "kept every version"):
            self._say("b keeps every version of a conflict: move into one (n)")

    def action_drop(self) -> None:
        if not self._settle(self.adjudication.drop, "dropped every version"):
            super().action_reject()  # outside a conflict x rejects, as in the reader

    def action_done_next(self) -> None:
        if self.open_conflicts:
            self._say(
                f"{len(self.open_conflicts)} conflict(s) left: settle them first (n)",
                warning=True,
            )
            return
        if self._write(lambda: self.editor.set_state(ReviewState.DONE)):
            self.post_message(DocumentDone(self.doc_id))

    def _legend_pieces(self) -> list[Text]:
        conflict = Text("≠", style=f"bold {CONFLICT_TINT}")
        conflict.append("conflict", style="underline")
        return [*super()._legend_pieces(), conflict]

    # The side panel --------------------------------------------------------------------------

    def _panel_text(self) -> Text:
        unit = self._conflict_here()
        if unit is None or self.document is None:
            return super()._panel_text()
        text = self.document.text
        panel = Text()
        panel.append("CONFLICT  ", style="bold reverse")
        panel.append(f" {unit.kind} ", style=f"bold black on {CONFLICT_TINT}")
        panel.append(f"  {unit.start}–{unit.end}\n\n", style="dim")
        for number, version in enumerate(unit.versions, start=1):
            panel.append(f" {number} ", style="bold reverse")
            panel.append(f" {visible(', '.join(version.annotators))}\n", style="bold")
            panel.append(f"   {visible(version.describe(text), keep_newlines=False)}\n\n")
        panel.append(
            f"1–{len(unit.versions)} takes a version · b keeps them all · x drops them · "
            "n next conflict · u undo",
            style="dim",
        )
        return panel

    def _cursor_moved(self, offset: int) -> None:
        super()._cursor_moved(offset)
        self._render_panel()  # the conflict under the cursor may have changed

    def action_help(self) -> None:
        keymap = ADJUDICATION.over(READER)
        self.app.push_screen(HelpScreen(keymap.title, keymap.help_groups()))
