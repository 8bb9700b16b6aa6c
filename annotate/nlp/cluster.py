"""Pre-annotation on a Dask cluster (``distributed``), for corpora one machine is too slow for.

The client (``claimscope preannotate --scheduler ADDRESS``) sends batches of documents to the
workers; each worker loads the pipeline once and returns, per document, what it found as plain
data (:class:`~annotate.nlp.preannotate.Extraction`). The client gathers the results in
order and commits them through the database's one writer, exactly as a run on one machine
does: the stored suggestions are the same, record for record. Only a bounded number of
batches is in flight, so memory does not grow with the corpus. Ctrl-C cancels what is in
flight and keeps every committed document; the next run goes on from there (``--only-new``).

``local`` instead of an address starts a ``LocalCluster`` on this machine.
"""

from __future__ import annotations

import signal
import time
from collections import deque
from collections.abc import Callable, Generator, Iterable, Sequence
from contextlib import AbstractContextManager, ExitStack
from functools import cache
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from annotate.errors import ClaimscopeError
from annotate.model import DocMeta, Document
from annotate.nlp.preannotate import (
    WINDOW_CHARS,
    Extraction,
    PreannotateReport,
    ProgressCallback,
    StopFlag,
    add_claims_component,
    commit_extractions,
    documents_to_annotate,
    parse_documents,
    word_count,
)
from annotate.store import Store

if TYPE_CHECKING:
    from distributed import Client

Batch = TypeVar("Batch")
INSTALL_HINT = "Dask is not installed: pip install 'claimscope[dask]' (distributed)"


# On the workers -------------------------------------------------------------------------------


@cache
def _worker_pipeline(
    model: str | None, claim_lexicon: str | None, claims_from: str | None = None
) -> Any:
    """The pipeline, loaded once per worker process for each model and lexicon (the detector
    component holds its own lexicon, so runs with different ones never mix)."""
    from annotate.nlp.pipeline import load_pipeline

    pipeline = load_pipeline(model)
    add_claims_component(pipeline, Path(claim_lexicon) if claim_lexicon else None, claims_from)
    return pipeline


def pipeline_origin(
    model: str | None, claim_lexicon: str | None, claims_from: str | None = None
) -> str:
    """The origin (``name@version``) of the pipeline as the workers load it."""
    return str(_worker_pipeline(model, claim_lexicon, claims_from).origin)


def annotate_batch(
    model: str | None,
    claim_lexicon: str | None,
    texts: Sequence[tuple[str, str]],
    batch_size: int,
    window_chars: int,
    claims_from: str | None = None,
) -> tuple[list[Extraction], list[tuple[str, str]]]:
    """What the pipeline finds in each (document id, text), and the documents it failed on."""
    pipeline = _worker_pipeline(model, claim_lexicon, claims_from)
    documents = [Document(doc_id, text, DocMeta()) for doc_id, text in texts]
    failed: list[tuple[str, str]] = []
    found = [
        extraction
        for _, extraction in parse_documents(
            pipeline,
            documents,
            batch_size=batch_size,
            n_process=1,
            window_chars=window_chars,
            failed=failed,
        )
    ]
    return found, failed


# On the client ---------------------------------------------------------------------------------


PRE_SPAWN_ENVIRON = "distributed.nanny.pre-spawn-environ"


def connect(scheduler: str, workers: int = 2) -> AbstractContextManager[Client]:
    """A client of the scheduler at ``scheduler``, or of a new ``LocalCluster`` of
    ``workers`` processes when it is ``local``."""
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise ClaimscopeError(INSTALL_HINT) from None
    if scheduler == "local":
        import dask

        stack = ExitStack()
        # Dask's nannies set MALLOC_TRIM_THRESHOLD_=65536 in their workers to hand memory back
        # sooner; spaCy and the claim rules allocate and free many small objects per
        # document, and with that setting they ran 15 % slower here. None unsets it.
        with dask.config.set({f"{PRE_SPAWN_ENVIRON}.MALLOC_TRIM_THRESHOLD_": None}):
            cluster = stack.enter_context(
                LocalCluster(  # type: ignore[no-untyped-call]
                    n_workers=workers, threads_per_worker=1, processes=True
                )
            )
        client = stack.enter_context(Client(cluster))  # type: ignore[no-untyped-call]
        return _Closing(client, stack)
    try:
        return Client(scheduler, timeout="20s")  # type: ignore[no-untyped-call]
    except OSError as error:
        raise ClaimscopeError(f"cannot reach the Dask scheduler at {scheduler}: {error}") from None


