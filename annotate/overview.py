"""One summary row per document, for the document list: computed in one pass over raw records."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from annotate.model import ReviewState, SpanStatus
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


def _title(record: dict[str, object]) -> str:
    meta = record.get("meta") or {}
    title = meta.get("title") if isinstance(meta, dict) else None
    if isinstance(title, str) and title:
        return title
    text = str(record.get("text", ""))
    for line in text.splitlines():
        if line.strip():
            return line.strip()
    return "(empty)"


def document_summaries(store: Store, annotator: str) -> list[DocumentSummary]:
    """Rows in import order, with counts of pending suggestions, entities and claims."""
    pending: Counter[str] = Counter()
    entities: Counter[str] = Counter()
    claims: Counter[str] = Counter()
    labels: dict[str, set[str]] = defaultdict(set)
    suggested = SpanStatus.SUGGESTED.value
    rejected = SpanStatus.REJECTED.value
    for span in store.raw_records("spans"):
        doc_id = span["doc_id"]
        status = span["status"]
        if status == suggested:
            pending[doc_id] += 1
        if status != rejected:
            entities[doc_id] += 1
            labels[doc_id].add(span["label"])
    for claim in store.raw_records("claims"):
        doc_id = claim["doc_id"]
        if claim["status"] == suggested:
            pending[doc_id] += 1
        if claim["status"] != rejected:
            claims[doc_id] += 1
    states = {
        r["doc_id"]: ReviewState(r["state"])
        for r in store.raw_records("reviews")
        if r["annotator"] == annotator
    }
    rows = []
    for record in sorted(store.raw_records("documents"), key=lambda r: store.doc_order(r["id"])):
        doc_id = record["id"]
        meta = record.get("meta") or {}
        rows.append(
            DocumentSummary(
                doc_id=doc_id,
                title=_title(record),
                date=str(meta.get("date") or ""),
                agency=str(meta.get("agency") or ""),
                state=states.get(doc_id, ReviewState.TODO),
                pending=pending[doc_id],
                entities=entities[doc_id],
                claims=claims[doc_id],
                labels=labels[doc_id],
            )
        )
    return rows
