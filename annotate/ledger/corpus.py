"""The ledger and the claim groups of a whole database, as the CLI and the reader ask for
them, and the lookups that tie one claim to its source's entry and its group."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from dataclasses import dataclass
from threading import Lock
from weakref import WeakKeyDictionary

from annotate.ledger.groups import ClaimGroup, GroupedClaim, GroupingSettings, group_claims
from annotate.ledger.kept import (
    Kept,
    added_up,
    attach,
    brought_up_to_date,
    kept_views,
    ledger_file,
    load,
    save,
)
from annotate.ledger.sources import (
    Entry,
    SummaryRow,
    decode_summary,
    document_summary,
    finish,
    ledger,
)
from annotate.model import Claim, Document, EntitySpan, SpanStatus
from annotate.store import Store
from annotate.store.catalog import NOBODY, source_summary
from annotate.team.views import as_seen_by, view


def _documents(
    store: Store, annotator: str | None
) -> Iterator[tuple[Document, list[Claim], list[EntitySpan]]]:
    """Each document with its claims and spans as ``annotator`` sees them (None: someone who
    touched none of them, as the catalog rows keep them)."""
    seen_by = annotator if annotator is not None else NOBODY
    for doc_id in store.document_ids():
        claims, spans = view(store.claims(doc_id), seen_by), view(store.spans(doc_id), seen_by)
        yield store.get_document(doc_id), claims, spans


#: The last ledger read of each open store: the commit and the view it was read at, its tally
#: and its entries. Asked again before the next commit, it costs nothing; after one, only the
#: documents that changed are added up again (:mod:`annotate.ledger.kept`).
_LAST_READ: WeakKeyDictionary[Store, tuple[int, str | None, Kept, list[Entry]]]
_LAST_READ = WeakKeyDictionary()
_READING = Lock()


def corpus_ledger(store: Store, annotator: str | None = None) -> list[Entry]:
    """Every source in the database, as ``annotator`` sees the claims (None: nobody in
    particular), the most claims first. Read from the catalog rows, which keep each
    document's source summary up to date as claims are stored (:mod:`annotate.store.catalog`): no
    claim or text is read. A row an older release wrote has no summary; that document's
    records are read instead.

    The tally is kept between readings, in memory and in a file beside the database, so a
    reading adds up again only the documents changed since the last one (this process's, or
    any earlier one's). Asked again before the next commit, the same entries come back (a
    new list; do not change the entries), so the reader reads it ahead, while the analyst is
    idle, and the Sources screen finds it ready."""
    with _READING:  # one reading at a time: a second asker gets the first one's ledger
        return _read_ledger(store, annotator)


def _read_ledger(store: Store, annotator: str | None) -> list[Entry]:
    seq = store.last_seq
    last = _LAST_READ.get(store)
    if last is not None and last[1] != annotator:
        last = None
    if last is not None and last[0] == seq:
        return list(last[3])
    where = ledger_file(store.path, annotator)
    # Half a million small objects are made here and all kept: the cyclic collector would
    # walk them again and again as they are made (none of them is garbage), so it waits.
    collecting = gc.isenabled()
    gc.disable()
    older: list[str] = []
    try:
        documents = list(_summaries(store, annotator, older))
        if last is not None:
            kept = brought_up_to_date(last[2], documents)
        else:
            from_file = load(where, annotator)
            kept = attach(from_file, documents) if from_file is not None else added_up(documents)
        entries = finish(kept.tally, kept.order)
        if kept.order is None:
            kept.order = [entry.key for entry in entries]
        if not store.readonly and not kept.saved and (kept.tally.entries or where.exists()):
            save(where, kept, annotator)
    finally:
        if collecting:
            gc.enable()
    if older:  # rows an older release made: made again, so the next reading is fast
        store.remake_rows(older)
    _LAST_READ[store] = (seq, annotator, kept, entries)
    return list(entries)


def keep_ledger(store: Store, annotators: list[str | None]) -> None:
    """Bring the ledger kept beside the database up to date for these views and every view
    already kept there, so the next reader's first reading adds up only what changes after
    (a command that changed the database calls it before closing)."""
    views = dict.fromkeys(annotators)
    for annotator in views:
        corpus_ledger(store, annotator)
    for known in kept_views(store.path):
        if known not in views:
            corpus_ledger(store, known)


def _summaries(
    store: Store, annotator: str | None, older: list[str]
) -> Iterator[tuple[str, str, str, str | list[SummaryRow]]]:
    """Each document's id, date, outlet and source summary; the ids of rows an older release
    made (read from the records) go to ``older``."""
    summary = source_summary(annotator)
    for row in store.catalog():
        encoded = summary(row)
        doc_id = row["id"]
        rows: str | list[SummaryRow]
        if encoded is not None:
            rows = encoded
        else:
            older.append(doc_id)
            claims, spans = store.claims(doc_id), store.spans(doc_id)
            if annotator is not None:
                claims, spans = view(claims, annotator), view(spans, annotator)
            rows = document_summary(store.get_document(doc_id), claims, spans)
        yield doc_id, row["date"], row["agency"], rows


def corpus_ledger_from_records(store: Store, annotator: str | None = None) -> list[Entry]:
    """:func:`corpus_ledger` read from every document's records (what the catalog's
    summaries save; the benchmark's baseline)."""
    return ledger(_documents(store, annotator))


