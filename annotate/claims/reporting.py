"""Rule family ``speech_verb.*``: a reporting or cognition verb with a subject and a clausal
complement."""

from __future__ import annotations

from collections.abc import Iterator

from spacy.tokens import Doc, Token

from annotate.claims import lexicon
from annotate.claims.according_to import _according_to_of
from annotate.claims.contents import content_of, without_a_following_comment
from annotate.claims.detected import DetectedClaim
from annotate.claims.parse import (
    Candidates,
    _text,
    complement_of,
    cue_of,
    is_reporting_verb,
    subtree_without,
    tokens_offsets,
)
from annotate.claims.quotes import (
    Quote,
    overlapping_quote,
    quote_containing,
    quoted_fragment_only,
)
from annotate.claims.speakers import (
    antecedent,
    is_participle_cue,
    is_personal,
    source_of,
    speaker_of,
    subject_of,
)
from annotate.model import ClaimKind, Offsets


def _speech_verb_claims(
    doc: Doc, quotes: list[Quote], used: set[int], candidates: Candidates
) -> Iterator[DetectedClaim]:
    for verb in candidates.reporting:
        if verb.i in used or not is_reporting_verb(verb):
            continue
        attached = complement_of(verb) or _misparsed_that_clause(verb) or _as_clause(verb)
        subject = subject_of(verb)
        if attached is None:
            continue
        imperative = subject is None and _imperative(verb, attached[0])
        if subject is None and not imperative:
            continue
        impersonal = subject is not None and (
            subject.dep_ == "nsubjpass" and subject.lower_ in ("it", "this")
        )
        if subject is not None and not impersonal:
            subject = _who_speaks(verb, subject)
            if subject is None:
                continue
        clause, how = attached
        if not _plausible(verb, clause, how):
            continue
        tokens = _content_tokens(verb, clause, how)
        if not tokens:
            continue
        if overlapping_quote(quotes, tokens) is not None and not (
            quoted_fragment_only(quotes, *tokens_offsets(tokens), _text(doc))
            or quote_containing(quotes, verb.idx, verb.idx + len(verb.text)) is not None
        ):
            continue  # the quote rule's: the content is the quotation itself
        found = content_of(doc, without_a_following_comment(tokens))
        if found is None or not _is_clause(tokens):
            continue
        content, fragments = found
        used.add(verb.i)
        lemma = verb.lemma_.lower()
        verb_kind = f"{lexicon.active().verb_class(lemma)} verb"
        according = _according_to_of(verb)
        if imperative:
            yield DetectedClaim(
                content=content,
                kind=ClaimKind.UNATTRIBUTED,
                rule="speech_verb.imperative",
                explanation=(
                    f"cue '{verb.text}' ({verb_kind}, imperative: the speaker's own) "
                    "→ clausal complement"
                ),
                cue=cue_of(verb),
            )
            continue
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
        assert subject is not None
        subject = antecedent(subject)
        source, named, head = source_of(doc, subject)
        order = (
            "inverted order: complement before the verb"
            if clause.i < verb.i
            else "clausal complement"
        )
        if how == "xcomp":
            order = "infinitive complement"
        rule = f"speech_verb.{'inverted' if clause.i < verb.i else how}"
        if is_participle_cue(verb):
            rule, order = "speech_verb.participle", f"{order}; a participle after the main clause"
        extra = "; negated" if any(c.dep_ == "neg" for c in verb.children) else ""
        if according is not None:
            extra += f"; according to '{_text(doc)[according.start : according.end]}'"
        yield DetectedClaim(
            content=content,
            kind=ClaimKind.REPORTED,
            rule=rule,
            explanation=(
                f"cue '{verb.text}' ({verb_kind}) → subject "
                f"'{_text(doc)[source.start : source.end]}' → {order}{extra}"
            ),
            source=source,
            cue=cue_of(verb),
            source_named=named,
            source_head=head,
            pronoun=subject.lower_ if subject.pos_ == "PRON" else None,
            content_parts=fragments,
        )


def _who_speaks(verb: Token, subject: Token) -> Token | None:
    """The cue's speaker, if it can make a claim: the passive's agent, never a non-source
    ("This means …"), a person for the lexicon's ``personal_only`` cues ("I mean")."""
    speaker = speaker_of(verb, subject)
    words = lexicon.active()
    if speaker is None or speaker.lower_ in words.not_sources:
        return None
    if verb.lemma_.lower() in words.personal_only and not is_personal(speaker):
        return None
    return speaker


