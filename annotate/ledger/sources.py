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
from array import array
from collections import defaultdict
from collections.abc import Iterable
from contextlib import suppress
from typing import NamedTuple

import orjson

from annotate.ledger.linking import KINDS, PERSON_LABELS, document_keys, mentions
from annotate.ledger.names import person_name
from annotate.model import Claim, Document, EntitySpan, SpanStatus

__all__ = [
    "KINDS",
    "ClaimRef",
    "Corpus",
    "Entry",
    "Tally",
    "aggregate",
    "decode_summary",
    "document_summary",
    "encode_summary",
    "finish",
    "ledger",
    "person_name",
    "tally",
]

#: One claim's source in a document's summary: (entry key, kind, the name as written, claim
#: id, status, the name an analyst gave the entry or "", the claim's cue, the start of its
#: content, its kind) — what a source's claims screen shows, so it reads no record.
SummaryRow = tuple[str, str, str, int, str, str, str, str, str]
#: Every correction of the ledger is an undoable edit whose action starts so
#: (:mod:`annotate.ledger.corrections`); a catalog row lists the ones still done.
CORRECTION_ACTION = "source ledger"
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
_SUGGESTED = SpanStatus.SUGGESTED.value


class Corpus:
    """The documents a ledger was added up from, by position: id, date, outlet and source
    summary (as the catalog keeps it, decoded when an entry first needs its rows)."""

    __slots__ = ("dates", "ids", "outlets", "summaries")

    def __init__(self) -> None:
        self.ids: list[str] = []
        self.dates: list[str] = []
        self.outlets: list[str] = []
        self.summaries: list[str | list[SummaryRow]] = []

    def rows(self, position: int) -> list[SummaryRow]:
        summary = self.summaries[position]
        return decode_summary(summary) if isinstance(summary, str) else summary


