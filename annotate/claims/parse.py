"""Parse helpers the rules share: the text once per document, candidate tokens, offsets,
subjects, complements, sources and cues."""

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


#: ``Doc.text`` joins every token each time it is read; the rules read it often.
_TEXTS: dict[int, str] = {}


def _text(doc: Doc) -> str:
    cached = _TEXTS.get(id(doc))
    return cached if cached is not None else doc.text


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
            _hashes([*words.hedge_adverbs, *words.quotatives, "according"]),
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

    @classmethod
    def of(cls, doc: Doc) -> Candidates:
        if not len(doc):
            return cls([], [], [], [], [], [])
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
            quotative=[t for t in by_lower if t.lower_ in words.quotatives],
            # by lemma, and by form: "concerned" tagged as a participle has the lemma "concern"
            nominal=sorted(
                {*pick(lemmas, hashes.nominal), *pick(lowers, hashes.nominal)}, key=lambda t: t.i
            ),
        )


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


def content_of(doc: Doc, tokens: list[Token]) -> tuple[Offsets, list[Offsets] | None] | None:
    """The content a set of tokens makes: one trimmed range, or, where the tokens have a gap
    (an attribution inside them: "The plan, critics say, will fail"), the trimmed fragments
    in order and their hull. Fragments of punctuation alone are dropped."""
    runs: list[list[Token]] = []
    for token in sorted(tokens, key=lambda t: t.i):
        if runs and token.i == runs[-1][-1].i + 1:
            runs[-1].append(token)
        else:
            runs.append([token])
    fragments: list[Offsets] = []
    for run in runs:
        # "that" opening the content is its complementiser, unless it is the clause's subject
        # ("believes that is what happened")
        keep = run[0].dep_ in ("nsubj", "nsubjpass", "det")
        end = run[-1].idx + len(run[-1].text)
        piece = trimmed(doc, run[0].idx, end, drop_mark=not fragments and not keep)
        if piece is not None and _WORD.search(_text(doc), piece.start, piece.end):
            fragments.append(piece)
    if not fragments:
        return None
    hull = Offsets(fragments[0].start, fragments[-1].end)
    return hull, fragments if len(fragments) > 1 else None


#: Punctuation before a connective that ends a content.
_BREAKS = frozenset({",", ";", "-", "–", "—", "--"})
_SUBJECTS = frozenset({"nsubj", "nsubjpass", "expl"})


def without_a_following_comment(tokens: list[Token]) -> list[Token]:
    """The content up to a clause that comments on it after a comma or dash ("you won't
    commit a mistake, so you'll commit new ones", "it's not theirs - although …"): a
    connective from the lexicon's ``content_stops`` opening a clause with its own subject; or
    up to a purpose ("in order to …", the lexicon's ``content_ends``)."""
    for position in range(2, len(tokens)):
        if _opens_a_purpose(tokens, position) or _an_attribution_of_its_own(tokens, position):
            return _before(tokens, position)
        if _opens_a_comment(tokens, position):
            return _before(tokens, position - 1)
    return tokens


def _before(tokens: list[Token], position: int) -> list[Token]:
    """``tokens`` before ``position`` without the punctuation that ended them (all of them
    if nothing would be left)."""
    kept = tokens[:position]
    while kept and kept[-1].is_punct:
        kept.pop()
    return kept or tokens


def _opens_a_comment(tokens: list[Token], position: int) -> bool:
    """A connective of ``content_stops`` after a comma or dash, opening a clause with its own
    subject ("…, so you'll commit new mistakes")."""
    token = tokens[position]
    if token.lower_ not in lexicon.active().content_stops:
        return False
    if tokens[position - 1].text not in _BREAKS or token.dep_ not in ("cc", "mark", "advmod"):
        return False
    clause = token.head
    if token.dep_ == "cc":
        clause = next((c for c in clause.children if c.dep_ == "conj" and c.i > token.i), clause)
    return any(child.dep_ in _SUBJECTS for child in clause.children)