def _content_tokens(verb: Token, clause: Token, how: str) -> list[Token]:
    """The tokens of what the cue attributes, by how the clause is attached to it."""
    if how == "parataxis":
        tokens = subtree_without(
            clause,
            excluded=[verb, *_coordinated_clauses(clause), *_clauses_before(verb, clause)],
        )
    elif how == "as":
        tokens = subtree_without(clause, excluded=[verb])
    elif how == "that":
        tokens = [t for t in verb.subtree if clause.i <= t.i]
    else:
        tokens = complement_tokens(verb, clause)
    return _inside_the_aside(tokens, verb) if clause.i < verb.i else tokens


def complement_tokens(verb: Token, clause: Token) -> list[Token]:
    """The complement's tokens. The parser often splits one complement into several clausal
    children of the verb ("I think [it's important] [we have a take]", "I think [to say it]
    [is wrong]"): every complement child on the same side of the verb is part of it."""
    after = clause.i > verb.i
    parts = [
        child
        for child in verb.children
        if child.dep_ in ("ccomp", "xcomp")
        and (child.i > verb.i) == after
        and (child.dep_ == "ccomp" or child.pos_ in ("VERB", "AUX"))
    ]
    if after and parts:
        # "claims that her passport was taken and she was forced to work": the parser hangs
        # the second clause on the cue; a clause with its own subject that is no cue belongs
        parts += [
            child
            for child in verb.children
            if child.dep_ == "conj"
            and child.i > parts[-1].i
            and not is_reporting_verb(child)
            and any(c.dep_ in ("nsubj", "nsubjpass") for c in child.children)
        ]
    # "she felt X and her hashtag created Y": a clause coordinated inside the complement,
    # with its own subject, is no longer what the source said or felt
    excluded = {
        t.i for part in parts or [clause] for c in _coordinated_clauses(part) for t in c.subtree
    }
    kept = sorted(
        {t for part in parts or [clause] for t in part.subtree if t.i not in excluded},
        key=lambda t: t.i,
    )
    while excluded and kept and kept[-1].dep_ in ("cc", "punct"):
        kept.pop()  # the "and" before a left-out clause hangs on the word before it
    addressing = verb.lemma_.lower() in lexicon.active().addressing  # "told LA Weekly that"
    subjectless = parts and not any(c.dep_ in ("nsubj", "nsubjpass") for c in parts[0].children)
    if after and subjectless and not addressing:
        # "she believed the social movement in reaction to X helped improve …": the parser
        # read the complement's subject as the cue's object
        objects = [c for c in verb.children if c.dep_ == "dobj" and verb.i < c.i < parts[0].i]
        if objects:
            between = range(objects[0].left_edge.i, parts[0].left_edge.i)
            kept = sorted({*kept, *(t for t in verb.subtree if t.i in between)}, key=lambda t: t.i)
    if after:
        # "the opposite of what you'd think we would hire": an object the complement moved
        # before the cue is no part of what the source thinks (a subject is: "which you
        # think stands out")
        moved = {t.i for t in kept if t.i < verb.i and t.dep_ not in ("nsubj", "nsubjpass")}
        kept = [t for t in kept if t.i not in moved]
    return kept


#: What of a clause before an inserted "I think" / "I mean" is still the content: its subject.
_CONTENT_BEFORE_CUE = frozenset({"nsubj", "nsubjpass", "expl", "csubj", "aux", "neg", "mark"})


def _clauses_before(verb: Token, clause: Token) -> list[Token]:
    """Other clauses (and interjections, commas) the parser hung on ``clause`` before the cue
    ``verb``: "I don't see why it should, I mean there happens to be …" is about what
    follows "I mean"."""
    if verb.i > clause.i:  # a closing aside ("It was in May, I think"): all before is content
        return []
    return [
        child
        for child in clause.children
        if child.i < verb.i and child.dep_ not in _CONTENT_BEFORE_CUE
    ]


def _coordinated_clauses(head: Token) -> list[Token]:
    """Clauses coordinated with ``head`` that have their own subject, with the conjunction
    and comma before them."""
    found: list[Token] = []
    for child in head.children:
        if child.dep_ == "conj" and any(c.dep_ in ("nsubj", "nsubjpass") for c in child.children):
            found.append(child)
            found += [
                c for c in head.children if c.dep_ in ("cc", "punct") and head.i < c.i < child.i
            ]
    return found


