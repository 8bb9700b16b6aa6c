"""One entry per source across the corpus: who said what, in how many documents, when.

A claim's source is named by what it stands for: its resolved antecedent for a pronoun ("he" →
the previous named source), the entity it is linked to, else its own words. Names are folded
(case, diacritics, a leading "the", a closing possessive, punctuation) and matched with the
word lists of ``names.json``:

- inside a document, a surname alone joins the full name it follows ("Zabihullah Mujahid …
  Mujahid said"), and a description joins the one person the document introduced with it
  ("Taliban spokesman Zabihullah Mujahid …" or "Zabihullah Mujahid, the Taliban spokesman, …"
  then "the spokesman said");
- a person's titles are not part of the name ("President Barack Obama" is "barack obama");
- an organisation is also written without a national prefix or under an alias ("the U.S.
  State Department", "the State Department" and "the Department of State" are one);
- across documents, the same folded name is one entry, and a surname alone joins the one full
  name in the corpus with that surname (two do: it stays apart).

Anonymous sources ("officials", "a senior official", "sources", an unresolved pronoun) are
counted per document and never merged across documents: two articles' "officials" are not
the same people.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

from annotate.model import Claim, Document, EntitySpan, SpanStatus

PERSON_LABELS = frozenset({"PERSON"})
ORGANISATION_LABELS = frozenset({"ORG", "GPE", "FAC"})
GROUP_LABELS = frozenset({"NORP"})
KINDS = ("person", "organisation", "group", "anonymous")
_PRONOUNS = frozenset(["he", "she", "it", "they", "we", "i", "you", "him", "her", "them", "us"])
_LEADING = re.compile(r"^(?:the|a|an)\s+", re.IGNORECASE)
_POSSESSIVE = re.compile(r"(?:['’]s|['’])$")
_NOT_WORD = re.compile(r"[^\w\s]")
#: How many words before or after a name may describe the person ("… spokesman Zabihullah").
_DESCRIPTION_WORDS = 5


@dataclass(frozen=True, slots=True)
class NameRules:
    """The word lists of ``names.json``."""

    titles: frozenset[str]
    organisation_prefixes: tuple[tuple[str, ...], ...]
    aliases: dict[str, str]


@cache
def name_rules() -> NameRules:
    data = json.loads(resources.files("annotate.ledger").joinpath("names.json").read_text())
    prefixes = sorted((tuple(p.split()) for p in data["organisation_prefixes"]), key=len)
    return NameRules(
        frozenset(data["titles"]),
        tuple(reversed(prefixes)),  # the longest first: "united states" before "us"
        dict(data["aliases"]),
    )


def folded(name: str) -> str:
    """``name`` as entries are matched: case and diacritics folded, a leading article and a
    closing possessive left out, punctuation gone, spaces collapsed."""
    text = unicodedata.normalize("NFKD", name)
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold().strip()
    text = _POSSESSIVE.sub("", _LEADING.sub("", text))
    return " ".join(_NOT_WORD.sub(" ", text).split())


def person_name(name: str) -> str:
    """A person's folded name without the titles before it ("president barack obama" →
    "barack obama"); the name itself when it is all titles."""
    words = folded(name).split()
    titles = name_rules().titles
    start = 0
    while start < len(words) - 1 and words[start] in titles:
        start += 1
    return " ".join(words[start:])


def organisation_name(name: str) -> str:
    """An organisation's folded name as entries match it: an alias resolved, a national
    prefix dropped when two or more words are left ("u s state department" → the name of
    "department of state")."""
    rules = name_rules()
    words = folded(name).split()
    for prefix in rules.organisation_prefixes:
        if tuple(words[: len(prefix)]) == prefix and len(words) - len(prefix) >= 2:
            words = words[len(prefix) :]
            break
    joined = " ".join(words)
    return rules.aliases.get(joined, joined)


@dataclass(slots=True)
class Mention:
    """One claim's source, as the ledger reads it."""

    claim: Claim
    document: Document
    name: str
    kind: str


@dataclass(slots=True)
class Entry:
    """A source across the corpus."""

    key: str
    kind: str
    names: Counter[str] = field(default_factory=Counter)
    mentions: list[Mention] = field(default_factory=list)
    documents: set[str] = field(default_factory=set)
    outlets: set[str] = field(default_factory=set)
    dates: list[str] = field(default_factory=list)

    @property
    def id(self) -> str:
        return hashlib.sha1(self.key.encode()).hexdigest()[:10]

    @property
    def name(self) -> str:
        """The longest of the names it is written with most often; for a person, of the
        names that are the person's name ("Donald Trump" over "the President")."""
        names = list(self.names.items())
        if self.kind == "person":
            own = self.key.removeprefix("person:")
            named = [item for item in names if person_name(item[0]) == own]
            names = named or names
        return max(names, key=lambda item: (item[1], len(item[0]), item[0]))[0]

    @property
    def claims(self) -> list[Claim]:
        """Its claims that are not rejected."""
        return [m.claim for m in self.mentions if m.claim.status != SpanStatus.REJECTED]

    def states(self) -> Counter[str]:
        """How many of its claims are accepted (or edited), suggested and rejected."""
        counts: Counter[str] = Counter()
        for mention in self.mentions:
            status = mention.claim.status.value
            counts["accepted" if status == "edited" else status] += 1
        return counts

    def to_dict(self) -> dict[str, object]:
        states = self.states()
        return {
            "id": self.id,
            "name": self.name,
            "kind": self.kind,
            "claims": len(self.claims),
            "accepted": states.get("accepted", 0),
            "suggested": states.get("suggested", 0),
            "rejected": states.get("rejected", 0),
            "documents": len(self.documents),
            "outlets": sorted(self.outlets),
            "first": min(self.dates) if self.dates else None,
            "last": max(self.dates) if self.dates else None,
            "names": sorted(self.names),
        }


