"""Which claim sources in one document are the same source: a claim's source named by the
person inside it or the entity it is linked to, surnames, titles and descriptions joined to the
person they name, pronouns resolved to the nearest person of their own, acronyms to their
organisation, definite descriptions to the one before them (see :func:`document_keys`)."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from annotate.ledger.names import (
    first_name_gender,
    folded,
    name_rules,
    organisation_name,
    person_name,
)
from annotate.model import Claim, Document, EntitySpan, SpanStatus

PERSON_LABELS = frozenset({"PERSON"})
ORGANISATION_LABELS = frozenset({"ORG", "GPE", "FAC"})
GROUP_LABELS = frozenset({"NORP"})
KINDS = ("person", "organisation", "group", "anonymous")
_PRONOUNS = frozenset(["he", "she", "it", "they", "we", "i", "you", "him", "her", "them", "us"])
#: How many words before or after a name may describe the person ("… spokesman Zabihullah").
_DESCRIPTION_WORDS = 5


@dataclass(slots=True)
class Mention:
    """One claim's source, as the ledger reads it."""

    claim: Claim
    document: Document
    name: str
    kind: str


def mentions(
    document: Document, claims: Iterable[Claim], spans: Iterable[EntitySpan]
) -> list[Mention]:
    """The sources of a document's claims, rejected claims too (the ledger counts them).

    A source is named by the person inside it when there is one ("Afghan Ambassador to the
    United States Hamdullah Mohib", "Jeff Rathke, the State Department spokesperson,"), else
    by the entity it is linked to, else by its own words."""
    live = [span for span in spans if span.status != SpanStatus.REJECTED]
    by_id = {span.id: span for span in live}
    ordered = sorted(live, key=lambda s: s.start)
    text = document.text
    found = []
    for claim in claims:
        if claim.source is None:
            continue
        where = claim.source_resolved or claim.source
        name, kind = _named(text, where.start, where.end, ordered, by_id, claim.source_entity)
        if folded(name) in _PRONOUNS:
            kind = "anonymous"  # a pronoun nobody resolved
        found.append(Mention(claim, document, name, kind))
    return found


#: Where a name that heads its phrase may end: the source's end, punctuation, or a word that
#: begins what follows a head ("Jeff Merkley of Oregon", "Ann Lee, who …", "Lee (D-Ore.)").
_HEAD_ENDS = re.compile(
    r"\s*(?:$|[,()\[\];:.\"'\u2013\u2014\u201d]|--?\s|\b(?:of|who|at|from|in|on|for|whose)\b)",
    re.IGNORECASE,
)
_POSSESSOR = re.compile(r"^['’]")
#: Ends the phrase whose head names the source: an apposition, parenthesis or dash after it.
_PHRASE_END = re.compile(r"\s*(?:[,(;\u2013\u2014]|\s--?\s)")
_COORDINATION = re.compile(r"\s(?:and|&)\s", re.IGNORECASE)


def _named(
    text: str,
    start: int,
    end: int,
    ordered: list[EntitySpan],
    by_id: dict[int, EntitySpan],
    linked: int | None,
) -> tuple[str, str]:
    """A source's name and kind. The entity that heads the source names it: a person first
    ("Rubio spokesman Alex Conant" is Alex Conant), an entity before a noun
    ("Sanders supporters", "the Trump campaign"), a possessor ("Carter's press secretary")
    or after a word like "by" ("a panel led by …") does not. Names joined by "and" are a
    group of their own; a source holding names none of which heads it is a description:
    a collective (``organisation_heads``: "the Trump campaign") or people it does not name
    ("a Democratic aide", "U.S. officials": anonymous)."""
    inside = [e for e in ordered if start <= e.start and e.end <= end]
    if not inside:
        entity = by_id.get(linked) if linked is not None else None
        if entity is None:
            return text[start:end], "anonymous"
        if entity.label in PERSON_LABELS:
            return text[entity.start : entity.end], "person"
        return text[start:end], _kind_of(entity)
    cut = _PHRASE_END.search(text, start, end)
    phrase_end = cut.start() if cut is not None and cut.start() > start else end
    phrase = text[start:phrase_end].strip()
    joined = [
        m
        for m in _COORDINATION.finditer(text, start, phrase_end)
        if not any(e.start <= m.start() < e.end for e in inside)
    ]
    if joined and any(e.label in PERSON_LABELS for e in inside if e.start < phrase_end):
        return phrase, "group"  # "Toomey and Sen. Kelly Ayotte": neither alone
    rules = name_rules()
    first = folded(phrase).split()[:1]
    if first and first[0] in rules.quantifiers:
        return phrase, "anonymous"  # "some Democrats": not the party, nor the same elsewhere
    heading = [e for e in inside if _heads(text, start, end, e, rules.not_head_after)]
    person = next((e for e in heading if e.label in PERSON_LABELS), None)
    if person is not None:
        return text[person.start : person.end], "person"
    entity = by_id.get(linked) if linked is not None else None
    if entity is None or entity not in heading:
        entity = heading[0] if heading else None
    if entity is not None:
        return text[start:end], _kind_of(entity)
    words = folded(phrase).split()
    return phrase, "organisation" if words and words[-1] in rules.organisation_heads else (
        "anonymous"
    )


