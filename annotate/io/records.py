"""What an import reads into: a checked article with its annotations (:class:`ParsedRecord`),
who those annotations are attributed to (:class:`Provenance`), and what an import did
(:class:`ImportReport`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from annotate.errors import InputError
from annotate.model import (
    Claim,
    Document,
    EntitySpan,
    OriginKind,
    ReviewState,
    SpanStatus,
)
from annotate.team.merge import MergeTally

_ANSWER_STATUS = {"accept": SpanStatus.ACCEPTED, "reject": SpanStatus.REJECTED}


@dataclass(slots=True)
class Provenance:
    """Who the imported annotations are attributed to."""

    as_suggestions: bool = False
    origin: str | None = None

    def span_fields(self, where: str, record: dict[str, Any]) -> dict[str, Any]:
        if self.as_suggestions:
            return {
                "origin": self.origin or Path(where.split(":", maxsplit=1)[0]).stem,
                "origin_kind": OriginKind.MODEL,
                "status": SpanStatus.SUGGESTED,
                "annotator": None,
            }
        annotator = record.get("_annotator_id")
        owner = annotator if isinstance(annotator, str) and annotator else None
        status = _ANSWER_STATUS.get(str(record.get("answer")), SpanStatus.ACCEPTED)
        # without an annotator the annotations are shared: every annotator sees them
        return {
            "origin": self.origin or owner or "import",
            "origin_kind": OriginKind.HUMAN,
            "status": status,
            "annotator": owner,
        }

    def item_fields(self, base: dict[str, Any], raw: Any, where: str) -> dict[str, Any]:
        """A span's or claim's own status, origin and annotator (as Claimscope exports them)
        win over the record's, unless the import loads everything as suggestions."""
        if self.as_suggestions or not isinstance(raw, dict):
            return base
        fields = dict(base)
        try:
            if isinstance(raw.get("status"), str):
                fields["status"] = SpanStatus(raw["status"])
            if isinstance(raw.get("origin_kind"), str):
                fields["origin_kind"] = OriginKind(raw["origin_kind"])
        except ValueError as error:
            raise InputError(where, str(error)) from None
        if isinstance(raw.get("origin"), str) and not self.origin:
            fields["origin"] = raw["origin"]
        if "annotator" in raw:
            annotator = raw["annotator"]
            fields["annotator"] = annotator if isinstance(annotator, str) else None
        if "original" in raw:  # what an annotator's version was made from (Claimscope's)
            if not isinstance(raw["original"], dict):
                raise InputError(where, "field 'original' must be an object")
            fields["original"] = raw["original"]
        return fields


@dataclass(slots=True)
class ParsedRecord:
    """One article ready to store, with the annotations that came with it."""

    where: str
    document: Document
    spans: list[EntitySpan] = field(default_factory=list)
    claims: list[Claim] = field(default_factory=list)
    reviews: dict[str, ReviewState] = field(default_factory=dict)


@dataclass(slots=True)
class ImportReport:
    """What an import did (or, when it failed, would have done)."""

    imported: int = 0
    #: Documents already there that brought nothing new.
    duplicates: int = 0
    rejected: int = 0
    spans: int = 0
    claims: int = 0
    errors: list[str] = field(default_factory=list)
    imported_ids: list[str] = field(default_factory=list)
    #: Documents already there that brought annotations or review states, and what they added.
    merged: int = 0
    merged_ids: list[str] = field(default_factory=list)
    merge: MergeTally = field(default_factory=MergeTally)

    @property
    def ok(self) -> bool:
        return not self.errors
