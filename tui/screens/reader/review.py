"""The reader's decisions: accept, reject or leave a suggestion, all at once, undo and
redo, what the view shows (rejected, statistic claims, a confidence floor, the review
order), and marking the document done."""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Set as AbstractSet

from annotate.model import ClaimKind, Offsets, ReviewState, SpanStatus
from tui.keymap import READER
from tui.messages import DocumentDone
from tui.screens.dialogs import GuidelinesScreen, HelpScreen, PendingOnDoneScreen
from tui.screens.reader.base import ReaderBase, visit_key
from tui.widgets.article import ArticleView, Focus


class ReviewActions(ReaderBase):
    """Keys that decide suggestions, take decisions back, and finish the document."""

    def action_accept(self) -> None:
        self._decide(SpanStatus.ACCEPTED)

    def action_reject(self) -> None:
        self._decide(SpanStatus.REJECTED)

    def action_ignore(self) -> None:
        """Leave the focused suggestion undecided and move on to the next pending one."""
        self._advance()

    def _decide(self, status: SpanStatus) -> None:
        """Every decision is one key: decide the focused item, then go to the next pending."""
        entity, claim = self._focused_entity(), self._focused_claim()
        if entity is not None:
            decided = self._edit(
                lambda: self.editor.set_status(entity.id, status), f"{status.value} {entity.label}"
            )
        elif claim is not None:
            decided = self._edit(
                lambda: self.editor.set_claim_status(claim.id, status), f"{status.value} claim"
            )
        else:
            self._say("nothing focused: N goes to the next pending suggestion")
            return
        if decided:
            self._advance()

    def _advance(self) -> None:
        """To the next pending suggestion after the focused item (wrapping round)."""
        items = self._pending()
        if not items:
            done = self.status.removeprefix("✓ ") if self.status.startswith("✓") else ""
            hidden = self._hidden_note()
            rest = (
                f"nothing pending in view; {hidden}"
                if hidden
                else "nothing pending: D marks the document done"
            )
            self._say(f"{done + ' · ' if done else ''}{rest}")
            return
        self._jump(items, 1, "pending suggestion")

    def action_accept_all(self) -> None:
        count = 0

        def accept() -> None:
            nonlocal count
            count = self.editor.accept_all_pending()

        self._edit(accept)
        self._say(f"accepted {count} pending suggestion(s)")

    def action_undo(self) -> None:
        self._history_step(self.editor.undo, "undid", "nothing to undo")

    def action_redo(self) -> None:
        self._history_step(self.editor.redo, "redid", "nothing to redo")

    def _history_step(self, step: Callable[[], str | None], verb: str, nothing: str) -> None:
        outcome: list[str | None] = []
        if not self._write(lambda: outcome.append(step())):
            return
        if outcome[0]:
            changed = set(self.workspace.last_changes)
            before = self._refresh_changed()
            self._show_change(changed, before)
        self._say(f"{verb}: {outcome[0]}" if outcome[0] else nothing)

    def _show_change(self, changed: AbstractSet[tuple[str, int]], before: list[Offsets]) -> None:
        """Put the cursor on what an undo or redo changed (scrolled into view): the first
        record it touched that still exists, else where a removed one was."""
        touched: list[tuple[int, Focus]] = [
            (s.start, Focus("entity", s.id)) for s in self.spans if ("spans", s.id) in changed
        ]
        touched += [
            (c.content.start, Focus("claim", c.id))
            for c in self.claims
            if ("claims", c.id) in changed
        ]
        if touched:
            offset, focus = min(touched, key=lambda item: visit_key(*item))
            self._set_focus(focus, offset)
        elif before:
            self.query_one(ArticleView).move_to(min(r.start for r in before))

    def action_done_next(self) -> None:
        if self.workspace.read_only_reason is not None:  # no question that cannot be acted on
            self._say(f"read-only: {self.workspace.read_only_reason}", warning=True)
            return
        pending = len(self._pending()) + self._hidden_pending()  # hidden ones are undecided too
        if not pending:
            self._finish()
            return

        def chosen(choice: str | None) -> None:
            if choice == "a":
                self._finish(SpanStatus.ACCEPTED)
            elif choice == "x":
                self._finish(SpanStatus.REJECTED)
            elif choice == "l":
                self._finish()

        self.app.push_screen(PendingOnDoneScreen(pending), chosen)

    def _finish(self, decide: SpanStatus | None = None) -> None:
        """Mark the document done (deciding what is pending first) and open the next one."""
        if decide is not None and not self._write(lambda: self.editor.decide_all_pending(decide)):
            return
        if self._write(lambda: self.editor.set_state(ReviewState.DONE)):
            self.post_message(DocumentDone(self.doc_id))

    def action_toggle_statistics(self) -> None:
        """Statistic claims (a number with no source) are not attributions: hide or show them;
        hidden ones are skipped by tab, N and every decision's move to the next."""
        article = self.query_one(ArticleView)
        kind = ClaimKind.STATISTIC.value
        article.hidden_kinds ^= {kind}
        article.set_annotations(self.spans, self.claims)
        hidden = kind in article.hidden_kinds
        claim = self._focused_claim()
        if hidden and claim is not None and claim.kind == ClaimKind.STATISTIC:
            self.focus_item = None
            self._apply_focus(force=True)
        self._say("statistic claims " + ("hidden (T shows them)" if hidden else "shown"))

    def action_review_order(self) -> None:
        """Review pending suggestions in document order, least or most confident first."""
        order = self.workspace.review.next_order()
        self._say(f"review order: {order} (N, P and every decision follow it)")

    def action_confidence_floor(self, direction: int) -> None:
        """Set aside pending claims under a confidence floor (decided ones stay shown)."""
        floor = self.workspace.review.step_floor(direction)
        article = self.query_one(ArticleView)
        article.confidence_floor = floor
        article.set_annotations(self.spans, self.claims)
        claim = self._focused_claim()
        if claim is not None and not article.claim_shown(claim):
            self.focus_item = None
            self._apply_focus(force=True)
        hidden = self._hidden_pending()
        self._say(
            f"confidence floor {floor:.1f}: {hidden} pending claim(s) set aside (< lowers it)"
            if floor
            else "confidence floor off: every suggestion shown"
        )

    def action_toggle_rejected(self) -> None:
        article = self.query_one(ArticleView)
        article.show_rejected = not article.show_rejected
        article.set_annotations(self.spans, self.claims)
        self._say("rejected suggestions " + ("shown" if article.show_rejected else "hidden"))

    def action_guidelines(self) -> None:
        self.app.push_screen(GuidelinesScreen(self.workspace.labels))

    def action_help(self) -> None:
        self.app.push_screen(HelpScreen(READER.title, READER.help_groups()))
