"""The database: partitioned TinyDB files, a write-ahead journal for every edit, lazy loading.

This module and :mod:`annotate.store.parts` are the only ones that touch the files. Layout:

- ``claimscope.json``, the *main* file, is a TinyDB file with one ``meta`` record: the schema
  version, the journal sequence number the files hold (``last_seq``), the next free ids, the
  number of partitions and which partition holds which record ids (:mod:`.placement`).
- ``claimscope.json.parts/NNNNN.json`` and ``NNNNN.index.json``: the partitions (see
  :mod:`annotate.store.parts`). Documents go to partitions of ``part_docs`` in import order,
  and everything belonging to a document goes with it. All index files are read on open (the
  document list and the statistics come from them); a records file is read when one of its
  documents is used, and dropped again (least recently used first) when clean.
- ``claimscope.json.journal`` receives every committed transaction as one line, made durable
  (``fdatasync``) before the commit returns: an acknowledged edit survives kill -9 and power
  loss. Per-edit work is one append plus O(1) dictionary updates, whatever the corpus size.
- Checkpoints write the index and records files of the partitions that changed (index first),
  then the main file, each atomically (temp file, fsync, rename), then empty the journal. They
  run on close, on request (the TUI calls one when idle) and when the journal or the number of
  changed partitions grows. Each file records the last entry it holds and a replay gives each
  file only what it misses, so a crash anywhere in a checkpoint replays nothing twice.
- Every file is sealed with a checksum (:mod:`annotate.store.seal`) verified whenever it is
  read, and the main file records each partition file's checksum and journal sequence, so a
  flipped bit, a file rolled back to an older copy or one put in from elsewhere is damage:
  every command reports it and no writer opens (``claimscope db recover`` rebuilds from what
  is intact, :mod:`annotate.store.recover`). A writer never replaces a partition file with one
  holding fewer records than the journal's deletions explain, nor a file the main file does
  not know.
- The one process that may write holds an ``flock`` on the partitions folder (see
  :mod:`annotate.store.lock`); ``claimscope.json.lock`` names it. Read-only opens take no
  lock.
- Read-only opens run beside a writer: they open every file of the database, read the
  journal, and start again when a checkpoint replaced a file in between. The open files keep
  the versions they read, so partitions read later belong to the same state: a reader sees a
  consistent state holding every edit acknowledged before it started.
- Failures of the file system (disk full, read-only, permissions) become :class:`StorageError`
  naming the file and the cause. A failed journal append is rolled back (the edit was not
  made); a failed checkpoint loses nothing (the journal keeps every acknowledged edit).
- A schema-1 database (one TinyDB file holding everything) is migrated on its first writable
  open (:mod:`annotate.store.legacy`); a schema-2 database (partitions without checksums) is
  sealed by its first writable open, one partition at a time.
"""

from __future__ import annotations

import gc
import os
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from functools import wraps
from pathlib import Path
from threading import RLock
from typing import Any, ParamSpec, TypeVar

import orjson
from tinydb import TinyDB
from tinydb.storages import Storage
from tinydb.table import Table

from annotate.errors import (
    CheckpointError,
    DamagedDatabaseError,
    DamagedJournalError,
    StorageError,
    StoreError,
)
from annotate.model import Claim, Document, EntitySpan, Offsets, Review, ReviewState
from annotate.store.catalog import Row, Totals, add_totals, count_record, empty_totals, summarize
from annotate.store.files import (
    allow_open_files,
    index_path,
    open_fd,
    parts_folder,
    read_fd,
    records_path,
)
from annotate.store.history import UndoHistory
from annotate.store.journal import (
    JournalContents,
    JournalWriter,
    atomic_write,
    read_journal,
    replay_entries,
    stale_temporaries,
)
from annotate.store.legacy import LEGACY_VERSION, split_legacy
from annotate.store.lock import WriteLock
from annotate.store.parts import (
    INDEX_TABLES,
    RECORD_TABLES,
    RECOVER,
    UNIQUE_FIELDS,
    PartIndex,
    Partition,
    apply_op,
    damaged_structure,
    decode_tables,
    parse_tables,
)
from annotate.store.placement import Placement
from annotate.store.seal import SEAL_TABLE, check_seal, seal
from annotate.store.transaction import Op, Transaction, UndoTag, utc_now

