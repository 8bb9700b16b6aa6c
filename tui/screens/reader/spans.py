"""The reader's entity keys: label a selection or a token, relabel, pick any label by
name, delete, and move a span's bounds."""

from __future__ import annotations

from annotate.model import Offsets, OriginKind, SpanStatus
from tui.screens.dialogs import LabelPickerScreen
from tui.screens.reader.base import ReaderBase, clip
from tui.widgets.article import ArticleView, Focus

_POSSESSIVE_NOTE = " (the possessive left out, as {name}'s guideline says)"


class SpanActions(ReaderBase):
    """Keys that make, label, resize and delete entity spans."""

    def action_label(self, key: str) -> None:
        label = self.workspace.labels.by_key(key)
        if label is None:
            self._say(f"no label on key {key}: l picks any label by name", warning=True)
            return
        self.apply_label(label.name)

    def action_pick_label(self) -> None:
        """Any label by name: for the selection, else the focused span, else the token."""
        article = self.query_one(ArticleView)
        entity = self._focused_entity()
        if article.selection is not None:
            target = "the selection"
        elif entity is not None:
            target = f"the focused {entity.label}"
        else:
            target = "the token at the cursor"

        def picked(name: str | None) -> None:
            if name is not None:
                self.apply_label(name)

        current = entity.label if entity is not None and article.selection is None else None
        self.app.push_screen(LabelPickerScreen(self.workspace.labels, target, current), picked)

    def apply_label(self, name: str) -> None:
        """Label the selection, else relabel the focused span, else label the token; the
        range is fitted to the label's guideline (PERSON leaves a possessive out)."""
        article = self.query_one(ArticleView)
        entity = self._focused_entity()
        label = self.workspace.labels.get(name)
        text = self.document.text if self.document is not None else ""
        if article.selection is None and entity is not None:
            bounds = label.fitted(text, entity.start, entity.end)
            fits = (bounds.start, bounds.end) == (entity.start, entity.end)
            if entity.label == name and entity.status != SpanStatus.REJECTED and fits:
                self._say(f"it is {name} already")
                return
            done = f"accepted {name}" if entity.label == name else f"{entity.label} → {name}"
            done += "" if fits else _POSSESSIVE_NOTE.format(name=name)
            self._edit(lambda: self.editor.set_label(entity.id, name, bounds), done)
            return
        target = self._selection_or_token()
        if target is None:
            return
        fitted = label.fitted(text, target.start, target.end)
        note = "" if fitted == target else _POSSESSIVE_NOTE.format(name=name)

        done = ""

        def add() -> None:
            nonlocal done
            span, done = self.editor.label_range(fitted.start, fitted.end, name)
            self.focus_item = Focus("entity", span.id)

        article.clear_selection()
        self._edit(add)
        if done:
            self._say(done + note)

    def action_delete(self) -> None:
        entity, claim = self._focused_entity(), self._focused_claim()
        # a model's suggestion is rejected, not deleted: others may still review it
        if entity is not None:
            verb = "rejected" if entity.origin_kind == OriginKind.MODEL else "deleted"
            self._edit(lambda: self.editor.delete_span(entity.id), f"{verb} {entity.label}")
        elif claim is not None:
            verb = "rejected" if claim.origin_kind == OriginKind.MODEL else "deleted"
            self._edit(lambda: self.editor.delete_claim(claim.id), f"{verb} claim")
        else:
            self._say("focus a span or claim to delete it (n / p, tab)")

    def action_bounds(self, edge: str, direction: int) -> None:
        tokens = self.query_one(ArticleView).tokens
        entity, claim = self._focused_entity(), self._focused_claim()
        current = entity.offsets if entity else claim.content if claim else None
        if current is None or not len(tokens):
            self._say("focus a span or claim to adjust its bounds")
            return
        start, end = current.start, current.end
        if edge == "start":
            start = tokens.previous_start(start) if direction < 0 else tokens.next_start(start)
        else:
            index = tokens.index_at(end - 1)
            if direction > 0 and index + 1 < len(tokens):
                end = tokens.ends[index + 1]
            elif direction < 0 and index > 0:
                end = tokens.ends[index - 1]
        if start >= end:
            self._say("a span needs at least one token", warning=True)
            return
        moved = (
            f"now {start}–{end}: “{clip(self.document.text[start:end] if self.document else '')}”"
        )
        if entity is not None:
            self._edit(lambda: self.editor.move_bounds(entity.id, start, end), moved)
        elif claim is not None:
            self._edit(lambda: self.editor.set_claim_content(claim.id, Offsets(start, end)), moved)
