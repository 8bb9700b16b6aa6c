"""Rule family ``colon.*``: a colon introducing what a named source says, as headlines and
wire copy write it — "Obama: we will not back down", "The ministry said: talks resume
Monday". The source before the colon must be a named person, organisation or group (the
whole of it, in a headline), so "Update: roads are closed" is no claim — or, with no source,
a nominal cue alone ("Reports: asylum process to replace interviews")."""

from __future__ import annotations

from collections.abc import Iterator

import numpy
from spacy.attrs import ORTH
from spacy.tokens import Doc, Span

from annotate.claims import lexicon
from annotate.claims.detected import DetectedClaim
from annotate.claims.parse import _text, is_reporting_verb, trimmed
from annotate.claims.quotes import Quote, quote_containing
from annotate.claims.speakers import source_kind, source_of, subject_of
from annotate.model import ClaimKind, Offsets

#: A headline claim is short: the words before the colon, at most.
_MAX_SOURCE_WORDS = 5
#: What follows the colon must be a clause: it has a finite verb.
_FINITE = frozenset({"VBD", "VBZ", "VBP", "MD"})


def _opens_a_quote_it_closes(text: str, start: int, content: Offsets) -> bool:
    mark = text[start]
    closing = {"'": "'", "‘": "’", '"': '"', "“": "”"}.get(mark)
    return closing is not None and closing in text[start + 1 : content.end]


def _a_clause(tokens: Span, *, headline: bool) -> bool:
    """Words with a finite verb; in a headline also a to-infinitive ("process to replace
    interviews": headlines write the future so)."""
    if any(t.tag_ in _FINITE for t in tokens):
        return True
    return headline and any(
        t.tag_ == "VB" and t.i > 0 and t.nbor(-1).lower_ == "to" for t in tokens
    )


def _colon_claims(doc: Doc, quotes: list[Quote], used: set[int]) -> Iterator[DetectedClaim]:
    text = _text(doc)
    words = lexicon.active()
    named = words.named_labels
    # the colons by their text, not by walking every token (each walk builds a Token apiece)
    colons = [doc[int(i)] for i in numpy.flatnonzero(doc.to_array(ORTH) == doc.vocab.strings[":"])]
    for colon in colons:
        if quote_containing(quotes, colon.idx, colon.idx + 1) is not None:
            continue
        sentence = colon.sent
        before = doc[sentence.start : colon.i]
        after_start = colon.i + 1
        if not len(before) or after_start >= sentence.end:
            continue
        after = doc[after_start : sentence.end]
        reports = len(before) == 1 and before[0].lemma_.lower() in words.nouns
        if not reports and any(quote_containing(quotes, t.idx, t.idx + 1) for t in after):
            continue  # a quotation after the colon: the quote rule's
        content = trimmed(doc, doc[after_start].idx, sentence.end_char)
        if content is not None and _opens_a_quote_it_closes(text, doc[after_start].idx, content):
            content = Offsets(doc[after_start].idx, content.end)  # "'streamlined' process …"
        if content is None or not _a_clause(after, headline=reports):
            continue  # "Frank Messina: An Interview with …" is a title, not a claim
        last = before[-1]  # the word before the colon
        last_word = Offsets(last.idx, last.idx + len(last.text))
        if reports:
            # a headline "Reports: asylum process to replace interviews": whose, it does not say
            source, kind, head = None, None, None
            rule, cue = "colon.reports", last_word
        elif is_reporting_verb(last) and last.i not in used:
            subject = subject_of(last)
            if subject is None:
                continue
            used.add(last.i)
            source, kind, head = source_of(doc, subject)
            rule, cue = "colon.after_verb", last_word
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
        said_by = f"source '{text[source.start : source.end]}'" if source else "no source"
        yield DetectedClaim(
            content=content,
            kind=ClaimKind.REPORTED if source else ClaimKind.UNATTRIBUTED,
            rule=rule,
            explanation=(
                f"cue '{text[cue.start : cue.end]}' (colon) → {said_by} → what follows the colon"
            ),
            source=source,
            cue=cue,
            source_named=kind,
            source_head=head,
        )
