"""Opening a database: the files read (a reader beside a writer reads again when a checkpoint
replaced one under it), each checked, a schema-1 database split into partitions, and the
journal replayed after them."""

from __future__ import annotations

import os
import time
from contextlib import suppress
from pathlib import Path
from typing import Any

from annotate.errors import DamagedDatabaseError, DamagedJournalError, StorageError, StoreError
from annotate.store.catalog import count_record, empty_totals
from annotate.store.checkpoints import Checkpoints
from annotate.store.files import allow_open_files, index_path, open_fd, read_fd, records_path
from annotate.store.journal import (
    JournalContents,
    JournalWriter,
    read_journal,
    replay_entries,
    stale_temporaries,
)
from annotate.store.legacy import LEGACY_VERSION, split_legacy
from annotate.store.lock import WriteLock
from annotate.store.main_file import SCHEMA_VERSION, SEALED_SINCE, decode_main
from annotate.store.parts import INDEX_TABLES, RECOVER, PartIndex, Partition, damaged_structure
from annotate.store.placement import Placement
from annotate.store.seal import check_seal
from annotate.store.state import TABLES, collector_paused
from annotate.store.transaction import utc_now

#: How often a read-only open tries again when a writer's checkpoint moved the files under it.
READ_ATTEMPTS = 40
#: How often a read-only open reads again before it reports damage.
DAMAGE_REREADS = 3


