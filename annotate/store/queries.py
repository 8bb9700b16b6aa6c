"""Reading the store: documents, spans, claims and reviews, the catalog rows and the corpus
totals, each query under the store's lock."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from annotate.errors import StoreError
from annotate.model import Claim, Document, EntitySpan, Review, ReviewState
from annotate.store.catalog import Row, Totals, add_totals, empty_totals
from annotate.store.opening import Opening
from annotate.store.parts import INDEX_TABLES, PartIndex, Partition
from annotate.store.state import locked


class Queries(Opening):
    """What the store's readers ask of it."""

    def _keyed_records(self, table: str) -> Iterator[tuple[str, dict[str, Any]]]:
        if table in INDEX_TABLES:
            for index in list(self._indexes):
                with self._mutex:
                    items = list(index.tables[table].items())
                yield from items
            return
        for part in range(len(self._indexes)):
            with self._mutex:
                items = list(self._partition(part).tables[table].items())
            yield from items

    @property
    def last_seq(self) -> int:
        return self._seq

    @property
    def partitions(self) -> int:
        return len(self._indexes)

    @locked
    def partition_contents(self) -> Iterator[tuple[Partition, PartIndex]]:
        """Each partition's records and index, in order, for ``db check`` (do not modify)."""
        self._refresh_stale_rows()
        for part in range(len(self._indexes)):
            yield self._partition(part), self._indexes[part]

    @locked
    def document_count(self) -> int:
        return len(self._doc_key)

    @locked
    def has_document(self, doc_id: str) -> bool:
        return doc_id in self._doc_key

    @locked
    def document_ids(self) -> list[str]:
        """Document ids in import order."""
        if self._doc_order is None:
            self._doc_order = sorted(self._doc_key, key=self._doc_key.__getitem__)
        return list(self._doc_order)

    def catalog(self) -> Iterator[Row]:
        """Every document's catalog row (title, date, tallies of each view; see
        :mod:`annotate.store.catalog`), in import order, kept current with every edit (reads no
        texts)."""
        with self._mutex:
            self._refresh_stale_rows()
            indexes = list(self._indexes)
        # new documents only ever go to the last partition: partition order is import order
        for index in indexes:
            with self._mutex:
                rows = index.catalog
                batch = [rows[key] for key in sorted(rows, key=int)]
            yield from batch

    @locked
    def remake_rows(self, doc_ids: Iterable[str]) -> None:
        """Make the catalog rows of ``doc_ids`` again from their records (rows an older
        release wrote, in a form this one reads from the records each time). Rows are derived
        data: they are kept with the next checkpoint and nothing is journaled. A reader
        leaves them as they are."""
        if self.readonly:
            return
        for doc_id in doc_ids:
            if doc_id in self._doc_part:
                self._refresh_row(doc_id)

    @locked
    def catalog_row(self, doc_id: str) -> Row | None:
        """One document's catalog row (kept current as :meth:`catalog` keeps them), or None
        for a document the database does not hold."""
        if doc_id not in self._doc_part:
            return None
        if doc_id in self._stale:
            self._refresh_row(doc_id)
        return self._indexes[self._doc_part[doc_id]].catalog.get(str(self._doc_key[doc_id]))

    @locked
    def totals(self) -> Totals:
        """The corpus statistics of every partition, summed (see :mod:`annotate.store.catalog`)."""
        summed = empty_totals()
        for index in self._indexes:
            add_totals(summed, index.totals)
        return summed

    @locked
    def get_document(self, doc_id: str) -> Document:
        return Document.from_dict(self._document_record(doc_id))

    def documents(self) -> Iterator[Document]:
        for doc_id in self.document_ids():
            yield self.get_document(doc_id)

    @locked
    def spans(self, doc_id: str) -> list[EntitySpan]:
        """The document's entity spans, by position."""
        part = self._doc_part.get(doc_id)
        if part is None:
            return []
        records = self._partition(part).span_records(doc_id)
        spans = [EntitySpan.from_dict(record) for record in records]
        return sorted(spans, key=lambda s: (s.start, s.end, s.id))

    def all_spans(self) -> Iterator[EntitySpan]:
        for _, record in self._keyed_records("spans"):
            yield EntitySpan.from_dict(record)

    @locked
    def find_span(self, span_id: int) -> EntitySpan | None:
        record = self._find("spans", span_id)
        return EntitySpan.from_dict(record) if record is not None else None

    @locked
    def find_claim(self, claim_id: int) -> Claim | None:
        record = self._find("claims", claim_id)
        return Claim.from_dict(record) if record is not None else None

    def get_span(self, span_id: int) -> EntitySpan:
        span = self.find_span(span_id)
        if span is None:
            raise StoreError(f"no span {span_id}")
        return span

    @locked
    def claims(self, doc_id: str) -> list[Claim]:
        """The document's claims, by position of their content."""
        part = self._doc_part.get(doc_id)
        if part is None:
            return []
        found = [Claim.from_dict(r) for r in self._partition(part).claim_records(doc_id)]
        return sorted(found, key=lambda c: (c.content.start, c.content.end, c.id))

    def all_claims(self) -> Iterator[Claim]:
        for _, record in self._keyed_records("claims"):
            yield Claim.from_dict(record)

    def get_claim(self, claim_id: int) -> Claim:
        claim = self.find_claim(claim_id)
        if claim is None:
            raise StoreError(f"no claim {claim_id}")
        return claim

    def document_texts(self) -> Iterator[tuple[str, str]]:
        """Every document's id and text, without building :class:`Document` objects (a
        full-text search over 100,000 documents)."""
        for record in self.raw_records("documents"):
            yield record["id"], record["text"]

    def raw_records(self, table: str) -> Iterator[dict[str, Any]]:
        """The stored dicts of a table, for fast read-only scans (do not modify them)."""
        for _, record in self._keyed_records(table):
            yield record

    def reviews(self) -> Iterator[Review]:
        for record in self.raw_records("reviews"):
            yield Review.from_dict(record)

    @locked
    def assignments(self, annotator: str) -> dict[str, int]:
        """``annotator``'s queue: document id → position (empty when nothing is assigned)."""
        return {
            rec["doc_id"]: int(rec["position"])
            for rec in self.raw_records("assignments")
            if rec["annotator"] == annotator
        }

    @locked
    def shared_documents(self) -> frozenset[str]:
        """Documents in two or more annotators' queues (the overlap ``assign`` gives everyone,
        for agreement)."""
        holders: dict[str, set[str]] = {}
        for rec in self.raw_records("assignments"):
            holders.setdefault(rec["doc_id"], set()).add(rec["annotator"])
        return frozenset(doc_id for doc_id, names in holders.items() if len(names) > 1)

    @locked
    def review_ids(self) -> dict[tuple[str, str], int]:
        """The record id of every review, by (document id, annotator)."""
        return {(key[0], key[1]): value for key, value in self._unique["reviews"].items()}

    @locked
    def review_state(self, doc_id: str, annotator: str) -> ReviewState:
        key = self._unique["reviews"].get((doc_id, annotator))
        part = self._doc_part.get(doc_id)
        if key is None or part is None:
            return ReviewState.TODO
        return ReviewState(self._indexes[part].tables["reviews"][str(key)]["state"])

    @locked
    def preannotated_key(self, doc_id: str, origin: str) -> int | None:
        """The record saying ``origin`` pre-annotated ``doc_id``, if it did."""
        return self._unique["preannotated"].get((doc_id, origin))

    @locked
    def preannotated_documents(self, origin: str) -> set[str]:
        return {doc_id for doc_id, name in self._unique["preannotated"] if name == origin}

    @locked
    def review(self, doc_id: str, annotator: str) -> Review | None:
        """The annotator's review record of the document, if there is one."""
        key = self._unique["reviews"].get((doc_id, annotator))
        part = self._doc_part.get(doc_id)
        if key is None or part is None:
            return None
        return Review.from_dict(self._indexes[part].tables["reviews"][str(key)])