def content_words(document: Document, claim: Claim) -> str:
    """A claim's content as one string (fragments joined by a space)."""
    return " ".join(document.text[p.start : p.end] for p in claim.content_fragments())


def corpus_groups(
    store: Store,
    settings: GroupingSettings | None = None,
    annotator: str | None = None,
) -> list[ClaimGroup]:
    """The groups of claims (not rejected) that say the same thing across the database."""
    found: list[GroupedClaim] = []
    for document, claims, _ in _documents(store, annotator):
        meta = document.meta
        found += [
            GroupedClaim(
                document.id,
                claim.id,
                meta.date or "",
                meta.agency or "",
                content_words(document, claim),
            )
            for claim in claims
            if claim.status != SpanStatus.REJECTED
        ]
    return group_claims(found, settings)


def entry_of_claim(entries: list[Entry], doc_id: str, claim_id: int) -> Entry | None:
    """The entry whose source made the claim, if it has one."""
    for entry in entries:
        for ref in entry.refs:
            if ref.claim_id == claim_id and ref.doc_id == doc_id:
                return entry
    return None


def group_of_claim(groups: list[ClaimGroup], doc_id: str, claim_id: int) -> ClaimGroup | None:
    """The group the claim belongs to, if another claim says the same."""
    for group in groups:
        if any(m.doc_id == doc_id and m.claim_id == claim_id for m in group.members):
            return group
    return None


@dataclass(frozen=True, slots=True)
class ClaimLine:
    """One claim as a source's claims screen lists it."""

    doc_id: str
    claim_id: int
    date: str
    outlet: str
    title: str
    cue: str
    content: str
    status: str
    kind: str


def claim_lines(
    store: Store, entry: Entry, annotator: str | None = None, limit: int | None = None
) -> list[ClaimLine]:
    """An entry's claims in date order (undated last), the first ``limit``: read from their
    documents' catalog rows (a summary keeps each claim's cue and the start of its content),
    so no record is read; a row of an older release is read from its records."""
    refs = sorted(entry.refs, key=lambda r: (r.date or "\uffff", r.doc_id, r.claim_id))
    chosen = refs[:limit] if limit is not None else refs
    wanted = {ref.doc_id for ref in chosen}
    rows = {doc_id: row for doc_id in wanted if (row := store.catalog_row(doc_id)) is not None}
    summaries: dict[str, dict[int, SummaryRow] | None] = {}
    summary = source_summary(annotator)
    for doc_id in wanted:
        row = rows.get(doc_id)
        encoded = summary(row) if row is not None else None
        summaries[doc_id] = (
            {item[3]: item for item in decode_summary(encoded)} if encoded is not None else None
        )
    lines: list[ClaimLine] = []
    for ref in chosen:
        by_claim = summaries.get(ref.doc_id)
        item = by_claim.get(ref.claim_id) if by_claim is not None else None
        title = str(rows[ref.doc_id]["title"]) if ref.doc_id in rows else ref.doc_id
        status = ref.status
        if item is not None:
            status, cue, content, kind = item[4], item[6], item[7], item[8]
        else:  # no summary to read: the record itself
            claim = store.find_claim(ref.claim_id)
            if claim is None:
                continue
            if annotator is not None:
                claim = as_seen_by(claim, annotator) or claim
            document = store.get_document(ref.doc_id)
            text = document.text
            cue = text[claim.cue.start : claim.cue.end] if claim.cue else ""
            content, kind = content_words(document, claim), claim.kind.value
            status = claim.status.value
            title = document.display_title
        lines.append(
            ClaimLine(
                ref.doc_id,
                ref.claim_id,
                ref.date,
                ref.outlet,
                title,
                cue,
                content,
                status,
                kind,
            )
        )
    return lines
