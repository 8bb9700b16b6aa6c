"""An explainable, rule-based claim detector over spaCy's dependency parse.

Every claim carries its content, source and cue offsets, a kind, the id of the rule that fired
and a one-line explanation of why. Rules, in the order they claim a reporting verb:

- ``quote.*`` — direct quotations (also across sentences; an unclosed quote runs to the end of
  its paragraph) attributed by a reporting verb just outside the quote marks;
- ``speech_verb.*`` — a reporting or cognition verb (say, tell, add, report, claim, warn,
  caution, believe, announce, …) whose subject is the source and whose clausal complement is
  the content, in either order (``X said Y`` / ``Y, X said`` / ``Y, said X``);
- ``according_to`` — ``according to X``, when no reporting verb already carries the claim;
- ``hedge.*`` — unattributed assertions: ``concerns have been growing that …``, ``it is
  believed that …``, ``reportedly``;
- ``statistic.quantity`` — a sentence resting on an approximate number, percentage or amount
  that no other claim covers.

Pronoun sources (``he added``) are resolved to the previous named source and marked resolved.
Quantities (CARDINAL / PERCENT / MONEY / QUANTITY, with "over", "nearly", "at least", …) that
fall inside a claim are recorded on it.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy
from spacy.attrs import LEMMA, LOWER
from spacy.language import Language
from spacy.strings import hash_string  # type: ignore[attr-defined]
from spacy.tokens import Doc, Span, Token

from annotate.model import ClaimKind, Offsets, Quantity

CLAIMS_COMPONENT = "claimscope_claims"
SPANS_KEY = "sc"
USER_DATA_KEY = "claimscope_claims"

SPEECH_VERBS = frozenset(
    [
        "say",
        "tell",
        "add",
        "report",
        "claim",
        "warn",
        "caution",
        "announce",
        "allege",
        "confirm",
        "deny",
        "insist",
        "accuse",
        "state",
        "explain",
        "note",
        "argue",
        "acknowledge",
        "admit",
        "assert",
        "predict",
        "reveal",
        "write",
        "declare",
        "maintain",
        "stress",
        "emphasize",
        "emphasise",
        "contend",
        "testify",
        "conclude",
        "indicate",
        "observe",
        "remark",
        "reply",
        "respond",
        "urge",
        "vow",
        "promise",
        "threaten",
        "concede",
        "disclose",
        "recall",
        "tweet",
        "post",
        "inform",
        "assure",
        "complain",
        "point",
        "suggest",
        "estimate",
    ]
)
COGNITION_VERBS = frozenset(
    [
        "believe",
        "think",
        "fear",
        "expect",
        "suspect",
        "doubt",
        "hope",
        "feel",
        "worry",
        "consider",
        "reckon",
    ]
)
REPORTING_VERBS = SPEECH_VERBS | COGNITION_VERBS
HEDGE_NOUNS = frozenset(
    [
        "concern",
        "fear",
        "worry",
        "speculation",
        "suspicion",
        "doubt",
        "rumour",
        "rumor",
        "indication",
        "sign",
        "hope",
        "expectation",
        "belief",
        "allegation",
        "claim",
        "report",
        "question",
    ]
)
HEDGE_ADVERBS = frozenset(["reportedly", "allegedly", "purportedly", "supposedly", "apparently"])
QUANTITY_LABELS = frozenset({"CARDINAL", "PERCENT", "MONEY", "QUANTITY"})
NAMED_LABELS = frozenset({"PERSON", "ORG", "GPE", "NORP", "FAC", "LOC"})
APPROXIMATORS = (
    "more than",
    "less than",
    "fewer than",
    "at least",
    "at most",
    "up to",
    "as many as",
    "as much as",
    "close to",
    "upwards of",
    "just over",
    "just under",
    "over",
    "nearly",
    "almost",
    "about",
    "around",
    "approximately",
    "roughly",
    "some",
    "under",
    "above",
    "below",
    "only",
)
PRONOUN_SOURCES = {"he": "person", "she": "person", "they": "any", "it": "organisation"}
_OPENING_QUOTES = '“"«'
_CLOSING_QUOTES = '”"»'
_EDGE_PUNCT = " \t\n,;:.-–—\"“”'‘’«»"
_MIN_QUOTE_WORDS = 4
_WORD = re.compile(r"\w+")


@dataclass(slots=True)
class DetectedClaim:
    """A claim found in a parsed document, before it is stored."""

    content: Offsets
    kind: ClaimKind
    rule: str
    explanation: str
    source: Offsets | None = None
    source_resolved: Offsets | None = None
    cue: Offsets | None = None
    quantities: list[Quantity] = field(default_factory=list)
    source_named: str | None = None  # "person" / "organisation" / "group" when known
    pronoun: str | None = None

    def to_dict(self) -> dict[str, Any]:
        def offsets(value: Offsets | None) -> list[int] | None:
            return [value.start, value.end] if value is not None else None

        return {
            "content": offsets(self.content),
            "kind": self.kind.value,
            "rule": self.rule,
            "explanation": self.explanation,
            "source": offsets(self.source),
            "source_resolved": offsets(self.source_resolved),
            "cue": offsets(self.cue),
            "quantities": [q.to_dict() for q in self.quantities],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> DetectedClaim:
        def offsets(value: list[int] | None) -> Offsets | None:
            return Offsets(value[0], value[1]) if value else None

        content = offsets(data["content"])
        assert content is not None
        return cls(
            content=content,
            kind=ClaimKind(data["kind"]),
            rule=data["rule"],
            explanation=data["explanation"],
            source=offsets(data["source"]),
            source_resolved=offsets(data["source_resolved"]),
            cue=offsets(data["cue"]),
            quantities=[Quantity.from_dict(q) for q in data["quantities"]],
        )


# The text, once per document --------------------------------------------------------------------

#: ``Doc.text`` joins every token each time it is read; the rules read it often.
_TEXTS: dict[int, str] = {}


def _text(doc: Doc) -> str:
    cached = _TEXTS.get(id(doc))
    return cached if cached is not None else doc.text


# Candidate tokens ---------------------------------------------------------------------------


def _hashes(words: Iterable[str]) -> numpy.ndarray[Any, Any]:
    return numpy.asarray(sorted({hash_string(w) for w in words}), dtype="uint64")


_REPORTING_HASHES = _hashes(REPORTING_VERBS)
_HEDGE_NOUN_HASHES = _hashes(HEDGE_NOUNS)
_LOWER_HASHES = _hashes([*HEDGE_ADVERBS, "according"])


@dataclass(slots=True)
class Candidates:
    """The few tokens each rule must look at, found with one vectorized pass (the rules then
    check them properly). Looping over every token in Python for every rule costs more."""

    reporting: list[Token]
    hedge_nouns: list[Token]
    hedge_adverbs: list[Token]
    according: list[Token]

    @classmethod
    def of(cls, doc: Doc) -> Candidates:
        if not len(doc):
            return cls([], [], [], [])
        lemmas = doc.to_array(LEMMA)
        lowers = doc.to_array(LOWER)

        def pick(values: numpy.ndarray[Any, Any], wanted: numpy.ndarray[Any, Any]) -> list[Token]:
            return [doc[int(i)] for i in numpy.isin(values, wanted).nonzero()[0]]

        by_lower = pick(lowers, _LOWER_HASHES)
        return cls(
            reporting=pick(lemmas, _REPORTING_HASHES),
            hedge_nouns=pick(lemmas, _HEDGE_NOUN_HASHES),
            hedge_adverbs=[t for t in by_lower if t.lower_ != "according"],
            according=[t for t in by_lower if t.lower_ == "according"],
        )


# Quotations -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Quote:
    """The text between a pair of quote marks (``inner``) and the marks included (``outer``)."""

    inner: Offsets
    outer: Offsets
    closed: bool


def find_quotes(text: str) -> list[Quote]:
    """Pair quote marks paragraph by paragraph; an unclosed quote runs to the paragraph end."""
    quotes: list[Quote] = []
    offset = 0
    for paragraph in text.split("\n"):
        open_at: int | None = None
        for index, char in enumerate(paragraph):
            position = offset + index
            if open_at is None and char in _OPENING_QUOTES:
                if char == '"' and index + 1 < len(paragraph) and paragraph[index + 1] in " ,.":
                    continue  # a closing mark with nothing open: unbalanced, ignore it
                open_at = position
            elif open_at is not None and char in _CLOSING_QUOTES:
                quotes.append(
                    Quote(Offsets(open_at + 1, position), Offsets(open_at, position + 1), True)
                )
                open_at = None
        if open_at is not None and open_at + 1 < offset + len(paragraph.rstrip()):
            end = offset + len(paragraph.rstrip())
            quotes.append(Quote(Offsets(open_at + 1, end), Offsets(open_at, end), False))
        offset += len(paragraph) + 1
    return [
        q
        for q in quotes
        if len(_WORD.findall(text[q.inner.start : q.inner.end])) >= _MIN_QUOTE_WORDS
    ]


# Token helpers --------------------------------------------------------------------------------


def trimmed(doc: Doc, start: int, end: int, *, drop_mark: bool = True) -> Offsets | None:
    """Character offsets of ``doc.text[start:end]`` without edge punctuation (and a leading
    complementiser such as "that")."""
    text = _text(doc)
    while start < end and text[start] in _EDGE_PUNCT:
        start += 1
    while end > start and text[end - 1] in _EDGE_PUNCT:
        end -= 1
    if drop_mark:
        match = re.match(r"(?:that|whether|if)\s+", text[start:end], re.IGNORECASE)
        if match and end - start > match.end():
            start += match.end()
    return Offsets(start, end) if start < end else None


def tokens_offsets(tokens: Iterable[Token]) -> tuple[int, int]:
    items = list(tokens)
    return min(t.idx for t in items), max(t.idx + len(t.text) for t in items)


def subtree_without(token: Token, excluded: Iterable[Token] = ()) -> list[Token]:
    """``token``'s subtree minus the subtrees of ``excluded``."""
    skip: set[int] = set()
    for other in excluded:
        skip.update(t.i for t in other.subtree)
    return [t for t in token.subtree if t.i not in skip]


