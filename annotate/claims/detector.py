"""The detector: runs the rule families in order (each can be switched off), and adds a trained
span categorizer's claims. The spaCy component around it is :mod:`annotate.claims.component`."""

from __future__ import annotations

from spacy.tokens import Doc, Span

from annotate.claims.according_to import _according_phrase_claims, _according_to_claims
from annotate.claims.colon import _colon_claims
from annotate.claims.detected import SPANS_KEY, DetectedClaim
from annotate.claims.hedges import _hedge_claims
from annotate.claims.learned import model_claim
from annotate.claims.nominal import _nominal_claims
from annotate.claims.parse import Candidates, _text, trimmed
from annotate.claims.pronouns import resolve_pronouns
from annotate.claims.quotative import _quotative_claims
from annotate.claims.quotes import _quote_claims, find_quotes
from annotate.claims.reporting import _speech_verb_claims
from annotate.claims.statistics import _statistic_claims, quantities_in, quantity_entities
from annotate.model import ClaimKind, Offsets

#: The rule families, in the order they run (an earlier family's claim takes its words from
#: the later ones). Each can be switched off in the component's config.
RULE_FAMILIES = (
    "quotes",
    "speech_verbs",
    "according_to",
    "according_phrases",
    "colon",
    "quotative",
    "nominal",
    "hedges",
    "statistics",
)
ALL_RULES = frozenset(RULE_FAMILIES)


def detect_claims(doc: Doc, rules: frozenset[str] = ALL_RULES) -> list[DetectedClaim]:
    """All claims the ``rules`` families find in a parsed document, by position. The rules
    read the dependency parse: a pipeline without a parser yields no claims (walking an
    unparsed tree is undefined)."""
    if not doc.has_annotation("DEP"):
        return []
    return _detect_claims(doc, rules)


def _detect_claims(doc: Doc, rules: frozenset[str]) -> list[DetectedClaim]:
    quotes = find_quotes(_text(doc))
    used: set[int] = set()
    candidates = Candidates.of(doc)
    claims: list[DetectedClaim] = []
    if "quotes" in rules:
        claims += _quote_claims(doc, quotes, used)
    if "speech_verbs" in rules:
        claims += _speech_verb_claims(doc, quotes, used, candidates)
    if "according_to" in rules:
        claims += _according_to_claims(doc, used, candidates)
    if "according_phrases" in rules:
        claims += _according_phrase_claims(doc, quotes, used, candidates)
    if "colon" in rules:
        claims += _colon_claims(doc, quotes, used)
    if "quotative" in rules:
        claims += _quotative_claims(doc, quotes, used, candidates)
    if "nominal" in rules:
        claims += _nominal_claims(doc, used, candidates)
    if "hedges" in rules:
        claims += _hedge_claims(doc, used, candidates)
    entities = quantity_entities(doc)
    if "statistics" in rules:
        claims += _statistic_claims(doc, [c.content for c in claims], entities)
    for claim in claims:
        claim.quantities = quantities_in(doc, claim.content, entities)
    resolve_pronouns(doc, claims)
    return sorted(claims, key=lambda c: (c.content.start, c.content.end))


def _share(a: Offsets, b: Offsets) -> float:
    """How much of the shorter of two ranges the other covers."""
    shared = min(a.end, b.end) - max(a.start, b.start)
    return max(0, shared) / max(1, min(a.end - a.start, b.end - b.start))


def spancat_claims(
    doc: Doc, found: list[DetectedClaim], spans_key: str = SPANS_KEY
) -> list[DetectedClaim]:
    """Claims a trained span categorizer predicted (``CLAIM`` with the nearest
    ``CLAIM_SOURCE`` and ``CLAIM_CUE`` of the same sentence), where no rule found one."""
    if spans_key not in doc.spans:
        return []
    group = doc.spans[spans_key]
    raw_scores = group.attrs.get("scores")
    scores = list(raw_scores) if raw_scores is not None else [None] * len(group)
    parts: dict[str, list[Span]] = {"CLAIM_SOURCE": [], "CLAIM_CUE": []}
    contents: list[tuple[Span, float | None]] = []
    for span, score in zip(group, scores, strict=False):
        if span.label_ == "CLAIM":
            contents.append((span, float(score) if score is not None else None))
        elif span.label_ in parts:
            parts[span.label_].append(span)
    claims: list[DetectedClaim] = []
    entities = quantity_entities(doc) if contents else []
    for span, score in contents:
        content = trimmed(doc, span.start_char, span.end_char)
        if content is None or any(_share(content, c.content) >= 0.5 for c in found + claims):
            continue
        sentence = span[0].sent if doc.has_annotation("SENT_START") else None

        def nearest(label: str, sentence: Span | None = sentence, span: Span = span) -> Span | None:
            options = [
                p
                for p in parts[label]
                if sentence is None or (sentence.start <= p.start and p.end <= sentence.end)
            ]
            return min(options, key=lambda p: abs(p.start - span.start), default=None)

        source, cue = nearest("CLAIM_SOURCE"), nearest("CLAIM_CUE")
        explanation = "span categorizer: CLAIM" + (f" ({score:.2f})" if score is not None else "")
        if source is not None:
            explanation += f" → source '{source.text}'"
        if cue is not None:
            explanation += f" → cue '{cue.text}'"
        kind = ClaimKind.REPORTED if source is not None else ClaimKind.UNATTRIBUTED
        claim = model_claim(content, kind, "model.spancat", explanation, source, cue)
        claim.quantities = quantities_in(doc, content, entities)
        claims.append(claim)
    return claims