def mentions(
    document: Document, claims: Iterable[Claim], spans: Iterable[EntitySpan]
) -> list[Mention]:
    """The sources of a document's claims, rejected claims too (the ledger counts them)."""
    by_id = {span.id: span for span in spans}
    text = document.text
    found = []
    for claim in claims:
        if claim.source is None:
            continue
        where = claim.source_resolved or claim.source
        entity = by_id.get(claim.source_entity) if claim.source_entity is not None else None
        name = text[where.start : where.end]
        kind = "anonymous"
        if entity is not None and entity.status != SpanStatus.REJECTED:
            if entity.label in PERSON_LABELS:
                kind, name = "person", text[entity.start : entity.end]
            elif entity.label in ORGANISATION_LABELS:
                kind = "organisation"
            elif entity.label in GROUP_LABELS:
                kind = "group"
        if folded(name) in _PRONOUNS:
            kind = "anonymous"  # a pronoun nobody resolved
        found.append(Mention(claim, document, name, kind))
    return found


def _described_people(text: str, people: Iterable[str]) -> dict[str, set[str]]:
    """For each full name, the descriptions the text gives it: the words just before it
    ("Taliban spokesman Zabihullah Mujahid") and an apposition after it ("Zabihullah Mujahid,
    the Taliban spokesman,"), folded, each with every shorter ending ("spokesman")."""
    described: dict[str, set[str]] = defaultdict(set)
    folded_text = text
    for name in people:
        for match in re.finditer(re.escape(name), folded_text):
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


def _document_keys(found: list[Mention]) -> list[str]:
    """Each mention's key: a person's surname alone takes the full name it follows in the
    document, a description the one person the document describes so; anonymous sources are
    keyed by their document."""
    full_names: dict[str, str] = {}
    people = {m.name.strip(): person_name(m.name) for m in found if m.kind == "person"}
    people = {written: name for written, name in people.items() if len(name.split()) > 1}
    described = _described_people(found[0].document.text, people) if people and found else {}
    keys: dict[int, str] = {}
    for index in sorted(range(len(found)), key=lambda i: _position(found[i])):
        mention = found[index]
        kind = mention.kind
        if kind == "person":
            name = person_name(mention.name)
            words = name.split()
            if len(words) > 1:
                full_names.setdefault(words[-1], name)
            elif words and words[0] in full_names:
                name = full_names[words[0]]
        elif kind == "organisation":
            name = organisation_name(mention.name)
        else:
            name = folded(mention.name)
        if kind == "anonymous":
            who = described.get(name, set())
            if len(who) == 1:  # "the spokesman": the one person introduced as one
                kind, name = "person", people[next(iter(who))]
        keys[index] = (
            f"anonymous:{mention.document.id}:{name}" if kind == "anonymous" else (f"{kind}:{name}")
        )
        mention.kind = kind
    return [keys[index] for index in range(len(found))]


def _position(mention: Mention) -> int:
    source = mention.claim.source
    return source.start if source is not None else mention.claim.content.start


def _join_lone_surnames(entries: dict[str, Entry]) -> None:
    """A person entry named by a surname alone joins the one full name in the corpus with
    that surname ("Obama" in a story that never says "Barack")."""
    surnames: dict[str, list[str]] = defaultdict(list)
    for key, entry in entries.items():
        if entry.kind == "person":
            words = key.removeprefix("person:").split()
            if len(words) > 1:
                surnames[words[-1]].append(key)
    for key in [k for k, e in entries.items() if e.kind == "person"]:
        words = key.removeprefix("person:").split()
        owners = surnames.get(words[0], []) if len(words) == 1 else []
        if len(owners) == 1:
            lone, full = entries.pop(key), entries[owners[0]]
            full.names.update(lone.names)
            full.mentions += lone.mentions
            full.documents |= lone.documents
            full.outlets |= lone.outlets
            full.dates += lone.dates


def ledger(documents: Iterable[tuple[Document, list[Claim], list[EntitySpan]]]) -> list[Entry]:
    """The entries of every source in ``documents`` (a document with its claims and entity
    spans), the most claims first."""
    entries: dict[str, Entry] = {}
    for document, claims, spans in documents:
        found = mentions(document, claims, spans)
        for mention, key in zip(found, _document_keys(found), strict=True):
            entry = entries.get(key)
            if entry is None:
                entry = entries[key] = Entry(key, mention.kind)
            entry.names[mention.name.strip()] += 1
            entry.mentions.append(mention)
            entry.documents.add(document.id)
            if document.meta.agency:
                entry.outlets.add(document.meta.agency)
            if document.meta.date:
                entry.dates.append(document.meta.date)
    _join_lone_surnames(entries)
    return sorted(entries.values(), key=lambda e: (-len(e.claims), e.name.casefold()))