_AFTER_AN_INVERTED_CUE = frozenset(
    {"nsubj", "dobj", "dative", "prep", "advmod", "npadvmod", "punct", "agent", "aux", "neg"}
)


def _plausible(verb: Token, clause: Token, how: str) -> bool:
    """Guards against parses that look like attribution and are not.

    - Inverted order ("Y, X said"): the attribution is an aside (see :func:`_an_aside`), the
      complement ends at a comma, dash or quote right before it, and after the cue come only
      its subject, objects, adverbials and punctuation — no other clause.
    - An infinitive complement is not the content when the verb has an object first
      ("announced the start of a process to suggest …")."""
    if how == "as":
        return True
    if how == "ccomp" and _a_noun_with_an_infinitive(clause):
        return False
    if verb.lemma_.lower() in lexicon.active().marked_only and how != "parataxis":
        marked = how != "xcomp" and _marked(clause)
        if not marked and clause.left_edge.tag_ not in ("WDT", "WP", "WP$", "WRB"):
            return False  # "asks the government to act" asks for something, claims nothing
    if how == "xcomp":
        if verb.lemma_.lower() not in lexicon.active().infinitive_cues:
            return False  # "agreed to serve", "expects to win": a plan or a wish, no claim
        if clause.tag_ == "VBG" and lexicon.active().verb_class(verb.lemma_.lower()) == "speech":
            return False  # "tweeted using his account", "said, adding …": how, not what
        return not any(c.dep_ == "dobj" for c in verb.children)
    if clause.i > verb.i:
        return True
    if not _an_aside(verb):
        return False
    if any(c.lower_ in ("so", "much") and c.dep_ in ("advmod", "dobj") for c in verb.children):
        return False  # "… — even Bolden stated as much": it says nothing of its own
    if how == "parataxis":
        return True
    edge = clause.right_edge
    following = edge.nbor() if edge.i + 1 < len(edge.doc) else None
    if _closing_aside(verb):
        return True  # "It's very beautiful I think."
    if following is None or following.text not in (",", "—", "–", "--", '"', "”", "’", "'"):
        return False
    trailing = [t for t in verb.subtree if t.i > verb.i]
    return all(t.head != verb or t.dep_ in _AFTER_AN_INVERTED_CUE for t in trailing)


def _an_aside(verb: Token) -> bool:
    """Whether a cue after its complement can be an attribution set aside from it: not a
    clause coordinated with what comes before ("… had called and they said"), not a cue with
    its own wh-object ("somewhere (we don't know where)")."""
    subject = subject_of(verb)
    if subject is None:
        return True
    start = min(subject.left_edge.i, verb.i)
    if start > 0 and verb.doc[start - 1].dep_ == "cc":
        return False
    return not any(t.i > verb.i and t.tag_ in ("WRB", "WP", "WDT") for t in verb.children)


_DASHES = frozenset({"—", "–", "--"})


def _inside_the_aside(tokens: list[Token], verb: Token) -> list[Token]:
    """An attribution closing a parenthesis or following a dash is about what the
    parenthesis or dash opened ("a comet called Wild 2 (pronounced "Vilt-two" — the discoverer
    was German, I believe)" → "the discoverer was German")."""
    # per open parenthesis (and the text outside any): where it begins, and its dashes
    levels: list[tuple[int, list[int]]] = [(0, [])]
    for position, token in enumerate(tokens):
        if token.i > verb.i:
            break
        if token.text == "(":
            levels.append((position + 1, []))
        elif token.text == ")" and len(levels) > 1:
            levels.pop()
        elif token.text in _DASHES:
            levels[-1][1].append(position)
    start, dashes = levels[-1]
    if len(dashes) % 2:  # a dash left open ("A — B, I believe"); paired ones enclose an aside
        start = dashes[-1] + 1
    return tokens[start:] if start < len(tokens) else tokens


def _a_noun_with_an_infinitive(clause: Token) -> bool:
    """ "I don't know the preparedness of the government to deal with this": a noun phrase
    the parser read as the subject of a to-infinitive, not a clause."""
    if clause.tag_ != "VB" or not any(
        c.dep_ == "aux" and c.lower_ == "to" for c in clause.children
    ):
        return False
    return any(c.dep_ == "nsubj" and c.pos_ in ("NOUN", "PROPN") for c in clause.children)


