"""The catalog: what the document list and ``claimscope stats`` need, kept small.

A catalog row sums up one document (title, date, agency, source file, length and the tallies
of each annotator's view of it); a partition's *totals* sum up its documents for the corpus
statistics. A row is a flat dict of strings and numbers — each view's tallies are one JSON
string, the annotators one tab-separated string — because Python's garbage collector never
tracks such dicts: 100,000 rows in memory then cost it nothing (as nested lists they cost half
a second per full collection). Both are derived from the records alone, so the store can keep
them current and persist them beside the records (see :mod:`annotate.store.database`), and the
list and the statistics never have to read the texts or the spans of 100,000 documents.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import orjson

from annotate.ledger.sources import CORRECTION_ACTION, document_summary, encode_summary
from annotate.model import Claim, Document, EntitySpan, display_title
from annotate.team.views import view

#: The longest title a row keeps (the list cuts titles far shorter).
TITLE_CHARS = 100
#: The key of the view of everyone who has not touched the document; ``view:NAME`` is NAME's.
OTHERS = "view"
#: Never an annotator's name: asks for the view of someone who has not touched a document.
NOBODY = "\x00nobody"

Row = dict[str, Any]
Totals = dict[str, Any]


@dataclass(slots=True)
class DocCounts:
    """The list's tallies of one view of a document."""

    pending: int = 0
    entities: int = 0
    claims: int = 0
    labels: Counter[str] = field(default_factory=Counter)
    kinds: Counter[str] = field(default_factory=Counter)
    verdicts: Counter[str] = field(default_factory=Counter)
    #: Who made or last changed the document's spans and claims (models have no annotator).
    annotators: Counter[str] = field(default_factory=Counter)

    def count_span(self, record: dict[str, Any], sign: int) -> None:
        status = record["status"]
        if status == "suggested":
            self.pending += sign
        if status != "rejected":
            self.entities += sign
            self.labels[record["label"]] += sign
        if record.get("annotator"):
            self.annotators[record["annotator"]] += sign

    def count_claim(self, record: dict[str, Any], sign: int) -> None:
        status = record["status"]
        if status == "suggested":
            self.pending += sign
        if status != "rejected":
            self.claims += sign
            self.kinds[record.get("kind", "")] += sign
            self.verdicts[record.get("verdict", "unreviewed")] += sign
        if record.get("annotator"):
            self.annotators[record["annotator"]] += sign

    def encoded(self) -> str:
        values = [
            self.pending,
            self.entities,
            self.claims,
            sorted(present(self.labels)),
            sorted(present(self.kinds)),
            sorted(present(self.verdicts)),
        ]
        return orjson.dumps(values).decode()


@dataclass(frozen=True, slots=True)
class ViewTallies:
    """One annotator's tallies of a document, as a catalog row stores them."""

    pending: int
    entities: int
    claims: int
    labels: frozenset[str]
    kinds: frozenset[str]
    verdicts: frozenset[str]


def present(counter: Counter[str]) -> set[str]:
    return {key for key, count in counter.items() if count > 0 and key}


#: Marks a row that keeps source summaries, and which form of them (rows of older releases
#: keep none, or an older form, or keys an older linking gave: those documents' records are
#: read instead, and a writer makes their rows again). 3: a source is the entity at its head;
#: 4: a surname alone takes a full name the text names even when that person is no source;
#: 5: he / she go on with the speaker before them, never a name quoted or of the other sex.
SUMMARY_VERSION_KEY = "ledger"
SUMMARY_VERSION = 5
#: The key of a row's source summary (the ledger's part of a document; see
#: :mod:`annotate.ledger.sources`); ``sources:NAME`` is NAME's view of it.
SOURCES = "sources"
#: The row key of the corrections of the ledger still done in the document.
CORRECTIONS = "corrections"


