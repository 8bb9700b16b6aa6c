"""Who makes a claim: a cue's subject (and where the parser lost it), the speaker of a passive,
what a relative pronoun stands for, and the source phrase with its apposition."""

from __future__ import annotations

from spacy.tokens import Doc, Token

from annotate.claims import lexicon
from annotate.claims.parse import entity_at, is_reporting_verb, tokens_offsets, trimmed
from annotate.model import Offsets

#: Pronouns that stand for people.
_PERSONAL_PRONOUNS = frozenset({"i", "we", "you", "he", "she", "they"})


def is_personal(subject: Token) -> bool:
    """Whether a subject is a person: a personal pronoun or a person's name."""
    if subject.lower_ in _PERSONAL_PRONOUNS:
        return True
    return subject.ent_type_ == "PERSON"


def is_participle_cue(verb: Token) -> bool:
    """A cue in a participle clause after its main clause ("criticized the plan, saying …",
    "…, adding that …", "…, telling reporters …"): the main clause's subject speaks."""
    return (
        verb.dep_ in ("advcl", "xcomp")
        and verb.tag_ == "VBG"
        and verb.head.pos_ in ("VERB", "AUX")
        and verb.i > verb.head.i
    )


def subject_of(verb: Token) -> Token | None:
    for child in verb.children:
        if child.dep_ in ("nsubj", "nsubjpass", "csubj"):
            return child
    if verb.dep_ == "conj" and verb.head.pos_ in ("VERB", "AUX"):
        return subject_of(verb.head)
    if verb.dep_ == "acl" and verb.tag_ == "VBG" and verb.head.pos_ in ("NOUN", "PROPN"):
        return verb.head  # "a message stating …", "a statement saying …"
    if is_participle_cue(verb):
        return subject_of(verb.head)  # "X criticized the plan, saying …": X says it
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


def _occasion(preposition: Token) -> bool:
    """Whether a preposition after the source says where it spoke, not who it is: its object
    is an occasion of speaking (lexicon ``source_ends``: "in an interview", "in a phone
    call"). A date stays ("Posts on the board from Friday": GUM's annotators keep it)."""
    ends = lexicon.active().source_ends
    return any(
        child.dep_ == "pobj" and child.lemma_.lower() in ends for child in preposition.children
    )


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
        elif token.head == subject and token.dep_ == "prep" and _occasion(token):
            cut.update(t.i for t in token.subtree)  # "leaders [in a phone call to the BBC]"
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
    return trimmed(doc, start, end) or Offsets(start, end), kind, head
