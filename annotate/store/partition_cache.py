"""Partitions read on demand: a records file is read when one of its documents is used, checked
against the checksum and journal sequence the main file recorded, and dropped again (least
recently used first) while clean; where records and documents are."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from annotate.errors import DamagedDatabaseError, StorageError, StoreError
from annotate.store.files import index_path, read_fd, records_path
from annotate.store.parts import (
    INDEX_TABLES,
    RECORD_TABLES,
    RECOVER,
    UNIQUE_FIELDS,
    PartIndex,
    Partition,
    parse_tables,
)
from annotate.store.state import StoreState, collector_paused, locked
from annotate.store.transaction import Op

#: Clean partitions kept in memory besides the ones with unsaved changes.
LOADED_PARTS = 16


class PartitionCache(StoreState):
    """Reading, checking and dropping partitions, and finding records in them."""

    def _verify_file(self, part: int, slot: int, crc: int | None, seq: int, where: Path) -> None:
        """A partition file must be the one the main file recorded (``slot`` 0: records, 2:
        index), or a newer one a checkpoint cut short wrote before the main file; anything
        else was rolled back or put in from elsewhere."""
        if not self._sealed:
            return
        sums = self._sums[part] if part < len(self._sums) else None
        if sums is None:
            raise DamagedDatabaseError(f"{self.path}: partition {part} is unknown; {RECOVER}")
        if crc == sums[slot] and seq == sums[slot + 1]:
            return
        if self._main_seq < seq <= max(self._journal_seq, self._seq):
            sums[slot], sums[slot + 1] = crc if crc is not None else 0, seq
            return
        other = "another copy of the same state" if seq == sums[slot + 1] else f"entry {seq}"
        raise DamagedDatabaseError(
            f"{where} is not the file the database expects: it holds {other}, the main file "
            f"recorded entry {sums[slot + 1]} — it was rolled back or replaced. Nothing was "
            f"changed; {RECOVER}"
        )

    def _check_unknown_file(self, part: int) -> None:
        """Before a writer makes partition ``part`` (one the main file does not have), a file
        already there must be one a checkpoint cut short wrote; never replace another."""
        if self.readonly or part in self._checked_new:
            return
        for where, expected in (
            (index_path(self.path, part), ("catalog", *INDEX_TABLES)),
            (records_path(self.path, part), RECORD_TABLES),
        ):
            try:
                raw = where.read_bytes()
            except FileNotFoundError:
                continue
            except OSError as error:
                raise StorageError("read", where, error, safe="nothing was changed") from error
            _, meta, _ = parse_tables(raw, where, expected, sealed=self._sealed)
            seq = meta.get("last_seq")
            if not (isinstance(seq, int) and self._main_seq < seq <= self._journal_seq):
                raise DamagedDatabaseError(
                    f"{where} holds data the database does not know (partition {part} is not "
                    f"in {self.path.name}); it was left untouched — {RECOVER}"
                )
        self._checked_new.add(part)  # once per partition, not once per operation

    def _add_index(self, index: PartIndex) -> None:
        part = index.number
        self._indexes.append(index)
        ids = [row["id"] for row in index.catalog.values()]
        self._doc_key.update(zip(ids, map(int, index.catalog), strict=True))
        self._doc_part.update(dict.fromkeys(ids, part))
        self._part_sizes.append(len(ids))
        for table, names in UNIQUE_FIELDS.items():
            unique = self._unique[table]
            for key, rec in index.tables[table].items():
                unique[tuple(rec[n] for n in names)] = int(key)

    def _partition(self, part: int) -> Partition:
        """The records of partition ``part``, read from disk when they are not in memory."""
        loaded = self._parts.get(part)
        if loaded is not None:
            self._parts.move_to_end(part)
            return loaded
        if part >= self._parts_on_disk:
            self._check_unknown_file(part)
            loaded = Partition.empty(part)  # made since the last checkpoint
        else:
            where = records_path(self.path, part)
            if self.readonly:
                fd = self._part_fds.get(part)
                if fd is None:
                    raise DamagedDatabaseError(f"{where} is missing; restore it from a backup")
                raw = read_fd(fd, where)
            else:
                try:
                    raw = where.read_bytes()
                except FileNotFoundError:
                    raise DamagedDatabaseError(
                        f"{where} is missing; restore it from a backup"
                    ) from None
                except OSError as error:
                    raise StorageError("read", where, error, safe="nothing was changed") from error
            with collector_paused():
                loaded = Partition.from_bytes(part, raw, where, sealed=self._sealed)
            self._verify_file(part, 0, loaded.crc, loaded.last_seq, where)
            if loaded.last_seq <= self._seq:  # a file ahead of the replay has later ids
                self._check_keys(loaded, where)
        self._parts[part] = loaded
        self._evict()
        return loaded

    def _evict(self) -> None:
        clean = [p for p in self._parts if p not in self._dirty_parts]
        for part in clean[: max(0, len(clean) - LOADED_PARTS)]:
            del self._parts[part]

    def _check_keys(self, partition: Partition, where: Path) -> None:
        for name in RECORD_TABLES:
            used = max(map(int, partition.tables[name]), default=0)
            if used >= self._next_id[name]:
                raise DamagedDatabaseError(
                    f"{where}: {name} record {used} is at or past the next id "
                    f"({self._next_id[name]}) the main file gives; {RECOVER}"
                )

    def _ensure_part(self, part: int) -> None:
        while len(self._indexes) <= part:
            if len(self._indexes) >= self._parts_on_disk:
                self._check_unknown_file(len(self._indexes))
            self._indexes.append(PartIndex.empty(len(self._indexes)))
            self._part_sizes.append(0)
            if self._sealed:
                self._sums.append(None)

    @locked
    def part_of(self, table: str, record_id: int) -> int | None:
        """The partition holding record ``record_id`` of ``table`` (None: never stored)."""
        return self._placement[table].find(record_id)

    @locked
    def document_part(self, doc_id: str) -> int | None:
        return self._doc_part.get(doc_id)

    @locked
    def room_for_document(self, added: dict[int, int]) -> int:
        """The partition a new document goes to, ``added`` more being on their way there."""
        last = max([len(self._part_sizes) - 1, *added])
        if last < 0:
            return 0
        size = added.get(last, 0)
        if last < len(self._part_sizes):
            size += self._part_sizes[last]
        return last if size < self._part_docs else last + 1

    def _record(self, op: Op) -> dict[str, Any] | None:
        """The stored record an operation addresses, if it exists."""
        table, part = op["t"], int(op["p"])
        if table in INDEX_TABLES:
            if part >= len(self._indexes):
                return None
            return self._indexes[part].tables[table].get(str(op["id"]))
        return self._partition(part).get(table, int(op["id"]))

    def _document_record(self, doc_id: str) -> dict[str, Any]:
        key = self._doc_key.get(doc_id)
        if key is None:
            raise StoreError(f"no document {doc_id}")
        record: dict[str, Any] = self._partition(self._doc_part[doc_id]).tables["documents"][
            str(key)
        ]
        return record

    def _find(self, table: str, record_id: int) -> dict[str, Any] | None:
        part = self._placement[table].find(record_id)
        if part is None:
            return None
        return self._partition(part).get(table, record_id)