class Entry:
    """A source across the corpus.

    Adding up the ledger keeps, per entry, only where its claims are (their documents'
    positions in the :class:`Corpus`), how many are accepted and rejected, and the names it is
    written with; its claims one by one, its outlets and its dates are worked out when asked
    for, so the Sources screen pays only for the entries it draws."""

    # Nothing here is a container the garbage collector follows but the entry itself (an
    # array of positions, a tuple of joined keys, dicts of strings): a ledger of 100,000
    # entries adds 100,000 objects to its walks, not 400,000.
    __slots__ = ("_accepted", "_corpus", "_joined", "_positions", "_refs", "_rejected",
                 "given", "key", "kind", "names")  # fmt: skip

    def __init__(self, key: str, kind: str, corpus: Corpus | None = None) -> None:
        self.key = key
        self.kind = kind
        self._corpus = corpus if corpus is not None else Corpus()
        #: The keys of other entries' summary rows this one took (see :meth:`absorb`).
        self._joined: tuple[str, ...] = ()
        #: Each claim's document, by position in the corpus.
        self._positions = array("l")
        self._accepted = self._rejected = 0
        #: The names it is written with, and how often.
        self.names: dict[str, int] = {}
        #: Names an analyst gave it (a rename; see :mod:`annotate.ledger.corrections`).
        self.given: dict[str, int] = {}
        self._refs: list[ClaimRef] | None = None

    def __repr__(self) -> str:
        return f"Entry({self.key!r}, {self.kind!r}, {len(self._positions)} claims)"

    @property
    def id(self) -> str:
        return hashlib.sha1(self.key.encode()).hexdigest()[:10]

    @property
    def claim_count(self) -> int:
        """How many of its claims are not rejected."""
        return len(self._positions) - self._rejected

    @property
    def refs(self) -> list[ClaimRef]:
        """Every claim of this source, rejected ones too (read from its documents' summaries
        the first time they are asked for)."""
        if self._refs is None:
            corpus, keys, refs = self._corpus, {self.key, *self._joined}, []
            for position in dict.fromkeys(self._positions):
                doc_id = corpus.ids[position]
                date, outlet = corpus.dates[position], corpus.outlets[position]
                refs += [
                    ClaimRef(doc_id, row[3], row[4], date, outlet)
                    for row in corpus.rows(position)
                    if row[0] in keys
                ]
            self._refs = refs
        return self._refs

    @property
    def documents(self) -> set[str]:
        ids = self._corpus.ids
        return {ids[position] for position in self._positions}

    @property
    def outlets(self) -> set[str]:
        outlets = self._corpus.outlets
        return {outlets[position] for position in self._positions} - {""}

    def dates(self) -> tuple[str, str]:
        """The dates of its earliest and latest dated claims ("" when none is dated)."""
        dates = self._corpus.dates
        found = {dates[position] for position in self._positions} - {""}
        return (min(found), max(found)) if found else ("", "")

    @property
    def first(self) -> str:
        return self.dates()[0]

    @property
    def last(self) -> str:
        return self.dates()[1]

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
    def sort_name(self) -> str:
        """What sorting by name compares: the name shown, case folded."""
        return self.name.casefold()

    @property
    def claims(self) -> list[ClaimRef]:
        """Its claims that are not rejected."""
        return [ref for ref in self.refs if ref.status != _REJECTED]

    def states(self) -> dict[str, int]:
        """How many of its claims are accepted (or edited), suggested and rejected."""
        suggested = len(self._positions) - self._accepted - self._rejected
        return {"accepted": self._accepted, "suggested": suggested, "rejected": self._rejected}

    @classmethod
    def restored(
        cls,
        key: str,
        kind: str,
        corpus: Corpus,
        positions: array[int] | Iterable[int],
        accepted: int,
        rejected: int,
        names: dict[str, int],
        given: dict[str, int],
    ) -> Entry:
        """An entry as a tally left it (read back by :mod:`annotate.ledger.kept`, once per
        entry of the corpus: what ``__init__`` would set is set once here). An array of
        ``positions`` is taken as it is, not copied."""
        entry = cls.__new__(cls)
        entry.key, entry.kind, entry._corpus, entry._joined = key, kind, corpus, ()
        entry._positions = positions if isinstance(positions, array) else array("l", positions)
        entry._accepted, entry._rejected = accepted, rejected
        entry.names, entry.given, entry._refs = names, given, None
        return entry

    def saved(self) -> tuple[str, str, array[int], int, int, dict[str, int], dict[str, int]]:
        """What :meth:`restored` takes back (an entry not joined to another; its positions
        as they are, not to be changed)."""
        return (self.key, self.kind, self._positions, self._accepted,
                self._rejected, self.names, self.given)  # fmt: skip

    def count(self, position: int, row: SummaryRow) -> None:
        """Add one claim of the document at ``position`` (its summary ``row``)."""
        self._positions.append(position)
        self.names[row[2]] = self.names.get(row[2], 0) + 1
        if row[4] == _REJECTED:
            self._rejected += 1
        elif row[4] != _SUGGESTED:
            self._accepted += 1
        if row[5]:
            self.given[row[5]] = self.given.get(row[5], 0) + 1
        self._refs = None

    @property
    def positions(self) -> array[int]:
        """Each claim's document, by position in the corpus (do not change it)."""
        return self._positions

    def copy(self) -> Entry:
        """The same entry, to change without changing this one."""
        twin = Entry.restored(
            self.key, self.kind, self._corpus, array("l", self._positions), self._accepted,
            self._rejected, dict(self.names), dict(self.given),
        )  # fmt: skip
        twin._joined = self._joined
        return twin

    def absorb(self, other: Entry) -> None:
        """Take ``other``'s claims too (both read from the same corpus)."""
        self._joined += (other.key, *other._joined)
        self._positions += other._positions
        self._accepted += other._accepted
        self._rejected += other._rejected
        for mine, theirs in ((self.names, other.names), (self.given, other.given)):
            for name, count in theirs.items():
                mine[name] = mine.get(name, 0) + count
        self._refs = None

    def to_dict(self) -> dict[str, object]:
        states = self.states()
        first, last = self.dates()
        return {
            "id": self.id,
            "name": self.name,
            "kind": self.kind,
            "claims": self.claim_count,
            **states,
            "documents": len(self.documents),
            "outlets": sorted(self.outlets),
            "first": first or None,
            "last": last or None,
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
    """A summary as the catalog keeps it: one JSON string (see :mod:`annotate.store.catalog`)."""
    return orjson.dumps(rows).decode()


def decode_summary(encoded: str) -> list[SummaryRow]:
    """A summary back from its JSON string. Its rows are lists (unpacked and indexed like
    tuples): converting half a million of them would only cost time."""
    rows: list[SummaryRow] = orjson.loads(encoded)
    return rows


def _join_lone_surnames(entries: dict[str, Entry]) -> dict[str, Entry]:
    """The entries with each person entry named by a surname alone joined to the one full
    name in the corpus with that surname ("Obama" in a story that never says "Barack"). The
    entries given are left as they are (a joined one is a copy)."""
    surnames: dict[str, list[str]] = defaultdict(list)
    lone: list[tuple[str, str]] = []
    for key, entry in entries.items():
        if entry.kind == "person":
            words = key.removeprefix("person:").split()
            if len(words) > 1:
                surnames[words[-1]].append(key)
            elif len(words) == 1 and not entry.given:
                lone.append((key, words[0]))
    joined = dict(entries)
    for key, surname in lone:
        owners = surnames.get(surname, [])
        if len(owners) == 1:
            owner = joined[owners[0]]
            if owner is entries[owners[0]]:
                owner = joined[owners[0]] = owner.copy()
            owner.absorb(joined.pop(key))
    return joined


class Tally(NamedTuple):
    """The sources of a corpus added up, before surnames are joined to full names: what is
    kept between readings and brought up to date (:mod:`annotate.ledger.kept`)."""

    corpus: Corpus
    entries: dict[str, Entry]


def tally(documents: Iterable[tuple[str, str, str, str | list[SummaryRow]]]) -> Tally:
    """Every source's entry, from each document's id, date, outlet and summary (its rows, or
    their JSON string as the catalog keeps it)."""
    corpus = Corpus()
    entries: dict[str, Entry] = {}
    for position, (doc_id, date, outlet, summary) in enumerate(documents):
        corpus.ids.append(doc_id)
        corpus.dates.append(date)
        corpus.outlets.append(outlet)
        corpus.summaries.append(summary)
        rows = corpus.rows(position)
        # once per claim of the corpus: no call, no object made
        for row in rows:
            entry = entries.get(row[0])
            if entry is None:
                entry = entries[row[0]] = Entry(row[0], row[1], corpus)
            entry._positions.append(position)
            names, name, status = entry.names, row[2], row[4]
            names[name] = names.get(name, 0) + 1
            if status != _SUGGESTED:
                if status == _REJECTED:
                    entry._rejected += 1
                else:
                    entry._accepted += 1
            if row[5]:
                entry.given[row[5]] = entry.given.get(row[5], 0) + 1
    return Tally(corpus, entries)


def finish(added: Tally, order: list[str] | None = None) -> list[Entry]:
    """The ledger of a tally: surnames joined to full names, the most claims first (in
    ``order``, the keys of the ledger this tally made before, when it is given)."""
    entries = _join_lone_surnames(added.entries)
    if order is not None and len(order) == len(entries):
        with suppress(KeyError):
            return [entries[key] for key in order]
    # Ties by the folded name in the key (no entry's name is worked out to sort), then the
    # key; compared as one string (the count written backwards first), twice as fast as a
    # tuple for 100,000 entries.
    return sorted(entries.values(), key=_ledger_order)


def _ledger_order(entry: Entry) -> str:
    key = entry.key
    return f"{_MOST - entry.claim_count:012d}{key.rsplit(':', 1)[-1]}\x00{key}"


#: More claims than any entry has (see :func:`_ledger_order`).
_MOST = 10**12 - 1


def aggregate(
    documents: Iterable[tuple[str, str, str, str | list[SummaryRow]]],
) -> list[Entry]:
    """The entries of every source, from each document's id, date, outlet and summary (its
    rows, or their JSON string as the catalog keeps it); the most claims first."""
    return finish(tally(documents))


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