def _heads(
    text: str, start: int, end: int, entity: EntitySpan, after_words: frozenset[str]
) -> bool:
    """Whether ``entity`` is the head of the source ``text[start:end]`` holding it."""
    after = text[entity.end : end]
    if _POSSESSOR.match(after) or not _HEAD_ENDS.match(after):
        return False
    return not any(word in after_words for word in folded(text[start : entity.start]).split())


def _kind_of(entity: EntitySpan) -> str:
    if entity.label in PERSON_LABELS:
        return "person"
    if entity.label in ORGANISATION_LABELS:
        return "organisation"
    if entity.label in GROUP_LABELS:
        return "group"
    return "anonymous"


def _described_people(text: str, people: Iterable[str]) -> dict[str, set[str]]:
    """For each full name, the descriptions the text gives it: the words just before it
    ("Taliban spokesman Zabihullah Mujahid") and an apposition after it ("Zabihullah Mujahid,
    the Taliban spokesman,"), folded, each with every shorter ending ("spokesman")."""
    described: dict[str, set[str]] = defaultdict(set)
    for name in people:
        for match in re.finditer(re.escape(name), text):
            before = folded(text[max(0, match.start() - 80) : match.start()]).split()
            after = text[match.end() : match.end() + 80]
            phrases = [before[-_DESCRIPTION_WORDS:]]
            apposition = re.match(r"\s*,\s*([^,.;:]+),", after)
            if apposition:
                phrases.append(folded(apposition.group(1)).split()[:_DESCRIPTION_WORDS])
            for words in phrases:
                for start in range(len(words)):
                    described[" ".join(words[start:])].add(name)
    return described


#: Pronouns for one person, and for several.
_PERSON_PRONOUNS = {"he": "m", "him": "m", "she": "f", "her": "f"}
_HONORIFIC_GENDER = {"mr": "m", "ms": "f", "mrs": "f", "miss": "f"}
_ACRONYM = re.compile(r"\s*\(([A-Z][A-Z.&]{1,9})\)\s*$")
_PLURAL_PRONOUNS = frozenset(["they", "them"])
_ONE = re.compile(r"^(?:one|another|a|an)\s+", re.IGNORECASE)


def _paragraph_reach(text: str, offset: int) -> int:
    """How far back from ``offset`` the previous paragraph starts: a pronoun's antecedent is
    looked for in its own paragraph and the one before."""
    start = text.rfind("\n\n", 0, offset)
    if start >= 0:
        start = text.rfind("\n\n", 0, start)
    return offset - (start + 2 if start >= 0 else 0)


def _plural(words: list[str]) -> bool:
    """A description whose head noun reads as a plural ("researchers", "officials")."""
    return bool(words) and words[-1].endswith("s") and not words[-1].endswith("ss")