def entity_at(doc: Doc, token: Token) -> Span | None:
    if token.ent_iob_ == "O":
        return None
    for ent in doc.ents:
        if ent.start <= token.i < ent.end:
            return ent
    return None


def is_reporting_verb(token: Token) -> bool:
    """A verb (not "said" inside a noun phrase, not negated) with a reporting lemma."""
    if token.pos_ not in ("VERB", "AUX") or not token.tag_.startswith("VB"):
        return False
    if token.dep_ in ("amod", "compound", "nmod"):
        return False
    if token.lemma_.lower() not in REPORTING_VERBS:
        return False
    if token.lemma_.lower() == "point" and not any(c.dep_ == "prt" for c in token.children):
        return False
    return not any(child.dep_ == "neg" for child in token.children)


def subject_of(verb: Token) -> Token | None:
    for child in verb.children:
        if child.dep_ in ("nsubj", "nsubjpass", "csubj"):
            return child
    if verb.dep_ == "conj" and verb.head.pos_ in ("VERB", "AUX"):
        return subject_of(verb.head)
    return None


def complement_of(verb: Token) -> tuple[Token, str] | None:
    """The clause a reporting verb introduces, and how it is attached."""
    for dep in ("ccomp", "xcomp"):
        for child in verb.children:
            if child.dep_ == dep and not (dep == "xcomp" and child.pos_ not in ("VERB", "AUX")):
                return child, dep
    if verb.dep_ in ("parataxis",) and verb.head.pos_ in ("VERB", "AUX"):
        return verb.head, "parataxis"
    return None


