"""The ledger and the claim groups of a whole database, as the CLI and the reader ask for
them, and the lookups that tie one claim to its source's entry and its group."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from annotate.catalog import source_summary
from annotate.ledger.groups import ClaimGroup, GroupedClaim, GroupingSettings, group_claims
from annotate.ledger.sources import (
    Entry,
    SummaryRow,
    aggregate,
    decode_summary,
    document_summary,
    ledger,
)
from annotate.model import Claim, Document, EntitySpan, SpanStatus
from annotate.store import Store
from annotate.team.views import as_seen_by, view

Progress = Callable[[int, int], None]


def _documents(
    store: Store, annotator: str | None, on_progress: Progress | None
) -> Iterator[tuple[Document, list[Claim], list[EntitySpan]]]:
    """Each document with its claims and spans: as ``annotator`` sees them, or, with None,
    as they are stored (one annotator's database)."""
    ids = store.document_ids()
    for done, doc_id in enumerate(ids, start=1):
        claims, spans = store.claims(doc_id), store.spans(doc_id)
        if annotator is not None:
            claims, spans = view(claims, annotator), view(spans, annotator)
        yield store.get_document(doc_id), claims, spans
        if on_progress is not None:
            on_progress(done, len(ids))


def corpus_ledger(store: Store, annotator: str | None = None) -> list[Entry]:
    """Every source in the database, as ``annotator`` sees the claims (None: nobody in
    particular). Read from the catalog rows, which keep each document's source summary up to
    date as claims are stored (:mod:`annotate.catalog`): no claim or text is read. A row an
    older release wrote has no summary; that document's records are read instead."""
    return aggregate(_summaries(store, annotator))


def _summaries(
    store: Store, annotator: str | None
) -> Iterator[tuple[str, str, str, list[SummaryRow]]]:
    for row in store.catalog():
        encoded = source_summary(row, annotator)
        doc_id = str(row["id"])
        if encoded is not None:
            rows = decode_summary(encoded)
        else:
            claims, spans = store.claims(doc_id), store.spans(doc_id)
            if annotator is not None:
                claims, spans = view(claims, annotator), view(spans, annotator)
            rows = document_summary(store.get_document(doc_id), claims, spans)
        yield doc_id, str(row["date"]), str(row["agency"]), rows


def corpus_ledger_from_records(store: Store, annotator: str | None = None) -> list[Entry]:
    """:func:`corpus_ledger` read from every document's records (what the catalog's
    summaries save; the benchmark's baseline)."""
    return ledger(_documents(store, annotator, None))


def content_words(document: Document, claim: Claim) -> str:
    """A claim's content as one string (fragments joined by a space)."""
    return " ".join(document.text[p.start : p.end] for p in claim.content_fragments())


def corpus_groups(
    store: Store,
    settings: GroupingSettings | None = None,
    annotator: str | None = None,
    on_progress: Progress | None = None,
) -> list[ClaimGroup]:
    """The groups of claims (not rejected) that say the same thing across the database."""
    found: list[GroupedClaim] = []
    for document, claims, _ in _documents(store, annotator, on_progress):
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


def claims_of(
    store: Store, entry: Entry, annotator: str | None = None, limit: int | None = None
) -> list[tuple[Document, Claim]]:
    """An entry's claims with their documents, in date order (undated last), as
    ``annotator`` sees them; the first ``limit`` only (a source with 20,000 claims)."""
    refs = sorted(entry.refs, key=lambda r: (r.date or "\uffff", r.doc_id, r.claim_id))
    documents: dict[str, Document] = {}
    found: list[tuple[Document, Claim]] = []
    for ref in refs[:limit] if limit is not None else refs:
        claim = store.find_claim(ref.claim_id)
        if claim is None:
            continue
        if annotator is not None:
            claim = as_seen_by(claim, annotator) or claim
        document = documents.get(ref.doc_id)
        if document is None:
            document = documents[ref.doc_id] = store.get_document(ref.doc_id)
        found.append((document, claim))
    return found
