"""Claimscope's domain model: documents, entity spans, claims and review state.

Character offsets (Python ``str`` indices into ``Document.text``) are the one truth for every
span; tokens are derived from them when needed. Records are plain dataclasses that convert to
and from JSON-ready dicts, which is how the store keeps them.
"""

from __future__ import annotations

import hashlib
from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass, field, fields, replace
from enum import StrEnum
from typing import Any, Self


class SpanStatus(StrEnum):
    """Where a span stands in review."""

    SUGGESTED = "suggested"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    EDITED = "edited"


class OriginKind(StrEnum):
    """Whether a span or claim was made by a model or by a person."""

    MODEL = "model"
    HUMAN = "human"


class ClaimKind(StrEnum):
    """How a claim is attributed."""

    REPORTED = "reported"
    QUOTE = "quote"
    ACCORDING_TO = "according-to"
    STATISTIC = "statistic"
    UNATTRIBUTED = "unattributed"


class Verdict(StrEnum):
    """The analyst's judgement of a claim."""

    UNREVIEWED = "unreviewed"
    SUPPORTED = "supported"
    DISPUTED = "disputed"
    FALSE = "false"
    UNVERIFIABLE = "unverifiable"


class ReviewState(StrEnum):
    """Per-document, per-annotator progress."""

    TODO = "todo"
    IN_PROGRESS = "in progress"
    DONE = "done"
    SKIPPED = "skipped"


def _plain(value: Any) -> Any:
    """Enum members become their plain string value, so stored records are pure JSON types."""
    return value.value if isinstance(value, StrEnum) else value


def display_title(title: str | None, text: str) -> str:
    """The title, or the first non-empty line of the text."""
    if title:
        return title
    for line in text.splitlines():
        if line.strip():
            return line.strip()
    return "(empty)"


def text_hash(text: str) -> str:
    """The document id: a stable hash of the stored text."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True, slots=True)
class Offsets:
    """A half-open character range ``[start, end)`` into a document's text."""

    start: int
    end: int

    def to_dict(self) -> dict[str, int]:
        return {"start": self.start, "end": self.end}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Self:
        return cls(int(data["start"]), int(data["end"]))

    def shifted(self, delta: int) -> Offsets:
        """The same range ``delta`` characters further on."""
        return Offsets(self.start + delta, self.end + delta)

    def overlaps(self, other: Offsets) -> bool:
        return self.start < other.end and other.start < self.end

    def within(self, length: int) -> bool:
        return 0 <= self.start < self.end <= length


@dataclass(slots=True)
class DocMeta:
    """What is known about an article besides its text."""

    date: str | None = None
    title: str | None = None
    place: str | None = None
    country: str | None = None
    agency: str | None = None
    dateline: Offsets | None = None
    source: str | None = None
    imported_at: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name == "dateline":
                value = value.to_dict() if value is not None else None
            out[f.name] = value
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Self:
        known = {f.name for f in fields(cls)}
        kwargs = {k: v for k, v in data.items() if k in known and k not in ("dateline", "extra")}
        extra = dict(data.get("extra") or {})
        extra.update({k: v for k, v in data.items() if k not in known})
        dateline = data.get("dateline")
        return cls(
            **kwargs,
            dateline=Offsets.from_dict(dateline) if dateline else None,
            extra=extra,
        )


@dataclass(slots=True)
class Document:
    """An imported article. ``id`` is :func:`text_hash` of ``text``."""

    id: str
    text: str
    meta: DocMeta

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "text": self.text, "meta": self.meta.to_dict()}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Self:
        return cls(id=data["id"], text=data["text"], meta=DocMeta.from_dict(data.get("meta", {})))

    @property
    def display_title(self) -> str:
        return display_title(self.meta.title, self.text)


