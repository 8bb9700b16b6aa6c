"""An annotator's edits to one document: every change is one durable, undoable transaction.

The reader calls these and nothing else to change data. Each edit is stamped with the
annotator and the time, goes through the store's journal before it returns, and is recorded in
the store's history so ``undo``/``redo`` work without limit, also after a restart.

Several annotators may share a database (:mod:`annotate.team.views`): an editor sees and
changes its annotator's view. Deciding a suggestion no one has decided takes it over in place
(keeping it as it was for the others); changing a record another annotator owns makes this
annotator's own version of it.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any

from annotate.errors import StoreError
from annotate.model import (
    Claim,
    ClaimKind,
    EntitySpan,
    Offsets,
    OriginKind,
    ReviewState,
    SpanStatus,
    Verdict,
    best_overlap,
)
from annotate.store import Store, Transaction, UndoTag
from annotate.team.views import as_seen_by, claim_original, span_original, view


@dataclass(slots=True)
class Editor:
    """Edits ``doc_id`` on behalf of ``annotator``."""

    store: Store
    doc_id: str
    annotator: str

    def _tag(self, action: str) -> UndoTag:
        return UndoTag(self.annotator, self.doc_id, action)

    def edit(self, action: str) -> AbstractContextManager[Transaction]:
        """One undoable edit named ``action``, for changes made with :meth:`change_span`,
        :meth:`change_claim` and the transaction's own helpers."""
        return self.store.transaction(undo=self._tag(action))

    def stamp(self, tx: Transaction) -> dict[str, Any]:
        """Who changed a record, and when."""
        return {"annotator": self.annotator, "updated_at": tx.stamp}

    def _text_length(self) -> int:
        return len(self.store.get_document(self.doc_id).text)

    def _span(self, span_id: int) -> EntitySpan:
        """The span as this annotator sees it."""
        span = self.store.get_span(span_id)
        if span.doc_id != self.doc_id:
            raise StoreError(f"span {span_id} belongs to another document")
        return as_seen_by(span, self.annotator) or span

    def _claim(self, claim_id: int) -> Claim:
        """The claim as this annotator sees it."""
        claim = self.store.get_claim(claim_id)
        if claim.doc_id != self.doc_id:
            raise StoreError(f"claim {claim_id} belongs to another document")
        return as_seen_by(claim, self.annotator) or claim

    def spans(self) -> list[EntitySpan]:
        """This annotator's view of the document's entity spans."""
        return view(self.store.spans(self.doc_id), self.annotator)

    def claims(self) -> list[Claim]:
        """This annotator's view of the document's claims."""
        return view(self.store.claims(self.doc_id), self.annotator)

    def change_span(self, tx: Transaction, span_id: int, changes: dict[str, Any]) -> int:
        """Apply ``changes`` to this annotator's version of span ``span_id`` and return its id:
        the record itself when it is theirs, or no one's (then it is kept as it was for the
        others); else a new copy of what they see, made with the changes."""
        stored = self.store.get_span(span_id)
        if stored.annotator is None:
            if stored.original is None:
                changes = {"original": span_original(stored), **changes}
        elif stored.annotator != self.annotator:
            mine = self._version_of(self.store.spans(self.doc_id), span_id)
            if mine is not None:  # this annotator's version already exists: change that
                tx.patch("spans", mine, changes)
                return mine
            seen = self._span(span_id)
            record = {**seen.to_dict(), **changes, "parent": span_id}
            record.pop("created_at", None)
            # what this version was made from travels with it (exports, merges)
            record["original"] = span_original(seen)
            return tx.add_span(EntitySpan.from_dict(record)).id
        tx.patch("spans", span_id, changes)
        return span_id

    def change_claim(self, tx: Transaction, claim_id: int, changes: dict[str, Any]) -> int:
        """As :meth:`change_span`, for a claim."""
        stored = self.store.get_claim(claim_id)
        if stored.annotator is None:
            if stored.original is None:
                changes = {"original": claim_original(stored), **changes}
        elif stored.annotator != self.annotator:
            mine = self._version_of(self.store.claims(self.doc_id), claim_id)
            if mine is not None:
                tx.patch("claims", mine, changes)
                return mine
            seen = self._claim(claim_id)
            record = {**seen.to_dict(), **changes, "parent": claim_id}
            record.pop("created_at", None)
            record = {key: value for key, value in record.items() if value is not None}
            record["original"] = claim_original(seen)
            return tx.add_claim(Claim.from_dict(record)).id
        tx.patch("claims", claim_id, changes)
        return claim_id

    def _version_of(self, records: list[EntitySpan] | list[Claim], record_id: int) -> int | None:
        """The id of this annotator's own version of ``record_id``, if they made one."""
        return next(
            (r.id for r in records if r.parent == record_id and r.annotator == self.annotator),
            None,
        )

    @staticmethod
    def _edited_status(origin_kind: OriginKind) -> str:
        """Changing a model's span or claim makes it "edited" (also one that was rejected: the
        change is a decision about it); a person's stays accepted."""
        if origin_kind == OriginKind.MODEL:
            return SpanStatus.EDITED.value
        return SpanStatus.ACCEPTED.value

    # Entities ----------------------------------------------------------------------------------

    def add_entity(
        self, start: int, end: int, label: str, superseded: list[EntitySpan] | None = None
    ) -> EntitySpan:
        """Add the analyst's span; pending suggestions it overlaps (``superseded``, found
        when not given) are rejected in the same edit (the analyst's span says what that
        stretch is, and an export cannot hold overlapping entities)."""
        if superseded is None:
            superseded = self.superseded(start, end)
        with self.store.transaction(undo=self._tag(f"add {label}")) as tx:
            for span in superseded:
                self.change_span(
                    tx, span.id, {"status": SpanStatus.REJECTED.value, **self.stamp(tx)}
                )
            return tx.add_span(
                EntitySpan(
                    id=0,
                    doc_id=self.doc_id,
                    start=start,
                    end=end,
                    label=label,
                    origin=self.annotator,
                    origin_kind=OriginKind.HUMAN,
                    status=SpanStatus.ACCEPTED,
                    annotator=self.annotator,
                )
            )

    def superseded(self, start: int, end: int) -> list[EntitySpan]:
        """The pending suggestions a new span over ``[start, end)`` overlaps."""
        return [
            span
            for span in self.spans()
            if span.status == SpanStatus.SUGGESTED and span.start < end and start < span.end
        ]

    def label_range(self, start: int, end: int, label: str) -> tuple[EntitySpan, str]:
        """Label ``[start, end)``. A pending suggestion with exactly these offsets is decided
        (accepted with its label, edited with another) instead of getting a human twin beside
        it; otherwise a new entity is added. Returns the span and what was done."""
        same = next(
            (
                span
                for span in self.spans()
                if (span.start, span.end) == (start, end) and span.status == SpanStatus.SUGGESTED
            ),
            None,
        )
        if same is None:
            overlapped = self.superseded(start, end)
            done = f"added {label}"
            if overlapped:
                count = len(overlapped)
                done += f"; {count} overlapping suggestion{'s' * (count != 1)} rejected"
            return self.add_entity(start, end, label, overlapped), done
        if same.label == label:
            decided = self.set_status(same.id, SpanStatus.ACCEPTED)
            return self._span(decided), f"accepted {label}"
        decided = self.set_label(same.id, label)
        return self._span(decided), f"{same.label} → {label}"

    def set_label(self, span_id: int, label: str, bounds: Offsets | None = None) -> int:
        """Relabel (and, given ``bounds``, fit the span to them in the same edit: a label's
        guideline may leave a possessive out); returns the id of the annotator's version of
        the span. Its own label on a rejected span takes the rejection back (the analyst says
        it is that after all)."""
        span = self._span(span_id)
        moved = bounds is not None and (bounds.start, bounds.end) != (span.start, span.end)
        if span.label == label and not moved:
            if span.status == SpanStatus.REJECTED:
                return self.set_status(span_id, SpanStatus.ACCEPTED)
            return span_id
        with self.store.transaction(undo=self._tag(f"label {span.label} → {label}")) as tx:
            status = self._edited_status(span.origin_kind)
            changes: dict[str, Any] = {"label": label, "status": status, **self.stamp(tx)}
            if bounds is not None and moved:
                changes.update(start=bounds.start, end=bounds.end)
            target = self.change_span(tx, span_id, changes)
        return target

    def set_status(self, span_id: int, status: SpanStatus) -> int:
        """Accept or reject; returns the id of the annotator's version of the span."""
        span = self._span(span_id)
        if span.status == status:
            return span_id
        verb = {SpanStatus.ACCEPTED: "accept", SpanStatus.REJECTED: "reject"}.get(status, "mark")
        with self.store.transaction(undo=self._tag(f"{verb} {span.label}")) as tx:
            target = self.change_span(tx, span_id, {"status": status.value, **self.stamp(tx)})
        return target

    def move_bounds(self, span_id: int, start: int, end: int) -> None:
        span = self._span(span_id)
        if (start, end) == (span.start, span.end):
            return
        if not Offsets(start, end).within(self._text_length()):
            raise StoreError(f"span {start}-{end} would be empty or outside the text")
        with self.store.transaction(undo=self._tag(f"resize {span.label}")) as tx:
            status = self._edited_status(span.origin_kind)
            changes = {"start": start, "end": end, "status": status, **self.stamp(tx)}
            self.change_span(tx, span_id, changes)

    def delete_span(self, span_id: int) -> None:
        """Delete what a person made; a model's suggestion is rejected instead (it stays,
        struck through: other annotators may still review it, and the model is not taught
        it again)."""
        span = self._span(span_id)
        if span.origin_kind == OriginKind.MODEL:
            self.set_status(span_id, SpanStatus.REJECTED)
            return
        self._check_own(span.annotator, f"span {span_id}")
        self.store.delete_span(span_id, undo=self._tag(f"delete {span.label}"))

    def _check_own(self, owner: str | None, what: str) -> None:
        if owner not in (None, self.annotator):
            raise StoreError(f"{what} is {owner}'s: it can be changed, not deleted")

    def accept_all_pending(self) -> int:
        """Accept every pending suggestion (entities and claims) in the document."""
        return self.decide_all_pending(SpanStatus.ACCEPTED)

    def decide_all_pending(self, status: SpanStatus) -> int:
        """Accept or reject every pending suggestion in the document, as one undo step."""
        if status not in (SpanStatus.ACCEPTED, SpanStatus.REJECTED):
            raise ValueError(f"a suggestion is accepted or rejected, not {status.value}")
        spans = [s for s in self.spans() if s.status == SpanStatus.SUGGESTED]
        claims = [c for c in self.claims() if c.status == SpanStatus.SUGGESTED]
        if not spans and not claims:
            return 0
        verb = "accept" if status == SpanStatus.ACCEPTED else "reject"
        action = f"{verb} all ({len(spans) + len(claims)})"
        with self.store.transaction(undo=self._tag(action)) as tx:
            decided = {"status": status.value, **self.stamp(tx)}
            for span in spans:
                self.change_span(tx, span.id, dict(decided))
            for claim in claims:
                self.change_claim(tx, claim.id, dict(decided))
        return len(spans) + len(claims)

    # Claims ------------------------------------------------------------------------------------

    def add_claim(self, content: Offsets) -> Claim:
        with self.store.transaction(undo=self._tag("add claim")) as tx:
            return tx.add_claim(
                Claim(
                    id=0,
                    doc_id=self.doc_id,
                    content=content,
                    kind=ClaimKind.UNATTRIBUTED,
                    origin=self.annotator,
                    origin_kind=OriginKind.HUMAN,
                    status=SpanStatus.ACCEPTED,
                    annotator=self.annotator,
                )
            )

    def _patch_claim(
        self, claim: Claim, action: str, changes: dict[str, Any], *, edits_extraction: bool
    ) -> None:
        with self.store.transaction(undo=self._tag(action)) as tx:
            if edits_extraction:
                changes["status"] = self._edited_status(claim.origin_kind)
            self.change_claim(tx, claim.id, {**changes, **self.stamp(tx)})

    def set_claim_source(self, claim_id: int, source: Offsets | None) -> None:
        """Set (or clear) the source, linking it to the entity span it overlaps."""
        claim = self._claim(claim_id)
        entity = best_overlap(source, self.spans()) if source else None
        changes: dict[str, Any] = {
            "source": source.to_dict() if source else None,
            "source_entity": entity.id if entity else None,
            "source_resolved": None,
        }
        if source is not None and claim.kind == ClaimKind.UNATTRIBUTED:
            changes["kind"] = ClaimKind.REPORTED.value
        self._patch_claim(claim, "set claim source", changes, edits_extraction=True)

    def set_claim_cue(self, claim_id: int, cue: Offsets | None) -> None:
        claim = self._claim(claim_id)
        changes = {"cue": cue.to_dict() if cue else None}
        self._patch_claim(claim, "set claim cue", changes, edits_extraction=True)

    def set_claim_content(self, claim_id: int, content: Offsets) -> None:
        claim = self._claim(claim_id)
        if not content.within(self._text_length()):
            raise StoreError("claim content would be empty or outside the text")
        changes = {"content": content.to_dict()}
        self._patch_claim(claim, "resize claim", changes, edits_extraction=True)

    def set_claim_kind(self, claim_id: int, kind: ClaimKind) -> None:
        claim = self._claim(claim_id)
        changes = {"kind": kind.value}
        self._patch_claim(claim, f"claim kind {kind.value}", changes, edits_extraction=True)

    def set_verdict(self, claim_id: int, verdict: Verdict) -> None:
        claim = self._claim(claim_id)
        if claim.verdict == verdict:
            return
        changes = {"verdict": verdict.value}
        self._patch_claim(claim, f"verdict {verdict.value}", changes, edits_extraction=False)

    def set_note(self, claim_id: int, note: str) -> None:
        claim = self._claim(claim_id)
        if claim.note == note:
            return
        self._patch_claim(claim, "edit note", {"note": note}, edits_extraction=False)

    def set_claim_status(self, claim_id: int, status: SpanStatus) -> None:
        claim = self._claim(claim_id)
        if claim.status == status:
            return
        verb = {SpanStatus.ACCEPTED: "accept", SpanStatus.REJECTED: "reject"}.get(status, "mark")
        self._patch_claim(claim, f"{verb} claim", {"status": status.value}, edits_extraction=False)

    def delete_claim(self, claim_id: int) -> None:
        """As for spans: a model's suggested claim is rejected, a person's deleted."""
        claim = self._claim(claim_id)
        if claim.origin_kind == OriginKind.MODEL:
            self.set_claim_status(claim_id, SpanStatus.REJECTED)
            return
        self._check_own(claim.annotator, f"claim {claim_id}")
        self.store.delete_claim(claim_id, undo=self._tag("delete claim"))

    # History and progress ----------------------------------------------------------------------

    def undo(self) -> str | None:
        return self.store.undo(self.annotator, self.doc_id)

    def redo(self) -> str | None:
        return self.store.redo(self.annotator, self.doc_id)

    def set_state(self, state: ReviewState) -> None:
        if self.store.review_state(self.doc_id, self.annotator) != state:
            self.store.set_review(self.doc_id, self.annotator, state)