class Opening(Checkpoints):
    """Reading the files and the journal into memory."""

    def _open(self) -> None:
        if not self.readonly:
            self._lock = WriteLock.acquire(self.path, self.lock_path)
        elif not self.path.exists() and not self.journal_path.exists():
            raise StoreError(f"no database at {self.path} (run `claimscope import` first)")
        journal, migrated = self._read_consistent_state()
        self.recovered_torn_bytes = journal.torn_bytes
        if self.readonly:
            return
        for leftover in self._leftover_temporaries():  # of a checkpoint cut short
            leftover.unlink(missing_ok=True)
        try:
            self._journal = JournalWriter(
                self.journal_path, keep_bytes=journal.valid_bytes, terminate=journal.unterminated
            )
        except OSError as error:
            raise StorageError(
                "open the journal", self.journal_path, error, safe="nothing was changed"
            ) from error
        if not self._sealed:
            self._seal_partitions()
        elif migrated or not self.path.exists():
            self.checkpoint()
            if migrated:
                from annotate.review.session import save_all

                with suppress(OSError):  # where the reader was is a convenience
                    save_all(self.path, self.migrated_ui_state)
        else:
            self._verify_records_files()

    def _leftover_temporaries(self) -> list[Path]:
        """What an interrupted checkpoint of this database left: temporaries of the main file
        and of partition files the database has. Nothing else in the folder is touched."""
        parts = range(len(self._indexes))
        return stale_temporaries(
            self.path,
            *(index_path(self.path, part) for part in parts),
            *(records_path(self.path, part) for part in parts),
        )

    def _read_consistent_state(self) -> tuple[JournalContents, bool]:
        """Load the files and replay the journal after them.

        The writer holds the lock, so nothing moves under it. A reader may meet a checkpoint
        in progress: a file it opened was replaced before it read the journal. It then starts
        again (the files it had open stay open meanwhile, so their inodes cannot be reused
        and mistaken)."""
        attempts = READ_ATTEMPTS if self.readonly else 1
        damage_seen = 0
        part_docs = self._part_docs
        for attempt in range(attempts):
            self._close_part_fds()
            self._reset_state(part_docs)
            self.replayed_entries = 0
            try:
                return self._read_state_once()
            except (_MovedUnderUsError, DamagedDatabaseError) as error:
                # A line being appended, or a checkpoint emptying the journal, can look like
                # damage for an instant; damage that stays through a few reads is real.
                damage_seen += not _moved_only(error)
                transient = isinstance(error, DamagedJournalError | _MovedUnderUsError)
                if attempt == attempts - 1 or damage_seen > DAMAGE_REREADS or not transient:
                    if isinstance(error, _JournalGapError):
                        raise DamagedDatabaseError(str(error)) from None
                    if isinstance(error, _MovedUnderUsError):
                        raise StoreError(
                            f"{self.path} kept changing while it was read ({attempts} "
                            "attempts): a writer checkpoints without pause; try again"
                        ) from None
                    raise
                self.read_retries += 1
                time.sleep(0.002 * (attempt + 1))
        raise AssertionError("unreachable")

    def _read_state_once(self) -> tuple[JournalContents, bool]:
        held: dict[Path, int | None] = {}
        try:
            main_fd = held[self.path] = open_fd(self.path)
            main = self._load_main(main_fd)
            version = main["meta"]["1"]["schema_version"]
            if version == LEGACY_VERSION:
                journal = read_journal(self.journal_path)
                self._check_current(held)
                self._load_legacy(main, journal)
                return journal, not self.readonly
            self._meta = main["meta"]["1"]
            self._sealed = version >= SEALED_SINCE
            self._parts_on_disk = self._meta["parts"]
            self._main_seq = self._meta["last_seq"]
            if self._sealed:
                self._sums = list(self._meta["sums"])
            if self.readonly:
                allow_open_files(self._parts_on_disk + 64)
            for part in range(self._parts_on_disk):
                held[index_path(self.path, part)] = open_fd(index_path(self.path, part))
                if self.readonly:
                    fd = open_fd(records_path(self.path, part))
                    held[records_path(self.path, part)] = self._part_fds[part] = fd
            journal = read_journal(self.journal_path)
            self._check_current(held)
            self._journal_seq = max(self._main_seq, journal.last_seq)
            self._load_indexes(held)
        finally:
            for fd in held.values():
                if fd is not None and fd not in self._part_fds.values():
                    os.close(fd)
        self._replay(journal)
        self._check_counters()
        return journal, False

    def _check_current(self, held: dict[Path, int | None]) -> None:
        """A reader's files must still be the ones at their paths (no checkpoint replaced
        them) once it has read the journal."""
        if not self.readonly:
            return
        for where, fd in held.items():
            try:
                now = os.stat(where).st_ino
            except FileNotFoundError:
                now = None
            then = os.fstat(fd).st_ino if fd is not None else None
            if now != then:
                raise _MovedUnderUsError

    def _load_main(self, fd: int | None) -> dict[str, Any]:
        if fd is None:
            return {"meta": {"1": self._new_meta()}}
        loaded = decode_main(read_fd(fd, self.path), self.path)
        return loaded if loaded is not None else {"meta": {"1": self._new_meta()}}

    def _new_meta(self) -> dict[str, Any]:
        return {
            "schema_version": SCHEMA_VERSION,
            "created_at": utc_now(),
            "last_seq": 0,
            "part_docs": self._part_docs,
            "parts": 0,
            "next_ids": {},
            "placement": {},
            "sums": [],
        }

    def _load_indexes(self, held: dict[Path, int | None]) -> None:
        meta = self._meta
        self._seq = meta["last_seq"]
        self._part_docs = meta["part_docs"]
        for table, value in meta["next_ids"].items():
            self._next_id[table] = max(self._next_id.get(table, 1), value)
        for table, saved in meta["placement"].items():
            self._placement[table] = Placement(saved)
        with collector_paused():
            for part in range(self._parts_on_disk):
                where = index_path(self.path, part)
                fd = held.get(where)
                if fd is None:
                    raise DamagedDatabaseError(f"{where} is missing; {RECOVER}")
                index = PartIndex.from_bytes(part, read_fd(fd, where), where, sealed=self._sealed)
                self._verify_file(part, 2, index.crc, index.last_seq, where)
                try:
                    self._add_index(index)
                except (KeyError, TypeError, ValueError, AttributeError) as error:
                    raise damaged_structure(where, error) from None

    def _verify_records_files(self) -> None:
        """A writer reads every records file's checksum before it writes anything, so it never
        opens a damaged database (readers verify each file as they read it)."""
        for part in range(self._parts_on_disk):
            if part in self._parts:
                continue  # read (and verified) by the replay
            where = records_path(self.path, part)
            try:
                raw = where.read_bytes()
            except FileNotFoundError:
                raise DamagedDatabaseError(f"{where} is missing; {RECOVER}") from None
            except OSError as error:
                raise StorageError("read", where, error, safe="nothing was changed") from error
            crc = check_seal(raw, where)
            sums = self._sums[part]
            if crc is not None and sums is not None and crc == sums[0]:
                continue
            with collector_paused():  # not the recorded file: decode it to say why
                partition = Partition.from_bytes(part, raw, where, sealed=True)
            self._verify_file(part, 0, partition.crc, partition.last_seq, where)

    def _check_counters(self) -> None:
        """Every id in use must be below its table's next id, or the next edit would reuse
        it and replace another record."""
        for table in TABLES:
            used = self._placement[table].end - 1
            if table in INDEX_TABLES:
                for index in self._indexes:
                    used = max(used, max(map(int, index.tables[table]), default=0))
            if self._next_id[table] <= used:
                raise DamagedDatabaseError(
                    f"{self.path} is damaged: the next {table} id is {self._next_id[table]}, "
                    f"but id {used} is in use; it was left untouched — {RECOVER}"
                )

    def _load_legacy(self, main: dict[str, Any], journal: JournalContents) -> None:
        """A schema-1 database, split into partitions held in memory (all of them dirty)."""
        for table in ("documents", "spans", "claims", "history", *INDEX_TABLES, "ui_state"):
            main.setdefault(table, {})
        gap = _JournalGapError if self.readonly else None
        split = split_legacy(main, journal, self.journal_path, self._part_docs, gap)
        self.replayed_entries = split.replayed
        self._seq = split.last_seq
        self._meta = self._new_meta()
        self._meta["created_at"] = main["meta"]["1"].get("created_at") or utc_now()
        self._next_id.update(split.next_ids)
        self.migrated_ui_state = split.ui_state
        for table, record_id, part in split.placed:
            self._placement[table].place(record_id, part)
        for number, (records, index_tables) in enumerate(
            zip(split.records, split.indexes, strict=True)
        ):
            partition = Partition(number, records, 0)
            index = PartIndex(number, {"catalog": {}, **index_tables}, 0, empty_totals())
            for name in ("documents", "spans", "claims"):
                for record in records[name].values():
                    count_record(index.totals, name, record, 1)
            self._parts[number] = partition
            self._add_index(index)
            for key, record in records["documents"].items():
                self._doc_key[record["id"]] = int(key)
                self._doc_part[record["id"]] = number
                self._part_sizes[number] += 1
                self._stale.add(record["id"])
            self._dirty_parts.add(number)
            self._dirty_indexes.add(number)

    def _replay(self, journal: JournalContents) -> None:
        """Apply the journal entries the files miss (each file says what it holds; entries up
        to the main file's ``last_seq`` are in every file, since it is written last)."""
        self._seq, self.replayed_entries = replay_entries(
            journal,
            self._seq,
            self.journal_path,
            self._apply,
            gap=_JournalGapError if self.readonly else None,
        )


class _MovedUnderUsError(Exception):
    """A read-only open met a checkpoint in progress and must read again."""


class _JournalGapError(_MovedUnderUsError):
    """Journal entries are missing: a checkpoint emptied the journal while a reader read it,
    or (when it stays through a few reads) damage."""


def _moved_only(error: Exception) -> bool:
    return isinstance(error, _MovedUnderUsError) and not isinstance(error, _JournalGapError)
