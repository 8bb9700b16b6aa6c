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
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import NamedTuple

import orjson

from annotate.ledger.linking import KINDS, PERSON_LABELS, document_keys, mentions
from annotate.ledger.names import person_name
from annotate.model import Claim, Document, EntitySpan, SpanStatus

__all__ = [
    "KINDS",
    "ClaimRef",
    "Entry",
    "aggregate",
    "decode_summary",
    "document_summary",
    "encode_summary",
    "ledger",
    "person_name",
]

#: One claim's source in a document's summary: (entry key, kind, the name as written, claim
#: id, status, the name an analyst gave the entry or "", the claim's cue, the start of its
#: content, its kind) — what a source's claims screen shows, so it reads no record.
SummaryRow = tuple[str, str, str, int, str, str, str, str, str]
#: How much of a claim's content and cue a summary keeps.
CONTENT_CHARS = 120
CUE_CHARS = 24


class ClaimRef(NamedTuple):
    """One claim of an entry: where it is, its status, and its document's date and outlet."""

    doc_id: str
    claim_id: int
    status: str
    date: str
    outlet: str


_REJECTED = SpanStatus.REJECTED.value


@dataclass(slots=True)
class Entry:
    """A source across the corpus."""

    key: str
    kind: str
    #: The names it is written with, and how often.
    names: dict[str, int] = field(default_factory=dict)
    refs: list[ClaimRef] = field(default_factory=list)
    documents: set[str] = field(default_factory=set)
    outlets: set[str] = field(default_factory=set)
    first: str = ""
    last: str = ""
    #: How many of its claims are not rejected.
    claim_count: int = 0
    #: Names an analyst gave it (a rename; see :mod:`annotate.ledger.corrections`).
    given: dict[str, int] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return hashlib.sha1(self.key.encode()).hexdigest()[:10]

    @property
    def name(self) -> str:
        """The longest of the names it is written with most often; for a person, of the
        names that are the person's name ("Donald Trump" over "the President")."""
        if self.given:
            return max(self.given.items(), key=lambda item: (item[1], item[0]))[0]
        names = list(self.names.items())
        if self.kind == "person":
            own = self.key.removeprefix("person:")
            named = [item for item in names if person_name(item[0]) == own]
            names = named or names
        return max(names, key=lambda item: (item[1], len(item[0]), item[0]))[0]

    @property
    def claims(self) -> list[ClaimRef]:
        """Its claims that are not rejected."""
        return [ref for ref in self.refs if ref.status != _REJECTED]

    def states(self) -> Counter[str]:
        """How many of its claims are accepted (or edited), suggested and rejected."""
        counts: Counter[str] = Counter()
        for ref in self.refs:
            counts["accepted" if ref.status == "edited" else ref.status] += 1
        return counts

    def add(self, ref: ClaimRef, name: str, given: str) -> None:
        """Count one more claim of this source, written ``name`` (and named ``given`` by an
        analyst, or "")."""
        self.names[name] = self.names.get(name, 0) + 1
        if given:
            self.given[given] = self.given.get(given, 0) + 1
        self._count(ref)

    def _count(self, ref: ClaimRef) -> None:
        self.refs.append(ref)
        self.documents.add(ref.doc_id)
        if ref.status != _REJECTED:
            self.claim_count += 1
        if ref.outlet:
            self.outlets.add(ref.outlet)
        if ref.date:
            if not self.first or ref.date < self.first:
                self.first = ref.date
            self.last = max(self.last, ref.date)

    def absorb(self, other: Entry) -> None:
        """Take ``other``'s claims too."""
        for ref in other.refs:
            self._count(ref)
        for mine, theirs in ((self.names, other.names), (self.given, other.given)):
            for name, count in theirs.items():
                mine[name] = mine.get(name, 0) + count

    def to_dict(self) -> dict[str, object]:
        states = self.states()
        return {
            "id": self.id,
            "name": self.name,
            "kind": self.kind,
            "claims": self.claim_count,
            "accepted": states.get("accepted", 0),
            "suggested": states.get("suggested", 0),
            "rejected": states.get("rejected", 0),
            "documents": len(self.documents),
            "outlets": sorted(self.outlets),
            "first": self.first or None,
            "last": self.last or None,
            "names": sorted(self.names),
        }


def document_summary(
    document: Document, claims: list[Claim], spans: list[EntitySpan]
) -> list[SummaryRow]:
    """What the ledger needs of one document: each claim's source, keyed within the document
    (:func:`annotate.ledger.linking.document_keys`); an analyst's correction wins."""
    found = mentions(document, claims, spans)
    if not found:
        return []
    persons = [
        (span.start, span.end)
        for span in spans
        if span.label in PERSON_LABELS and span.status != SpanStatus.REJECTED
    ]
    rows: list[SummaryRow] = []
    for mention, automatic in zip(found, document_keys(found, persons), strict=True):
        claim, kind = mention.claim, mention.kind
        key = claim.source_entry or automatic
        if claim.source_entry:
            written = key.split(":", 1)[0]
            kind = written if written in KINDS else kind
        text = document.text
        cue = text[claim.cue.start : claim.cue.end][:CUE_CHARS] if claim.cue else ""
        content = " ".join(text[p.start : p.end] for p in claim.content_fragments())
        rows.append(
            (
                key,
                kind,
                mention.name.strip(),
                claim.id,
                claim.status.value,
                claim.source_name or "",
                " ".join(cue.split()),
                " ".join(content.split())[:CONTENT_CHARS],
                claim.kind.value,
            )
        )
    return rows


def encode_summary(rows: list[SummaryRow]) -> str:
    """A summary as the catalog keeps it: one JSON string (see :mod:`annotate.catalog`)."""
    return orjson.dumps(rows).decode()


def decode_summary(encoded: str) -> list[SummaryRow]:
    return [tuple(row) for row in orjson.loads(encoded)]


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
            entries[owners[0]].absorb(entries.pop(key))


def aggregate(documents: Iterable[tuple[str, str, str, list[SummaryRow]]]) -> list[Entry]:
    """The entries of every source, from each document's id, date, outlet and summary; the
    most claims first."""
    entries: dict[str, Entry] = {}
    for doc_id, date, outlet, rows in documents:
        for key, kind, name, claim_id, status, given, *_ in rows:
            entry = entries.get(key)
            if entry is None:
                entry = entries[key] = Entry(key, kind)
            entry.add(ClaimRef(doc_id, claim_id, status, date, outlet), name, given)
    _join_lone_surnames(entries)
    # ties by key (the folded name): stable, and no entry's name is worked out to sort
    return sorted(entries.values(), key=lambda e: (-e.claim_count, e.key))


def ledger(documents: Iterable[tuple[Document, list[Claim], list[EntitySpan]]]) -> list[Entry]:
    """The entries of every source in ``documents`` (a document with its claims and entity
    spans), the most claims first."""
    return aggregate(
        (
            document.id,
            document.meta.date or "",
            document.meta.agency or "",
            document_summary(document, claims, spans),
        )
        for document, claims, spans in documents
    )
