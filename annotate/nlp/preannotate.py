"""Pre-annotate stored documents with a spaCy pipeline and the claim detector.

Results are stored as *suggestions* whose origin names the model and its version. Re-running
replaces that model's pending suggestions and never touches what an analyst accepted,
rejected, edited or added: a suggestion is not made again where an analyst's decision already
covers the same offsets. Documents are committed in small batches, so an interrupted run keeps
every document it finished.

Long documents are processed in windows of at most ``window_chars`` characters, cut after a
paragraph (else a line, a sentence, a word), with every offset shifted back into the document:
spaCy's length limit never blocks a document. A long document's windows are parsed one at a
time and each parse is turned into plain data and dropped before the next, so memory follows
the window, never the document (a 5 MB one-line article parses in the memory of 100,000
characters). A document the pipeline still cannot process is
skipped and named in the report; the others go on.
"""

from __future__ import annotations

import signal
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from types import FrameType
from typing import Any, TypeVar

from spacy.tokens import Doc

from annotate.claims import lexicon
from annotate.claims.component import MODES, ClaimDetector, claims_from_doc
from annotate.claims.detected import CLAIMS_COMPONENT, DetectedClaim
from annotate.claims.learned import MODEL_COMPONENT
from annotate.claims.parse import kept_text
from annotate.errors import ClaimscopeError
from annotate.labels import Label, load_labels
from annotate.model import (
    Claim,
    Document,
    EntitySpan,
    Offsets,
    OriginKind,
    SpanLookup,
    SpanStatus,
    link_claim_source,
)
from annotate.nlp.attribution_model import detach
from annotate.nlp.pipeline import LoadedPipeline
from annotate.store import Store, Transaction

ProgressCallback = Callable[[int, int, int], None]
#: Pieces of one document as the pipeline saw them: (offset of the piece, its parse).
Pieces = Iterable[tuple[int, Doc]]
#: The longest piece of a document the pipeline sees at once (spaCy refuses texts over
#: ``nlp.max_length``, 1,000,000 characters, and needs about 1 GB per 100,000 of them to parse).
WINDOW_CHARS = 100_000
_SEPARATORS = ("\n\n", "\n", ". ", " ")


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
    #: Documents the pipeline could not process: (document id, what went wrong).
    failed: list[tuple[str, str]] = field(default_factory=list)

    @property
    def words_per_second(self) -> float:
        return self.words / self.seconds if self.seconds else 0.0


@dataclass(slots=True)
class Extraction:
    """What the pipeline found in one document, in document offsets, as plain data: the same
    whichever process or machine parsed it, and cheap to send between them."""

    doc_id: str
    entities: list[tuple[int, int, str]]
    claims: list[DetectedClaim]


@cache
def _guideline_labels() -> dict[str, Label]:
    """The labels whose guidelines shape a model's spans (those of the built-in config that
    leave a possessive out), by name."""
    return {label.name: label for label in load_labels().labels if label.drop_possessive}


def extract(document: Document, pieces: Pieces) -> Extraction:
    """The entities and claims of a document's parse (or of its windows' parses, taken one
    at a time: each parse may be dropped once it has been read)."""
    found = Extraction(document.id, [], [])
    shaped = _guideline_labels()
    for offset, spacy_doc in pieces:
        text = kept_text(spacy_doc)  # Doc.text joins the tokens on each read
        for ent in spacy_doc.ents:
            start, end = ent.start_char, ent.end_char
            label = shaped.get(ent.label_)
            if label is not None:  # as its guideline marks it ("Bruce Wayne's" → "Bruce Wayne")
                fitted = label.fitted(text, start, end)
                start, end = fitted.start, fitted.end
            found.entities.append((offset + start, offset + end, ent.label_))
        found.claims.extend(shifted(detected, offset) for detected in claims_from_doc(spacy_doc))
    return found


def add_claims_component(
    pipeline: LoadedPipeline, lexicon: Path | None = None, claims_from: str | None = None
) -> None:
    """The claim detector at the end of the pipeline (a trained pipeline may carry its own),
    with the cue lexicon extended by the file ``lexicon`` when one is given, and its claims
    taken from ``claims_from`` (``rules``, ``model``, ``both``; None: the pipeline's own
    choice: :data:`WITH_MODEL` with an attribution model, else the rules). Claims from the
    rules alone take the attribution model out of the pipeline, so it costs nothing."""
    has_model = MODEL_COMPONENT in pipeline.nlp.pipe_names
    if claims_from == "rules" and has_model:
        detach(pipeline.nlp)
        has_model = False
    if CLAIMS_COMPONENT not in pipeline.nlp.pipe_names:
        config = {"use": WITH_MODEL} if has_model else {}
        pipeline.nlp.add_pipe(CLAIMS_COMPONENT, last=True, config=config)
    detector = pipeline.nlp.get_pipe(CLAIMS_COMPONENT)
    if not isinstance(detector, ClaimDetector):
        return
    if lexicon is not None:
        detector.use_lexicon(lexicon)
    if claims_from is not None:
        if claims_from not in MODES:
            raise ClaimscopeError(f"--claims {claims_from}: choose one of {', '.join(MODES)}")
        if claims_from != "rules" and MODEL_COMPONENT not in pipeline.nlp.pipe_names:
            raise ClaimscopeError(
                f"--claims {claims_from}: {pipeline.name} has no attribution model "
                "(train one with claimscope train-claims, then pass --model PATH)"
            )
        detector.choose(claims_from)


