"""Rule family ``colon.*``: a colon introducing what a named source says, as headlines and
wire copy write it — "Obama: we will not back down", "The ministry said: talks resume
Monday". The source before the colon must be a named person, organisation or group (the
whole of it, in a headline), so "Update: roads are closed" is no claim."""

from __future__ import annotations

from collections.abc import Iterator

from spacy.tokens import Doc

from annotate.claims import lexicon
from annotate.claims.detected import DetectedClaim
from annotate.claims.parse import (
    _text,
    is_reporting_verb,
    source_kind,
    source_of,
    subject_of,
    trimmed,
)
from annotate.claims.quotes import Quote, quote_containing
from annotate.model import ClaimKind, Offsets

#: A headline claim is short: the words before the colon, at most.
_MAX_SOURCE_WORDS = 5
#: What follows the colon must be a clause: it has a finite verb.
_FINITE = frozenset({"VBD", "VBZ", "VBP", "MD"})


def _colon_claims(doc: Doc, quotes: list[Quote], used: set[int]) -> Iterator[DetectedClaim]:
    text = _text(doc)
    named = lexicon.active().named_labels
    for colon in (t for t in doc if t.text == ":"):
        if quote_containing(quotes, colon.idx, colon.idx + 1) is not None:
            continue
        sentence = colon.sent
        before = doc[sentence.start : colon.i]
        after_start = colon.i + 1
        if not len(before) or after_start >= sentence.end:
            continue
        if any(quote_containing(quotes, t.idx, t.idx + 1) for t in doc[after_start : sentence.end]):
            continue  # a quotation after the colon: the quote rule's
        content = trimmed(doc, doc[after_start].idx, sentence.end_char, drop_mark=False)
        if content is None or not any(t.tag_ in _FINITE for t in doc[after_start : sentence.end]):
            continue  # "Frank Messina: An Interview with …" is a title, not a claim
        verb = before[-1]
        if is_reporting_verb(verb) and verb.i not in used:
            subject = subject_of(verb)
            if subject is None:
                continue
            used.add(verb.i)
            source, kind, head = source_of(doc, subject)
            rule, cue = "colon.after_verb", Offsets(verb.idx, verb.idx + len(verb.text))
        elif (
            len(before) <= _MAX_SOURCE_WORDS
            and before.ents
            and before.ents[0].start == before.start
            and before.ents[-1].end == before.end
            and len(before.ents) == 1
            and before.ents[0].label_ in named
            and before.ents[0].label_ not in ("GPE", "LOC", "FAC")
        ):
            entity = before.ents[0]
            source = Offsets(entity.start_char, entity.end_char)
            kind = source_kind(entity.label_)
            head = source
            rule, cue = "colon.headline", Offsets(colon.idx, colon.idx + 1)
        else:
            continue
        yield DetectedClaim(
            content=content,
            kind=ClaimKind.REPORTED,
            rule=rule,
            explanation=(
                f"cue '{text[cue.start : cue.end]}' (colon) → source "
                f"'{text[source.start : source.end]}' → what follows the colon"
            ),
            source=source,
            cue=cue,
            source_named=kind,
            source_head=head,
        )
