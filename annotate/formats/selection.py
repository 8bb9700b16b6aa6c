"""Which documents and annotations an export takes (state, annotator, labels, origin), and the
report of what it wrote and what a format could not hold."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from annotate.model import Claim, Document, EntitySpan, OriginKind, ReviewState, SpanStatus
from annotate.store import Store
from annotate.team.views import view

#: The labels claims and their parts take in formats with labelled spans.
CLAIM_LABEL = "CLAIM"
SOURCE_LABEL = "CLAIM_SOURCE"
CUE_LABEL = "CLAIM_CUE"

FORMATS = ("jsonl", "spacy", "conll", "brat", "doccano", "claims")


ORIGINS = ("human", "model", "all")


STATES = ("done", "all")


ProgressCallback = Callable[[int, int], None]


@dataclass(frozen=True, slots=True)
class ExportFilter:
    """Which documents and annotations go out."""

    state: str = "all"
    annotator: str | None = None
    labels: frozenset[str] | None = None
    origin: str = "all"

    def keeps(self, origin_kind: OriginKind, status: SpanStatus) -> bool:
        """``human``: made or decided by a person; ``model``: made by a model; ``all``."""
        if self.origin == "human":
            return origin_kind == OriginKind.HUMAN or status in (
                SpanStatus.ACCEPTED,
                SpanStatus.EDITED,
            )
        if self.origin == "model":
            return origin_kind == OriginKind.MODEL
        return True


@dataclass(slots=True)
class ExportItem:
    """One document and the annotations selected for it."""

    document: Document
    spans: list[EntitySpan]
    rejected: list[EntitySpan]
    claims: list[Claim]
    reviews: dict[str, str]
    rejected_claims: list[Claim] = field(default_factory=list)


@dataclass(slots=True)
class ExportReport:
    """What was written, and what a format could not hold."""

    documents: int = 0
    spans: int = 0
    claims: int = 0
    files: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def select_documents(store: Store, how: ExportFilter) -> list[tuple[str, dict[str, str]]]:
    """(document id, {annotator: review state}) of the documents ``how`` asks for."""
    reviews: dict[str, dict[str, str]] = {}
    for review in store.reviews():
        reviews.setdefault(review.doc_id, {})[review.annotator] = review.state.value
    chosen = []
    for doc_id in store.document_ids():
        states = reviews.get(doc_id, {})
        if how.state == "done":
            wanted = [how.annotator] if how.annotator else list(states)
            if not any(states.get(name) == ReviewState.DONE.value for name in wanted):
                continue
        chosen.append((doc_id, states))
    return chosen


def select_item(store: Store, doc_id: str, states: dict[str, str], how: ExportFilter) -> ExportItem:
    """One document with the annotations ``how`` keeps (rejected spans and claims only with
    ``all``: what an analyst rejected, so a model is not taught it again): with an annotator,
    of their view of it; without, every record."""
    every_span, every_claim = store.spans(doc_id), store.claims(doc_id)
    if how.annotator is not None:  # their view (several annotators may share the database)
        every_span, every_claim = view(every_span, how.annotator), view(every_claim, how.annotator)
    spans, rejected = [], []
    for span in every_span:
        if how.labels is not None and span.label not in how.labels:
            continue
        if span.status == SpanStatus.REJECTED:
            rejected.append(span)
        elif how.keeps(span.origin_kind, span.status):
            spans.append(span)
    claims, rejected_claims = [], []
    for claim in every_claim:
        if claim.status == SpanStatus.REJECTED:
            rejected_claims.append(claim)
        elif how.keeps(claim.origin_kind, claim.status):
            claims.append(claim)
    if how.origin != "all":
        rejected, rejected_claims = [], []
    return ExportItem(
        store.get_document(doc_id),
        _ordered(spans),
        _ordered(rejected),
        claims,
        states,
        rejected_claims,
    )


def select(store: Store, how: ExportFilter) -> list[ExportItem]:
    """The documents and annotations ``how`` asks for, in import order."""
    return [
        select_item(store, doc_id, states, how) for doc_id, states in select_documents(store, how)
    ]


def _ordered(spans: list[EntitySpan]) -> list[EntitySpan]:
    return sorted(spans, key=lambda s: (s.start, s.end, s.label, s.origin, s.status.value))


def stable_hash(*parts: str) -> int:
    """A signed 32-bit hash that does not change between runs (Prodigy's hash width)."""
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).digest()
    return int.from_bytes(digest[:4], "big", signed=True)


def count_items(report: ExportReport, items: Iterable[ExportItem]) -> None:
    for item in items:
        report.spans += len(item.spans)
        report.claims += len(item.claims)