@dataclass(slots=True)
class EntitySpan:
    """A labelled character range in a document."""

    id: int
    doc_id: str
    start: int
    end: int
    label: str
    origin: str
    origin_kind: OriginKind
    status: SpanStatus
    annotator: str | None = None
    created_at: str | None = None
    updated_at: str | None = None
    #: The record this annotator's version was made from (another annotator's or a shared
    #: suggestion), which it hides in their view. None for an original.
    parent: int | None = None
    #: A shared record (a model's suggestion, an imported annotation) as it was before its
    #: first change (start, end, label, status), so other annotators still see it so.
    original: dict[str, Any] | None = None

    @property
    def offsets(self) -> Offsets:
        return Offsets(self.start, self.end)

    def to_dict(self) -> dict[str, Any]:
        """Fields that are set (None is left out: millions of spans load faster sparse)."""
        out = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if value is not None:
                out[f.name] = _plain(value)
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Self:
        return cls(
            **{
                **data,
                "origin_kind": OriginKind(data["origin_kind"]),
                "status": SpanStatus(data["status"]),
            }
        )

    def with_changes(self, **changes: Any) -> EntitySpan:
        return replace(self, **changes)


@dataclass(slots=True)
class Quantity:
    """A number a claim rests on, e.g. "over 3,500" attacks."""

    start: int
    end: int
    label: str
    text: str
    modifier: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Self:
        return cls(**data)


@dataclass(slots=True)
class Claim:
    """An assertion in a document: what is claimed, on whose word, signalled by which cue."""

    id: int
    doc_id: str
    content: Offsets
    kind: ClaimKind
    origin: str
    origin_kind: OriginKind
    status: SpanStatus
    source: Offsets | None = None
    source_entity: int | None = None
    source_resolved: Offsets | None = None
    cue: Offsets | None = None
    verdict: Verdict = Verdict.UNREVIEWED
    note: str = ""
    quantities: list[Quantity] = field(default_factory=list)
    #: Discontinuous content ("The plan, critics say, will fail"): its fragments in order;
    #: ``content`` is then their hull. None when the content is one piece.
    content_parts: list[Offsets] | None = None
    rule: str | None = None
    explanation: str | None = None
    #: How far to trust a suggestion, 0 to 1 (the rule's measured precision, or the learned
    #: model's calibrated estimate); None for people's claims and where nothing was measured.
    confidence: float | None = None
    #: An analyst's correction of the source ledger (:mod:`annotate.ledger.corrections`): the
    #: ledger entry the claim's source belongs to, and the name that entry is shown with.
    #: They win over the automatic linking; None where no one corrected it.
    source_entry: str | None = None
    source_name: str | None = None
    annotator: str | None = None
    created_at: str | None = None
    updated_at: str | None = None
    #: As for entity spans: the record this version was made from, and the shared record as
    #: it was before its first change.
    parent: int | None = None
    original: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, Offsets):
                value = value.to_dict()
            elif f.name == "quantities":
                value = [q.to_dict() for q in value]
            elif f.name == "content_parts" and value is not None:
                value = [part.to_dict() for part in value]
            if value is not None:
                out[f.name] = _plain(value)
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Self:
        def offsets(key: str) -> Offsets | None:
            value = data.get(key)
            return Offsets.from_dict(value) if value else None

        content = offsets("content")
        if content is None:
            raise ValueError("claim has no content span")
        return cls(
            id=data["id"],
            doc_id=data["doc_id"],
            content=content,
            kind=ClaimKind(data["kind"]),
            origin=data["origin"],
            origin_kind=OriginKind(data["origin_kind"]),
            status=SpanStatus(data["status"]),
            source=offsets("source"),
            source_entity=data.get("source_entity"),
            source_resolved=offsets("source_resolved"),
            cue=offsets("cue"),
            verdict=Verdict(data.get("verdict", Verdict.UNREVIEWED)),
            note=data.get("note", ""),
            quantities=[Quantity.from_dict(q) for q in data.get("quantities", [])],
            content_parts=[Offsets.from_dict(p) for p in data["content_parts"]]
            if data.get("content_parts")
            else None,
            rule=data.get("rule"),
            explanation=data.get("explanation"),
            confidence=data.get("confidence"),
            source_entry=data.get("source_entry"),
            source_name=data.get("source_name"),
            annotator=data.get("annotator"),
            created_at=data.get("created_at"),
            updated_at=data.get("updated_at"),
            parent=data.get("parent"),
            original=data.get("original"),
        )

    def parts(self) -> list[Offsets]:
        """The claim's content, source and cue ranges that are set."""
        return [o for o in (self.content, self.source, self.cue) if o is not None]

    def content_fragments(self) -> list[Offsets]:
        """The content as the pieces it is made of (one piece unless discontinuous)."""
        return list(self.content_parts) if self.content_parts else [self.content]