def _an_attribution_of_its_own(tokens: list[Token], position: int) -> bool:
    """ ", with the i reporting no one will be refused": a phrase after a comma that holds a
    cue of its own is another claim, not more of this one."""
    token = tokens[position]
    if token.dep_ != "prep" or token.lower_ != "with" or token.nbor(-1).text != ",":
        return False
    return any(is_reporting_verb(t) for t in token.subtree)


def _opens_a_purpose(tokens: list[Token], position: int) -> bool:
    """Whether ``tokens[position]`` begins one of the lexicon's ``content_ends`` ("in order
    to …": why the source says it, not what)."""
    if tokens[position].dep_ not in ("mark", "prep", "advmod"):
        return False
    words = [t.lower_ for t in tokens[position : position + 4]]
    return any(words[: len(end)] == list(end) for end in lexicon.active().content_ends)


def entity_at(doc: Doc, token: Token) -> Span | None:
    if token.ent_iob_ == "O":
        return None
    for ent in doc.ents:
        if ent.start <= token.i < ent.end:
            return ent
    return None


def is_reporting_verb(token: Token) -> bool:
    """A verb (not "said" inside a noun phrase) with a cue lemma. A negated cue is still an
    attribution ("officials have not said why …"): the explanation says it is negated."""
    if token.pos_ not in ("VERB", "AUX") or not token.tag_.startswith("VB"):
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


#: Pronouns that stand for people.
_PERSONAL_PRONOUNS = frozenset({"i", "we", "you", "he", "she", "they"})


def is_personal(subject: Token) -> bool:
    """Whether a subject is a person: a personal pronoun or a person's name."""
    if subject.lower_ in _PERSONAL_PRONOUNS:
        return True
    return subject.ent_type_ == "PERSON"


def subject_of(verb: Token) -> Token | None:
    for child in verb.children:
        if child.dep_ in ("nsubj", "nsubjpass", "csubj"):
            return child
    if verb.dep_ == "conj" and verb.head.pos_ in ("VERB", "AUX"):
        return subject_of(verb.head)
    if verb.dep_ == "acl" and verb.tag_ == "VBG" and verb.head.pos_ in ("NOUN", "PROPN"):
        return verb.head  # "a message stating …", "a statement saying …"
    if verb.dep_ == "xcomp":  # "we need to know what …", "was able to determine that …"
        head = verb.head
        if head.pos_ == "ADJ" and head.dep_ == "acomp":
            head = head.head
        # with an addressee, the addressee does it ("asks the government to assure …")
        addressed = head.lemma_.lower() in lexicon.active().addressing or any(
            c.dep_ in ("dobj", "dative") for c in head.children
        )
        if head.pos_ in ("VERB", "AUX") and not addressed:
            return subject_of(head)
    return _inverted_subject(verb) or _name_before(verb) or _repeated_cue_subject(verb)


def _repeated_cue_subject(verb: Token) -> Token | None:
    """ "Voters … know that I am sincere, know that I understand …": the parser hangs the
    first of the repeated cues, the one with the subject, on the next; they share it."""
    for child in verb.children:
        if child.i < verb.i and child.dep_ == "ccomp" and child.lemma_ == verb.lemma_:
            return next((c for c in child.children if c.dep_ in ("nsubj", "nsubjpass")), None)
    return None


def _name_before(verb: Token) -> Token | None:
    """A named speaker right before a cue the parser left without subject ("Speaking in the
    parents' defense, Tom Molomby, SC, said that …"): a person or organisation followed only by
    commas and the words of its apposition, with no verb between."""
    if not is_reporting_verb(verb) or verb.tag_ not in ("VBD", "VBZ", "VBP"):
        return None
    if verb.i < 2 or verb.nbor(-1).text != ",":
        return None
    named = lexicon.active().named_labels
    found: Token | None = None
    for token in reversed(verb.doc[verb.sent.start : verb.i]):
        if token.pos_ not in _APPOSITION_WORDS and token.text != ",":
            break
        if token.ent_type_ in named and token.ent_type_ not in ("GPE", "LOC", "FAC"):
            found = token  # the leftmost name of the phrase: "Tom Molomby, SC"
    return found