def source_of(doc: Doc, subject: Token) -> tuple[Offsets, str | None]:
    """The named entity the subject's head sits in, else the subject's noun phrase."""
    entity = entity_at(doc, subject)
    if entity is not None and entity.label_ in NAMED_LABELS:
        kind = {"PERSON": "person", "NORP": "group"}.get(entity.label_, "organisation")
        return Offsets(entity.start_char, entity.end_char), kind
    cut: set[int] = set()
    for token in subject.subtree:
        if (token != subject and token.dep_ in ("appos", "relcl", "acl", "advcl", "parataxis")) or (
            token.head == subject and token.dep_ == "punct"
        ):
            cut.update(t.i for t in token.subtree)
    phrase = [t for t in subject.subtree if t.i not in cut]
    start, end = tokens_offsets(phrase)
    return trimmed(doc, start, end, drop_mark=False) or Offsets(start, end), None


def cue_of(verb: Token) -> Offsets:
    parts = [verb, *(c for c in verb.children if c.dep_ == "prt")]
    start, end = tokens_offsets(parts)
    return Offsets(start, end)


def quote_containing(quotes: list[Quote], start: int, end: int) -> Quote | None:
    for quote in quotes:
        if quote.outer.start <= start and end <= quote.outer.end:
            return quote
    return None