@dataclass(slots=True)
class Review:
    """One annotator's progress on one document."""

    doc_id: str
    annotator: str
    state: ReviewState
    updated_at: str | None = None
    #: For a skipped document: the state taking the skip back returns to.
    skipped_from: ReviewState | None = None

    def to_dict(self) -> dict[str, Any]:
        data = {
            "doc_id": self.doc_id,
            "annotator": self.annotator,
            "state": str(self.state),
            "updated_at": self.updated_at,
        }
        if self.skipped_from is not None:
            data["skipped_from"] = str(self.skipped_from)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Self:
        before = data.get("skipped_from")
        return cls(
            doc_id=data["doc_id"],
            annotator=data["annotator"],
            state=ReviewState(data["state"]),
            updated_at=data.get("updated_at"),
            skipped_from=ReviewState(before) if before else None,
        )


def best_overlap(offsets: Offsets, spans: Iterable[EntitySpan]) -> EntitySpan | None:
    """The span sharing the most characters with ``offsets`` (rejected spans never count)."""
    best: EntitySpan | None = None
    best_shared = 0
    for span in spans:
        if span.status == SpanStatus.REJECTED:
            continue
        shared = min(offsets.end, span.end) - max(offsets.start, span.start)
        if shared > best_shared:
            best, best_shared = span, shared
    return best


class SpanLookup:
    """Entity spans indexed by position: :func:`best_overlap` in O(log n + nearby spans)
    instead of a scan of the whole document (a long document has hundreds of thousands)."""

    def __init__(self, spans: Iterable[EntitySpan]) -> None:
        kept = [(span, order) for order, span in enumerate(spans)]
        kept = [(s, o) for s, o in kept if s.status != SpanStatus.REJECTED]
        kept.sort(key=lambda item: item[0].start)
        self._spans = kept
        self._starts = [span.start for span, _ in kept]
        self._longest = max((span.end - span.start for span, _ in kept), default=0)

    def best_overlap(
        self, offsets: Offsets, labels: frozenset[str] | None = None
    ) -> EntitySpan | None:
        """As :func:`best_overlap` over the spans in their original order (ties go to the
        one that came first), of ``labels`` only when given."""
        low = bisect_left(self._starts, offsets.start - self._longest)
        high = bisect_left(self._starts, offsets.end)
        best: tuple[int, int, EntitySpan] | None = None
        for span, order in self._spans[low:high]:
            if labels is not None and span.label not in labels:
                continue
            shared = min(offsets.end, span.end) - max(offsets.start, span.start)
            if shared > 0 and (best is None or (-shared, order) < (-best[0], best[1])):
                best = (shared, order, span)
        return best[2] if best is not None else None


def link_claim_source(
    claim: Claim,
    spans: Iterable[EntitySpan] | SpanLookup,
    labels: frozenset[str] | None = None,
) -> Claim:
    """Link the claim's source to the entity span it overlaps most, when there is one (of
    ``labels`` when given: a source is a person, organisation or group, never "Two" in "Two
    leaders")."""
    if claim.source is None:
        claim.source_entity = None
        return claim
    target = claim.source_resolved or claim.source
    lookup = spans if isinstance(spans, SpanLookup) else SpanLookup(spans)
    entity = lookup.best_overlap(target, labels)
    claim.source_entity = entity.id if entity is not None else None
    return claim
