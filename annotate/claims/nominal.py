"""Rule families ``noun.that`` and ``adjective.that``: an attribution carried by a noun or an
adjective rather than a verb — "the minister's claim that …", "X expressed optimism that …",
"warnings by X that …", "I am sure that …", "they are convinced that …". The cue is the noun
or adjective (the word the content clause depends on); the source is its possessor, the
subject of the verb it is the object of, its "by" agent, or the subject of "be"."""

from __future__ import annotations

from collections.abc import Iterator

from spacy.tokens import Doc, Token

from annotate.claims import lexicon
from annotate.claims.contents import (
    content_of,
    to_the_sentence_end,
    without_a_following_comment,
)
from annotate.claims.detected import DetectedClaim
from annotate.claims.parse import Candidates, _text
from annotate.claims.speakers import source_of, subject_of
from annotate.model import ClaimKind, Offsets


def _content_clause(word: Token) -> Token | None:
    """The clause the cue word introduces: a that-clause (or wh-clause) it governs."""
    for child in word.children:
        if child.dep_ in ("ccomp", "acl") and child.pos_ in ("VERB", "AUX"):
            return child
        if child.dep_ == "relcl" and any(c.dep_ == "mark" for c in child.children):
            return child  # "the sensation that they wait …": "that" marks it, it is no relative
    return None


def _noun_source(noun: Token) -> Token | None:
    for child in noun.children:
        if child.dep_ == "poss":
            return child
    for prep in (c for c in noun.children if c.dep_ == "prep" and c.lower_ == "by"):
        for agent in prep.children:
            if agent.dep_ == "pobj":
                return agent
    if noun.dep_ == "dobj" and noun.head.pos_ in ("VERB", "AUX"):
        return subject_of(noun.head)
    return None


def _adjective_source(adjective: Token) -> Token | None:
    if adjective.dep_ in ("acomp", "amod") and adjective.head.pos_ in ("AUX", "VERB"):
        head = adjective.head
        linking = lexicon.active().adjective_verbs
        if head.pos_ != "AUX" and not {head.lemma_.lower(), head.lower_} & linking:
            return None  # "make sure that …", "keep it safe": no one holds it
        return subject_of(adjective.head)
    if adjective.tag_ in ("VBN", "VBD") and adjective.dep_ in ("ROOT", "ccomp", "conj", "advcl"):
        # "associations are concerned the Government will …": read as a passive participle
        return next((c for c in adjective.children if c.dep_ in ("nsubjpass", "nsubj")), None)
    return None


def _an_open_question(clause: Token) -> bool:
    """A clause opened by "whether", "if" or a wh-word ("why they have to …")."""
    first = clause.left_edge
    return first.lower_ in ("whether", "if") or first.tag_ in ("WDT", "WP", "WP$", "WRB")


def _is_adjective(word: Token) -> bool:
    """An adjective cue as the tagger read it: an adjective, or a participle used as one
    ("I'm disappointed that …", "they are concerned …")."""
    if word.pos_ == "ADJ":
        return True
    return word.tag_ in ("VBN", "VBD") and (
        word.dep_ == "acomp" or any(c.dep_ in ("auxpass", "nsubjpass") for c in word.children)
    )


def _nominal_claims(doc: Doc, used: set[int], candidates: Candidates) -> Iterator[DetectedClaim]:
    words = lexicon.active()
    for word in candidates.nominal:
        lemma = word.lemma_.lower()
        if word.pos_ == "NOUN" and lemma in words.nouns:
            kind, rule, speaker = words.nouns[lemma], "noun.that", _noun_source(word)
        elif word.lower_ in words.adjectives and _is_adjective(word):
            kind = words.adjectives[word.lower_]
            rule, speaker = "adjective.that", _adjective_source(word)
        else:
            continue
        clause = _content_clause(word)
        if clause is None or speaker is None or word.i in used:
            continue
        if rule == "adjective.that" and _an_open_question(clause):
            continue  # "not sure whether he will vote": uncertainty, no claim
        if speaker.lower_ in words.not_sources:
            continue
        if rule == "adjective.that" and speaker.lower_ in words.adjective_self_reports:
            continue  # "I'm sure he knows": the speaker's own feeling, no claim of its own
        tokens = sorted(clause.subtree, key=lambda t: t.i)
        if word.dep_ in ("dobj", "attr", "pobj"):  # not "the claim that … was disputed"
            tokens = to_the_sentence_end(tokens)
        found = content_of(doc, without_a_following_comment(tokens))
        if found is None:
            continue
        content, fragments = found
        used.add(word.i)
        source, named, head = source_of(doc, speaker)
        yield DetectedClaim(
            content=content,
            kind=ClaimKind.REPORTED,
            rule=rule,
            explanation=(
                f"cue '{word.text}' ({kind} {'noun' if rule == 'noun.that' else 'adjective'})"
                f" → source '{_text(doc)[source.start : source.end]}' → the clause it governs"
            ),
            source=source,
            cue=Offsets(word.idx, word.idx + len(word.text)),
            source_named=named,
            source_head=head,
            pronoun=speaker.lower_ if speaker.pos_ == "PRON" else None,
            content_parts=fragments,
        )