def _marked(clause: Token) -> bool:
    """Whether a complementiser ("that", "whether", "if") opens the clause."""
    return any(c.dep_ == "mark" for c in clause.children)


def _imperative(verb: Token, clause: Token) -> bool:
    """ "Remember that …", "Also see where …": a cue in the imperative, opening its sentence
    (after an adverb at most), before a clause with a complementiser or a wh-word."""
    if verb.tag_ != "VB" or verb.dep_ != "ROOT" or clause.i < verb.i:
        return False
    if any(t.pos_ != "ADV" for t in verb.sent if t.i < verb.i):
        return False
    return _marked(clause) or clause.left_edge.tag_ == "WRB"  # not "Say what you want"


def _as_clause(verb: Token) -> tuple[Token, str] | None:
    """ "As Heald told The Huffington Post, ozone has dropped": a cue in an "as" clause
    attributes the clause it hangs on."""
    if verb.dep_ != "advcl" or verb.head.pos_ not in ("VERB", "AUX"):
        return None
    if not any(c.dep_ == "mark" and c.lower_ == "as" for c in verb.children):
        return None
    addressing = verb.lemma_.lower() in lexicon.active().addressing
    if any(c.dep_ in ("dobj", "ccomp", "xcomp") and not addressing for c in verb.children):
        return None  # "as the minister said goodbye": a time, not an attribution
    return verb.head, "as"


def _misparsed_that_clause(verb: Token) -> tuple[Token, str] | None:
    """A "that"-clause the parser did not attach as the verb's complement ("observed that the
    starting date … coincided", read as an object; "told LA Weekly in a statement that …",
    hung on "statement"): the first complementiser "that" in the verb's subtree after it.
    The content then runs from it to the end of the verb's phrase."""
    nouns = lexicon.active().nouns
    after = verb.nbor() if verb.i + 1 < len(verb.doc) else None
    if after is not None and after.lower_ == "that" and after.dep_ == "dobj":
        # "The report states that few manufacturers use …": "that" read as the object
        following = after.nbor() if after.i + 1 < len(after.doc) else None
        clause_follows = any(t.i > after.i and t.tag_ in _FINITE for t in verb.subtree)
        if following is not None and not following.is_punct and following.dep_ != "cc":
            return (after, "that") if clause_follows else None
    for token in verb.subtree:
        if token.i > verb.i and token.lower_ == "that" and token.dep_ == "mark":
            governor = token.head.head  # "expressed optimism that …": the noun's claim
            if governor.dep_ == "dobj" and governor.lemma_.lower() in nouns:
                return None
            return None if _through_another_clause(token.head, verb) else (token, "that")
    return None


def _through_another_clause(clause: Token, verb: Token) -> bool:
    """Whether the path from a misread "that"-clause up to the cue verb passes a relative
    clause ("find that purpose that …", "tell Bharara, who would recognize that …") or a
    verb coordinated below the cue ("agree with me … but because they know that …"): the
    clause is that one's, not the cue's. A clause coordinated with the cue's own complement
    ("… and that …") is the cue's."""
    node, first = clause, True
    while node.i not in (verb.i, node.head.i):  # up to the cue (or the root)
        if node.dep_ == "relcl" or (node.dep_ == "conj" and not first):
            return True
        node, first = node.head, False
    return False


#: Tags of a finite verb: what makes the words after a misread "that" a clause.
_FINITE = frozenset({"VBD", "VBZ", "VBP", "MD"})


def _is_clause(tokens: list[Token]) -> bool:
    """Content is a clause: it has a verb and more than a bare wh-word ("I don't know why",
    "you know what?" claim nothing)."""
    words = [t for t in tokens if not t.is_punct]
    return len(words) >= 2 and any(t.pos_ in ("VERB", "AUX") for t in words)


def _closing_aside(verb: Token) -> bool:
    """A first-person cognition aside closing its sentence ("… I think.", "…, I believe)")."""
    subject = verb.nbor(-1) if verb.i > 0 else None
    rest = [t for t in verb.sent if t.i > verb.i]
    return (
        subject is not None
        and subject.lower_ in ("i", "we")
        and subject.dep_ == "nsubj"
        and lexicon.active().verb_class(verb.lemma_.lower()) == "cognition"
        and all(t.is_punct for t in rest)
    )


def _auxiliaries(verb: Token) -> list[Token]:
    return [child for child in verb.children if child.dep_ in ("auxpass", "aux")]
