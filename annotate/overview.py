"""One summary row per document, for the document list: from the store's catalog (no texts,
no spans are read)."""

from __future__ import annotations

from dataclasses import dataclass, field

from annotate.catalog import tallies
from annotate.model import ReviewState
from annotate.store import Store


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
    labels: frozenset[str] = frozenset()
    kinds: frozenset[str] = frozenset()
    verdicts: frozenset[str] = frozenset()
    #: Annotators who changed its spans or claims, or took it up (review state not todo).
    annotators: set[str] = field(default_factory=set)
    #: The file it was imported from (name only), when known.
    source: str = ""
    #: Its place in the annotator's queue (``claimscope assign``); None when not assigned.
    queue: int | None = None


def document_summaries(store: Store, annotator: str) -> list[DocumentSummary]:
    """Rows from the store's catalog: the annotator's queue first, in its order, then the
    other documents in import order."""
    states: dict[str, ReviewState] = {}
    reviewers: dict[str, set[str]] = {}
    for review in store.raw_records("reviews"):
        if review["annotator"] == annotator:
            states[review["doc_id"]] = ReviewState(review["state"])
        if review["state"] != ReviewState.TODO.value:
            reviewers.setdefault(review["doc_id"], set()).add(review["annotator"])
    queue = store.assignments(annotator)
    rows = []
    nobody: set[str] = set()
    for row in store.catalog():
        doc_id = row["id"]
        seen = tallies(row, annotator)
        rows.append(
            DocumentSummary(
                doc_id=doc_id,
                title=row["title"],
                date=row["date"],
                agency=row["agency"],
                state=states.get(doc_id, ReviewState.TODO),
                pending=seen.pending,
                entities=seen.entities,
                claims=seen.claims,
                labels=seen.labels,
                kinds=seen.kinds,
                verdicts=seen.verdicts,
                annotators=set(row["touched"]) | reviewers.get(doc_id, nobody),
                source=row["source"],
                queue=queue.get(doc_id),
            )
        )
    if queue:
        rows.sort(key=lambda row: (row.queue is None, row.queue or 0))  # stable: import order
    return rows