def summarize(
    document: dict[str, Any],
    spans: Iterable[dict[str, Any]],
    claims: Iterable[dict[str, Any]],
    history: Iterable[dict[str, Any]] = (),
) -> Row:
    """The catalog row of a document from its stored records (its undo ``history`` says
    which corrections of the source ledger are still done in it)."""
    span_records, claim_records = list(spans), list(claims)
    raw = DocCounts()
    for record in span_records:
        raw.count_span(record, 1)
    for record in claim_records:
        raw.count_claim(record, 1)
    names = sorted(present(raw.annotators))
    views = {OTHERS: raw.encoded()}
    sourced = any(record.get("source") for record in claim_records)
    span_objects = [EntitySpan.from_dict(r) for r in span_records] if names or sourced else []
    claim_objects = [Claim.from_dict(r) for r in claim_records] if names or sourced else []
    whole = Document.from_dict(document) if sourced else None
    if whole is not None:
        views[SOURCES] = encode_summary(document_summary(whole, claim_objects, span_objects))
    if names:  # someone's work changes what each annotator sees
        for name in [*names, NOBODY]:
            counts = DocCounts()
            seen_spans, seen_claims = view(span_objects, name), view(claim_objects, name)
            for span in seen_spans:
                counts.count_span(span.to_dict(), 1)
            for claim in seen_claims:
                counts.count_claim(claim.to_dict(), 1)
            views[OTHERS if name == NOBODY else f"{OTHERS}:{name}"] = counts.encoded()
            if whole is not None:
                summary = encode_summary(document_summary(whole, seen_claims, seen_spans))
                views[SOURCES if name == NOBODY else f"{SOURCES}:{name}"] = summary
    meta = document.get("meta") or {}
    return {
        "id": document["id"],
        "title": display_title(meta.get("title"), document["text"])[:TITLE_CHARS],
        "date": str(meta.get("date") or ""),
        "agency": str(meta.get("agency") or ""),
        "source": file_name(str(meta.get("source") or "")),
        "chars": len(document["text"]),
        "touched": "\t".join(names),
        SUMMARY_VERSION_KEY: SUMMARY_VERSION,
        CORRECTIONS: orjson.dumps(
            [
                [entry["annotator"], entry["at"], entry["action"]]
                for entry in history
                if entry["state"] == "done" and str(entry["action"]).startswith(CORRECTION_ACTION)
            ]
        ).decode(),
        **views,
    }


def source_summary(annotator: str | None) -> Callable[[Row], str | None]:
    """What ``annotator`` (None: nobody in particular) sees of a document's sources, from its
    row: as :func:`annotate.ledger.sources.encode_summary` wrote it ("[]" when no claim has a
    source); None for a row written before rows kept it (then read the records). Made once
    and called for each of 100,000 rows."""
    own = f"{SOURCES}:{annotator}" if annotator is not None else None

    def summary(row: Row) -> str | None:
        if row.get(SUMMARY_VERSION_KEY) != SUMMARY_VERSION:
            return None
        found: str | None = row.get(own) if own is not None else None
        if found is None:
            found = row.get(SOURCES, "[]")
        return found

    return summary


def corrections_in(row: Row) -> list[tuple[str, str, str]] | None:
    """The corrections of the source ledger still done in the row's document: (annotator,
    when, action) each; None for a row written before rows kept them."""
    encoded = row.get(CORRECTIONS)
    if encoded is None:
        return None
    return [(str(a), str(at), str(action)) for a, at, action in orjson.loads(encoded)]


def without_summaries(row: Row) -> Row:
    """``row`` without what older rows did not keep (for comparing with one of those)."""
    return {
        key: value
        for key, value in row.items()
        if key not in (SUMMARY_VERSION_KEY, SOURCES) and not key.startswith(f"{SOURCES}:")
    }


def tallies(row: Row, annotator: str) -> ViewTallies:
    """What ``annotator`` sees of the document a row sums up."""
    encoded = row.get(f"{OTHERS}:{annotator}") or row[OTHERS]
    pending, entities, claims, labels, kinds, verdicts = orjson.loads(encoded)
    return ViewTallies(
        pending, entities, claims, frozenset(labels), frozenset(kinds), frozenset(verdicts)
    )


def touched(row: Row) -> frozenset[str]:
    """Who made or changed the document's spans and claims."""
    names = row["touched"]
    return frozenset(names.split("\t")) if names else frozenset()


def file_name(source: str) -> str:
    """The last part of a path or URL (``PurePath`` per row costs 20 ms on 10,000 rows)."""
    return source.rstrip("/").rsplit("/", 1)[-1]


# Totals: the corpus statistics of a partition, kept per record change --------------------------


def empty_totals() -> Totals:
    return {
        "documents": 0,
        "characters": 0,
        "spans": {},
        "origins": {},
        "kinds": {},
        "verdicts": {},
    }


def _bump(counts: dict[str, int], key: str, sign: int) -> None:
    value = counts.get(key, 0) + sign
    if value:
        counts[key] = value
    else:
        counts.pop(key, None)


def count_record(totals: Totals, table: str, record: dict[str, Any], sign: int) -> None:
    """Add (``sign`` 1) or take away (-1) one stored record's share of the statistics."""
    if table == "documents":
        totals["documents"] += sign
        totals["characters"] += sign * len(record["text"])
    elif table == "spans":
        status = record["status"]
        _bump(totals["spans"], f"{record['label']}\t{status}", sign)
        origin = f"{record['origin']} ({record['origin_kind']})"
        _bump(totals["origins"], f"{origin}\t{status}", sign)
    elif table == "claims":
        _bump(totals["kinds"], str(record.get("kind", "")), sign)
        _bump(totals["verdicts"], str(record.get("verdict", "unreviewed")), sign)


def add_totals(into: Totals, other: Totals) -> None:
    into["documents"] += other["documents"]
    into["characters"] += other["characters"]
    for name in ("spans", "origins", "kinds", "verdicts"):
        for key, value in other[name].items():
            _bump(into[name], key, value)