class _Closing(AbstractContextManager["Client"]):
    def __init__(self, client: Client, stack: ExitStack) -> None:
        self.client, self.stack = client, stack

    def __enter__(self) -> Client:
        return self.client

    def __exit__(self, *exc: object) -> None:
        self.stack.close()


#: Batches submitted and not yet taken, per worker.
IN_FLIGHT_PER_WORKER = 4


def guided_batches(items: Sequence[str], workers: int, *, smallest: int = 4) -> list[list[str]]:
    """Batches that shrink as the work runs out (guided self-scheduling): each is what is
    left over twice the workers, at most 64 and at least ``smallest``. Big batches early cost
    little in scheduling; small ones at the end keep every worker busy to the last."""
    batches: list[list[str]] = []
    start = 0
    while start < len(items):
        left = len(items) - start
        size = max(smallest, min(64, -(-left // (2 * workers))))
        batches.append(list(items[start : start + size]))
        start += size
    return batches


def in_order(
    batches: Iterable[Batch], submit: Callable[[Batch], Any], limit: int
) -> Generator[tuple[Batch, Any], None, None]:
    """Each batch with its result, in the batches' order, with at most ``limit`` submitted
    and not yet taken (so memory does not grow with the work); what is still in flight is
    cancelled when the caller stops taking results."""
    following = iter(batches)
    waiting: deque[tuple[Batch, Any]] = deque(
        (batch, submit(batch)) for batch in islice(following, max(1, limit))
    )
    try:
        while waiting:
            batch, future = waiting.popleft()
            yield batch, future.result()
            waiting.extend((more, submit(more)) for more in islice(following, 1))
    finally:
        for _, future in waiting:
            future.cancel()


def preannotate_on_cluster(
    store: Store,
    client: Client,
    model: str | None = None,
    *,
    claim_lexicon: Path | None = None,
    claims_from: str | None = None,
    only_new: bool = True,
    labels: Sequence[str] | None = None,
    batch_documents: int = 4,
    batch_size: int = 32,
    in_flight: int | None = None,
    window_chars: int = WINDOW_CHARS,
    on_progress: ProgressCallback | None = None,
) -> PreannotateReport:
    """As :func:`~annotate.nlp.preannotate.preannotate`, with the parsing done on ``client``'s
    workers; results are committed in document order as they come back (batches as
    :func:`guided_batches` cuts them, none smaller than ``batch_documents``)."""
    lexicon_path = str(claim_lexicon) if claim_lexicon else None
    origin = client.submit(pipeline_origin, model, lexicon_path, claims_from, pure=False).result()
    report = PreannotateReport(origin=origin)
    doc_ids = documents_to_annotate(store, origin, only_new=only_new)
    report.skipped = store.document_count() - len(doc_ids)
    wanted = set(labels) if labels else None
    workers = max(1, len(client.scheduler_info().get("workers", {})))
    batches = (
        [store.get_document(doc_id) for doc_id in ids]
        for ids in guided_batches(doc_ids, workers, smallest=batch_documents)
    )

    def submit(documents: list[Document]) -> Any:
        texts = [(d.id, d.text) for d in documents]
        return client.submit(
            annotate_batch,
            model,
            lexicon_path,
            texts,
            batch_size,
            window_chars,
            claims_from,
            pure=False,
        )

    stop = StopFlag()
    previous_handler = signal.signal(signal.SIGINT, stop)
    started = time.perf_counter()
    # results are taken in order: a slow batch at the head must not leave the others idle
    results = in_order(batches, submit, in_flight or IN_FLIGHT_PER_WORKER * workers)
    try:
        for documents, (found, failed) in results:
            report.failed += failed
            by_id = {d.id: d for d in documents}
            pending = [(by_id[e.doc_id], e) for e in found]
            commit_extractions(store, origin, pending, wanted, report)
            report.documents += len(found)
            report.words += sum(word_count(by_id[e.doc_id].text) for e in found)
            if on_progress is not None:
                on_progress(report.documents + len(report.failed), len(doc_ids), report.words)
            if stop.requested:
                report.interrupted = True
                break
    finally:
        results.close()  # what is still in flight is cancelled
        signal.signal(signal.SIGINT, previous_handler)
        report.seconds = time.perf_counter() - started
    return report
