"""Rule family ``statistic.*`` and the quantities recorded on every claim."""

from __future__ import annotations

from collections.abc import Iterator

from spacy.tokens import Doc, Span

from annotate.claims import lexicon
from annotate.claims.detected import DetectedClaim
from annotate.claims.parse import _text, trimmed
from annotate.model import ClaimKind, Offsets, Quantity


def quantity_entities(doc: Doc) -> list[Span]:
    """The document's entities that are quantities (Doc.ents builds every span on each read:
    read them once per document)."""
    labels = lexicon.active().quantity_labels
    return [ent for ent in doc.ents if ent.label_ in labels]


def quantities_in(doc: Doc, content: Offsets, entities: list[Span]) -> list[Quantity]:
    """The quantities inside ``content``, of ``entities`` (:func:`quantity_entities`)."""
    found = []
    for ent in entities:
        if ent.start_char < content.start or ent.end_char > content.end:
            continue
        found.append(quantity_of(doc, ent))
    return found


def quantity_of(doc: Doc, ent: Span) -> Quantity:
    """The quantity with its approximator ("over 3,500"), inside the entity or just before it."""
    text = _text(doc)
    start = ent.start_char
    inside = text[ent.start_char : ent.end_char].lower()
    modifier = next((m for m in lexicon.active().approximators if inside.startswith(m + " ")), None)
    if modifier is None:
        before = text[max(0, start - 20) : start].lower()
        for candidate in lexicon.active().approximators:
            if before.endswith(candidate + " ") and (
                len(before) == len(candidate) + 1 or not before[-len(candidate) - 2].isalnum()
            ):
                modifier = candidate
                start -= len(candidate) + 1
                break
    return Quantity(start, ent.end_char, ent.label_, text[start : ent.end_char], modifier)


def _statistic_claims(
    doc: Doc, covered: list[Offsets], quantities: list[Span]
) -> Iterator[DetectedClaim]:
    """Sentences with a quantity (of ``quantities``: :func:`quantity_entities`) that no claim
    of ``covered`` holds, as claims of their own."""
    for sentence in doc.sents:
        root = sentence.root
        if root.pos_ not in ("VERB", "AUX"):
            continue
        span = trimmed(doc, sentence.start_char, sentence.end_char)
        if span is None or any(span.overlaps(c) for c in covered):
            continue
        for ent in quantities:
            if ent.start < sentence.start or ent.end > sentence.end:
                continue
            quantity = quantity_of(doc, ent)
            if quantity.modifier is None and ent.label_ == "CARDINAL":
                continue
            yield DetectedClaim(
                content=span,
                kind=ClaimKind.STATISTIC,
                rule="statistic.quantity",
                explanation=(
                    f"cue '{quantity.text}' ({ent.label_.lower()}"
                    f"{', ' + repr(quantity.modifier) if quantity.modifier else ''}) "
                    "in a sentence no other claim covers"
                ),
                cue=Offsets(quantity.start, quantity.end),
            )
            break