def overlapping_quote(quotes: list[Quote], tokens: list[Token]) -> Quote | None:
    start, end = tokens_offsets(tokens)
    for quote in quotes:
        if quote.inner.start < end and start < quote.inner.end:
            return quote
    return None


# Quantities -----------------------------------------------------------------------------------


def quantities_in(doc: Doc, content: Offsets) -> list[Quantity]:
    found = []
    for ent in doc.ents:
        if ent.label_ not in QUANTITY_LABELS:
            continue
        if ent.start_char < content.start or ent.end_char > content.end:
            continue
        found.append(quantity_of(doc, ent))
    return found


def quantity_of(doc: Doc, ent: Span) -> Quantity:
    """The quantity with its approximator ("over 3,500"), inside the entity or just before it."""
    text = _text(doc)
    start = ent.start_char
    inside = text[ent.start_char : ent.end_char].lower()
    modifier = next((m for m in APPROXIMATORS if inside.startswith(m + " ")), None)
    if modifier is None:
        before = text[max(0, start - 20) : start].lower()
        for candidate in APPROXIMATORS:
            if before.endswith(candidate + " ") and (
                len(before) == len(candidate) + 1 or not before[-len(candidate) - 2].isalnum()
            ):
                modifier = candidate
                start -= len(candidate) + 1
                break
    return Quantity(start, ent.end_char, ent.label_, text[start : ent.end_char], modifier)


# Rules ------------------------------------------------------------------------------------------


def _quote_claims(doc: Doc, quotes: list[Quote], used: set[int]) -> Iterator[DetectedClaim]:
    starts = [token.idx for token in doc]
    for quote in quotes:
        verb = _attributing_verb(doc, quote, starts)
        content = trimmed(doc, quote.inner.start, quote.inner.end, drop_mark=False)
        if verb is None or content is None:
            continue
        subject = subject_of(verb)
        if subject is None:
            continue
        used.add(verb.i)
        source, named = source_of(doc, subject)
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
            pronoun=subject.lower_ if subject.pos_ == "PRON" else None,
        )


def _attributing_verb(doc: Doc, quote: Quote, starts: list[int]) -> Token | None:
    """A reporting verb outside the quote, in the sentence where it closes or opens."""
    candidates: list[Token] = []
    for anchor, after in ((quote.inner.end - 1, True), (quote.inner.start, False)):
        sentence = token_at(doc, starts, anchor).sent
        for token in sentence:
            outside = token.idx >= quote.outer.end if after else token.idx < quote.outer.start
            if outside and is_reporting_verb(token):
                candidates.append(token)
        if candidates:
            break
    if not candidates:
        return None
    return min(
        candidates,
        key=lambda t: min(abs(t.idx - quote.outer.end), abs(t.idx - quote.outer.start)),
    )


