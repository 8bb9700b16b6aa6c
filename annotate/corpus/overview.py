"""One summary row per document, for the document list: from the store's catalog (no texts,
no spans are read)."""

from __future__ import annotations

from collections.abc import Iterable

from annotate.model import ReviewState
from annotate.store import Store
from annotate.store.catalog import Row, ViewTallies, tallies, touched


class DocumentSummary:
    """What the document list shows for one document: a view of its catalog row, whose
    tallies are worked out when first asked for (the list shows a screenful of 100,000)."""

    __slots__ = (
        "_annotator",
        "_pending",
        "_reviewers",
        "_row",
        "_seen",
        "doc_id",
        "queue",
        "shared",
        "state",
    )

    def __init__(
        self,
        row: Row,
        annotator: str,
        state: ReviewState = ReviewState.TODO,
        queue: int | None = None,
        reviewers: frozenset[str] = frozenset(),
        shared: bool = False,
    ) -> None:
        self._row = row
        self.doc_id: str = row["id"]
        self._annotator = annotator
        self._reviewers = reviewers
        self._seen: ViewTallies | None = None
        self._pending: int | None = None
        self.state = state
        #: Its place in the annotator's queue (``claimscope assign``); None when not assigned.
        self.queue = queue
        #: In every annotator's queue: the overlap agreement is measured on.
        self.shared = shared

    @property
    def title(self) -> str:
        return str(self._row["title"])

    @property
    def date(self) -> str:
        return str(self._row["date"])

    @property
    def agency(self) -> str:
        return str(self._row["agency"])

    @property
    def source(self) -> str:
        """The file it was imported from (name only), when known."""
        return str(self._row["source"])

    @property
    def seen(self) -> ViewTallies:
        """The tallies of the annotator's view of the document."""
        if self._seen is None:
            self._seen = tallies(self._row, self._annotator)
        return self._seen

    @property
    def pending(self) -> int:
        return self.seen.pending if self._pending is None else self._pending

    @pending.setter
    def pending(self, value: int) -> None:
        self._pending = value

    @property
    def entities(self) -> int:
        return self.seen.entities

    @property
    def claims(self) -> int:
        return self.seen.claims

    @property
    def labels(self) -> frozenset[str]:
        return self.seen.labels

    @property
    def kinds(self) -> frozenset[str]:
        return self.seen.kinds

    @property
    def verdicts(self) -> frozenset[str]:
        return self.seen.verdicts

    @property
    def annotators(self) -> frozenset[str]:
        """Annotators who changed its spans or claims, or took it up (review state not todo)."""
        return touched(self._row) | self._reviewers


def document_summaries(store: Store, annotator: str) -> list[DocumentSummary]:
    """Rows from the store's catalog: the annotator's queue first, in its order, then the
    other documents in import order."""
    states: dict[str, ReviewState] = {}
    reviewers: dict[str, frozenset[str]] = {}
    for review in store.raw_records("reviews"):
        if review["annotator"] == annotator:
            states[review["doc_id"]] = ReviewState(review["state"])
        if review["state"] != ReviewState.TODO.value:
            known = reviewers.get(review["doc_id"], frozenset())
            reviewers[review["doc_id"]] = known | {review["annotator"]}
    queue = store.assignments(annotator)
    shared = store.shared_documents() if queue else frozenset()
    nobody: frozenset[str] = frozenset()
    rows = [
        DocumentSummary(
            row,
            annotator,
            states.get(row["id"], ReviewState.TODO),
            queue.get(row["id"]),
            reviewers.get(row["id"], nobody),
            row["id"] in shared,
        )
        for row in store.catalog()
    ]
    if queue:
        rows.sort(key=lambda row: (row.queue is None, row.queue or 0))  # stable: import order
    return rows


def known_annotators(store: Store) -> set[str]:
    """Everyone who changed a span or claim, reviewed a document or has a queue here."""
    names = {name for row in store.catalog() for name in touched(row)}
    names.update(annotator for _, annotator in store.review_ids())
    names.update(record["annotator"] for record in store.raw_records("assignments"))
    return names


def known_labels(store: Store) -> set[str]:
    """Every entity label a span here has (from the statistics, without reading a text)."""
    return {key.split("\t", 1)[0] for key in store.totals()["spans"]}


def unknown_names(asked: Iterable[str], known: set[str], what: str) -> str | None:
    """A warning naming what was asked for and is not here, with what is (None: all known)."""
    missing = sorted(set(asked) - known)
    if not missing:
        return None
    shown = ", ".join(sorted(known)[:12]) + (", …" if len(known) > 12 else "") or "none"
    return f"no {what} {', '.join(missing)} here ({what}s here: {shown})"
