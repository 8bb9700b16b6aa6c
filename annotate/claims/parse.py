"""Parse helpers the rules share: the text once per document, candidate tokens, offsets,
cue verbs, their complements and cue spans. Who speaks is in ``speakers``, what a content is
made of in ``contents``."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy
from spacy.attrs import LEMMA, LOWER
from spacy.strings import hash_string  # type: ignore[attr-defined]
from spacy.tokens import Doc, Span, Token

from annotate.claims import lexicon
from annotate.model import Offsets

_OPENING_QUOTES = '“"«'


_CLOSING_QUOTES = '”"»'


_EDGE_PUNCT = " \t\n,;:.-–—\"“”'‘’«»"


_MIN_QUOTE_WORDS = 4


_WORD = re.compile(r"\w+")


#: Where a document's text is kept once joined (:func:`kept_text`).
TEXT_KEY = "claimscope_text"


def kept_text(doc: Doc) -> str:
    """``doc.text``, joined once per document (``Doc.text`` joins every token on each read)
    and kept in ``doc.user_data`` for every reader after: the sentence boundaries, the rules,
    the claim detector, the extraction of suggestions."""
    text = doc.user_data.get(TEXT_KEY)
    if text is None:
        text = doc.user_data[TEXT_KEY] = doc.text
    return text


_text = kept_text


def _hashes(words: Iterable[str]) -> numpy.ndarray[Any, Any]:
    return numpy.asarray(sorted({hash_string(w) for w in words}), dtype="uint64")


@dataclass(slots=True)
class _CueHashes:
    """Hashes of the active lexicon's words, for the vectorized candidate filter."""

    reporting: numpy.ndarray[Any, Any]
    hedge_nouns: numpy.ndarray[Any, Any]
    lowers: numpy.ndarray[Any, Any]
    nominal: numpy.ndarray[Any, Any]

    @classmethod
    def of(cls, words: lexicon.Lexicon) -> _CueHashes:
        return cls(
            _hashes(words.verbs),
            _hashes(words.hedge_nouns),
            _hashes(
                [
                    *words.hedge_adverbs,
                    *words.quotatives,
                    *_phrase_nouns(words),
                    "according",
                ]
            ),
            _hashes([*words.nouns, *words.adjectives]),
        )


#: The hashes and the lexicon they were made from (made again when another one is active).
_CUES: list[tuple[lexicon.Lexicon, _CueHashes]] = []


def _cue_hashes() -> _CueHashes:
    words = lexicon.active()
    if not _CUES or _CUES[0][0] is not words:
        _CUES[:] = [(words, _CueHashes.of(words))]
    return _CUES[0][1]


@dataclass(slots=True)
class Candidates:
    """The few tokens each rule must look at, found with one vectorized pass (the rules then
    check them properly). Looping over every token in Python for every rule costs more."""

    reporting: list[Token]
    hedge_nouns: list[Token]
    hedge_adverbs: list[Token]
    according: list[Token]
    #: Nouns and adjectives that can carry an attribution ("his claim that", "I am sure that").
    nominal: list[Token]
    #: The "like" of "I was like, …".
    quotative: list[Token]
    #: The noun of an according-to phrase ("in the words of").
    according_phrases: list[Token]

    @classmethod
    def of(cls, doc: Doc) -> Candidates:
        if not len(doc):
            return cls([], [], [], [], [], [], [])
        lemmas = doc.to_array(LEMMA)
        lowers = doc.to_array(LOWER)

        def pick(values: numpy.ndarray[Any, Any], wanted: numpy.ndarray[Any, Any]) -> list[Token]:
            return [doc[int(i)] for i in numpy.isin(values, wanted).nonzero()[0]]

        words, hashes = lexicon.active(), _cue_hashes()
        by_lower = pick(lowers, hashes.lowers)
        return cls(
            reporting=pick(lemmas, hashes.reporting),
            hedge_nouns=pick(lemmas, hashes.hedge_nouns),
            hedge_adverbs=[t for t in by_lower if t.lower_ in words.hedge_adverbs],
            according=[t for t in by_lower if t.lower_ == "according"],
            according_phrases=[t for t in by_lower if t.lower_ in _phrase_nouns(words)],
            quotative=[t for t in by_lower if t.lower_ in words.quotatives],
            # by lemma, and by form: "concerned" tagged as a participle has the lemma "concern"
            nominal=sorted(
                {*pick(lemmas, hashes.nominal), *pick(lowers, hashes.nominal)}, key=lambda t: t.i
            ),
        )