def token_at(doc: Doc, starts: list[int], char: int) -> Token:
    """The token covering ``char``, or the last one starting before it."""
    return doc[max(0, bisect_right(starts, char) - 1)]


def _speech_verb_claims(
    doc: Doc, quotes: list[Quote], used: set[int], candidates: Candidates
) -> Iterator[DetectedClaim]:
    for verb in candidates.reporting:
        if verb.i in used or not is_reporting_verb(verb):
            continue
        attached = complement_of(verb)
        subject = subject_of(verb)
        if attached is None or subject is None:
            continue
        clause, how = attached
        tokens = (
            subtree_without(clause, excluded=[verb]) if how == "parataxis" else list(clause.subtree)
        )
        if not tokens or overlapping_quote(quotes, tokens) is not None:
            continue
        start, end = tokens_offsets(tokens)
        content = trimmed(doc, start, end)
        if content is None:
            continue
        used.add(verb.i)
        impersonal = subject.dep_ == "nsubjpass" and subject.lower_ in ("it", "this")
        lemma = verb.lemma_.lower()
        verb_kind = "cognition verb" if lemma in COGNITION_VERBS else "speech verb"
        according = _according_to_of(verb)
        if impersonal:
            cue = Offsets(*tokens_offsets([*_auxiliaries(verb), verb]))
            yield DetectedClaim(
                content=content,
                kind=ClaimKind.UNATTRIBUTED,
                rule="hedge.impersonal_passive",
                explanation=(
                    f"cue '{_text(doc)[cue.start : cue.end]}' (impersonal passive, no source) "
                    "→ clausal complement"
                ),
                cue=cue,
            )
            continue
        source, named = source_of(doc, subject)
        order = (
            "inverted order: complement before the verb"
            if clause.i < verb.i
            else "clausal complement"
        )
        if how == "xcomp":
            order = "infinitive complement"
        extra = ""
        if according is not None:
            extra = f"; according to '{_text(doc)[according.start : according.end]}'"
        yield DetectedClaim(
            content=content,
            kind=ClaimKind.REPORTED,
            rule=f"speech_verb.{'inverted' if clause.i < verb.i else how}",
            explanation=(
                f"cue '{verb.text}' ({verb_kind}) → subject "
                f"'{_text(doc)[source.start : source.end]}' → {order}{extra}"
            ),
            source=source,
            cue=cue_of(verb),
            source_named=named,
            pronoun=subject.lower_ if subject.pos_ == "PRON" else None,
        )


def _auxiliaries(verb: Token) -> list[Token]:
    return [child for child in verb.children if child.dep_ in ("auxpass", "aux")]


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
        if clause.i in used or clause == token:
            continue
        tokens = subtree_without(clause, excluded=[token])
        if not tokens:
            continue
        start, end = tokens_offsets(tokens)
        content = trimmed(doc, start, end)
        if content is None:
            continue
        used.add(clause.i)
        source, named = source_of(doc, source_head)
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
        )


def _hedge_claims(doc: Doc, used: set[int], candidates: Candidates) -> Iterator[DetectedClaim]:
    for noun in candidates.hedge_nouns:
        if noun.pos_ != "NOUN" or noun.lemma_.lower() not in HEDGE_NOUNS:
            continue
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
        if adverb.lower_ not in HEDGE_ADVERBS or adverb.dep_ != "advmod" or adverb.head.i in used:
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


def _statistic_claims(doc: Doc, covered: list[Offsets]) -> Iterator[DetectedClaim]:
    for sentence in doc.sents:
        root = sentence.root
        if root.pos_ not in ("VERB", "AUX"):
            continue
        span = trimmed(doc, sentence.start_char, sentence.end_char, drop_mark=False)
        if span is None or any(span.overlaps(c) for c in covered):
            continue
        for ent in sentence.ents:
            if ent.label_ not in QUANTITY_LABELS:
                continue
            quantity = quantity_of(doc, ent)
            if quantity.modifier is None and ent.label_ == "CARDINAL":
                continue
            yield DetectedClaim(
                content=span,
                kind=ClaimKind.STATISTIC,
                rule="statistic.quantity",
                explanation=(
                    f"cue '{quantity.text}' ({ent.label_.lower()}"
                    f"{', ' + repr(quantity.modifier) if quantity.modifier else ''}) "
                    "in a sentence no other claim covers"
                ),
                cue=Offsets(quantity.start, quantity.end),
            )
            break


