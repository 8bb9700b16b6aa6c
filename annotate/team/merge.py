"""Bringing annotators' work together: annotations for a document that is already in the
database are added beside what is there, under their annotator.

Identical records are not added twice. A suggestion is one thing — the same origin, offsets
and label (a claim: origin and content) — whoever decided it where: merging keeps one copy of
it and every annotator's decision on it. So a suggestion that arrives undecided is not added
beside the same suggestion decided here (that would bring a decision back as pending), and an
annotator's decision on a suggestion they already decided here is kept as the database has
it. An annotator's version of a record that was shared (it carries ``original``: the record
as it was before they changed it) is tied to the shared record it came from, when the
database has it, so that it hides that record in their view, as if they had worked in this
database. Review states that are new are added; one that differs from the database's is kept
as the database has it unless that is still ``todo``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from annotate.model import (
    Claim,
    EntitySpan,
    OriginKind,
    Review,
    ReviewState,
    link_claim_source,
)
from annotate.store import Transaction


@dataclass(slots=True)
class MergeTally:
    """What was added to documents, and what was there already."""

    spans: int = 0
    claims: int = 0
    reviews: int = 0
    identical: int = 0
    #: Review states kept as the database had them although the input said otherwise.
    kept_reviews: list[str] = field(default_factory=list)
    #: Decisions on a suggestion its annotator had already decided here (kept as they were).
    kept_decisions: int = 0

    @property
    def added(self) -> int:
        return self.spans + self.claims + self.reviews


@dataclass(slots=True)
class DocumentPool:
    """A document's records as the transaction goes on (the stored ones and those added)."""

    doc_id: str
    spans: list[EntitySpan]
    claims: list[Claim]
    reviews: dict[str, ReviewState]
    #: The record id of each annotator's review of the document, where there is one.
    review_ids: dict[str, int] = field(default_factory=dict)


def _span_key(span: EntitySpan) -> tuple[Any, ...]:
    return (
        span.start,
        span.end,
        span.label,
        span.status,
        span.origin,
        span.origin_kind,
        span.annotator,
    )


def _claim_key(claim: Claim) -> tuple[Any, ...]:
    return (
        tuple((p.start, p.end) for p in claim.content_fragments()),
        claim.source,
        claim.cue,
        claim.kind,
        claim.verdict,
        claim.note,
        claim.source_entry,
        claim.source_name,
        claim.status,
        claim.origin,
        claim.origin_kind,
        claim.annotator,
    )


def _span_identity(span: EntitySpan, *, incoming: bool) -> tuple[Any, ...] | None:
    """What a shared span was: its origin and original offsets and label."""
    before = span.original
    if before:
        return (span.origin, before.get("start"), before.get("end"), before.get("label"))
    if incoming or span.annotator is None:
        return (span.origin, span.start, span.end, span.label)
    return None


def _claim_identity(claim: Claim, *, incoming: bool) -> tuple[Any, ...] | None:
    before = claim.original
    if before and isinstance(before.get("content"), dict):
        content = before["content"]
        return (claim.origin, content.get("start"), content.get("end"))
    if incoming or claim.annotator is None:
        return (claim.origin, claim.content.start, claim.content.end)
    return None


def _family(record: EntitySpan | Claim) -> tuple[Any, ...] | None:
    """The suggestion a record is, or is a decision on (see :mod:`annotate.team.views`):
    where its ``original`` says it came from, or itself when it is shared or a model's
    suggestion decided before views existed; None for an annotator's own work."""
    if record.original or record.annotator is None or record.origin_kind == OriginKind.MODEL:
        if isinstance(record, EntitySpan):
            return _span_identity(record, incoming=True)
        return _claim_identity(record, incoming=True)
    return None


def _already_here(
    record: EntitySpan | Claim, families: dict[tuple[Any, ...], set[str | None]]
) -> bool:
    """Whether the database holds this suggestion (an undecided copy arriving) or this
    annotator's decision on it already."""
    family = _family(record)
    if family is None or family not in families:
        return False
    return record.annotator is None or record.annotator in families[family]