#: Where claims come from when the pipeline has an attribution model and no one chose: the
#: combination measured best on news no rule was written from (README, "Claims").
WITH_MODEL = "both"


def same_model(origin: str, other: str) -> bool:
    """Whether two origins name the same model (another version of it, or other rules or cue
    words: ``name@version`` and ``name@version+claims.xxxxxxxx`` share ``name``)."""
    return origin.partition("@")[0] == other.partition("@")[0]


def documents_to_annotate(store: Store, origin: str, *, only_new: bool) -> list[str]:
    """Ids of the documents to (re)run: all, or those this origin has not annotated yet."""
    ids = store.document_ids()
    if not only_new:
        return ids
    done = store.preannotated_documents(origin)
    return [doc_id for doc_id in ids if doc_id not in done]


def word_count(text: str) -> int:
    return len(text.split())


def windows(text: str, limit: int = WINDOW_CHARS) -> list[tuple[int, int]]:
    """``[start, end)`` pieces of at most ``limit`` characters that cover ``text`` in order,
    each cut after a blank line if there is one in its last three quarters, else after a
    line, a sentence (". "), a space, and only as a last resort in the middle of a word."""
    pieces: list[tuple[int, int]] = []
    start = 0
    while len(text) - start > limit:
        hard = start + limit
        earliest = start + limit // 4
        cut = hard
        for separator in _SEPARATORS:
            found = text.rfind(separator, earliest, hard)
            if found != -1:
                cut = found + len(separator)
                break
        pieces.append((start, cut))
        start = cut
    pieces.append((start, len(text)))
    return pieces


def _parse_stream(
    pipeline: LoadedPipeline,
    documents: Sequence[Document],
    *,
    batch_size: int,
    n_process: int,
    window_chars: int,
) -> Iterator[tuple[Document, Extraction]]:
    """What the pipeline finds in each document, in order: documents that fit one window
    stream through ``nlp.pipe`` in batches; a longer one is parsed window by window."""
    start = 0
    for position, document in enumerate(documents):
        if len(document.text) > window_chars:
            yield from _parse_short(pipeline, documents[start:position], batch_size, n_process)
            yield document, _parse_long(pipeline, document, window_chars)
            start = position + 1
    yield from _parse_short(pipeline, documents[start:], batch_size, n_process)


def _parse_short(
    pipeline: LoadedPipeline, documents: Sequence[Document], batch_size: int, n_process: int
) -> Iterator[tuple[Document, Extraction]]:
    if not documents:
        return
    stream = ((document.text, index) for index, document in enumerate(documents))
    for spacy_doc, index in pipeline.nlp.pipe(
        stream, as_tuples=True, batch_size=batch_size, n_process=n_process
    ):
        yield documents[index], extract(documents[index], [(0, spacy_doc)])


def _parse_long(pipeline: LoadedPipeline, document: Document, window_chars: int) -> Extraction:
    """One window in memory at a time: its parse is read, then dropped."""
    text = document.text
    stream = ((text[start:end], start) for start, end in windows(text, window_chars))
    parses = pipeline.nlp.pipe(stream, as_tuples=True, batch_size=1)
    return extract(document, ((start, spacy_doc) for spacy_doc, start in parses))


def parse_documents(
    pipeline: LoadedPipeline,
    documents: Sequence[Document],
    *,
    batch_size: int,
    n_process: int,
    window_chars: int,
    failed: list[tuple[str, str]],
) -> Iterator[tuple[Document, Extraction]]:
    """:func:`_parse_stream`, except that a document the pipeline fails on is left out and
    added to ``failed``: after a failure the batch it happened in is parsed again one
    document at a time to find it, and the stream resumes after it."""
    position = 0
    while position < len(documents):
        try:
            for parsed in _parse_stream(
                pipeline,
                documents[position:],
                batch_size=batch_size,
                n_process=n_process,
                window_chars=window_chars,
            ):
                yield parsed
                position += 1
            return
        except Exception:  # one bad document must not block the others
            suspects = documents[position : position + batch_size]
        for document in suspects:
            position += 1
            try:
                single = next(
                    _parse_stream(
                        pipeline, [document], batch_size=1, n_process=1, window_chars=window_chars
                    )
                )
            except Exception as error:  # named in the report, then skipped
                failed.append((document.id, f"{type(error).__name__}: {error}"))
                continue
            yield single


