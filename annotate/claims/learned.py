"""Claims from a learned attribution model's roles (:mod:`annotate.nlp.attribution`).

The model is a spaCy NER, which writes ``doc.ents``, where the entities live:
``claimscope_stash_entities`` sets them aside before it runs, ``claimscope_attribution_spans``
puts them back after and moves the model's ``SOURCE``, ``CUE`` and ``CONTENT`` spans to
``doc.spans["attribution"]``;
:func:`linked_claims` makes claims of them: content pieces that follow each other with only
white space between, in one paragraph, are one content (the model learns contents sentence by
sentence); cues and contents are paired one to one, nearest first, and each cue takes the
nearest source of its sentence; a quotation broken by its attribution is one claim in two
pieces, and so is any content in two pieces linked to one cue with only punctuation, the cue
and its source between them ("The plan, critics say, will fail").
Every claim's explanation says what the model marked and how it was linked.
"""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc, Span

from annotate.claims.detected import DetectedClaim
from annotate.claims.parse import _text
from annotate.model import ClaimKind, Offsets

ROLES = ("SOURCE", "CUE", "CONTENT")
#: The model's NER component in a pipeline.
MODEL_COMPONENT = "attribution"
SPANS_KEY = "attribution"
#: Where a model that measures how sure it is of each role (the encoder model) keeps it: the
#: attribution group's ``attrs``, one probability per span, in the group's order.
PROBABILITIES = "probabilities"
#: Where a pipeline's meta keeps what the attribution model says of itself (its training,
#: figures and calibration).
MODEL_META = "claimscope_attribution"
MODEL_RULE = "model.attribution"
#: Bump when the linking changes the claims a model's roles make: the origin of ``model`` and
#: ``both`` runs changes with it, so ``--only-new`` links again what the old linking made.
LINKING_VERSION = "2026-12-07.2"
STASH = "claimscope_stash_entities"
SPANS = "claimscope_attribution_spans"
_STASHED = "entities_stash"


@Language.component(STASH)
def stash_entities(doc: Doc) -> Doc:
    """Set the base pipeline's entities aside (the attribution NER must start from none)."""
    doc.spans[_STASHED] = list(doc.ents)
    doc.ents = []
    return doc


@Language.component(SPANS)
def attribution_spans(doc: Doc) -> Doc:
    """Move the attribution roles to ``doc.spans["attribution"]``; put the entities back."""
    doc.spans[SPANS_KEY] = [ent for ent in doc.ents if ent.label_ in ROLES]
    stashed = doc.spans.get(_STASHED)
    doc.ents = list(stashed) if stashed is not None else []
    if stashed is not None:
        del doc.spans[_STASHED]
    return doc


def _joined_contents(doc: Doc, contents: list[Span]) -> list[list[Span]]:
    """Content pieces that follow each other with only white space between, in one paragraph,
    are one content. A paragraph break ends a content: news gives each quoted paragraph its
    own attribution, even where one speaker goes on (PolNeAR dev, joined across a break and
    not: content overlap F1 0.770 and 0.776 with the encoder model, 0.693 and 0.700 with the
    small one)."""
    groups: list[list[Span]] = []
    for span in sorted(contents, key=lambda s: s.start):
        if groups and _follows_in_paragraph(doc, groups[-1][-1], span):
            groups[-1].append(span)
        else:
            groups.append([span])
    return groups


def _between(doc: Doc, before: Span, after: Span) -> str:
    """The text from the end of ``before`` to the start of ``after``, read off the tokens
    between them (``Doc.text`` joins the whole document's tokens again on every call)."""
    if after.start < before.end:
        return ""
    return doc[before.end - 1].whitespace_ + doc[before.end : after.start].text_with_ws


def _follows_in_paragraph(doc: Doc, before: Span, after: Span) -> bool:
    """Whether only white space, and no line break, stands between ``before`` and ``after``."""
    gap = _between(doc, before, after)
    return not gap.strip() and "\n" not in gap


def _paragraph_break(doc: Doc, before: Span, after: Span) -> bool:
    """Whether a line break stands between ``before`` and ``after``."""
    return "\n" in _between(doc, before, after)


class _Sentences:
    """Which sentence each token is in, counted once per document (``Token.sent`` walks the
    parse on every call; a long window has hundreds of roles to place)."""

    def __init__(self, doc: Doc) -> None:
        self.of = [0] * len(doc)
        self.bounds: list[tuple[int, int]] = []
        for number, sentence in enumerate(doc.sents):
            self.bounds.append((sentence.start, sentence.end))
            self.of[sentence.start : sentence.end] = [number] * len(sentence)

    def around(self, first: int, last: int) -> tuple[int, int]:
        """The tokens of the sentence before sentence ``first`` up to the end of the one
        after sentence ``last``."""
        before = self.bounds[max(first - 1, 0)]
        after = self.bounds[min(last + 1, len(self.bounds) - 1)]
        return before[0], after[1]


