"""One entry per source across the corpus: who said what, in how many documents, when.

A claim's source is named by what it stands for: its resolved antecedent for a pronoun ("he" →
the previous named source), the entity it is linked to, else its own words. Names are folded
(case, diacritics, a leading "the", a closing possessive, punctuation) and, inside a document,
a surname alone joins the full name it follows ("Zabihullah Mujahid … Mujahid said"); across
documents entries with the same folded name are one. Anonymous sources ("officials", "a senior
official", "sources", an unresolved pronoun) are counted per document and never merged across
documents: two articles' "officials" are not the same people.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from annotate.model import Claim, Document, EntitySpan, SpanStatus

PERSON_LABELS = frozenset({"PERSON"})
ORGANISATION_LABELS = frozenset({"ORG", "GPE", "FAC"})
GROUP_LABELS = frozenset({"NORP"})
KINDS = ("person", "organisation", "group", "anonymous")
_PRONOUNS = frozenset(["he", "she", "it", "they", "we", "i", "you", "him", "her", "them", "us"])
_LEADING = re.compile(r"^(?:the|a|an)\s+", re.IGNORECASE)
_POSSESSIVE = re.compile(r"(?:['’]s|['’])$")
_NOT_WORD = re.compile(r"[^\w\s]")


def folded(name: str) -> str:
    """``name`` as entries are matched: case and diacritics folded, a leading article and a
    closing possessive left out, punctuation gone, spaces collapsed."""
    text = unicodedata.normalize("NFKD", name)
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold().strip()
    text = _POSSESSIVE.sub("", _LEADING.sub("", text))
    return " ".join(_NOT_WORD.sub(" ", text).split())


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
    claims: list[Claim] = field(default_factory=list)
    documents: set[str] = field(default_factory=set)
    outlets: set[str] = field(default_factory=set)
    dates: list[str] = field(default_factory=list)

    @property
    def id(self) -> str:
        return hashlib.sha1(self.key.encode()).hexdigest()[:10]

    @property
    def name(self) -> str:
        """The longest of the names it is written with most often."""
        return max(self.names.items(), key=lambda item: (item[1], len(item[0]), item[0]))[0]

    def to_dict(self) -> dict[str, object]:
        states = Counter(claim.status.value for claim in self.claims)
        return {
            "id": self.id,
            "name": self.name,
            "kind": self.kind,
            "claims": len(self.claims),
            "accepted": states.get("accepted", 0) + states.get("edited", 0),
            "suggested": states.get("suggested", 0),
            "documents": len(self.documents),
            "outlets": sorted(self.outlets),
            "first": min(self.dates) if self.dates else None,
            "last": max(self.dates) if self.dates else None,
            "names": sorted(self.names),
        }


def mentions(
    document: Document, claims: Iterable[Claim], spans: Iterable[EntitySpan]
) -> list[Mention]:
    """The sources of a document's claims (rejected claims left out)."""
    by_id = {span.id: span for span in spans}
    text = document.text
    found = []
    for claim in claims:
        if claim.status == SpanStatus.REJECTED or claim.source is None:
            continue
        where = claim.source_resolved or claim.source
        entity = by_id.get(claim.source_entity) if claim.source_entity is not None else None
        name = text[where.start : where.end]
        kind = "anonymous"
        if entity is not None and entity.status != SpanStatus.REJECTED:
            if entity.label in PERSON_LABELS:
                kind, name = "person", text[entity.start : entity.end]
            elif entity.label in ORGANISATION_LABELS:
                kind, name = "organisation", text[where.start : where.end]
            elif entity.label in GROUP_LABELS:
                kind = "group"
        if folded(name) in _PRONOUNS:
            kind = "anonymous"  # a pronoun nobody resolved
        found.append(Mention(claim, document, name, kind))
    return found


def _document_keys(found: list[Mention]) -> list[str]:
    """Each mention's key: a person's surname alone takes the full name it follows in the
    document; anonymous sources are keyed by their document."""
    full_names: dict[str, str] = {}
    keys: dict[int, str] = {}
    for index in sorted(range(len(found)), key=lambda i: _position(found[i])):
        mention = found[index]
        name = folded(mention.name)
        if mention.kind == "person":
            words = name.split()
            if len(words) > 1:
                full_names.setdefault(words[-1], name)
            elif words and words[0] in full_names:
                name = full_names[words[0]]
        if mention.kind == "anonymous":
            keys[index] = f"anonymous:{mention.document.id}:{name}"
        else:
            keys[index] = f"{mention.kind}:{name}"
    return [keys[index] for index in range(len(found))]


def _position(mention: Mention) -> int:
    source = mention.claim.source
    return source.start if source is not None else mention.claim.content.start


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
            entry.claims.append(mention.claim)
            entry.documents.add(document.id)
            if document.meta.agency:
                entry.outlets.add(document.meta.agency)
            if document.meta.date:
                entry.dates.append(document.meta.date)
    return sorted(entries.values(), key=lambda e: (-len(e.claims), e.name.casefold()))
