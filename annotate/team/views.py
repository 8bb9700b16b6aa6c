"""Each annotator's view of a document, in a database several annotators share.

Records belong to whoever made or decided them (``annotator``). A *shared* record belongs to
no one and everyone sees it: a model's suggestion nobody has decided yet, or an annotation
imported without an annotator. The first change to a shared record happens in place and keeps
the record as it was (``original``), so that the others still see it so: each reviews
independently. Changing a record another annotator owns makes one's own version of it
(``parent`` points at the record it came from, and hides it in one's view).

An annotator's view of a document is then: their own records; the shared records; and the
records that were shared until someone else changed them, as they were (unless one's own
version hides them). Another annotator's own work is never in the view.

Records decided before views existed carry no ``original``: a model's suggestion someone
decided then is shown to the others as a suggestion with its current offsets and label.
"""

from __future__ import annotations

from typing import Any, TypeVar

from annotate.model import Claim, EntitySpan, Offsets, OriginKind, SpanStatus

Record = TypeVar("Record", EntitySpan, Claim)

#: What a change may alter in a shared record, kept before the first one.
SPAN_ORIGINAL_FIELDS = ("start", "end", "label", "status")
CLAIM_ORIGINAL_FIELDS = (
    "content",
    "content_parts",
    "source",
    "source_entity",
    "source_resolved",
    "cue",
    "kind",
    "verdict",
    "note",
    "source_entry",
    "source_name",
    "status",
)


def span_original(span: EntitySpan) -> dict[str, Any]:
    data = span.to_dict()
    return {name: data.get(name) for name in SPAN_ORIGINAL_FIELDS}


def claim_original(claim: Claim) -> dict[str, Any]:
    data = claim.to_dict()
    return {name: data.get(name) for name in CLAIM_ORIGINAL_FIELDS}


def _restored(data: dict[str, Any], original: dict[str, Any] | None) -> dict[str, Any]:
    """A record's fields with its ``original`` put back and its owner taken away."""
    if original is None:  # decided before views existed: a suggestion as it is now
        original = {"status": SpanStatus.SUGGESTED.value}
    for name, value in original.items():
        if value is None:
            data.pop(name, None)
        else:
            data[name] = value
    for name in ("annotator", "updated_at", "original"):
        data.pop(name, None)
    return data


def as_seen_by(record: Record, annotator: str) -> Record | None:
    """How ``annotator`` sees a record someone else took over from the shared ones (as it
    was); None when they see it as it is (theirs or shared) or not at all."""
    if record.annotator in (None, annotator) or record.parent is not None:
        return None
    if record.original is None and record.origin_kind != OriginKind.MODEL:
        return None  # another annotator's own work
    data = _restored(record.to_dict(), record.original)
    if isinstance(record, EntitySpan):
        return EntitySpan.from_dict(data)
    return Claim.from_dict(data)


def view(records: list[Record], annotator: str) -> list[Record]:
    """``annotator``'s view of one document's records (see the module docstring)."""
    own = [r for r in records if r.annotator == annotator]
    hidden = {r.parent for r in own if r.parent is not None}
    seen: list[Record] = list(own)
    for record in records:
        if record.annotator == annotator or record.id in hidden:
            continue
        if record.annotator is None:
            seen.append(record)
            continue
        shown = as_seen_by(record, annotator)
        if shown is not None:
            seen.append(shown)
    return sorted(seen, key=_order)


def _order(record: EntitySpan | Claim) -> tuple[int, int, int]:
    where: Offsets = record.offsets if isinstance(record, EntitySpan) else record.content
    return (where.start, where.end, record.id)
