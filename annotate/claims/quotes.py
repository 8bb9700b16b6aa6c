"""Rule family ``quote.*``: direct quotations attributed by a reporting verb just outside the
marks."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from spacy.attrs import IDX
from spacy.tokens import Doc, Token

from annotate.claims import lexicon
from annotate.claims.detected import DetectedClaim
from annotate.claims.parse import (
    _CLOSING_QUOTES,
    _MIN_QUOTE_WORDS,
    _OPENING_QUOTES,
    _WORD,
    _text,
    complement_of,
    cue_of,
    is_reporting_verb,
    token_at,
    tokens_offsets,
    trimmed,
)
from annotate.claims.speakers import antecedent, source_of, speaker_of, subject_of
from annotate.model import ClaimKind, Offsets


@dataclass(frozen=True, slots=True)
class Quote:
    """The text between a pair of quote marks (``inner``) and the marks included (``outer``)."""

    inner: Offsets
    outer: Offsets
    closed: bool


def find_quotes(text: str) -> list[Quote]:
    """Pair quote marks. A quote left open at the end of its paragraph goes on into the next
    one when that paragraph reopens it (a mark at its start, the usual convention for a quote
    of several paragraphs) or closes it before opening another; otherwise it runs to the
    paragraph end."""
    quotes: list[Quote] = []
    paragraphs = _paragraphs(text)
    open_at: int | None = None
    for number, (first, last) in enumerate(paragraphs):
        position = first
        if open_at is not None and text[first] in _OPENING_QUOTES:
            position += 1  # the mark that reopens a continued quote
        while position < last:
            char = text[position]
            if open_at is None and char in _OPENING_QUOTES:
                if char == '"' and _closes_nothing(text, position, last):
                    position += 1
                    continue  # a closing mark with nothing open: unbalanced, ignore it
                open_at = position
            elif open_at is not None and char in _CLOSING_QUOTES:
                quotes.append(
                    Quote(Offsets(open_at + 1, position), Offsets(open_at, position + 1), True)
                )
                open_at = None
            position += 1
        if open_at is None:
            continue
        following = paragraphs[number + 1] if number + 1 < len(paragraphs) else None
        if following is None or not _continues_quote(text, *following):
            if open_at + 1 < last:
                quotes.append(Quote(Offsets(open_at + 1, last), Offsets(open_at, last), False))
            open_at = None
    quotes += _single_quotes(text, paragraphs, quotes)
    quotes.sort(key=lambda q: q.outer.start)
    return [
        q
        for q in quotes
        if len(_WORD.findall(text[q.inner.start : q.inner.end])) >= _MIN_QUOTE_WORDS
    ]


def _closes_nothing(text: str, position: int, last: int) -> bool:
    """Whether a straight double mark can only be a closing one: it ends its paragraph, or a
    space, comma or full stop follows it (an ellipsis opens a quote: ``"... plied the``)."""
    if position + 1 >= last:
        return True
    following = text[position + 1]
    if following == ".":
        return not text.startswith("...", position + 1)
    return following in " ,"


#: An opening single quote: at a word's start (after a space, a bracket or a dash), before a
#: letter — not the apostrophe of "'90s" or "don't".
_SINGLE_OPENING = re.compile(r"(?:^|(?<=[\s(\[—–]))['‘](?=[A-Za-z])", re.MULTILINE)
#: A closing single quote: after a letter or sentence punctuation, before a space, punctuation
#: or the end — not the apostrophe inside "don't" (the possessive "parents' " is ambiguous, and
#: ends a quote early).
_SINGLE_CLOSING = re.compile(r"(?<=[A-Za-z0-9.,!?])['’](?=[\s.,;:!?)\]—–]|$)", re.MULTILINE)


def _single_quotes(
    text: str, paragraphs: list[tuple[int, int]], double: list[Quote]
) -> list[Quote]:
    """Quotations in single quote marks ('…' or ‘…’), within one paragraph and outside every
    double-quoted one (where they are quotes inside the quote)."""
    found: list[Quote] = []
    for first, last in paragraphs:
        inside = [q.outer for q in double if q.outer.start < last and first < q.outer.end]

        def free(position: int, inside: list[Offsets] = inside) -> bool:
            return not any(span.start <= position < span.end for span in inside)

        closings = [m.start() for m in _SINGLE_CLOSING.finditer(text, first, last)]
        position = first
        for opening in _SINGLE_OPENING.finditer(text, first, last):
            start = opening.start()
            if start < position or not free(start):
                continue
            end = next((c for c in closings if c > start + 1), None)
            if end is None or not free(end) or any(start < q.start < end for q in inside):
                continue
            found.append(Quote(Offsets(start + 1, end), Offsets(start, end + 1), True))
            position = end + 1
    return found


def _paragraphs(text: str) -> list[tuple[int, int]]:
    """``[start, end)`` of every non-blank line, trailing spaces left out."""
    found = []
    offset = 0
    for line in text.split("\n"):
        stripped = line.rstrip()
        if stripped.strip():
            found.append((offset, offset + len(stripped)))
        offset += len(line) + 1
    return found


def _continues_quote(text: str, start: int, end: int) -> bool:
    """Whether the paragraph ``[start, end)`` carries on a quote left open before it."""
    if text[start] in _OPENING_QUOTES and text[start] != '"':
        return True
    for char in text[start:end]:
        if char in _CLOSING_QUOTES:
            return True
        if char in _OPENING_QUOTES:
            return False
    return False


def quote_containing(quotes: list[Quote], start: int, end: int) -> Quote | None:
    for quote in quotes:
        if quote.outer.start <= start and end <= quote.outer.end:
            return quote
    return None


def quoted_fragment_only(quotes: list[Quote], start: int, end: int, text: str) -> bool:
    """Whether every quote overlapping ``[start, end)`` lies inside it and words stand outside
    the quotes too: a complement with a partial quote ("told the court that, over five months,
    "Gloria's eczema …"") is reported speech whose content is the whole complement."""
    inside = [q for q in quotes if q.outer.start < end and start < q.outer.end]
    if not inside or any(q.outer.start < start or q.outer.end > end for q in inside):
        return False
    outside = text[start:end]
    for quote in sorted(inside, key=lambda q: q.outer.start, reverse=True):
        outside = outside[: quote.outer.start - start] + outside[quote.outer.end - start :]
    return len(_WORD.findall(outside)) >= _MIN_QUOTE_WORDS - 1


def overlapping_quote(quotes: list[Quote], tokens: list[Token]) -> Quote | None:
    start, end = tokens_offsets(tokens)
    for quote in quotes:
        if quote.inner.start < end and start < quote.inner.end:
            return quote
    return None


def _quote_claims(doc: Doc, quotes: list[Quote], used: set[int]) -> Iterator[DetectedClaim]:
    starts: list[int] = doc.to_array(IDX).tolist()  # without building a Token apiece
    for quote in quotes:
        verb = _attributing_verb(doc, quote, starts)
        content = trimmed(doc, quote.inner.start, quote.inner.end)
        if verb is None or content is None or _partial_quote_of(doc, verb, quotes):
            continue
        if _a_title(doc, quote, starts):
            continue
        subject = subject_of(verb)
        subject = speaker_of(verb, subject) if subject is not None else None
        if subject is None:
            continue
        used.add(verb.i)
        subject = antecedent(subject)
        source, named, head = source_of(doc, subject)
        unclosed = "" if quote.closed else " (quote left open: runs to the paragraph end)"
        yield DetectedClaim(
            content=content,
            kind=ClaimKind.QUOTE,
            rule="quote.speech_verb",
            explanation=(
                f"quotation marks{unclosed} → cue '{verb.text}' (reporting verb beside the quote)"
                f" → subject '{_text(doc)[source.start : source.end]}'"
            ),
            source=source,
            cue=cue_of(verb),
            source_named=named,
            source_head=head,
            pronoun=subject.lower_ if subject.pos_ == "PRON" else None,
        )


def _a_title(doc: Doc, quote: Quote, starts: list[int]) -> bool:
    """Quote marks after a preposition name something ("says on "The Internet Explorer 6
    Countdown"", "published in "Nature""): a title, not words someone said."""
    before = token_at(doc, starts, quote.outer.start).i - 1
    return before >= 0 and doc[before].tag_ == "IN" and doc[before].lower_ not in ("that", "as")


def _partial_quote_of(doc: Doc, verb: Token, quotes: list[Quote]) -> bool:
    """The verb's complement holds the quote as a fragment: the reporting rule claims it."""
    attached = complement_of(verb)
    if attached is None or attached[1] == "parataxis":
        return False
    start, end = tokens_offsets(list(attached[0].subtree))
    return quoted_fragment_only(quotes, start, end, _text(doc))


def _introduces(token: Token) -> bool:
    """A verb that can introduce the quotation right after it: a reporting verb, or one that
    attributes only quotations ("She continued: "…"")."""
    if is_reporting_verb(token):
        return True
    return (
        token.pos_ == "VERB"
        and token.lemma_.lower() in lexicon.active().quote_only
        and subject_of(token) is not None
    )


def _has_speaker(verb: Token) -> bool:
    """Whether a cue names who speaks: not a passive without agent ("has been told to
    prepare a "quasi-state of war"", "are known to impact crop yields")."""
    subject = subject_of(verb)
    return subject is not None and speaker_of(verb, subject) is not None


def _attributing_verb(doc: Doc, quote: Quote, starts: list[int]) -> Token | None:
    """A reporting verb outside the quote: the one that introduces it ("say, '…'"), else
    the nearest in the sentence where it closes or opens."""
    before = token_at(doc, starts, quote.outer.start).i - 1
    skipped: list[Token] = []
    while before >= 0 and (doc[before].text in (",", ":") or doc[before].is_space):
        skipped.append(doc[before])
        before -= 1
    colon = next((t for t in skipped if t.text == ":"), None)
    if colon is not None or not any(t.is_space for t in skipped):
        if before >= 0 and doc[before].idx < quote.outer.start and _introduces(doc[before]):
            return doc[before]
        if colon is not None and colon.head.i < colon.i and _introduces(colon.head):
            return colon.head  # "Obama tweeted using his account:" and the quote below
    candidates: list[Token] = []
    for anchor, after in ((quote.inner.end - 1, True), (quote.inner.start, False)):
        sentence = token_at(doc, starts, anchor).sent
        for token in sentence:
            outside = token.idx >= quote.outer.end if after else token.idx < quote.outer.start
            if outside and is_reporting_verb(token) and _has_speaker(token):
                candidates.append(token)
        if candidates:
            break
    if not candidates:
        return None
    return min(
        candidates,
        key=lambda t: min(abs(t.idx - quote.outer.end), abs(t.idx - quote.outer.start)),
    )