# Putting it together --------------------------------------------------------------------------


def resolve_pronouns(doc: Doc, claims: list[DetectedClaim]) -> None:
    """Point pronoun sources at the previous named source, in document order."""
    previous: list[DetectedClaim] = []
    for claim in sorted(claims, key=lambda c: c.content.start):
        if claim.pronoun is not None and claim.source is not None:
            wanted = PRONOUN_SOURCES.get(claim.pronoun)
            antecedent = next(
                (
                    p
                    for p in reversed(previous)
                    if p.source is not None
                    and p.pronoun is None
                    and wanted in ("any", p.source_named)
                ),
                None,
            )
            if antecedent is not None and antecedent.source is not None:
                claim.source_resolved = antecedent.source
                claim.source_named = antecedent.source_named
                resolved_text = _text(doc)[antecedent.source.start : antecedent.source.end]
                claim.explanation += (
                    f"; '{claim.pronoun}' → '{resolved_text}' (previous named source)"
                )
        elif claim.source is not None:
            previous.append(claim)


def detect_claims(doc: Doc) -> list[DetectedClaim]:
    """All claims in a parsed document, by position. The rules read the dependency parse:
    a pipeline without a parser yields no claims (walking an unparsed tree is undefined)."""
    if not doc.has_annotation("DEP"):
        return []
    _TEXTS[id(doc)] = doc.text
    try:
        return _detect_claims(doc)
    finally:
        _TEXTS.pop(id(doc), None)


def _detect_claims(doc: Doc) -> list[DetectedClaim]:
    quotes = find_quotes(_text(doc))
    used: set[int] = set()
    candidates = Candidates.of(doc)
    claims = list(_quote_claims(doc, quotes, used))
    claims += _speech_verb_claims(doc, quotes, used, candidates)
    claims += _according_to_claims(doc, used, candidates)
    claims += _hedge_claims(doc, used, candidates)
    claims += _statistic_claims(doc, [c.content for c in claims])
    for claim in claims:
        claim.quantities = quantities_in(doc, claim.content)
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
    for span, score in contents:
        content = trimmed(doc, span.start_char, span.end_char, drop_mark=False)
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
        claims.append(
            DetectedClaim(
                content=content,
                kind=ClaimKind.REPORTED if source is not None else ClaimKind.UNATTRIBUTED,
                rule="model.spancat",
                explanation=explanation,
                source=Offsets(source.start_char, source.end_char) if source is not None else None,
                cue=Offsets(cue.start_char, cue.end_char) if cue is not None else None,
                quantities=quantities_in(doc, content),
            )
        )
    return claims


@Language.component(CLAIMS_COMPONENT)
def claims_component(doc: Doc) -> Doc:
    """Run the detector inside the pipeline, so ``n_process`` workers do it in parallel.
    A trained claim span categorizer earlier in the pipeline adds its claims where the rules
    found none. The claims travel with the Doc in ``user_data`` as plain lists and dicts."""
    found = detect_claims(doc)
    _TEXTS[id(doc)] = doc.text
    try:
        found += spancat_claims(doc, found)
    finally:
        _TEXTS.pop(id(doc), None)
    ordered = sorted(found, key=lambda c: (c.content.start, c.content.end))
    doc.user_data[USER_DATA_KEY] = [claim.to_dict() for claim in ordered]
    return doc


def claims_from_doc(doc: Doc) -> list[DetectedClaim]:
    """The claims the pipeline component left on ``doc`` (or detect them now)."""
    stored = doc.user_data.get(USER_DATA_KEY)
    if stored is None:
        return detect_claims(doc)
    return [DetectedClaim.from_dict(item) for item in stored]
