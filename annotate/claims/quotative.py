"""Rule family ``quotative.like``: speech and thought reported with "be like", as people
talk in interviews — "I was like, let's just get this done", "I'm like, 'Are you insane?'".
The cue is "be" with its "like", the source the subject of "be", and the content whatever
follows the comma to the end of the sentence (or of the quotation it opens)."""

from __future__ import annotations

from collections.abc import Iterator

from spacy.tokens import Doc, Token

from annotate.claims.detected import DetectedClaim
from annotate.claims.parse import _OPENING_QUOTES, Candidates, _text, tokens_offsets, trimmed
from annotate.claims.quotes import Quote, quote_containing
from annotate.claims.speakers import is_personal, source_of, subject_of
from annotate.model import ClaimKind, Offsets


def _quotative_verb(like: Token) -> Token | None:
    """The "be" a quotative "like" belongs to: its head, right before it, followed by a
    comma ("was like, …" — not "was like a brother", not "would like to")."""
    verb = like.head
    if verb.lemma_ != "be" or verb.i + 1 != like.i or like.i + 2 >= len(like.doc):
        return None
    if like.nbor().text != ",":
        return None
    return verb


def _quotative_claims(
    doc: Doc, quotes: list[Quote], used: set[int], candidates: Candidates
) -> Iterator[DetectedClaim]:
    text = _text(doc)
    for like in candidates.quotative:
        verb = _quotative_verb(like)
        if verb is None or verb.i in used:
            continue
        subject = subject_of(verb)
        if subject is None or not is_personal(subject):
            continue  # "what it shouldn't be like, …" asks what something is like
        first = like.i + 2
        if doc[first].text in _OPENING_QUOTES:
            first += 1
        if first >= len(doc):
            continue
        sentence_end = like.sent.end_char
        quote = quote_containing(quotes, doc[first].idx, doc[first].idx + 1)
        end = quote.inner.end if quote is not None else sentence_end
        content = trimmed(doc, doc[first].idx, end)
        if content is None or len(text[content.start : content.end].split()) < 2:
            continue
        used.add(verb.i)
        source, named, head = source_of(doc, subject)
        cue = Offsets(*tokens_offsets([verb, like]))
        yield DetectedClaim(
            content=content,
            kind=ClaimKind.QUOTE if quote is not None else ClaimKind.REPORTED,
            rule="quotative.like",
            explanation=(
                f"cue '{text[cue.start : cue.end]}' (quotative) → subject "
                f"'{text[source.start : source.end]}' → what follows the comma"
            ),
            source=source,
            cue=cue,
            source_named=named,
            source_head=head,
            pronoun=subject.lower_ if subject.pos_ == "PRON" else None,
        )
