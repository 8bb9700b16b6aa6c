"""A claim as the detector finds it, before it is stored."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from annotate.model import ClaimKind, Offsets, Quantity

CLAIMS_COMPONENT = "claimscope_claims"


SPANS_KEY = "sc"


@dataclass(slots=True)
class DetectedClaim:
    """A claim found in a parsed document, before it is stored."""

    content: Offsets
    kind: ClaimKind
    rule: str
    explanation: str
    source: Offsets | None = None
    source_resolved: Offsets | None = None
    cue: Offsets | None = None
    quantities: list[Quantity] = field(default_factory=list)
    source_named: str | None = None  # "person" / "organisation" / "group" when known
    pronoun: str | None = None
    #: The named entity at the source's head: what the source is linked to.
    source_head: Offsets | None = None
    #: Discontinuous content: its fragments in order (``content`` is then their hull).
    content_parts: list[Offsets] | None = None
    #: How far to trust the claim, 0 to 1 (:mod:`annotate.claims.confidence`); None: unknown.
    confidence: float | None = None

    def to_dict(self) -> dict[str, Any]:
        def offsets(value: Offsets | None) -> list[int] | None:
            return [value.start, value.end] if value is not None else None

        return {
            "content": offsets(self.content),
            "kind": self.kind.value,
            "rule": self.rule,
            "explanation": self.explanation,
            "source": offsets(self.source),
            "source_resolved": offsets(self.source_resolved),
            "cue": offsets(self.cue),
            "quantities": [q.to_dict() for q in self.quantities],
            "source_head": offsets(self.source_head),
            "confidence": self.confidence,
            "content_parts": [offsets(p) for p in self.content_parts]
            if self.content_parts
            else None,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> DetectedClaim:
        def offsets(value: list[int] | None) -> Offsets | None:
            return Offsets(value[0], value[1]) if value else None

        content = offsets(data["content"])
        assert content is not None
        return cls(
            content=content,
            kind=ClaimKind(data["kind"]),
            rule=data["rule"],
            explanation=data["explanation"],
            source=offsets(data["source"]),
            source_resolved=offsets(data["source_resolved"]),
            cue=offsets(data["cue"]),
            quantities=[Quantity.from_dict(q) for q in data["quantities"]],
            source_head=offsets(data.get("source_head")),
            content_parts=[Offsets(p[0], p[1]) for p in data["content_parts"]]
            if data.get("content_parts")
            else None,
            confidence=data.get("confidence"),
        )
