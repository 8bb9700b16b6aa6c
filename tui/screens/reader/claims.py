"""The reader's claim keys: a claim from a selection, its source (selected, focused or
guessed), cue, kind, verdict and note, and selecting a clause to make one of."""

from __future__ import annotations

from annotate.claims import lexicon
from annotate.model import Claim, ClaimKind, Offsets, SpanStatus, Verdict
from annotate.review.claim_guess import cue_after, guess_source
from annotate.safetext import visible
from annotate.tokenizing.tokens import clause_at, sentence_at
from tui.screens.dialogs import NoteScreen, VerdictScreen
from tui.screens.reader.base import ReaderBase
from tui.screens.source_claims import ClaimRow, SourceClaimsScreen
from tui.widgets.article import ArticleView, Focus

KIND_ORDER = list(ClaimKind)


class ClaimActions(ReaderBase):
    """Keys that build a claim and set what it says, who says it, and how far it holds."""

    def _target_claim(self, *, nearby: bool = False) -> Claim | None:
        """The claim a claim key acts on: the focused claim, else the one under the cursor.
        With ``nearby`` (setting a source or cue, whose words often stand outside the
        content) also the claim last focused, when the cursor is in its paragraph."""
        cursor = self.query_one(ArticleView).cursor
        claim = self._focused_claim() or self._claim_at(cursor)
        last = self._claim(self.active_claim)
        if claim is None and nearby and last is not None and self.document is not None:
            low, high = sorted((cursor, last.content.start))
            if "\n\n" not in self.document.text[low:high]:
                claim = last
        if claim is None:
            self._say(
                "no claim under the cursor: tab to one, or select its content and press c",
                warning=True,
            )
        return claim

    def _claim_name(self, claim: Claim) -> str:
        """A claim as the status line and dialogs name it: its content's first words."""
        assert self.document is not None
        words = self.document.text[claim.content.start : claim.content.end].split()
        shown = " ".join(words[:6]) + (" …" if len(words) > 6 else "")
        return f"“{shown}”"

    def action_claim(self) -> None:
        article = self.query_one(ArticleView)
        selection = article.selection
        if selection is None:
            self._say("select the claim's content first (shift+arrows)")
            return

        def add() -> None:
            claim = self.editor.add_claim(selection)
            self.focus_item = Focus("claim", claim.id)
            self.active_claim = claim.id

        article.clear_selection()
        # from the content's start, p and n reach the entities before and inside it
        article.move_to(selection.start)
        self._edit(add, "claim added: p/n to its source's entity, then s")

    def action_source(self) -> None:
        claim = self._target_claim(nearby=True)
        if claim is None:
            return
        article = self.query_one(ArticleView)
        entity = self._focused_entity()
        source = article.selection or (entity.offsets if entity else None)
        how = ""
        cue: Offsets | None = None
        text = self.document.text if self.document is not None else ""
        if source is None:
            named = lexicon.active().named_labels
            names = [
                s.offsets
                for s in self.spans
                if s.label in named and s.status != SpanStatus.REJECTED
            ]
            guess = guess_source(text, claim.content, names, self._cue_words())
            if guess.source is None:
                self._say("select the source, or focus its entity, then press s")
                return
            source, cue = guess.source, guess.cue
            how = (
                f" (the subject of '{visible(text[cue.start : cue.end])}': select another and "
                "s to change)"
                if cue is not None
                else " (the nearest name outside the content: select another and s to change)"
            )
        article.clear_selection()
        if self._edit(
            lambda: self.editor.set_claim_source(claim.id, source),
            f"source set on {self._claim_name(claim)}{how}; v takes the cue at the cursor",
        ):
            # put the cursor on the cue (a cue verb after the source, else the next word) for v
            cue = cue or cue_after(text, source, claim.content, self._cue_words())
            if cue is not None:
                article.move_to(cue.start)
            # the claim being built stays focused (its panel shows what is set), so the next
            # claim key acts on it even with the cursor beside it
            self._set_focus(Focus("claim", claim.id), self.query_one(ArticleView).cursor)

    def _cue_words(self) -> frozenset[str]:
        """Every form of every cue verb in the claim lexicon."""
        if self._cue_forms is None:
            self._cue_forms = lexicon.active().verb_forms()
        return self._cue_forms

    def action_cue(self) -> None:
        claim = self._target_claim(nearby=True)
        if claim is None:
            return
        cue = self._selection_or_token()
        article = self.query_one(ArticleView)
        article.clear_selection()
        if self._edit(
            lambda: self.editor.set_claim_cue(claim.id, cue),
            f"cue set on {self._claim_name(claim)}",
        ):
            self._set_focus(Focus("claim", claim.id), article.cursor)

    def action_cycle_kind(self, direction: int) -> None:
        claim = self._target_claim()
        if claim is None:
            return
        kind = KIND_ORDER[(KIND_ORDER.index(claim.kind) + direction) % len(KIND_ORDER)]
        self._edit(
            lambda: self.editor.set_claim_kind(claim.id, kind),
            f"kind of {self._claim_name(claim)}: {kind.value}",
        )

    def action_select_clause(self) -> None:
        """Select the clause under the cursor; pressed again, its sentence (and back)."""
        if self.document is None:
            return
        article = self.query_one(ArticleView)
        text, cursor = self.document.text, article.cursor
        clause = clause_at(text, cursor, self._cue_words())
        sentence = sentence_at(text, cursor)
        current = article.selection
        chosen = sentence if current == clause and clause != sentence else clause
        if chosen.start >= chosen.end:
            self._say("no sentence under the cursor", warning=True)
            return
        article.select(chosen)
        unit, other = ("sentence", "clause") if chosen == sentence else ("clause", "sentence")
        again = "" if clause == sentence else f" · S again: the {other}"
        self._say(f"{unit} selected: c makes it a claim, 1–9 or l labels it{again}")

    def action_verdict(self) -> None:
        claim = self._target_claim()
        if claim is None:
            return

        def chosen(verdict: Verdict | None) -> None:
            if verdict is not None:
                self._edit(
                    lambda: self.editor.set_verdict(claim.id, verdict), f"verdict: {verdict.value}"
                )

        self.app.push_screen(VerdictScreen(self._claim_name(claim)), chosen)

    def action_note(self) -> None:
        claim = self._target_claim()
        if claim is None:
            return

        def saved(note: str | None) -> None:
            if note is not None:
                self._edit(lambda: self.editor.set_note(claim.id, note), "note saved")

        self.app.push_screen(NoteScreen(claim.note, self._claim_name(claim)), saved)

    def action_who_said(self) -> None:
        """The claim's source across the corpus, and the same claim in other documents."""
        claim = self._target_claim()
        if claim is None:
            return
        self.app.push_screen(SourceClaimsScreen(claim=ClaimRow(self.doc_id, claim.id)))
