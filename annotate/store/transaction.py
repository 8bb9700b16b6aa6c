"""A transaction: the operations of one all-or-nothing commit, each with its partition."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from annotate.errors import StoreError
from annotate.model import Claim, Document, EntitySpan

if TYPE_CHECKING:
    from annotate.store.database import Store

Op = dict[str, Any]


def utc_now() -> str:
    """The timestamp every edit is stamped with."""
    return datetime.now(UTC).isoformat(timespec="milliseconds")


@dataclass(frozen=True, slots=True)
class UndoTag:
    """Marks a transaction as one undoable edit by ``annotator`` in ``doc_id``."""

    annotator: str
    doc_id: str
    action: str


class Transaction:
    """Collects the operations of one all-or-nothing commit.

    Every operation names the partition it goes to (``p``): a new document goes to the last
    partition while it has room, everything else to its document's partition, and a change
    or deletion to where the record already is."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self.ops: list[Op] = []
        self._next_id = dict(store._next_id)
        self.stamp = utc_now()
        self._placed: dict[tuple[str, int], int] = {}
        self._new_docs: dict[str, int] = {}
        self._added: Counter[int] = Counter()

    def new_id(self, table: str) -> int:
        value = self._next_id[table]
        self._next_id[table] = value + 1
        return value

    def _existing_part(self, table: str, record_id: int) -> int | None:
        placed = self._placed.get((table, record_id))
        return placed if placed is not None else self._store.part_of(table, record_id)

    def _part_for_put(self, table: str, record_id: int, record: dict[str, Any]) -> int:
        part = self._existing_part(table, record_id)
        if part is None:
            if table == "documents":
                doc_id = record["id"]
                known = self._new_docs.get(doc_id, self._store.document_part(doc_id))
                part = known if known is not None else self._store.room_for_document(self._added)
                self._new_docs[doc_id] = part
                self._added[part] += 1
            else:
                doc_id = record["doc_id"]
                part = self._new_docs.get(doc_id, self._store.document_part(doc_id))
                if part is None:
                    raise StoreError(f"no document {doc_id}")
            self._placed[(table, record_id)] = part
        return part

    def put(self, table: str, record_id: int, record: dict[str, Any]) -> None:
        part = self._part_for_put(table, record_id, record)
        self.ops.append({"op": "put", "t": table, "id": record_id, "p": part, "r": record})

    def patch(self, table: str, record_id: int, changes: dict[str, Any]) -> None:
        part = self._existing_part(table, record_id)
        if part is None:
            raise StoreError(f"{table} record {record_id} does not exist")
        self.ops.append({"op": "set", "t": table, "id": record_id, "p": part, "r": changes})

    def delete(self, table: str, record_id: int) -> None:
        part = self._existing_part(table, record_id)
        if part is not None:  # deleting what was never there changes nothing
            self.ops.append({"op": "del", "t": table, "id": record_id, "p": part})

    # Domain helpers -------------------------------------------------------------------------

    def add_document(self, document: Document) -> int:
        record_id = self.new_id("documents")
        self.put("documents", record_id, document.to_dict())
        return record_id

    def add_span(self, span: EntitySpan) -> EntitySpan:
        """Insert ``span`` under a fresh id (its own ``id`` is ignored) and return it."""
        stored = span.with_changes(
            id=self.new_id("spans"),
            created_at=span.created_at or self.stamp,
            updated_at=span.updated_at or self.stamp,
        )
        self.put("spans", stored.id, stored.to_dict())
        return stored

    def add_claim(self, claim: Claim) -> Claim:
        """Insert ``claim`` under a fresh id (its own ``id`` is ignored) and return it."""
        record = claim.to_dict()
        record.update(
            id=self.new_id("claims"),
            created_at=claim.created_at or self.stamp,
            updated_at=claim.updated_at or self.stamp,
        )
        self.put("claims", record["id"], record)
        return Claim.from_dict(record)