def linked_claims(doc: Doc) -> list[DetectedClaim]:
    """Claims from the model's roles in ``doc.spans["attribution"]``, one per content (a
    claim is one thing per content: :mod:`annotate.team` knows a suggestion by it); a content
    of punctuation alone is left out. Cues and contents are paired one to one, nearest first:
    a content in the cue's sentence before one in the sentence just before or after, then by
    distance in tokens; a cue whose every content went to a nearer cue makes no claim. A
    content no cue took goes on the quotation before it when it continues one broken by its
    attribution (:func:`_continues`), else takes the nearest cue (or stands without one); two
    contents of one cue with only punctuation, the cue and its source between them are one
    (:func:`_one_content_of_its_cue`); each cue takes the nearest source of its sentence."""
    roles: dict[str, list[Span]] = {role: [] for role in ROLES}
    for span in doc.spans.get(SPANS_KEY, ()):
        roles[span.label_].append(span)
    if not any(roles.values()):
        return []
    sentences = _Sentences(doc)
    # a content of punctuation alone (a stray quotation mark the tagger ran into) says
    # nothing; left in, it would also take a cue from the content beside it
    contents = [
        pieces
        for pieces in _joined_contents(doc, roles["CONTENT"])
        if any(character.isalnum() for piece in pieces for character in piece.text)
    ]
    # the contents with a piece beginning in each sentence: a cue looks only at its own
    # sentence and the ones either side of it
    by_sentence: dict[int, list[int]] = {}
    for index, pieces in enumerate(contents):
        for number in sorted({sentences.of[piece.start] for piece in pieces}):
            by_sentence.setdefault(number, []).append(index)
    pairs: list[tuple[tuple[int, int], int, int]] = []
    for cue_index, cue in enumerate(roles["CUE"]):
        number = sentences.of[cue.start]
        near = {i for n in (number - 1, number, number + 1) for i in by_sentence.get(n, ())}
        for index in sorted(near):
            pieces = contents[index]
            distance = min(min(abs(p.start - cue.end), abs(cue.start - p.end)) for p in pieces)
            same = any(sentences.of[p.start] == number for p in pieces)
            pairs.append(((0 if same else 1, distance), cue_index, index))
    pairs.sort()
    cues_used: set[int] = set()
    cue_of: dict[int, Span | None] = {}
    for _, cue_index, index in pairs:
        if cue_index not in cues_used and index not in cue_of:
            cues_used.add(cue_index)
            cue_of[index] = roles["CUE"][cue_index]
    paired = set(cue_of)
    for index, pieces in enumerate(contents):
        if index not in cue_of:
            cue_of[index] = _nearest(sentences, roles["CUE"], pieces[0], pieces[-1])
    claims: list[tuple[list[list[Span]], Span | None]] = []
    for index in sorted(cue_of, key=lambda i: contents[i][0].start):
        pieces, linked = contents[index], cue_of[index]
        goes_on = claims and (
            (index not in paired and _continues(doc, claims[-1], pieces))
            or _one_content_of_its_cue(doc, sentences, claims[-1], pieces, linked, roles)
        )
        if goes_on:
            claims[-1][0].append(pieces)
        else:
            claims.append(([pieces], linked))
    made = [_claim(doc, sentences, groups, cue, roles["SOURCE"]) for groups, cue in claims]
    return sorted(made, key=lambda c: (c.content.start, c.content.end))


_OPENING = frozenset("\"“‘'")
_CLOSING = frozenset("\"”’'")


def _continues(doc: Doc, claim: tuple[list[list[Span]], Span | None], pieces: list[Span]) -> bool:
    """Whether ``pieces`` (a content no cue took) go on the quotation ``claim`` ends with,
    broken by its attribution ("“We will win,” she said. “They know it.”"): both quoted, in
    one paragraph, with the claim's cue between them."""
    before, cue = claim[0][-1], claim[1]
    end, start = before[-1].end, pieces[0].start
    if cue is None or not end <= cue.start < cue.end <= start:
        return False
    if _paragraph_break(doc, before[-1], pieces[0]):
        return False
    return (
        before[0][0].text[0] in _OPENING
        and before[-1][-1].text[-1] in _CLOSING
        and pieces[0][0].text[0] in _OPENING
    )


#: What may stand between two pieces of one content besides its cue and source.
_BETWEEN = frozenset(",.;:?!()“”\"'‘’—–-")


