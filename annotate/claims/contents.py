"""What a claim's content is made of: the offsets a set of tokens makes (discontinuous where
an attribution interrupts it), and where a content ends — before a comment, a purpose or a
phrase holding an attribution of its own."""

from __future__ import annotations

from spacy.tokens import Doc, Token

from annotate.claims import lexicon
from annotate.claims.parse import _WORD, _text, is_reporting_verb, trimmed
from annotate.model import Offsets


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
        piece = trimmed(doc, run[0].idx, run[-1].idx + len(run[-1].text))
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


def to_the_sentence_end(tokens: list[Token]) -> list[Token]:
    """A that-clause the parser broke off mid-phrase ("no doubt that … there will be more
    and more cases documented", "documented" hung on the main verb) runs on to the end of
    its sentence: the word after it is neither punctuation nor a conjunction."""
    last = tokens[-1]
    sentence = last.sent
    if last.i + 1 >= sentence.end:
        return tokens
    following = last.nbor()
    if following.is_punct or following.dep_ == "cc" or following.is_space:
        return tokens
    rest = [t for t in sentence if t.i > last.i and not t.is_space]
    return [*tokens, *rest]
