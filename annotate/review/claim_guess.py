"""Guesses for a claim an analyst builds by hand in the reader: its source and its cue.

The reader has no parse (it never loads spaCy), so the guesses read the sentence's words: a
cue is any form of a cue verb in the claim lexicon outside the content, the one nearest the
content; the source is the name (an entity of a named label) that is that verb's subject —
the run of names just before it, joined by commas and "and" ("The United States, Britain and
Australia warned …") — or, when no name comes before it, the name just after it ("…, said
Ann Lee"); when the verb's subject is no name ("officials said") there is no guess. Without a
cue in the sentence the source is the nearest name outside the content.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from annotate.model import Offsets
from annotate.tokenizing.tokens import sentence_at

_WORD = re.compile(r"\w+(?:['’]\w+)?")
#: What may stand between two names of one subject: "A, B and C", "A and B", "A & B".
_JOINER = re.compile(r"\s*(?:,\s*(?:and\s+)?|\s+and\s+|\s*&\s*)", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Guess:
    source: Offsets | None
    cue: Offsets | None


def claim_sentence(text: str, content: Offsets) -> Offsets:
    """The sentence(s) the content lies in."""
    first = sentence_at(text, content.start)
    last = sentence_at(text, max(content.start, content.end - 1))
    return Offsets(min(first.start, content.start), max(last.end, content.end))


def cue_near(text: str, content: Offsets, cue_forms: frozenset[str]) -> Offsets | None:
    """The cue verb of the content's sentence nearest to the content, outside it."""
    sentence = claim_sentence(text, content)
    cues = [
        Offsets(word.start(), word.end())
        for word in _WORD.finditer(text, sentence.start, sentence.end)
        if word.group().lower() in cue_forms
        and (word.end() <= content.start or word.start() >= content.end)
    ]

    return min(cues, key=lambda cue: (_gap(content, cue), cue.start), default=None)


def guess_source(
    text: str, content: Offsets, names: Sequence[Offsets], cue_forms: frozenset[str]
) -> Guess:
    """The claim's likely source among ``names`` (entity spans of named labels) and the cue
    it was found by (see the module's docstring)."""
    sentence = claim_sentence(text, content)
    outside = sorted(
        (
            name
            for name in names
            if sentence.start <= name.start
            and name.end <= sentence.end
            and (name.end <= content.start or name.start >= content.end)
        ),
        key=lambda name: (name.start, name.end),
    )
    cue = cue_near(text, content, cue_forms)
    if cue is None:
        return Guess(_nearest(outside, content), None)
    before = [name for name in outside if name.end <= cue.start]
    if before and _adverbs_only(text, before[-1].end, cue.start):
        return Guess(_with_coordinated(text, before), cue)
    after = [name for name in outside if name.start >= cue.end]
    if after and not text[cue.end : after[0].start].strip():
        return Guess(after[0], cue)
    return Guess(None, cue)  # the cue's subject is no name ("officials said"): not guessed


def _adverbs_only(text: str, start: int, end: int) -> bool:
    """Whether only a few words stand between the subject and its verb ("… also warned",
    "… on Tuesday said"), or an apposition set off by commas ("…, a spokeswoman, said")."""
    between = text[start:end].strip()
    if any(mark in between for mark in '.;:"“”'):
        return False
    if "," in between and not (between.startswith(",") and between.endswith(",")):
        return False
    return len(_WORD.findall(between)) <= 3


def _with_coordinated(text: str, before: list[Offsets]) -> Offsets:
    """The last name before the cue with the names joined to it by commas and "and"."""
    first = before[-1]
    for name in reversed(before[:-1]):
        if _JOINER.fullmatch(text[name.end : first.start]):
            first = name
        else:
            break
    return Offsets(first.start, before[-1].end)


def _nearest(names: list[Offsets], content: Offsets) -> Offsets | None:
    return min(names, key=lambda name: (_gap(content, name), name.start), default=None)


def _gap(content: Offsets, other: Offsets) -> int:
    """Characters between ``other`` (outside the content) and the content."""
    return content.start - other.end if other.end <= content.start else other.start - content.end


def cue_after(
    text: str, source: Offsets, content: Offsets, cue_forms: frozenset[str]
) -> Offsets | None:
    """Where ``v`` should find the cue once the source is set: the first cue verb after the
    source in the claim's sentence, outside the content; else the first word after it
    (never a comma or a quote mark)."""
    sentence = claim_sentence(text, content)
    end = max(sentence.end, source.end)
    first: Offsets | None = None
    for word in _WORD.finditer(text, source.end, end):
        if content.start <= word.start() < content.end:
            continue
        found = Offsets(word.start(), word.end())
        if word.group().lower() in cue_forms:
            return found
        first = first or found
    return first
