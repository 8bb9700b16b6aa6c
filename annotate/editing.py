"""An annotator's edits to one document: every change is one durable, undoable transaction.

The reader calls these and nothing else to change data. Each edit is stamped with the
annotator and the time, goes through the store's journal before it returns, and is recorded in
the store's history so ``undo``/``redo`` work without limit, also after a restart.
"""

from __future__ import annotations

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


@dataclass(slots=True)
class Editor:
    """Edits ``doc_id`` on behalf of ``annotator``."""

    store: Store
    doc_id: str
    annotator: str

    def _tag(self, action: str) -> UndoTag:
        return UndoTag(self.annotator, self.doc_id, action)

    def _stamp(self, tx: Transaction) -> dict[str, Any]:
        return {"annotator": self.annotator, "updated_at": tx.stamp}

    def _text_length(self) -> int:
        return len(self.store.get_document(self.doc_id).text)

    def _span(self, span_id: int) -> EntitySpan:
        span = self.store.get_span(span_id)
        if span.doc_id != self.doc_id:
            raise StoreError(f"span {span_id} belongs to another document")
        return span

    def _claim(self, claim_id: int) -> Claim:
        claim = self.store.get_claim(claim_id)
        if claim.doc_id != self.doc_id:
            raise StoreError(f"claim {claim_id} belongs to another document")
        return claim

    @staticmethod
    def _edited_status(origin_kind: OriginKind) -> str:
        """Changing a model's span or claim makes it "edited" (also one that was rejected: the
        change is a decision about it); a person's stays accepted."""
        if origin_kind == OriginKind.MODEL:
            return SpanStatus.EDITED.value
        return SpanStatus.ACCEPTED.value

    # Entities ----------------------------------------------------------------------------------

    def add_entity(self, start: int, end: int, label: str) -> EntitySpan:
        with self.store.transaction(undo=self._tag(f"add {label}")) as tx:
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

    def label_range(self, start: int, end: int, label: str) -> tuple[EntitySpan, str]:
        """Label ``[start, end)``. A pending suggestion with exactly these offsets is decided
        (accepted with its label, edited with another) instead of getting a human twin beside
        it; otherwise a new entity is added. Returns the span and what was done."""
        same = next(
            (
                span
                for span in self.store.spans(self.doc_id)
                if (span.start, span.end) == (start, end) and span.status == SpanStatus.SUGGESTED
            ),
            None,
        )
        if same is None:
            return self.add_entity(start, end, label), f"added {label}"
        if same.label == label:
            self.set_status(same.id, SpanStatus.ACCEPTED)
            return self._span(same.id), f"accepted {label}"
        self.set_label(same.id, label)
        return self._span(same.id), f"{same.label} → {label}"

    def set_label(self, span_id: int, label: str) -> None:
        span = self._span(span_id)
        if span.label == label:
            return
        with self.store.transaction(undo=self._tag(f"label {span.label} → {label}")) as tx:
            status = self._edited_status(span.origin_kind)
            tx.patch("spans", span_id, {"label": label, "status": status, **self._stamp(tx)})

    def set_status(self, span_id: int, status: SpanStatus) -> None:
        span = self._span(span_id)
        if span.status == status:
            return
        verb = {SpanStatus.ACCEPTED: "accept", SpanStatus.REJECTED: "reject"}.get(status, "mark")
        with self.store.transaction(undo=self._tag(f"{verb} {span.label}")) as tx:
            tx.patch("spans", span_id, {"status": status.value, **self._stamp(tx)})

    def move_bounds(self, span_id: int, start: int, end: int) -> None:
        span = self._span(span_id)
        if (start, end) == (span.start, span.end):
            return
        if not Offsets(start, end).within(self._text_length()):
            raise StoreError(f"span {start}-{end} would be empty or outside the text")
        with self.store.transaction(undo=self._tag(f"resize {span.label}")) as tx:
            status = self._edited_status(span.origin_kind)
            changes = {"start": start, "end": end, "status": status, **self._stamp(tx)}
            tx.patch("spans", span_id, changes)

    def delete_span(self, span_id: int) -> None:
        span = self._span(span_id)
        self.store.delete_span(span_id, undo=self._tag(f"delete {span.label}"))

    def accept_all_pending(self) -> int:
        """Accept every pending suggestion (entities and claims) in the document."""
        return self.decide_all_pending(SpanStatus.ACCEPTED)

    def decide_all_pending(self, status: SpanStatus) -> int:
        """Accept or reject every pending suggestion in the document, as one undo step."""
        if status not in (SpanStatus.ACCEPTED, SpanStatus.REJECTED):
            raise ValueError(f"a suggestion is accepted or rejected, not {status.value}")
        spans = [s for s in self.store.spans(self.doc_id) if s.status == SpanStatus.SUGGESTED]
        claims = [c for c in self.store.claims(self.doc_id) if c.status == SpanStatus.SUGGESTED]
        if not spans and not claims:
            return 0
        verb = "accept" if status == SpanStatus.ACCEPTED else "reject"
        action = f"{verb} all ({len(spans) + len(claims)})"
        with self.store.transaction(undo=self._tag(action)) as tx:
            decided = {"status": status.value, **self._stamp(tx)}
            for span in spans:
                tx.patch("spans", span.id, decided)
            for claim in claims:
                tx.patch("claims", claim.id, decided)
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
            tx.patch("claims", claim.id, {**changes, **self._stamp(tx)})

    def set_claim_source(self, claim_id: int, source: Offsets | None) -> None:
        """Set (or clear) the source, linking it to the entity span it overlaps."""
        claim = self._claim(claim_id)
        entity = best_overlap(source, self.store.spans(self.doc_id)) if source else None
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
        self._claim(claim_id)
        self.store.delete_claim(claim_id, undo=self._tag("delete claim"))

    # History and progress ----------------------------------------------------------------------

    def undo(self) -> str | None:
        return self.store.undo(self.annotator, self.doc_id)

    def redo(self) -> str | None:
        return self.store.redo(self.annotator, self.doc_id)

    def set_state(self, state: ReviewState) -> None:
        if self.store.review_state(self.doc_id, self.annotator) != state:
            self.store.set_review(self.doc_id, self.annotator, state)
