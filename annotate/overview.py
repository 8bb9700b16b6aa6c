"""One summary row per document, for the document list: computed in one pass over raw records."""

from __future__ import annotations

from dataclasses import dataclass, field

from annotate.model import ReviewState, display_title
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
    labels: set[str] = field(default_factory=set)


def document_summaries(store: Store, annotator: str) -> list[DocumentSummary]:
    """Rows in import order, from the store's per-document counters (no scan of the spans)."""
    states = {
        r["doc_id"]: ReviewState(r["state"])
        for r in store.raw_records("reviews")
        if r["annotator"] == annotator
    }
    rows = []
    for record in store.raw_records("documents"):
        doc_id = record["id"]
        meta = record.get("meta") or {}
        counts = store.counts(doc_id)
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
                labels={label for label, n in counts.labels.items() if n > 0},
            )
        )
    return rows
