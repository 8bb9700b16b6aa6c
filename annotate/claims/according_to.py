"""Rule family ``according_to``: "according to X, ..."."""

from __future__ import annotations

from collections.abc import Iterator

from spacy.tokens import Doc, Token

from annotate.claims.contents import content_of
from annotate.claims.detected import DetectedClaim
from annotate.claims.parse import (
    Candidates,
    _text,
    is_reporting_verb,
    subtree_without,
    tokens_offsets,
)
from annotate.claims.speakers import source_of, subject_of
from annotate.model import ClaimKind, Offsets


def _according_to_parts(token: Token) -> tuple[Token, Token] | None:
    """For the token "according" with "to X": the "to" token and X."""
    if token.lower_ != "according":
        return None
    for child in token.children:
        if child.lower_ == "to":
            # "according to curator Elaine Gustafon": the parser may split it in two objects;
            # the last is the name the source is linked to
            objects = [grandchild for grandchild in child.children if grandchild.dep_ == "pobj"]
            if objects:
                return child, objects[-1]
    return None


def _source_start(to: Token) -> int:
    """Where the source begins: its first object's first word."""
    return min(t.idx for t in to.subtree if t != to)


def _according_to_of(verb: Token) -> Offsets | None:
    for child in verb.children:
        parts = _according_to_parts(child)
        if parts is not None:
            start, end = tokens_offsets(parts[1].subtree)
            return Offsets(start, end)
    return None


def _closing_attribution(according: Token, to: Token) -> list[Token] | None:
    """ ", according to X." closing a sentence attributes all of the sentence before it,
    whatever clause the parser hung it on."""
    sentence = according.sent
    if according.i == sentence.start or according.nbor(-1).text != ",":
        return None
    end = max(t.i for t in to.subtree)
    if not all(t.is_punct or t.is_space for t in sentence[end + 1 - sentence.start :]):
        return None
    return [t for t in sentence if t.i < according.i - 1]


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
        tokens = _closing_attribution(token, to) or subtree_without(clause, excluded=[token])
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
        source = Offsets(min(source.start, _source_start(to)), source.end)
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
