"""Pronoun sources ("he said") resolved to the previous named source."""

from __future__ import annotations

from spacy.tokens import Doc

from annotate.claims import lexicon
from annotate.claims.detected import DetectedClaim
from annotate.claims.parse import _text


def resolve_pronouns(doc: Doc, claims: list[DetectedClaim]) -> None:
    """Point pronoun sources at the previous named source, in document order."""
    previous: list[DetectedClaim] = []
    for claim in sorted(claims, key=lambda c: c.content.start):
        if claim.pronoun is not None and claim.source is not None:
            wanted = lexicon.active().pronoun_sources.get(claim.pronoun)
            antecedent = next(
                (
                    p
                    for p in reversed(previous)
                    if p.source is not None
                    and p.pronoun is None
                    and wanted in ("any", p.source_named)
                ),
                None,
            )
            if antecedent is not None and antecedent.source is not None:
                claim.source_resolved = antecedent.source
                claim.source_named = antecedent.source_named
                claim.source_head = antecedent.source_head
                resolved_text = _text(doc)[antecedent.source.start : antecedent.source.end]
                claim.explanation += (
                    f"; '{claim.pronoun}' → '{resolved_text}' (previous named source)"
                )
        elif claim.source is not None:
            previous.append(claim)
