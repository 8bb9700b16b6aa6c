"""Rule family ``according_to``: "according to X, ..."."""

from __future__ import annotations

from collections.abc import Iterator

from spacy.tokens import Doc, Token

from annotate.claims.detected import DetectedClaim
from annotate.claims.parse import (
    Candidates,
    _text,
    content_of,
    is_reporting_verb,
    source_of,
    subject_of,
    subtree_without,
    tokens_offsets,
)
from annotate.model import ClaimKind, Offsets


def _according_to_parts(token: Token) -> tuple[Token, Token] | None:
    """For the token "according" with "to X": the "to" token and X."""
    if token.lower_ != "according":
        return None
    for child in token.children:
        if child.lower_ == "to":
            for grandchild in child.children:
                if grandchild.dep_ == "pobj":
                    return child, grandchild
    return None


def _according_to_of(verb: Token) -> Offsets | None:
    for child in verb.children:
        parts = _according_to_parts(child)
        if parts is not None:
            start, end = tokens_offsets(parts[1].subtree)
            return Offsets(start, end)
    return None


def _according_to_claims(
    doc: Doc, used: set[int], candidates: Candidates
) -> Iterator[DetectedClaim]:
    for token in candidates.according:
        parts = _according_to_parts(token)
        if parts is None:
            continue
        to, source_head = parts
        clause = token.head
        if clause == token:
            continue
        # "According to the Herald, Burrows said …": the Herald reports a named person's
        # claim, a claim of its own with Burrows's inside it (the verb rule made that one).
        # With an unnamed speaker ("According to DW, experts caution …") the according-to
        # phrase only says where the verb's claim comes from, and stays part of it.
        speaker = subject_of(clause) if is_reporting_verb(clause) else None
        nested = clause.i in used and speaker is not None and speaker.pos_ == "PROPN"
        if clause.i in used and not nested:
            continue
        tokens = subtree_without(clause, excluded=[token])
        if not tokens:
            continue
        found = content_of(doc, tokens)
        if found is None:
            continue
        content, fragments = found
        used.add(clause.i)
        source, named, head = source_of(doc, source_head)
        source_start, source_end = tokens_offsets(source_head.subtree)
        if named is None:
            source = Offsets(source_start, source_end)
        yield DetectedClaim(
            content=content,
            kind=ClaimKind.ACCORDING_TO,
            rule="according_to",
            explanation=(
                f"cue 'according to' → source '{_text(doc)[source.start : source.end]}' "
                f"→ the clause it attaches to ('{clause.text}')"
            ),
            source=source,
            cue=Offsets(token.idx, to.idx + len(to.text)),
            source_named=named,
            source_head=head,
            content_parts=fragments,
        )