def document_keys(found: list[Mention], persons: Sequence[tuple[int, int]] = ()) -> list[str]:
    """Each mention's key, read in document order:

    - a person's name, or a surname alone, takes the person's full name in the document,
      also where the model labelled it otherwise or not at all ("Kristen Wilkins … Wilkins
      said"), when one full name of a source has that surname, else when one full name of a
      person the text names (``persons``) has it;
    - a description takes the one person the document introduced with it;
    - "he" / "she" no one resolved go on with the speaker of the claim before them when no
      one else was named since; else they take the first person named in their sentence,
      then in the one before, then the nearest — a person the text names (``persons``: the
      offsets of its PERSON entities) outside quotation marks and not as a possessor, or a
      one-person description ("one poster") — never one whose title or first name is the
      other pronoun's ("Ms", "Ann"); "they" the plural description named last ("researchers
      … they"), "it" the organisation named last;
    - "the poster" takes the "one poster" before it;
    - anything else anonymous is keyed by its document."""
    people = {m.name.strip(): person_name(m.name) for m in found if m.kind == "person"}
    full = {written: name for written, name in people.items() if len(name.split()) > 1}
    by_surname: dict[str, set[str]] = defaultdict(set)
    for name in full.values():
        by_surname[name.split()[-1]].add(name)
    known = set(people.values())
    described = _described_people(found[0].document.text, full) if full and found else {}
    keys: dict[int, str] = {}
    text = found[0].document.text if found else ""
    # people the text names who are no source: "Carter" is the Jimmy Carter the story named,
    # not the one Carter who speaks elsewhere in the corpus (a source's full name comes first)
    in_text: dict[str, set[str]] = defaultdict(set)
    for start, end in persons:
        whole = person_name(text[start:end]).split()
        if len(whole) > 1:
            in_text[whole[-1]].add(" ".join(whole))

    def owners_of(surname: str) -> set[str]:
        return by_surname.get(surname) or in_text.get(surname, set())

    def named(start: int, end: int) -> tuple[str, str]:
        name = person_name(text[start:end])
        owners = owners_of(name) if " " not in name else set()
        return ("person", next(iter(owners)) if len(owners) == 1 else name)

    # sources that are persons or one-person descriptions, by where they are, and the
    # persons the text names where they could be a pronoun's antecedent: not inside a
    # quotation (the speaker is outside it)
    singles: list[tuple[int, tuple[str, str]]] = []
    quoted = _quotations(text)
    named_in_text: list[tuple[int, tuple[str, str]]] = []
    # a pronoun inside a quotation may stand for someone the same quotation names
    named_in_quote: dict[int, list[tuple[int, tuple[str, str]]]] = defaultdict(list)
    # a possessor ("Cruz's charges") may be what a pronoun stands for, but it does not
    # interrupt a speaker who goes on
    interrupting: list[tuple[int, tuple[str, str]]] = []
    for start, end in persons:
        person = (end, named(start, end))
        region = _region(quoted, start)
        if region is not None:
            named_in_quote[region].append(person)
            continue
        named_in_text.append(person)
        if not _POSSESSOR.match(text[end : end + 1]):
            interrupting.append(person)
    gender: dict[tuple[str, str], str] = {}

    def called(candidate: tuple[str, str]) -> str | None:
        """How a candidate is called: by a pronoun or title before, else by first name."""
        known = gender.get(candidate)
        if known is None and candidate[0] == "person":
            known = first_name_gender(candidate[1])
        return known

    last_many: str | None = None
    last_organisation: str | None = None
    heads: dict[str, str] = {}
    acronyms: dict[str, str] = {}
    for index in sorted(range(len(found)), key=lambda i: _position(found[i])):
        mention = found[index]
        kind = mention.kind
        raw = " ".join(mention.name.split())
        lowered = raw.casefold()
        acronym = _ACRONYM.search(raw)
        if kind == "person":
            name = person_name(mention.name)
        elif kind == "organisation":
            name = organisation_name(_ACRONYM.sub("", raw))
            if acronym:  # "the World Health Organisation (WHO)": WHO is its name too
                acronyms[folded(acronym.group(1))] = name
        else:
            name = folded(mention.name)
        if name in acronyms:
            kind, name = "organisation", acronyms[name]
        words = name.split()
        if kind != "group" and lowered not in _PRONOUNS:
            owners = owners_of(words[0]) if len(words) == 1 else set()
            if len(owners) == 1:  # a surname, whatever its label
                kind, name = "person", next(iter(owners))
            elif kind != "person" and name in known:
                kind = "person"  # the person's name, the model's label aside
        if kind == "anonymous":
            who = described.get(name, set())
            if len(who) == 1:  # "the spokesman": the one person introduced as one
                kind, name = "person", full[next(iter(who))]
            elif lowered in _PERSON_PRONOUNS:
                wanted = _PERSON_PRONOUNS[lowered]
                here = _position(mention)
                near = here - _paragraph_reach(text, here)
                quote = _region(quoted, here)
                candidates = [*singles, *named_in_text]
                if quote is not None:
                    candidates += named_in_quote.get(quote, [])
                before = sorted((at, c) for at, c in candidates if near <= at <= here)
                # the speaker of the claim before, when no one else was named since ("…,"
                # Trump said. "…," he added); else the first named in the pronoun's own
                # sentence (its subject, as a rule), then in the sentence before, then the
                # nearest; never one known to be called by the other pronoun ("Ms Ostrom",
                # "Ann Lee" are never "he"). Being called so before gives no precedence: in a
                # story of two men, the first "he" does not take them all
                chosen = None
                if quote is None:  # a "he" inside a quotation is not its speaker
                    chosen = _continuing_speaker(singles, interrupting, near, here)
                if chosen is not None and called(chosen) not in (None, wanted):
                    chosen = None
                if chosen is None:
                    nearest = _by_salience(text, here, before)
                    chosen = next((c for c in nearest if called(c) in (None, wanted)), None)
                if chosen is not None:
                    kind, name = chosen
            elif lowered == "it" and last_organisation is not None:
                kind, name = "organisation", last_organisation
            elif lowered in _PLURAL_PRONOUNS and last_many is not None:
                name = last_many
            elif lowered.startswith("the ") and words and words[-1] in heads:
                name = heads[words[-1]]  # "the poster" after "one poster"
            elif words and lowered not in _PRONOUNS:
                heads.setdefault(words[-1], name)
        if kind == "person":
            singles.append((_position(mention), (kind, name)))
            title = folded(raw).split()[:1]
            if title and title[0] in _HONORIFIC_GENDER:
                gender.setdefault((kind, name), _HONORIFIC_GENDER[title[0]])
        elif kind == "organisation":
            last_organisation = name
        elif kind == "anonymous" and lowered not in _PRONOUNS:
            if _plural(words):
                last_many = name
            elif _ONE.match(raw):
                singles.append((_position(mention), (kind, name)))
        keys[index] = (
            f"anonymous:{mention.document.id}:{name}" if kind == "anonymous" else (f"{kind}:{name}")
        )
        mention.kind = kind
    return [keys[index] for index in range(len(found))]