def _one_content_of_its_cue(
    doc: Doc,
    sentences: _Sentences,
    claim: tuple[list[list[Span]], Span | None],
    pieces: list[Span],
    cue: Span | None,
    roles: dict[str, list[Span]],
) -> bool:
    """Whether ``pieces`` and the content of ``claim`` before them, linked to the same cue,
    are one content in two pieces: in one paragraph, with nothing between them but
    punctuation, the cue and the cue's source. The attribution may stand inside the content
    ("The plan, critics say, will fail"; "“We won,” she said. “They know it.”") or the cue
    alone ("The vote is expected to pass": a subject and its complement around the cue), or
    the cue may stand after both ("The plan is sound, the costs are low, she said"). PARC
    annotates such a content as one; the model marks each piece, and the second, which no cue
    took, took the nearest: the first's. On PolNeAR such joins match a gold content 46 times
    in 59 on ``dev`` and 38 in 48 on 150 ``train`` articles."""
    if cue is None or claim[1] is not cue:
        return False
    end, start = claim[0][-1][-1].end, pieces[0].start
    if start < end:
        return False
    source = _nearest(sentences, roles["SOURCE"], cue, cue)
    between = [s for s in (cue, source) if s is not None and end <= s.start and s.end <= start]
    for token in doc[end - 1 : start]:
        if "\n" in token.whitespace_ or (token.i >= end and "\n" in token.text):
            return False
        if token.i < end or any(s.start <= token.i < s.end for s in between):
            continue
        if not all(character in _BETWEEN for character in token.text):
            return False
    return True


def _claim(
    doc: Doc,
    sentences: _Sentences,
    groups: list[list[Span]],
    cue: Span | None,
    sources: list[Span],
) -> DetectedClaim:
    """One claim of content ``groups`` (each of pieces with only white space between; more
    than one is a content broken by its attribution), its cue and the nearest source."""
    first, last = groups[0][0], groups[-1][-1]
    if cue is not None:
        source = _nearest(sentences, sources, cue, cue)
    else:  # the model marked who, not how: the nearest source outside the content
        outside = [s for s in sources if s.end <= first.start or s.start >= last.end]
        source = _nearest(sentences, outside, first, last)
    parts = [Offsets(group[0].start_char, group[-1].end_char) for group in groups]
    content = Offsets(first.start_char, last.end_char)
    why = "attribution model: content " + " + ".join(f"'{_short(p, doc)}'" for p in parts)
    if len(parts) > 1:
        quoted = all(_text(doc)[part.start] in _OPENING for part in parts)
        broken = cue is not None and parts[0].end <= cue.start_char < parts[-1].start
        how = "broken by its attribution" if broken else f"in {len(parts)} pieces"
        why += f" (one {'quotation' if quoted else 'content'}, {how})"
    if cue is not None:
        why += f" → cue '{cue.text}'"
    if source is not None:
        why += f" → source '{source.text}'"
    kind = _kind(doc, content, source, cue)
    claim = model_claim(content, kind, MODEL_RULE, why, source, cue)
    if len(parts) > 1:
        claim.content_parts = parts
    return claim


def model_claim(
    content: Offsets, kind: ClaimKind, rule: str, why: str, source: Span | None, cue: Span | None
) -> DetectedClaim:
    """A claim a trained component proposed, its source and cue where it found them."""
    return DetectedClaim(
        content=content,
        kind=kind,
        rule=rule,
        explanation=why,
        source=Offsets(source.start_char, source.end_char) if source is not None else None,
        cue=Offsets(cue.start_char, cue.end_char) if cue is not None else None,
    )


def _short(offsets: Offsets, doc: Doc) -> str:
    text = _text(doc)[offsets.start : offsets.end]
    return text if len(text) <= 40 else text[:37] + "…"


def _nearest(sentences: _Sentences, options: list[Span], first: Span, last: Span) -> Span | None:
    """The option in the sentences of ``first``..``last`` nearest to them, else in the
    sentence just before or just after."""
    if not options:
        return None
    start_number, end_number = sentences.of[first.start], sentences.of[last.end - 1]

    def distance(span: Span) -> int:
        return min(abs(span.start - first.start), abs(span.start - last.end))

    def within(low: int, high: int) -> list[Span]:
        return [o for o in options if low <= o.start and o.end <= high]

    same = within(sentences.bounds[start_number][0], sentences.bounds[end_number][1])
    if same:
        return min(same, key=distance)
    around = within(*sentences.around(start_number, end_number))
    return min(around, key=distance) if around else None


def _kind(doc: Doc, content: Offsets, source: Span | None, cue: Span | None) -> ClaimKind:
    if source is None:
        return ClaimKind.UNATTRIBUTED
    if cue is not None and cue.text.lower().startswith("according"):
        return ClaimKind.ACCORDING_TO
    if _text(doc)[content.start : content.start + 1] in "\"“‘'":
        return ClaimKind.QUOTE
    return ClaimKind.REPORTED
