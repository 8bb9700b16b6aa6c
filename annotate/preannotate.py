"""Pre-annotate stored documents with a spaCy pipeline and the claim detector.

Results are stored as *suggestions* whose origin names the model and its version. Re-running
replaces that model's pending suggestions and never touches what an analyst accepted,
rejected, edited or added: a suggestion is not made again where an analyst's decision already
covers the same offsets. Documents are committed in small batches, so an interrupted run keeps
every document it finished.
"""

from __future__ import annotations

import signal
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from types import FrameType
from typing import Any, TypeVar

from spacy.tokens import Doc

from annotate.claims import CLAIMS_COMPONENT, DetectedClaim, claims_from_doc
from annotate.model import (
    Claim,
    Document,
    EntitySpan,
    OriginKind,
    SpanStatus,
    link_claim_source,
)
from annotate.nlp import LoadedPipeline
from annotate.store import Store, Transaction

ProgressCallback = Callable[[int, int, int], None]


@dataclass(slots=True)
class PreannotateReport:
    """What a run did."""

    origin: str
    documents: int = 0
    words: int = 0
    spans: int = 0
    claims: int = 0
    seconds: float = 0.0
    interrupted: bool = False
    skipped: int = 0
    per_label: dict[str, int] = field(default_factory=dict)

    @property
    def words_per_second(self) -> float:
        return self.words / self.seconds if self.seconds else 0.0


def add_claims_component(pipeline: LoadedPipeline) -> None:
    if CLAIMS_COMPONENT not in pipeline.nlp.pipe_names:
        pipeline.nlp.add_pipe(CLAIMS_COMPONENT, last=True)


def documents_to_annotate(store: Store, origin: str, *, only_new: bool) -> list[str]:
    """Ids of the documents to (re)run: all, or those this origin has not annotated yet."""
    ids = store.document_ids()
    if not only_new:
        return ids
    done = store.preannotated_documents(origin)
    return [doc_id for doc_id in ids if doc_id not in done]


def word_count(text: str) -> int:
    return len(text.split())


class _StopFlag:
    """Ctrl-C asks the run to stop after the current document (workers ignore it)."""

    def __init__(self) -> None:
        self.requested = False

    def __call__(self, signum: int, frame: FrameType | None) -> None:
        self.requested = True


def preannotate(
    store: Store,
    pipeline: LoadedPipeline,
    *,
    only_new: bool = True,
    labels: Sequence[str] | None = None,
    n_process: int = 1,
    batch_size: int = 32,
    commit_every: int = 16,
    on_progress: ProgressCallback | None = None,
) -> PreannotateReport:
    """Run ``pipeline`` over the store's documents and store its suggestions."""
    add_claims_component(pipeline)
    origin = pipeline.origin
    report = PreannotateReport(origin=origin)
    doc_ids = documents_to_annotate(store, origin, only_new=only_new)
    report.skipped = store.document_count() - len(doc_ids)
    documents = [store.get_document(doc_id) for doc_id in doc_ids]
    wanted = set(labels) if labels else None
    stop = _StopFlag()
    previous_handler = signal.signal(signal.SIGINT, stop)
    started = time.perf_counter()
    pending: list[tuple[Document, Doc]] = []
    try:
        parsed = pipeline.nlp.pipe(
            (doc.text for doc in documents), batch_size=batch_size, n_process=n_process
        )
        for document, spacy_doc in zip(documents, parsed, strict=False):
            pending.append((document, spacy_doc))
            report.documents += 1
            report.words += word_count(document.text)
            if len(pending) >= commit_every:
                _commit(store, origin, pending, wanted, report)
            if on_progress is not None:
                on_progress(report.documents, len(documents), report.words)
            if stop.requested:
                report.interrupted = True
                break
        _commit(store, origin, pending, wanted, report)
    finally:
        signal.signal(signal.SIGINT, previous_handler)
        report.seconds = time.perf_counter() - started
    return report


def _commit(
    store: Store,
    origin: str,
    pending: list[tuple[Document, Doc]],
    wanted: set[str] | None,
    report: PreannotateReport,
) -> None:
    if not pending:
        return
    with store.transaction() as tx:
        for document, spacy_doc in pending:
            spans, claims = replace_suggestions(store, tx, origin, document, spacy_doc, wanted)
            report.spans += spans
            report.claims += claims
            for ent in spacy_doc.ents:
                if wanted is None or ent.label_ in wanted:
                    report.per_label[ent.label_] = report.per_label.get(ent.label_, 0) + 1
    pending.clear()


def replace_suggestions(
    store: Store,
    tx: Transaction,
    origin: str,
    document: Document,
    spacy_doc: Doc,
    wanted: set[str] | None,
) -> tuple[int, int]:
    """Swap this origin's pending suggestions for fresh ones; returns (spans, claims) added."""
    kept_spans = _drop_pending(tx, "spans", store.spans(document.id), origin)
    kept_claims = _drop_pending(tx, "claims", store.claims(document.id), origin)
    decided = {(span.start, span.end) for span in kept_spans}
    new_spans = [
        tx.add_span(
            EntitySpan(
                id=0,
                doc_id=document.id,
                start=ent.start_char,
                end=ent.end_char,
                label=ent.label_,
                origin=origin,
                origin_kind=OriginKind.MODEL,
                status=SpanStatus.SUGGESTED,
            )
        )
        for ent in spacy_doc.ents
        if (wanted is None or ent.label_ in wanted)
        and (ent.start_char, ent.end_char) not in decided
    ]
    all_spans = kept_spans + new_spans
    decided_claims = {(claim.content.start, claim.content.end) for claim in kept_claims}
    added_claims = 0
    for detected in claims_from_doc(spacy_doc):
        if (detected.content.start, detected.content.end) in decided_claims:
            continue
        claim = suggestion_from_detected(detected, document.id, origin)
        tx.add_claim(link_claim_source(claim, all_spans))
        added_claims += 1
    tx.put(
        "preannotated",
        store.preannotated_key(document.id, origin) or tx.new_id("preannotated"),
        {"doc_id": document.id, "origin": origin, "at": tx.stamp},
    )
    return len(new_spans), added_claims


Annotation = TypeVar("Annotation", EntitySpan, Claim)


def _drop_pending(
    tx: Transaction, table: str, items: list[Annotation], origin: str
) -> list[Annotation]:
    """Delete ``origin``'s pending suggestions; return everything else (which stays)."""
    kept = []
    for item in items:
        if item.origin == origin and item.status == SpanStatus.SUGGESTED:
            tx.delete(table, item.id)
        else:
            kept.append(item)
    return kept


def suggestion_from_detected(detected: DetectedClaim, doc_id: str, origin: str) -> Claim:
    return Claim(
        id=0,
        doc_id=doc_id,
        content=detected.content,
        kind=detected.kind,
        origin=origin,
        origin_kind=OriginKind.MODEL,
        status=SpanStatus.SUGGESTED,
        source=detected.source,
        source_resolved=detected.source_resolved,
        cue=detected.cue,
        quantities=detected.quantities,
        rule=detected.rule,
        explanation=detected.explanation,
    )


def summary(report: PreannotateReport) -> dict[str, Any]:
    return {
        "origin": report.origin,
        "documents": report.documents,
        "skipped": report.skipped,
        "spans": report.spans,
        "claims": report.claims,
        "seconds": round(report.seconds, 3),
        "words_per_second": round(report.words_per_second, 1),
        "interrupted": report.interrupted,
    }
