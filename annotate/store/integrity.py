"""``claimscope db check``: verify a database's invariants without changing it."""

from __future__ import annotations

from dataclasses import dataclass, field

from annotate.model import Claim, EntitySpan, text_hash
from annotate.store.catalog import (
    CORRECTIONS,
    SUMMARY_VERSION,
    SUMMARY_VERSION_KEY,
    count_record,
    empty_totals,
    summarize,
    without_summaries,
)
from annotate.store.database import Store
from annotate.store.lock import active_writer
from annotate.store.main_file import SCHEMA_VERSION


@dataclass(slots=True)
class IntegrityReport:
    """Counts seen and problems found."""

    path: str
    schema_version: int = SCHEMA_VERSION
    documents: int = 0
    spans: int = 0
    claims: int = 0
    reviews: int = 0
    journal_entries: int = 0
    torn_journal_bytes: int = 0
    writer_pid: str | None = None
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def check_store(store: Store) -> IntegrityReport:
    """Check hashes, offsets, references and review records of an open (read-only) store."""
    report = IntegrityReport(path=str(store.path))
    report.journal_entries = store.replayed_entries
    report.torn_journal_bytes = store.recovered_torn_bytes
    report.writer_pid = active_writer(store.path)
    if report.torn_journal_bytes:
        report.problems.append(
            f"journal ends in {report.torn_journal_bytes} bytes of an unfinished write "
            "(never acknowledged; dropped on the next writable open)"
        )
    lengths: dict[str, int] = {}
    for doc in store.documents():
        report.documents += 1
        lengths[doc.id] = len(doc.text)
        if text_hash(doc.text) != doc.id:
            report.problems.append(f"document {doc.id}: id is not the hash of its text")
    span_ids: set[int] = set()
    for span in store.all_spans():
        report.spans += 1
        span_ids.add(span.id)
        _check_span(span, lengths, report)
    for claim in store.all_claims():
        report.claims += 1
        _check_claim(claim, lengths, span_ids, report)
    for review in store.reviews():
        report.reviews += 1
        if review.doc_id not in lengths:
            report.problems.append(f"review of {review.annotator}: no document {review.doc_id}")
    _check_partitions(store, report)
    return report


def _check_partitions(store: Store, report: IntegrityReport) -> None:
    """The catalog rows, statistics and placement a partition's index keeps must be what its
    records say."""
    for partition, index in store.partition_contents():
        totals = empty_totals()
        for name in ("documents", "spans", "claims"):
            for record in partition.tables[name].values():
                count_record(totals, name, record, 1)
        if totals != index.totals:
            report.problems.append(
                f"partition {partition.number}: the statistics kept in its index do not match "
                "its records"
            )
        for key, document in partition.tables["documents"].items():
            row = index.catalog.get(key)
            doc_id = document["id"]
            expected = summarize(
                document,
                partition.span_records(doc_id),
                partition.claim_records(doc_id),
                partition.history_records(doc_id),
            )
            if row is not None and CORRECTIONS not in row:  # a row older than the field
                del expected[CORRECTIONS]
            if row is not None and row.get(SUMMARY_VERSION_KEY) != SUMMARY_VERSION:
                # an older release's row: its summaries (if any) are not compared
                expected, row = without_summaries(expected), without_summaries(row)
            if row != expected:
                report.problems.append(
                    f"document {doc_id}: its catalog row does not match its records"
                )
        for name in ("documents", "spans", "claims", "history"):
            for key in partition.tables[name]:
                if store.part_of(name, int(key)) != partition.number:
                    report.problems.append(
                        f"{name} record {key} is in partition {partition.number}, but the "
                        "placement map does not say so"
                    )


def _check_span(span: EntitySpan, lengths: dict[str, int], report: IntegrityReport) -> None:
    length = lengths.get(span.doc_id)
    if length is None:
        report.problems.append(f"span {span.id}: no document {span.doc_id}")
    elif not span.offsets.within(length):
        report.problems.append(
            f"span {span.id}: offsets {span.start}-{span.end} outside the text (length {length})"
        )


def _check_claim(
    claim: Claim, lengths: dict[str, int], span_ids: set[int], report: IntegrityReport
) -> None:
    length = lengths.get(claim.doc_id)
    if length is None:
        report.problems.append(f"claim {claim.id}: no document {claim.doc_id}")
        return
    for part in claim.parts():
        if not part.within(length):
            report.problems.append(
                f"claim {claim.id}: offsets {part.start}-{part.end} outside the text "
                f"(length {length})"
            )
    if claim.source_entity is not None and claim.source_entity not in span_ids:
        report.problems.append(f"claim {claim.id}: source entity {claim.source_entity} is gone")
