"""One summary row per document, for the document list: computed in one pass over raw records."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from annotate.model import ReviewState, display_title
from annotate.store import DocCounts, Store
from annotate.team.views import view


@dataclass(slots=True)
class DocumentSummary:
    """What the document list shows for one document."""

    doc_id: str
    title: str
    date: str
    agency: str
    state: ReviewState
    pending: int = 0
    entities: int = 0
    claims: int = 0
    labels: set[str] = field(default_factory=set)
    kinds: set[str] = field(default_factory=set)
    verdicts: set[str] = field(default_factory=set)
    #: Annotators who changed its spans or claims, or took it up (review state not todo).
    annotators: set[str] = field(default_factory=set)
    #: The file it was imported from (name only), when known.
    source: str = ""
    #: Its place in the annotator's queue (``claimscope assign``); None when not assigned.
    queue: int | None = None


def document_summaries(store: Store, annotator: str) -> list[DocumentSummary]:
    """Rows from the store's per-document counters (no scan of the spans): the annotator's
    queue first, in its order, then the other documents in import order."""
    states: dict[str, ReviewState] = {}
    reviewers: dict[str, set[str]] = {}
    for review in store.raw_records("reviews"):
        if review["annotator"] == annotator:
            states[review["doc_id"]] = ReviewState(review["state"])
        if review["state"] != ReviewState.TODO.value:
            reviewers.setdefault(review["doc_id"], set()).add(review["annotator"])
    queue = store.assignments(annotator)
    rows = []
    for record in store.raw_records("documents"):
        doc_id = record["id"]
        meta = record.get("meta") or {}
        counts = store.counts(doc_id)
        touched = _present(counts.annotators)
        if touched - {annotator}:
            counts = view_counts(store, doc_id, annotator)  # others' work: count the view
        rows.append(
            DocumentSummary(
                doc_id=doc_id,
                title=display_title(meta.get("title"), record["text"]),
                date=str(meta.get("date") or ""),
                agency=str(meta.get("agency") or ""),
                state=states.get(doc_id, ReviewState.TODO),
                pending=counts.pending,
                entities=counts.entities,
                claims=counts.claims,
                labels=_present(counts.labels),
                kinds=_present(counts.kinds),
                verdicts=_present(counts.verdicts),
                annotators=touched | reviewers.get(doc_id, set()),
                source=_file_name(str(meta.get("source") or "")),
                queue=queue.get(doc_id),
            )
        )
    if queue:
        rows.sort(key=lambda row: (row.queue is None, row.queue or 0))  # stable: import order
    return rows


def view_counts(store: Store, doc_id: str, annotator: str) -> DocCounts:
    """The list's tallies of ``annotator``'s view of a document several annotators share."""
    counts = DocCounts()
    for span in view(store.spans(doc_id), annotator):
        counts.count_span(span.to_dict(), 1)
    for claim in view(store.claims(doc_id), annotator):
        counts.count_claim(claim.to_dict(), 1)
    return counts


def _file_name(source: str) -> str:
    """The last part of a path or URL (``PurePath`` per row costs 20 ms on 10,000 rows)."""
    return source.rstrip("/").rsplit("/", 1)[-1]


def _present(counter: Counter[str]) -> set[str]:
    return {key for key, count in counter.items() if count > 0 and key}
