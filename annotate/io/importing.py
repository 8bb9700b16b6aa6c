"""Import articles, all or nothing: every input is read and checked first (:mod:`.sources`); only
when all of it is good (or ``skip_invalid`` is set) is anything written, in a single durable
commit. Re-importing a text already in the database is a reported no-op (documents are keyed
by the hash of their text); one that brings annotations or review states adds them beside
what is there (:mod:`annotate.team.merge`)."""

from __future__ import annotations

from collections.abc import Sequence

from annotate.io.records import ImportReport, ParsedRecord, Provenance
from annotate.io.sources import ProgressCallback, parse_sources
from annotate.model import ReviewState
from annotate.store import Store, utc_now
from annotate.team.merge import DocumentPool, MergeTally, merge_document


def import_records(store: Store, records: Sequence[ParsedRecord]) -> ImportReport:
    """Store new documents with their annotations, and add the annotations of documents that
    are already there beside theirs (:mod:`annotate.team.merge`), in one transaction."""
    report = ImportReport()
    pools: dict[str, DocumentPool] = {}
    stored_reviews: dict[str, dict[str, tuple[ReviewState, int]]] | None = None
    stamp = utc_now()
    with store.transaction() as tx:
        for record in records:
            doc = record.document
            pool = pools.get(doc.id)
            if pool is None and store.has_document(doc.id):
                if stored_reviews is None:
                    stored_reviews = _reviews_by_document(store)
                known = stored_reviews.get(doc.id, {})
                pool = pools[doc.id] = DocumentPool(
                    doc.id,
                    store.spans(doc.id),
                    store.claims(doc.id),
                    {name: state for name, (state, _) in known.items()},
                    {name: key for name, (_, key) in known.items()},
                )
            if pool is not None:  # already there: add what is new beside it
                tally = MergeTally()
                merge_document(tx, pool, record.spans, record.claims, record.reviews, tally)
                report.merge.spans += tally.spans
                report.merge.claims += tally.claims
                report.merge.reviews += tally.reviews
                report.merge.identical += tally.identical
                report.merge.kept_reviews += tally.kept_reviews
                report.merge.kept_decisions += tally.kept_decisions
                if tally.added:
                    report.merged += 1
                    report.merged_ids.append(doc.id)
                else:
                    report.duplicates += 1
                continue
            doc.meta.imported_at = stamp
            tx.add_document(doc)
            pool = pools[doc.id] = DocumentPool(doc.id, [], [], {})
            tally = MergeTally()
            merge_document(tx, pool, record.spans, record.claims, record.reviews, tally)
            report.imported += 1
            report.spans += tally.spans
            report.claims += tally.claims
            report.imported_ids.append(doc.id)
    return report


def _reviews_by_document(store: Store) -> dict[str, dict[str, tuple[ReviewState, int]]]:
    found: dict[str, dict[str, tuple[ReviewState, int]]] = {}
    for (doc_id, annotator), key in store.review_ids().items():
        found.setdefault(doc_id, {})[annotator] = (store.review_state(doc_id, annotator), key)
    return found


def import_paths(
    store: Store,
    paths: Sequence[str],
    *,
    provenance: Provenance | None = None,
    skip_invalid: bool = False,
    on_progress: ProgressCallback | None = None,
) -> ImportReport:
    """Import ``paths`` all or nothing (or, with ``skip_invalid``, everything that is good)."""
    records, errors = parse_sources(paths, provenance or Provenance(), on_progress)
    if errors and not skip_invalid:
        return ImportReport(rejected=len(errors), errors=errors)
    report = import_records(store, records)
    report.rejected = len(errors)
    report.errors = errors
    return report
