"""Merging another Claimscope database: its documents and every annotator's work in it, read
as an import would read them (so identical records are added once and each annotator's
versions find the shared records they came from)."""

from __future__ import annotations

from pathlib import Path

from annotate.io.importing import import_records
from annotate.io.records import ImportReport, ParsedRecord
from annotate.model import ReviewState
from annotate.store import Store


def records_of(other: Store, path: Path) -> list[ParsedRecord]:
    """Every document of ``other`` with all its spans, claims and review states."""
    reviews: dict[str, dict[str, ReviewState]] = {}
    for review in other.reviews():
        reviews.setdefault(review.doc_id, {})[review.annotator] = review.state
    records = []
    for doc_id in other.document_ids():
        record = ParsedRecord(f"{path}: document {doc_id}", other.get_document(doc_id))
        record.spans = [span.with_changes(id=0, parent=None) for span in other.spans(doc_id)]
        for claim in other.claims(doc_id):
            claim.id, claim.parent, claim.source_entity = 0, None, None
            record.claims.append(claim)
        record.reviews = dict(reviews.get(doc_id, {}))
        records.append(record)
    return records


def merge_database(store: Store, path: Path) -> ImportReport:
    """Add ``path``'s documents and annotations to ``store`` in one transaction."""
    with Store.open(path, readonly=True) as other:
        records = records_of(other, path)
    return import_records(store, records)
