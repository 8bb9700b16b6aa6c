"""Rule family ``according_to``: "according to X, ...", and the phrases that work the same way
("in the words of X, "…"", the lexicon's ``according_phrases``)."""

from __future__ import annotations

from collections.abc import Iterator

from spacy.tokens import Doc, Token

from annotate.claims import lexicon
from annotate.claims.contents import content_of
from annotate.claims.detected import DetectedClaim
from annotate.claims.parse import (
    _OPENING_QUOTES,
    Candidates,
    _text,
    is_reporting_verb,
    subtree_without,
    tokens_offsets,
    trimmed,
)
from annotate.claims.quotes import Quote, quote_containing
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
        displaced = _displaced_subject(clause, source_head)
        if displaced is not None:  # the clause's subject, read as part of the source
            tokens = sorted([*displaced.subtree, *tokens], key=lambda t: t.i)
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
        if displaced is not None:
            cut = min(t.idx for t in displaced.subtree)
            end = min(source.end, cut)
            while end > source.start and _text(doc)[end - 1].isspace():
                end -= 1
            source = Offsets(source.start, end)
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


def _displaced_subject(clause: Token, source: Token) -> Token | None:
    """With no comma after the phrase ("According to the ministry over 345 pilgrims have been
    killed") the parser may hang the clause's subject on the source as a preposition ("over")
    with a counted noun: that preposition, when the clause has no subject of its own."""
    if any(child.dep_ in ("nsubj", "nsubjpass", "expl", "csubj") for child in clause.children):
        return None
    for child in source.rights:
        # set off by nothing: a comma would make it the source's own phrase
        if child.dep_ != "prep" or child.doc[child.i - 1].is_punct:
            continue
        counted = [
            obj
            for obj in child.children
            if obj.dep_ == "pobj"
            and (obj.like_num or any(c.dep_ == "nummod" for c in obj.children))
        ]
        if counted:
            return child
    return None


def _phrase_parts(noun: Token) -> tuple[Token, Token, Token] | None:
    """For the noun of an according-to phrase ("words" in "in the words of X"): the phrase's
    first and last tokens, and X."""
    doc = noun.doc
    for phrase in lexicon.active().according_phrases:
        *before, name, of = phrase
        start = noun.i - len(before)
        if noun.lower_ != name or start < 0:
            continue
        if [t.lower_ for t in doc[start : noun.i]] != before:
            continue
        preposition = next((c for c in noun.children if c.lower_ == of), None)
        if preposition is None:
            continue
        source = next((c for c in preposition.children if c.dep_ == "pobj"), None)
        if source is not None:
            return doc[start], preposition, source
    return None


def _according_phrase_claims(
    doc: Doc, quotes: list[Quote], used: set[int], candidates: Candidates
) -> Iterator[DetectedClaim]:
    text = _text(doc)
    for noun in candidates.according_phrases:
        parts = _phrase_parts(noun)
        if parts is None:
            continue
        first, last_word, source_head = parts
        last = max(t.i for t in source_head.subtree)
        after = last + 1
        if after >= len(doc) or doc[after].text not in (",", ":", *_OPENING_QUOTES):
            continue  # set off from what it attributes: not "spoke in the words of a poet."
        while after < len(doc) and doc[after].is_punct and doc[after].text not in _OPENING_QUOTES:
            after += 1
        quote = (
            quote_containing(quotes, doc[after].idx, doc[after].idx + 1)
            if after < len(doc)
            else None
        )
        clause = first.head
        content: Offsets | None = None
        fragments: list[Offsets] | None = None
        if quote is not None:
            content = trimmed(doc, quote.inner.start, quote.inner.end)
        elif clause != first and clause.pos_ in ("VERB", "AUX") and clause.i not in used:
            made = content_of(doc, subtree_without(clause, excluded=[first]))
            if made is not None:
                content, fragments = made
                used.add(clause.i)
        if content is None:
            continue
        source, named, head = source_of(doc, source_head)
        # the cue is the phrase's noun, as for a nominal cue ("his claim that")
        cue = Offsets(noun.idx, noun.idx + len(noun.text))
        phrase = text[first.idx : last_word.idx + len(last_word.text)]
        yield DetectedClaim(
            content=content,
            kind=ClaimKind.ACCORDING_TO,
            rule="according_to.phrase",
            explanation=(
                f"cue '{phrase}' (according-to phrase) → source "
                f"'{text[source.start : source.end]}' → "
                + ("the quotation after it" if quote is not None else "the clause it attaches to")
            ),
            source=source,
            cue=cue,
            source_named=named,
            source_head=head,
            content_parts=fragments,
        )