def _phrase_nouns(words: lexicon.Lexicon) -> frozenset[str]:
    return frozenset(phrase[-2] for phrase in words.according_phrases if len(phrase) > 1)


def trimmed(doc: Doc, start: int, end: int) -> Offsets | None:
    """Character offsets of ``doc.text[start:end]`` without edge punctuation. A leading
    complementiser ("that", "whether") stays: it is part of the content in PARC (PolNeAR) and
    in the GUM gold alike."""
    text = _text(doc)
    while start < end and text[start] in _EDGE_PUNCT:
        start += 1
    while end > start and text[end - 1] in _EDGE_PUNCT:
        end -= 1
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
    """The named entity ``token`` is part of, found from the token outwards (``Doc.ents``
    builds every entity of the document on each read)."""
    if token.ent_iob_ not in ("B", "I"):
        return None
    start, end = token.i, token.i + 1
    while start > 0 and doc[start].ent_iob_ == "I":
        start -= 1
    while end < len(doc) and doc[end].ent_iob_ == "I":
        end += 1
    return Span(doc, start, end, label=token.ent_type_)


def is_reporting_verb(token: Token) -> bool:
    """A verb (not "said" inside a noun phrase) with a cue lemma. A negated cue is still an
    attribution ("officials have not said why …"): the explanation says it is negated."""
    verbal = token.pos_ in ("VERB", "AUX") and token.tag_.startswith("VB")
    if not verbal and not _a_verb_read_as_a_noun(token):
        return False
    if token.dep_ in ("amod", "compound", "nmod"):
        return False
    if lexicon.active().verb_class(token.lemma_.lower()) is None:
        return False
    lemma = token.lemma_.lower()
    if lemma == "tell" and any(c.lower_ in ("can", "could") for c in token.children):
        return False  # "as far as I can tell", "how can you tell whether": to discern
    # "point" is a cue only as "point out"
    return lemma != "point" or any(c.dep_ == "prt" for c in token.children)


def _a_verb_read_as_a_noun(token: Token) -> bool:
    """ "This right guarantees that …" with "guarantees" tagged a plural noun: a sentence's
    root with a subject and a that-clause is a verb, whatever its tag."""
    if token.tag_ != "NNS" or token.dep_ != "ROOT":
        return False
    children = list(token.children)
    has_subject = any(c.dep_ == "nsubj" for c in children)
    return has_subject and any(
        c.dep_ == "ccomp" and any(m.dep_ == "mark" and m.lower_ == "that" for m in c.children)
        for c in children
    )


def complement_of(verb: Token) -> tuple[Token, str] | None:
    """The clause a reporting verb introduces, and how it is attached. A clause after the
    verb comes first: where the parser hangs a clause on each side ("Had it happened earlier,
    I think the toll would have been higher"), the one before is an adverbial it misread."""
    for dep in ("ccomp", "xcomp"):
        children = [
            child
            for child in verb.children
            if child.dep_ == dep and not (dep == "xcomp" and child.pos_ not in ("VERB", "AUX"))
        ]
        for child in sorted(children, key=lambda child: child.i < verb.i):
            return child, dep
    if verb.dep_ in ("parataxis",) and verb.head.pos_ in ("VERB", "AUX"):
        return verb.head, "parataxis"
    return None


def cue_of(verb: Token) -> Offsets:
    parts = [verb, *(c for c in verb.children if c.dep_ == "prt")]
    start, end = tokens_offsets(parts)
    return Offsets(start, end)


def token_at(doc: Doc, starts: list[int], char: int) -> Token:
    """The token covering ``char``, or the last one starting before it."""
    return doc[max(0, bisect_right(starts, char) - 1)]
