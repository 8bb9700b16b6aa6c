"""Applying an operation (a commit's, or the journal's on open) to the partition it belongs to,
unless that file holds it already, keeping the indexes, the catalog rows and the statistics
in step; and refusing, before it is written, an operation that would break the model."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from annotate.errors import StoreError
from annotate.model import Offsets
from annotate.store.catalog import count_record, summarize
from annotate.store.partition_cache import PartitionCache
from annotate.store.parts import INDEX_TABLES, UNIQUE_FIELDS, apply_op
from annotate.store.state import TABLES
from annotate.store.transaction import Op


class Applying(PartitionCache):
    """Checking and applying operations."""

    def _check_op(self, op: Op, pending_texts: dict[str, str]) -> None:
        """Refuse an operation that would break the model's invariants, before it is written."""
        table, record = op["t"], op.get("r")
        if table not in TABLES:
            raise StoreError(f"unknown table {table!r}")
        part = int(op["p"])
        if part >= max(self._parts_on_disk, len(self._indexes)):
            self._check_unknown_file(part)
        if op["op"] == "del" or record is None:
            return
        if op["op"] == "set":
            current = self._record(op)
            if current is None:
                raise StoreError(f"{table} record {op['id']} does not exist")
            record = {**current, **record}
        if table in ("spans", "claims"):
            doc_id = record["doc_id"]
            text = pending_texts.get(doc_id)
            if text is None:
                text = self._document_record(doc_id)["text"]
            for name, offsets in _record_offsets(table, record):
                if not offsets.within(len(text)):
                    raise StoreError(
                        f"{table[:-1]} {name} {offsets.start}-{offsets.end} is outside "
                        f"the text (length {len(text)})"
                    )

    def _apply(self, op: Op, seq: int) -> None:
        """Apply an operation to the file it belongs to, unless that file holds it already,
        and keep the indexes, the catalog and the statistics in step."""
        name, part, record_id = op["t"], int(op["p"]), int(op["id"])
        if name not in TABLES:
            raise KeyError(f"unknown table {name!r}")
        self._next_id[name] = max(self._next_id[name], record_id + 1)
        if op["op"] == "put":
            self._placement[name].place(record_id, part)
        self._ensure_part(part)
        index = self._indexes[part]
        if name in INDEX_TABLES:
            if seq <= index.last_seq:
                return
            table = index.tables[name]
            before = table.get(str(record_id))
            apply_op(table, op)
            self._reindex_unique(name, record_id, before, table.get(str(record_id)))
            self._dirty_indexes.add(part)
            return
        partition = self._partition(part)
        if seq <= partition.last_seq:
            return  # this file was written after the entry (its index was, too)
        before, after = partition.apply(op)
        self._dirty_parts.add(part)
        if seq <= index.last_seq:
            return  # the index was written after the entry, its records file was not
        self._dirty_indexes.add(part)
        if before is not None:
            count_record(index.totals, name, before, -1)
        if after is not None:
            count_record(index.totals, name, after, 1)
        if name == "documents":
            self._doc_order = None
            if after is None:
                if before is not None:
                    self._forget_document(before["id"], part, record_id)
                return
            if before is None:
                self._doc_key[after["id"]] = record_id
                self._doc_part[after["id"]] = part
                self._part_sizes[part] += 1
            self._stale.add(after["id"])
        elif name in ("spans", "claims"):
            for record in (before, after):
                if record is not None and record["doc_id"] in self._doc_part:
                    self._stale.add(record["doc_id"])

    def _forget_document(self, doc_id: str, part: int, key: int) -> None:
        self._doc_key.pop(doc_id, None)
        self._doc_part.pop(doc_id, None)
        self._part_sizes[part] -= 1
        self._stale.discard(doc_id)
        self._indexes[part].catalog.pop(str(key), None)

    def _reindex_unique(
        self, table: str, record_id: int, before: dict[str, Any] | None, after: Any
    ) -> None:
        names = UNIQUE_FIELDS[table]
        if before is not None:
            self._unique[table].pop(tuple(before[n] for n in names), None)
        if after is not None:
            self._unique[table][tuple(after[n] for n in names)] = record_id

    def _refresh_stale_rows(self) -> None:
        """Bring the catalog rows of every document changed since they were made up to date
        (their partitions are in memory: changed partitions are never dropped)."""
        for doc_id in list(self._stale):
            self._refresh_row(doc_id)

    def _refresh_row(self, doc_id: str) -> None:
        """Recompute a document's catalog row from its records."""
        part, key = self._doc_part[doc_id], self._doc_key[doc_id]
        partition = self._partition(part)
        row = summarize(
            partition.tables["documents"][str(key)],
            partition.span_records(doc_id),
            partition.claim_records(doc_id),
            partition.history_records(doc_id),
        )
        self._indexes[part].catalog[str(key)] = row
        self._stale.discard(doc_id)
        if not self.readonly:
            self._dirty_indexes.add(part)


def _record_offsets(table: str, record: dict[str, Any]) -> Iterable[tuple[str, Offsets]]:
    if table == "spans":
        yield "offsets", Offsets(int(record["start"]), int(record["end"]))
        return
    for name in ("content", "source", "cue", "source_resolved"):
        value = record.get(name)
        if value:
            yield name, Offsets.from_dict(value)
    for part in record.get("content_parts") or ():
        yield "content part", Offsets.from_dict(part)
    for quantity in record.get("quantities") or ():
        yield "quantity", Offsets(int(quantity["start"]), int(quantity["end"]))
