"""Rule family ``hedge.*``: unattributed assertions ("it is believed that", "reportedly")."""

from __future__ import annotations

from collections.abc import Iterator

from spacy.tokens import Doc, Token

from annotate.claims import lexicon
from annotate.claims.detected import DetectedClaim
from annotate.claims.parse import Candidates, _text, tokens_offsets, trimmed
from annotate.model import ClaimKind, Offsets


def _hedge_claims(doc: Doc, used: set[int], candidates: Candidates) -> Iterator[DetectedClaim]:
    for noun in candidates.hedge_nouns:
        if noun.pos_ != "NOUN" or noun.lemma_.lower() not in lexicon.active().hedge_nouns:
            continue
        if noun.i in used:
            continue  # a nominal cue with a source claimed it
        if any(child.dep_ == "poss" for child in noun.children):
            continue  # "the minister's fears that …" has a source: not unattributed
        clause: Token | None = None
        cue_tokens: list[Token] = [noun]
        if noun.dep_ in ("nsubj", "nsubjpass") and noun.head.i not in used:
            verb = noun.head
            clause = next((c for c in verb.children if c.dep_ == "ccomp" and _has_that(c)), None)
            cue_tokens = [t for t in doc[noun.i : verb.i + 1]]
        if clause is None:
            clause = next(
                (c for c in noun.children if c.dep_ in ("acl", "ccomp") and _has_that(c)), None
            )
        if clause is None:
            continue
        start, end = tokens_offsets(clause.subtree)
        content = trimmed(doc, start, end)
        if content is None:
            continue
        used.add(noun.head.i)
        cue_start, cue_end = tokens_offsets(cue_tokens)
        yield DetectedClaim(
            content=content,
            kind=ClaimKind.UNATTRIBUTED,
            rule="hedge.noun_that",
            explanation=(
                f"cue '{_text(doc)[cue_start:cue_end]}' (hedge noun '{noun.lemma_}', no source) "
                "→ that-clause"
            ),
            cue=Offsets(cue_start, cue_end),
        )
    for adverb in candidates.hedge_adverbs:
        if (
            adverb.lower_ not in lexicon.active().hedge_adverbs
            or adverb.dep_ != "advmod"
            or adverb.head.i in used
        ):
            continue
        verb = adverb.head
        tokens = [t for t in verb.subtree if t.i != adverb.i and t.sent == adverb.sent]
        start, end = tokens_offsets(tokens)
        content = trimmed(doc, start, end)
        if content is None:
            continue
        used.add(verb.i)
        yield DetectedClaim(
            content=content,
            kind=ClaimKind.UNATTRIBUTED,
            rule="hedge.adverb",
            explanation=f"cue '{adverb.text}' (hedging adverb, no source) → the clause it modifies",
            cue=Offsets(adverb.idx, adverb.idx + len(adverb.text)),
        )


def _has_that(clause: Token) -> bool:
    return any(child.dep_ == "mark" and child.lower_ == "that" for child in clause.children)