def _families(records: Iterable[EntitySpan] | Iterable[Claim]) -> dict[Any, set[str | None]]:
    found: dict[Any, set[str | None]] = {}
    for record in records:
        family = _family(record)
        if family is not None:
            found.setdefault(family, set()).add(record.annotator)
    return found


def _base_of(
    record: EntitySpan | Claim, pool: Iterable[EntitySpan] | Iterable[Claim]
) -> int | None:
    """The id of the shared record (or shared until someone took it over) that ``record``,
    an annotator's version, was made from."""
    if record.annotator is None or not (
        record.original or record.parent is not None or record.origin_kind == OriginKind.MODEL
    ):
        return None
    candidates: list[tuple[tuple[Any, ...] | None, EntitySpan | Claim]]
    if isinstance(record, EntitySpan):
        wanted = _span_identity(record, incoming=True)
        candidates = [
            (_span_identity(s, incoming=False), s) for s in pool if isinstance(s, EntitySpan)
        ]
    else:
        wanted = _claim_identity(record, incoming=True)
        candidates = [(_claim_identity(c, incoming=False), c) for c in pool if isinstance(c, Claim)]
    for identity, candidate in candidates:
        if (
            identity == wanted
            and candidate.annotator != record.annotator
            and candidate.parent is None
        ):
            return candidate.id
    return None


def merge_document(
    tx: Transaction,
    pool: DocumentPool,
    spans: Iterable[EntitySpan],
    claims: Iterable[Claim],
    reviews: dict[str, ReviewState],
    tally: MergeTally,
) -> None:
    """Add ``spans``, ``claims`` and ``reviews`` to the document ``pool`` describes."""
    present = {_span_key(s) for s in pool.spans}
    families = _families(pool.spans)
    # shared records first, so that versions made from them find them
    for span in sorted(spans, key=lambda s: s.annotator is not None):
        if _span_key(span) in present:
            tally.identical += 1
            continue
        if _already_here(span, families):
            tally.identical += span.annotator is None
            tally.kept_decisions += span.annotator is not None
            continue
        base = _base_of(span, pool.spans)
        stored = tx.add_span(span.with_changes(doc_id=pool.doc_id, parent=base))
        pool.spans.append(stored)
        present.add(_span_key(stored))
        if (family := _family(stored)) is not None:
            families.setdefault(family, set()).add(stored.annotator)
        tally.spans += 1
    known = {_claim_key(c) for c in pool.claims}
    claim_families = _families(pool.claims)
    for claim in sorted(claims, key=lambda c: c.annotator is not None):
        if _claim_key(claim) in known:
            tally.identical += 1
            continue
        if _already_here(claim, claim_families):
            tally.identical += claim.annotator is None
            tally.kept_decisions += claim.annotator is not None
            continue
        if (family := _family(claim)) is not None:
            claim_families.setdefault(family, set()).add(claim.annotator)
        claim.doc_id, claim.parent = pool.doc_id, _base_of(claim, pool.claims)
        mine = [s for s in pool.spans if s.annotator in (None, claim.annotator)]
        stored_claim = tx.add_claim(link_claim_source(claim, mine))
        pool.claims.append(stored_claim)
        known.add(_claim_key(stored_claim))
        tally.claims += 1
    for annotator, state in sorted(reviews.items()):
        current = pool.reviews.get(annotator)
        if current == state:
            continue
        if current not in (None, ReviewState.TODO):
            tally.kept_reviews.append(
                f"{pool.doc_id}: {annotator} stays {current.value} (the input says {state.value})"
            )
            continue
        review = Review(pool.doc_id, annotator, state, tx.stamp)
        key = pool.review_ids.get(annotator)
        if key is None:
            key = pool.review_ids[annotator] = tx.new_id("reviews")
        tx.put("reviews", key, review.to_dict())
        pool.reviews[annotator] = state
        tally.reviews += 1