_SENTENCE_END = re.compile(r"[.!?][\"'”’)]*\s+|\n")
_QUOTE_MARK = re.compile(r"[\"“”]|''|``")


def _quotations(text: str) -> list[tuple[int, int]]:
    """Where the text quotes someone: from an opening quotation mark to its closing one
    within the paragraph (curly marks pair by direction, straight ones by turns)."""
    found: list[tuple[int, int]] = []
    for paragraph in re.finditer(r"[^\n]+", text):
        opened: int | None = None
        for mark in _QUOTE_MARK.finditer(paragraph.group()):
            at, sign = paragraph.start() + mark.start(), mark.group()
            if opened is None and sign != "”":
                opened = at
            elif opened is not None and sign != "“":
                found.append((opened, at))
                opened = None
    return found


def _region(regions: list[tuple[int, int]], offset: int) -> int | None:
    """Which of ``regions`` (in order, none overlapping) ``offset`` is inside, if any."""
    index = bisect_right(regions, offset, key=lambda region: region[0]) - 1
    inside = index >= 0 and regions[index][0] < offset < regions[index][1]
    return index if inside else None


def _continuing_speaker(
    singles: list[tuple[int, tuple[str, str]]],
    named: list[tuple[int, tuple[str, str]]],
    near: int,
    here: int,
) -> tuple[str, str] | None:
    """The source of the last claim before ``here`` (within reach), when no other person is
    named between it and ``here``: a pronoun then goes on with the same speaker."""
    last = next(((at, c) for at, c in reversed(singles) if near <= at < here), None)
    if last is None:
        return None
    at, speaker = last
    if any(at < named_at <= here and other != speaker for named_at, other in named):
        return None
    return speaker


def _by_salience(
    text: str, here: int, before: list[tuple[int, tuple[str, str]]]
) -> list[tuple[str, str]]:
    """Candidates for a pronoun at ``here``: those of its own sentence first to last, then
    those of the sentence before first to last, then the rest nearest first."""
    starts = [0, *(m.end() for m in _SENTENCE_END.finditer(text, 0, here))]
    own = starts[-1]
    previous = starts[-2] if len(starts) > 1 else own
    in_own = [c for at, c in before if at >= own]
    in_previous = [c for at, c in before if previous <= at < own]
    rest = [c for at, c in reversed(before) if at < previous]
    return [*in_own, *in_previous, *rest]


def _position(mention: Mention) -> int:
    source = mention.claim.source
    return source.start if source is not None else mention.claim.content.start