#: Parts of speech a speaker's name and its apposition are made of.
_APPOSITION_WORDS = frozenset({"PROPN", "NOUN", "DET", "ADJ", "NUM", "PART"})


def _inverted_subject(verb: Token) -> Token | None:
    """The subject of an inverted attribution the parser read as an object ('"…", added
    KCNA.'): a proper noun right after a cue that itself follows a comma or a quote mark."""
    if verb.i == 0 or verb.i + 1 >= len(verb.doc):
        return None
    before, after = verb.nbor(-1), verb.nbor(1)
    if (
        before.text not in (",", '"', "”", "’")
        or verb.lemma_.lower() in lexicon.active().addressing
    ):
        return None
    if after.head != verb or after.dep_ not in ("dobj", "npadvmod", "attr"):
        return None
    return after if after.pos_ == "PROPN" else None


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


def source_kind(label: str) -> str:
    """What kind of source a named entity is, as pronoun resolution matches them."""
    return {"PERSON": "person", "NORP": "group"}.get(label, "organisation")


def speaker_of(verb: Token, subject: Token) -> Token | None:
    """Who makes the claim: the subject, or in the passive the "by" agent ("she was told to
    leave" names no speaker; "it was announced by the ministry" does)."""
    passive = subject.dep_ == "nsubjpass" or any(c.dep_ == "auxpass" for c in verb.children)
    if not passive:
        return subject
    for agent in (c for c in verb.children if c.dep_ == "agent"):
        for speaker in agent.children:
            if speaker.dep_ == "pobj":
                return speaker
    return None


def antecedent(subject: Token) -> Token:
    """Who a relative pronoun subject stands for ("officials, who said …" → "officials")."""
    if subject.lower_ in ("who", "that") and subject.head.dep_ == "relcl":
        noun = subject.head.head
        if noun.pos_ in ("NOUN", "PROPN", "PRON"):
            return noun
    return subject


def source_of(doc: Doc, subject: Token) -> tuple[Offsets, str | None, Offsets | None]:
    """The subject's noun phrase, with its apposition ("Steve Whitmore, a representative for
    the Sheriff's office") but without clauses attached to it; and what kind of source the
    named entity at its head is (person, organisation, group) and where it is, when there is
    one: a claim's source is linked to that entity, not to another the phrase holds."""
    entity = entity_at(doc, subject)
    kind = None
    if entity is not None and entity.label_ in lexicon.active().named_labels:
        kind = source_kind(entity.label_)
    cut: set[int] = set()
    for token in subject.subtree:
        if token != subject and token.dep_ in ("relcl", "acl", "advcl", "parataxis"):
            cut.update(t.i for t in token.subtree)
        elif token.head == subject and token.dep_ == "case":  # "the minister['s] claim"
            cut.add(token.i)
    phrase = [t for t in subject.subtree if t.i not in cut]
    # the phrase ends where a cut clause begins ("The officials, who said …, closed it")
    phrase = [t for t in phrase if not any(subject.i < c < t.i for c in cut)]
    last = phrase[-1].i
    while (  # a word the parser cut at its hyphen ("e - mail": three subjects) is one word
        last + 1 < len(doc)
        and not doc[last].whitespace_
        and doc[last + 1].head == subject.head
        and doc[last + 1].dep_ == subject.dep_
    ):
        last += 1
        phrase.append(doc[last])
    start, end = tokens_offsets(phrase)
    if entity is not None and kind is not None:  # never cut into the name
        start, end = min(start, entity.start_char), max(end, entity.end_char)
    head = Offsets(entity.start_char, entity.end_char) if entity is not None and kind else None
    return trimmed(doc, start, end, drop_mark=False) or Offsets(start, end), kind, head


def cue_of(verb: Token) -> Offsets:
    parts = [verb, *(c for c in verb.children if c.dep_ == "prt")]
    start, end = tokens_offsets(parts)
    return Offsets(start, end)


def token_at(doc: Doc, starts: list[int], char: int) -> Token:
    """The token covering ``char``, or the last one starting before it."""
    return doc[max(0, bisect_right(starts, char) - 1)]
