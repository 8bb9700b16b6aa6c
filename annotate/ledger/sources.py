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
from collections.abc import Iterable, Sequence
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
    #: Names an analyst gave it (a rename; see :mod:`annotate.ledger.corrections`).
    given: Counter[str] = field(default_factory=Counter)

    @property
    def id(self) -> str:
        return hashlib.sha1(self.key.encode()).hexdigest()[:10]

    @property
    def name(self) -> str:
        """The longest of the names it is written with most often; for a person, of the
        names that are the person's name ("Donald Trump" over "the President")."""
        if self.given:
            return self.given.most_common(1)[0][0]
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
    """The sources of a document's claims, rejected claims too (the ledger counts them).

    A source is named by the person inside it when there is one ("Afghan Ambassador to the
    United States Hamdullah Mohib", "Jeff Rathke, the State Department spokesperson,"), else
    by the entity it is linked to, else by its own words."""
    live = [span for span in spans if span.status != SpanStatus.REJECTED]
    by_id = {span.id: span for span in live}
    people = sorted((s for s in live if s.label in PERSON_LABELS), key=lambda s: s.start)
    text = document.text
    found = []
    for claim in claims:
        if claim.source is None:
            continue
        where = claim.source_resolved or claim.source
        inside = next((p for p in people if where.start <= p.start and p.end <= where.end), None)
        entity = inside or (
            by_id.get(claim.source_entity) if claim.source_entity is not None else None
        )
        name = text[where.start : where.end]
        kind = "anonymous"
        if entity is not None:
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
      said"), when one full name has that surname;
    - a description takes the one person the document introduced with it;
    - "he" / "she" no one resolved take the nearest person before them — a person the text
      names (``persons``: the offsets of its PERSON entities) or a one-person description
      ("one poster") — that was not called by the other pronoun; "they" the plural
      description named last ("researchers … they"), "it" the organisation named last;
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

    def named(start: int, end: int) -> tuple[str, str]:
        name = person_name(text[start:end])
        owners = by_surname.get(name, set()) if " " not in name else set()
        return ("person", next(iter(owners)) if len(owners) == 1 else name)

    # sources that are persons or one-person descriptions, by where they are: he / she take
    # the nearest; a person the text names only when no such source comes before
    singles: list[tuple[int, tuple[str, str]]] = []
    named_in_text = [(end, named(start, end)) for start, end in persons]
    gender: dict[tuple[str, str], str] = {}
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
            owners = by_surname.get(words[0], set()) if len(words) == 1 else set()
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
                before = sorted((at, c) for at, c in singles if near <= at <= here) or sorted(
                    (at, c) for at, c in named_in_text if near <= at <= here
                )
                # the nearest known to be called so ("Ms Ostrom", or by this pronoun before),
                # else the nearest not called by the other pronoun
                nearest = [c for _, c in reversed(before)]
                chosen = next((c for c in nearest if gender.get(c) == wanted), None) or next(
                    (c for c in nearest if c not in gender), None
                )
                if chosen is not None:
                    kind, name = chosen
                    gender[chosen] = wanted
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
        if len(owners) == 1 and not entries[key].given:
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
        persons = [
            (span.start, span.end)
            for span in spans
            if span.label in PERSON_LABELS and span.status != SpanStatus.REJECTED
        ]
        for mention, automatic in zip(found, document_keys(found, persons), strict=True):
            claim = mention.claim
            key = claim.source_entry or automatic  # an analyst's correction wins
            if claim.source_entry:
                kind = key.split(":", 1)[0]
                mention.kind = kind if kind in KINDS else mention.kind
            entry = entries.get(key)
            if entry is None:
                entry = entries[key] = Entry(key, mention.kind)
            if claim.source_name:
                entry.given[claim.source_name] += 1
            entry.names[mention.name.strip()] += 1
            entry.mentions.append(mention)
            entry.documents.add(document.id)
            if document.meta.agency:
                entry.outlets.add(document.meta.agency)
            if document.meta.date:
                entry.dates.append(document.meta.date)
    _join_lone_surnames(entries)
    return sorted(entries.values(), key=lambda e: (-len(e.claims), e.name.casefold()))