SCHEMA_VERSION = 3
#: The first schema whose files carry checksums.
SEALED_SINCE = 3
#: The schema of partitioned databases without checksums (sealed by the first writer).
UNSEALED_VERSION = 2
TABLES = (*RECORD_TABLES, *INDEX_TABLES)
DEFAULT_DB_NAME = "claimscope.json"
#: Documents per partition: a checkpoint after one edit rewrites about this many texts.
PART_DOCS = 200
#: Clean partitions kept in memory besides the ones with unsaved changes.
LOADED_PARTS = 16
#: A checkpoint runs in passing once this many partitions hold unsaved changes.
DIRTY_PARTS = 64
#: How often a read-only open tries again when a writer's checkpoint moved the files under it.
READ_ATTEMPTS = 40
#: How often a read-only open reads again before it reports damage.
DAMAGE_REREADS = 3
DB_ENV_VAR = "CLAIMSCOPE_DB"

Changes = frozenset[tuple[str, int]]
#: Per partition: the checksum and journal sequence of its records file, then of its index.
FileSums = list[int]
_P = ParamSpec("_P")
_R = TypeVar("_R")


def _locked(method: Callable[_P, _R]) -> Callable[_P, _R]:
    """Run a query under the store's lock, so a checkpoint on another thread (the reader
    runs one when idle) never changes the partitions it is reading."""

    @wraps(method)
    def run(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        store = args[0]
        assert isinstance(store, Store)
        with store._mutex:
            return method(*args, **kwargs)

    return run


def resolve_db_path(option: str | Path | None) -> Path:
    """``--db`` wins, then ``$CLAIMSCOPE_DB``, then ``claimscope.json`` in the current folder."""
    chosen = option or os.environ.get(DB_ENV_VAR) or DEFAULT_DB_NAME
    return Path(chosen).expanduser()


class _SnapshotStorage(Storage):
    """Lets TinyDB query a snapshot of the store's tables; writes must go through the journal."""

    def __init__(self, data: dict[str, dict[str, Any]]) -> None:
        self._data = data

    def read(self) -> dict[str, dict[str, Any]]:
        return self._data

    def write(self, data: dict[str, dict[str, Any]]) -> None:
        raise StoreError("write through Store methods, not TinyDB, so edits are journaled")


class Store(UndoHistory):
    """An open Claimscope database. Use :meth:`open` or ``with Store.open(path) as store``."""

    def __init__(
        self,
        path: Path,
        *,
        readonly: bool = False,
        checkpoint_every: int = 10_000,
        checkpoint_bytes: int = 64 * 1024 * 1024,
        part_docs: int = PART_DOCS,
    ) -> None:
        self.path = Path(path)
        self.readonly = readonly
        self.checkpoint_every = checkpoint_every
        self.checkpoint_bytes = checkpoint_bytes
        self.journal_path = self.path.with_name(self.path.name + ".journal")
        self.lock_path = self.path.with_name(self.path.name + ".lock")
        self.recovered_torn_bytes = 0
        self.replayed_entries = 0
        #: How many times a read-only open had to start again because a checkpoint ran.
        self.read_retries = 0
        #: The last automatic checkpoint that failed (the journal still holds everything).
        self.checkpoint_failure: CheckpointError | None = None
        #: The UI state a migrated schema-1 database carried (see :mod:`annotate.review.session`).
        self.migrated_ui_state: dict[str, dict[str, Any]] = {}
        self._checkpoint_at_entries = checkpoint_every
        self._checkpoint_at_bytes = checkpoint_bytes
        self._mutex = RLock()
        self._lock: WriteLock | None = None
        self._journal: JournalWriter | None = None
        self._observers: list[Callable[[Changes], None]] = []
        self._closed = False
        self._reset_state(part_docs)
        try:
            self._open()
        except BaseException:
            self._release()
            raise

    def _reset_state(self, part_docs: int) -> None:
        self._meta: dict[str, Any] = {}
        self._seq = 0
        self._part_docs = part_docs
        self._next_id: dict[str, int] = {table: 1 for table in TABLES}
        self._placement: dict[str, Placement] = {table: Placement() for table in TABLES}
        self._indexes: list[PartIndex] = []
        self._parts: OrderedDict[int, Partition] = OrderedDict()
        self._parts_on_disk = 0
        self._part_fds: dict[int, int | None] = {}
        self._dirty_parts: set[int] = set()
        self._dirty_indexes: set[int] = set()
        self._doc_key: dict[str, int] = {}
        self._doc_part: dict[str, int] = {}
        self._doc_order: list[str] | None = None
        self._part_sizes: list[int] = []
        self._stale: set[str] = set()
        self._unique: dict[str, dict[tuple[str, ...], int]] = {t: {} for t in UNIQUE_FIELDS}
        #: The files carry checksums and the main file knows them (schema 3).
        self._sealed = True
        self._sums: list[FileSums | None] = []
        #: The journal sequence the main file held when it was read, and the last one the
        #: journal held then: a partition file between the two was written by a checkpoint
        #: that was cut short before the main file.
        self._main_seq = 0
        self._journal_seq = 0
        #: New partitions already checked for a file the main file does not know.
        self._checked_new: set[int] = set()

    @classmethod
    def open(cls, path: str | Path, *, readonly: bool = False, **options: Any) -> Store:
        return cls(Path(path), readonly=readonly, **options)

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # Opening and recovery -------------------------------------------------------------------

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
        with _collector_paused():
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
            with _collector_paused():  # not the recorded file: decode it to say why
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

    # Partitions ----------------------------------------------------------------------------

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
            with _collector_paused():
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

    @_locked
    def part_of(self, table: str, record_id: int) -> int | None:
        """The partition holding record ``record_id`` of ``table`` (None: never stored)."""
        return self._placement[table].find(record_id)

    @_locked
    def document_part(self, doc_id: str) -> int | None:
        return self._doc_part.get(doc_id)

    @_locked
    def room_for_document(self, added: dict[int, int]) -> int:
        """The partition a new document goes to, ``added`` more being on their way there."""
        last = max([len(self._part_sizes) - 1, *added])
        if last < 0:
            return 0
        size = added.get(last, 0)
        if last < len(self._part_sizes):
            size += self._part_sizes[last]
        return last if size < self._part_docs else last + 1

    # Checkpoints ---------------------------------------------------------------------------

    def try_checkpoint(self) -> CheckpointError | None:
        """:meth:`checkpoint`, for a caller with nobody to raise to (the reader's idle
        checkpoint): a failure is kept in ``checkpoint_failure`` and returned, not raised."""
        try:
            self.checkpoint()
        except CheckpointError as error:
            self.checkpoint_failure = error
            return error
        return None

    def checkpoint(self) -> None:
        """Write the partitions that changed and the main file atomically; empty the journal.

        Raises :class:`CheckpointError` when a file cannot be written; nothing is lost then,
        since the journal still holds every acknowledged edit."""
        with self._mutex:
            journal = self._require_writable()
            safe = f"every acknowledged edit is kept in {self.journal_path.name}"
            seq = self._seq
            self._refresh_stale_rows()
            where = self.path
            for part in self._dirty_parts:
                loss = self._parts[part].unexplained_loss()
                if loss is not None:
                    raise DamagedDatabaseError(
                        f"{records_path(self.path, part)} was not replaced: the new version "
                        f"would lose records no edit removed ({loss}); {safe}"
                    )
            try:
                if self._dirty_indexes or self._dirty_parts:
                    parts_folder(self.path).mkdir(exist_ok=True)
                for part in sorted(self._dirty_indexes | self._dirty_parts):
                    self._ensure_sums(part)
                    where = index_path(self.path, part)
                    data, crc = self._indexes[part].to_bytes(seq)
                    atomic_write(where, data)
                    self._indexes[part].last_seq, self._indexes[part].crc = seq, crc
                    self._set_sums(part, 2, crc, seq)
                    self._dirty_indexes.discard(part)
                    if part in self._dirty_parts:
                        where = records_path(self.path, part)
                        data, crc = self._parts[part].to_bytes(seq)
                        atomic_write(where, data)
                        self._parts[part].written(seq, crc)
                        self._set_sums(part, 0, crc, seq)
                        self._dirty_parts.discard(part)
                where = self.path
                self._parts_on_disk = max(self._parts_on_disk, len(self._indexes))
                main, _ = seal(orjson.dumps({"meta": {"1": self._main_meta(seq)}}))
                atomic_write(self.path, main)
            except OSError as error:
                raise CheckpointError("checkpoint", where, error, safe=safe) from error
            self._main_seq = self._journal_seq = seq
            self._evict()
            try:
                journal.reset()
            except OSError as error:  # the files hold it all; old entries are skipped
                raise CheckpointError("empty", self.journal_path, error, safe=safe) from error
            self.checkpoint_failure = None
            self._checkpoint_at_entries = self.checkpoint_every
            self._checkpoint_at_bytes = self.checkpoint_bytes

    def _ensure_sums(self, part: int) -> None:
        while len(self._sums) <= part:
            self._sums.append(None)

    def _set_sums(self, part: int, slot: int, crc: int, seq: int) -> None:
        sums = self._sums[part]
        if sums is None:
            # a new partition: its records file is written right after its index, or (an
            # index-only change) has never been written: the empty records file of a
            # partition whose documents came and went is written with it (-1: not yet)
            sums = self._sums[part] = [-1, -1, -1, -1]
        sums[slot], sums[slot + 1] = crc, seq

    def _main_meta(self, seq: int) -> dict[str, Any]:
        missing = [part for part, sums in enumerate(self._sums) if sums is None or sums[1] < 0]
        for part in missing:  # a partition whose records file was never written
            data, crc = self._partition(part).to_bytes(seq)
            atomic_write(records_path(self.path, part), data)
            self._parts[part].written(seq, crc)
            self._set_sums(part, 0, crc, seq)
        meta = dict(self._meta)
        meta.update(
            schema_version=SCHEMA_VERSION,
            last_seq=seq,
            part_docs=self._part_docs,
            parts=self._parts_on_disk,
            next_ids=dict(self._next_id),
            placement={table: placed.to_dict() for table, placed in self._placement.items()},
            sums=list(self._sums),
        )
        self._meta = meta
        return meta

    def _seal_partitions(self) -> None:
        """Migrate a schema-2 database: give every partition file its checksum, one partition
        at a time (a crash part-way leaves a schema-2 database some of whose files are
        sealed, which opens as before), then write the main file as schema 3."""
        self._require_writable()
        self._sums = [None] * len(self._indexes)
        for part in range(self._parts_on_disk):
            partition = self._partition(part)
            if part not in self._dirty_parts:
                where = records_path(self.path, part)
                data, crc = partition.to_bytes(partition.last_seq)
                try:
                    atomic_write(where, data)
                except OSError as error:
                    raise StorageError("seal", where, error, safe="nothing was lost") from error
                partition.written(partition.last_seq, crc)
                self._set_sums(part, 0, crc, partition.last_seq)
            self._dirty_indexes.add(part)
            self._evict()
        self._sealed = True
        self.checkpoint()

    @property
    def pending_journal_entries(self) -> int:
        """Commits made since the last checkpoint (what a replay on open would redo)."""
        return self._journal.entries if self._journal else 0

    def close(self) -> None:
        """Checkpoint and release the write lock. Safe to call twice."""
        if self._closed:
            return
        try:
            if self._journal is not None:
                if (
                    self._journal.size
                    or self.replayed_entries
                    or self.recovered_torn_bytes
                    or self._dirty_parts
                    or self._dirty_indexes
                ):
                    self.checkpoint()
                self._journal.close()
                self._journal = None
                self.journal_path.unlink(missing_ok=True)  # empty, and we hold the lock
        finally:
            self._closed = True
            self._release()

    def _close_part_fds(self) -> None:
        for fd in self._part_fds.values():
            if fd is not None:
                os.close(fd)
        self._part_fds = {}

    def _release(self) -> None:
        self._close_part_fds()
        if self._journal is not None:
            empty = self._journal.size == 0
            self._journal.close()
            self._journal = None
            if empty and not self.path.exists():  # an open that failed before any write
                self.journal_path.unlink(missing_ok=True)
        if self._lock is not None:
            self._lock.release(keep_folder=self.path.exists())
            self._lock = None

    def _require_writable(self) -> JournalWriter:
        if self._closed:
            raise StoreError(f"{self.path} is closed")
        if self._journal is None:
            raise StoreError(f"{self.path} was opened read-only")
        return self._journal

    # Transactions ---------------------------------------------------------------------------

    def observe(self, callback: Callable[[Changes], None]) -> None:
        """Call ``callback`` with the (table, record id) pairs of every commit, once applied."""
        self._observers.append(callback)

    @contextmanager
    def transaction(self, *, undo: UndoTag | None = None) -> Iterator[Transaction]:
        """Collect operations; on a clean exit they are journaled durably, then applied.

        With ``undo``, the transaction also records itself (with its inverse) in the
        ``history`` table, so the annotator can undo and redo it, even after a restart."""
        with self._mutex:
            self._require_writable()
            tx = Transaction(self)
            yield tx
            if undo is not None and tx.ops:
                self._record_history(tx, undo)
            self.commit(tx)

    def _record(self, op: Op) -> dict[str, Any] | None:
        """The stored record an operation addresses, if it exists."""
        table, part = op["t"], int(op["p"])
        if table in INDEX_TABLES:
            if part >= len(self._indexes):
                return None
            return self._indexes[part].tables[table].get(str(op["id"]))
        return self._partition(part).get(table, int(op["id"]))

    def commit(self, tx: Transaction) -> None:
        """Make ``tx`` durable (one journal line, fdatasync), then apply it in memory."""
        if not tx.ops:
            return
        with self._mutex:
            journal = self._require_writable()
            pending_texts = {
                op["r"]["id"]: op["r"]["text"]
                for op in tx.ops
                if op["t"] == "documents" and op["op"] == "put"
            }
            for op in tx.ops:
                self._check_op(op, pending_texts)
            seq = self._seq + 1
            try:
                journal.append({"seq": seq, "ops": tx.ops})
            except orjson.JSONEncodeError as error:  # refused before a byte was written
                raise StoreError(
                    f"the edit cannot be stored ({error}); nothing was changed"
                ) from None
            except OSError as error:
                safe = "the edit was not made; every acknowledged edit is kept"
                if journal.broken is not None:
                    safe += " (the database is read-only until claimscope is restarted)"
                raise StorageError("save the edit to", self.journal_path, error, safe) from error
            self._seq = seq
            for op in tx.ops:
                self._apply(op, seq)
            if self._observers:
                changes = frozenset((op["t"], int(op["id"])) for op in tx.ops)
                for observer in self._observers:
                    observer(changes)
            if (
                journal.entries >= self._checkpoint_at_entries
                or journal.size >= self._checkpoint_at_bytes
                or len(self._dirty_parts) >= DIRTY_PARTS
            ):
                self._checkpoint_in_passing(journal)

    def _checkpoint_in_passing(self, journal: JournalWriter) -> None:
        """A checkpoint because the journal grew: the edit that triggered it is already
        acknowledged, so a failure is kept (``checkpoint_failure``), not raised, and the next
        attempt waits until the journal has grown as much again."""
        if self.try_checkpoint() is not None:
            self._checkpoint_at_entries = journal.entries + self.checkpoint_every
            self._checkpoint_at_bytes = journal.size + self.checkpoint_bytes

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

    # Queries --------------------------------------------------------------------------------

    @_locked
    def table(self, name: str) -> Table:
        """A TinyDB table for ad-hoc queries: a snapshot of every partition's records, taken
        now (it reads them all); writes go through the store."""
        if name not in TABLES:
            raise StoreError(f"unknown table {name!r}")
        data = {name: {str(r_id): r for r_id, r in self._keyed_records(name)}}
        return TinyDB(storage=_SnapshotStorage, data=data).table(name)

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

    @_locked
    def partition_contents(self) -> Iterator[tuple[Partition, PartIndex]]:
        """Each partition's records and index, in order, for ``db check`` (do not modify)."""
        self._refresh_stale_rows()
        for part in range(len(self._indexes)):
            yield self._partition(part), self._indexes[part]

    @_locked
    def document_count(self) -> int:
        return len(self._doc_key)

    @_locked
    def has_document(self, doc_id: str) -> bool:
        return doc_id in self._doc_key

    @_locked
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

    @_locked
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

    @_locked
    def catalog_row(self, doc_id: str) -> Row | None:
        """One document's catalog row (kept current as :meth:`catalog` keeps them), or None
        for a document the database does not hold."""
        if doc_id not in self._doc_part:
            return None
        if doc_id in self._stale:
            self._refresh_row(doc_id)
        return self._indexes[self._doc_part[doc_id]].catalog.get(str(self._doc_key[doc_id]))

    @_locked
    def totals(self) -> Totals:
        """The corpus statistics of every partition, summed (see :mod:`annotate.store.catalog`)."""
        summed = empty_totals()
        for index in self._indexes:
            add_totals(summed, index.totals)
        return summed

    def _document_record(self, doc_id: str) -> dict[str, Any]:
        key = self._doc_key.get(doc_id)
        if key is None:
            raise StoreError(f"no document {doc_id}")
        record: dict[str, Any] = self._partition(self._doc_part[doc_id]).tables["documents"][
            str(key)
        ]
        return record

    @_locked
    def get_document(self, doc_id: str) -> Document:
        return Document.from_dict(self._document_record(doc_id))

    def documents(self) -> Iterator[Document]:
        for doc_id in self.document_ids():
            yield self.get_document(doc_id)

    @_locked
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

    def _find(self, table: str, record_id: int) -> dict[str, Any] | None:
        part = self._placement[table].find(record_id)
        if part is None:
            return None
        return self._partition(part).get(table, record_id)

    @_locked
    def find_span(self, span_id: int) -> EntitySpan | None:
        record = self._find("spans", span_id)
        return EntitySpan.from_dict(record) if record is not None else None

    @_locked
    def find_claim(self, claim_id: int) -> Claim | None:
        record = self._find("claims", claim_id)
        return Claim.from_dict(record) if record is not None else None

    def get_span(self, span_id: int) -> EntitySpan:
        span = self.find_span(span_id)
        if span is None:
            raise StoreError(f"no span {span_id}")
        return span

    @_locked
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

    @_locked
    def assignments(self, annotator: str) -> dict[str, int]:
        """``annotator``'s queue: document id → position (empty when nothing is assigned)."""
        return {
            rec["doc_id"]: int(rec["position"])
            for rec in self.raw_records("assignments")
            if rec["annotator"] == annotator
        }

    @_locked
    def shared_documents(self) -> frozenset[str]:
        """Documents in two or more annotators' queues (the overlap ``assign`` gives everyone,
        for agreement)."""
        holders: dict[str, set[str]] = {}
        for rec in self.raw_records("assignments"):
            holders.setdefault(rec["doc_id"], set()).add(rec["annotator"])
        return frozenset(doc_id for doc_id, names in holders.items() if len(names) > 1)

    def assign(self, plan: Iterable[tuple[str, str, int]], annotators: Iterable[str]) -> None:
        """Replace the queues of ``annotators`` with ``plan`` ((document, annotator, position)
        triples), in one transaction."""
        replaced = set(annotators)
        with self.transaction() as tx:
            for key, rec in self._keyed_records("assignments"):
                if rec["annotator"] in replaced:
                    tx.delete("assignments", int(key))
            for doc_id, annotator, position in plan:
                self.get_document(doc_id)
                record = {"doc_id": doc_id, "annotator": annotator, "position": position}
                tx.put("assignments", tx.new_id("assignments"), record)

    @_locked
    def review_ids(self) -> dict[tuple[str, str], int]:
        """The record id of every review, by (document id, annotator)."""
        return {(key[0], key[1]): value for key, value in self._unique["reviews"].items()}

    @_locked
    def review_state(self, doc_id: str, annotator: str) -> ReviewState:
        key = self._unique["reviews"].get((doc_id, annotator))
        part = self._doc_part.get(doc_id)
        if key is None or part is None:
            return ReviewState.TODO
        return ReviewState(self._indexes[part].tables["reviews"][str(key)]["state"])

    @_locked
    def preannotated_key(self, doc_id: str, origin: str) -> int | None:
        """The record saying ``origin`` pre-annotated ``doc_id``, if it did."""
        return self._unique["preannotated"].get((doc_id, origin))

    @_locked
    def preannotated_documents(self, origin: str) -> set[str]:
        return {doc_id for doc_id, name in self._unique["preannotated"] if name == origin}

    # Edits: each is one durable transaction -------------------------------------------------

    def add_span(self, span: EntitySpan) -> EntitySpan:
        with self.transaction() as tx:
            return tx.add_span(span)

    def update_span(self, span_id: int, **changes: Any) -> EntitySpan:
        """Change fields of a span (label, start, end, status, …); stamps ``updated_at``."""
        current = self.get_span(span_id)
        updated = current.with_changes(**changes, updated_at=utc_now())
        with self.transaction() as tx:
            tx.patch("spans", span_id, _diff(current.to_dict(), updated.to_dict()))
        return updated

    def delete_span(self, span_id: int, *, undo: UndoTag | None = None) -> None:
        """Delete a span; claims whose source was linked to it keep the source, unlinked
        (stamped with the annotator of ``undo``, when the deletion is an undoable edit)."""
        span = self.get_span(span_id)
        with self.transaction(undo=undo) as tx:
            tx.delete("spans", span_id)
            for claim in self.claims(span.doc_id):
                if claim.source_entity == span_id:
                    # unlinked; its owner stays its owner (another annotator's claim, or a
                    # suggestion no one has decided, is not taken over)
                    tx.patch("claims", claim.id, {"source_entity": None, "updated_at": tx.stamp})

    def add_claim(self, claim: Claim) -> Claim:
        with self.transaction() as tx:
            return tx.add_claim(claim)

    def update_claim(self, claim_id: int, **changes: Any) -> Claim:
        current = self.get_claim(claim_id).to_dict()
        proposed = Claim.from_dict({**current, **_to_plain(changes), "updated_at": utc_now()})
        with self.transaction() as tx:
            tx.patch("claims", claim_id, _diff(current, proposed.to_dict()))
        return proposed

    def delete_claim(self, claim_id: int, *, undo: UndoTag | None = None) -> None:
        self.get_claim(claim_id)
        with self.transaction(undo=undo) as tx:
            tx.delete("claims", claim_id)

    @_locked
    def review(self, doc_id: str, annotator: str) -> Review | None:
        """The annotator's review record of the document, if there is one."""
        key = self._unique["reviews"].get((doc_id, annotator))
        part = self._doc_part.get(doc_id)
        if key is None or part is None:
            return None
        return Review.from_dict(self._indexes[part].tables["reviews"][str(key)])

    def toggle_skip(self, doc_id: str, annotator: str) -> Review:
        """Skip the document, or take the skip back to the state it had before."""
        current = self.review(doc_id, annotator)
        if current is not None and current.state == ReviewState.SKIPPED:
            return self.set_review(doc_id, annotator, current.skipped_from or ReviewState.TODO)
        before = current.state if current is not None else ReviewState.TODO
        return self.set_review(doc_id, annotator, ReviewState.SKIPPED, skipped_from=before)

    def set_review(
        self,
        doc_id: str,
        annotator: str,
        state: ReviewState,
        *,
        skipped_from: ReviewState | None = None,
    ) -> Review:
        self.get_document(doc_id)
        review = Review(doc_id, annotator, state, utc_now(), skipped_from)
        with self.transaction() as tx:
            key = self._unique["reviews"].get((doc_id, annotator))
            tx.put("reviews", key if key is not None else tx.new_id("reviews"), review.to_dict())
        return review


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Decoding a file makes many small dicts with no cycles: the cyclic garbage collector
    would only rescan them while they are built. It runs again afterwards."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """The fields to set; a field ``after`` leaves out (a sparse None) is set to None."""
    changes = {key: value for key, value in after.items() if before.get(key) != value}
    changes.update({key: None for key in before.keys() - after.keys()})
    return changes


def _to_plain(changes: dict[str, Any]) -> dict[str, Any]:
    """Offsets and lists of records (quantities) as the JSON their records hold."""

    def plain(value: Any) -> Any:
        if isinstance(value, Offsets):
            return value.to_dict()
        if isinstance(value, list):
            return [v.to_dict() if hasattr(v, "to_dict") else v for v in value]
        return value

    return {key: plain(value) for key, value in changes.items()}


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


def decode_main(raw: bytes, path: Path) -> dict[str, Any] | None:
    """The tables of a main file (its meta record's schema checked, and its checksum from
    schema 3 on), or None for a TinyDB file with no tables yet."""
    if not raw.strip():
        raise DamagedDatabaseError(
            f"{path} is empty ({len(raw)} bytes), and Claimscope never writes an empty "
            f"database; it was left untouched — {RECOVER}"
        )
    sealed = check_seal(raw, path) is not None
    loaded = decode_tables(raw, path, RECOVER)
    loaded.pop(SEAL_TABLE, None)
    if "meta" not in loaded:
        if sealed:
            raise DamagedDatabaseError(f"{path} is damaged (no meta table); {RECOVER}")
        if any(loaded.values()):
            raise StoreError(f"{path} is a TinyDB file but not a Claimscope database")
        return None
    meta = loaded["meta"].get("1")
    version = meta.get("schema_version") if isinstance(meta, dict) else None
    if not isinstance(meta, dict) or not isinstance(version, int) or isinstance(version, bool):
        raise DamagedDatabaseError(
            f"{path} is damaged (its meta record has no schema_version); it was left "
            f"untouched — {RECOVER}"
        )
    if sealed != (version >= SEALED_SINCE) and version <= SCHEMA_VERSION:
        raise DamagedDatabaseError(
            f"{path} is damaged (schema {version} {'with' if sealed else 'without'} a "
            f"checksum); it was left untouched — {RECOVER}"
        )
    if version > SCHEMA_VERSION:
        raise StoreError(
            f"{path} was written by a newer Claimscope (schema {version}; "
            f"this one reads up to {SCHEMA_VERSION}); upgrade claimscope to open it"
        )
    if version not in (LEGACY_VERSION, UNSEALED_VERSION, SCHEMA_VERSION):
        raise StoreError(f"{path}: no migration from schema {version}")
    if version != LEGACY_VERSION:
        _valid_meta(meta, path)
    return loaded


class _MovedUnderUsError(Exception):
    """A read-only open met a checkpoint in progress and must read again."""


class _JournalGapError(_MovedUnderUsError):
    """Journal entries are missing: a checkpoint emptied the journal while a reader read it,
    or (when it stays through a few reads) damage."""


def _moved_only(error: Exception) -> bool:
    return isinstance(error, _MovedUnderUsError) and not isinstance(error, _JournalGapError)


_META_FIELDS = ("last_seq", "parts", "part_docs")


def _valid_meta(meta: dict[str, Any], path: Path) -> dict[str, Any]:
    """The main file's meta record, every field a partitioned database needs present and of
    its type; anything else is damage (never a default: a missing counter would hand out ids
    in use)."""

    def damaged(field: str) -> DamagedDatabaseError:
        return DamagedDatabaseError(
            f"{path} is damaged (meta field {field!r} is missing or invalid); it was left "
            f"untouched — {RECOVER}"
        )

    for name in _META_FIELDS:
        value = meta.get(name)
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise damaged(name)
    if meta["part_docs"] < 1:
        raise damaged("part_docs")
    next_ids = meta.get("next_ids")
    if not isinstance(next_ids, dict) or not all(
        isinstance(name, str) and isinstance(value, int) and value > 0
        for name, value in next_ids.items()
    ):
        raise damaged("next_ids")
    placement = meta.get("placement")
    if not isinstance(placement, dict) or set(placement) - set(TABLES):
        raise damaged("placement")
    for table, saved in placement.items():
        try:
            Placement(saved)
        except (KeyError, TypeError, ValueError):
            raise damaged(f"placement.{table}") from None
    if meta["schema_version"] >= SEALED_SINCE:
        sums = meta.get("sums")
        if (
            not isinstance(sums, list)
            or len(sums) != meta["parts"]
            or not all(
                isinstance(entry, list)
                and len(entry) == 4
                and all(isinstance(n, int) and not isinstance(n, bool) for n in entry)
                for entry in sums
            )
        ):
            raise damaged("sums")
    return meta