class StopFlag:
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
    window_chars: int = WINDOW_CHARS,
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
    stop = StopFlag()
    previous_handler = signal.signal(signal.SIGINT, stop)
    started = time.perf_counter()
    pending: list[tuple[Document, Extraction]] = []
    try:
        parsed = parse_documents(
            pipeline,
            documents,
            batch_size=batch_size,
            n_process=n_process,
            window_chars=window_chars,
            failed=report.failed,
        )
        for document, extraction in parsed:
            pending.append((document, extraction))
            report.documents += 1
            report.words += word_count(document.text)
            if len(pending) >= commit_every:
                commit_extractions(store, origin, pending, wanted, report)
            if on_progress is not None:
                on_progress(report.documents + len(report.failed), len(documents), report.words)
            if stop.requested:
                report.interrupted = True
                break
        commit_extractions(store, origin, pending, wanted, report)
    finally:
        signal.signal(signal.SIGINT, previous_handler)
        report.seconds = time.perf_counter() - started
    return report


def commit_extractions(
    store: Store,
    origin: str,
    pending: list[tuple[Document, Extraction]],
    wanted: set[str] | None,
    report: PreannotateReport,
) -> None:
    if not pending:
        return
    with store.transaction() as tx:
        for document, extraction in pending:
            spans, claims = replace_suggestions(store, tx, origin, document, extraction, wanted)
            report.spans += spans
            report.claims += claims
            for _, _, label in extraction.entities:
                if wanted is None or label in wanted:
                    report.per_label[label] = report.per_label.get(label, 0) + 1
    pending.clear()


def replace_suggestions(
    store: Store,
    tx: Transaction,
    origin: str,
    document: Document,
    found: Extraction | Doc,
    wanted: set[str] | None,
) -> tuple[int, int]:
    """Swap this origin's pending suggestions for fresh ones; returns (spans, claims) added.
    ``found`` is what the pipeline found, or the document's parse."""
    if isinstance(found, Doc):
        found = extract(document, [(0, found)])
    kept_spans = _drop_pending(tx, "spans", store.spans(document.id), origin)
    kept_claims = _drop_pending(tx, "claims", store.claims(document.id), origin)
    decided = {(span.start, span.end) for span in kept_spans}
    new_spans = [
        tx.add_span(
            EntitySpan(
                id=0,
                doc_id=document.id,
                start=start,
                end=end,
                label=label,
                origin=origin,
                origin_kind=OriginKind.MODEL,
                status=SpanStatus.SUGGESTED,
            )
        )
        for start, end, label in found.entities
        if (wanted is None or label in wanted) and (start, end) not in decided
    ]
    all_spans = SpanLookup(kept_spans + new_spans)
    decided_claims = {(claim.content.start, claim.content.end) for claim in kept_claims}
    added_claims = 0
    for detected in found.claims:
        if (detected.content.start, detected.content.end) in decided_claims:
            continue
        claim = suggestion_from_detected(detected, document.id, origin)
        # the entity the source is about (its head), not another one its phrase holds
        head = all_spans.best_overlap(detected.source_head) if detected.source_head else None
        if head is not None:
            claim.source_entity = head.id
        else:  # a name the phrase holds ("Two [Taliban] leaders"), never "Two"
            link_claim_source(claim, all_spans, lexicon.active().named_labels)
        tx.add_claim(claim)
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
    """Delete the pending suggestions of ``origin``'s model, whatever its version or rules (a
    new version replaces what an older one suggested and nobody decided); return everything
    else, which stays."""
    kept = []
    for item in items:
        if same_model(item.origin, origin) and item.status == SpanStatus.SUGGESTED:
            tx.delete(table, item.id)
        else:
            kept.append(item)
    return kept


def shifted(detected: DetectedClaim, delta: int) -> DetectedClaim:
    """``detected`` found in a window that starts ``delta`` characters into the document."""
    if not delta:
        return detected

    def move(offsets: Offsets | None) -> Offsets | None:
        return offsets.shifted(delta) if offsets else None

    return replace(
        detected,
        content=detected.content.shifted(delta),
        source=move(detected.source),
        source_resolved=move(detected.source_resolved),
        cue=move(detected.cue),
        source_head=move(detected.source_head),
        quantities=[
            replace(q, start=q.start + delta, end=q.end + delta) for q in detected.quantities
        ],
        content_parts=[p.shifted(delta) for p in detected.content_parts or ()] or None,
    )


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
        content_parts=detected.content_parts,
        confidence=detected.confidence,
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
        "failed": [{"id": doc_id, "error": error} for doc_id, error in report.failed],
    }
