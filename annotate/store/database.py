"""The database: TinyDB JSON on disk, a write-ahead journal for every edit, indexes in memory.

This is the only module that imports tinydb. Layout and guarantees:

- ``claimscope.json`` is a plain TinyDB file (tables ``meta``, ``documents``, ``spans``,
  ``claims``, ``reviews``, ``history``). After a clean close it holds everything, and
  ``tinydb.TinyDB(path)`` opens and reads it.
- ``claimscope.json.journal`` receives every committed transaction as one line, made durable
  (``fdatasync``) before the commit returns: an acknowledged edit survives kill -9 and power
  loss. Per-edit work is one append plus O(1) dictionary updates, whatever the corpus size.
- Checkpoints rewrite the TinyDB file atomically (temp file, fsync, rename) and then empty the
  journal; they run on close, on request (the TUI calls one when idle) and every N commits.
  Each journal entry carries a sequence number, and the file records the last one it holds, so a
  crash between rename and journal reset replays nothing twice.
- ``claimscope.json.lock`` is held by the one process that may write (see
  :mod:`annotate.store.lock`). Read-only opens take no lock.
- Read-only opens run beside a writer: they read the checkpoint, then the journal, and retry
  when a checkpoint replaced the file in between, so a reader sees a consistent state holding
  every edit acknowledged before it started.
- Failures of the file system (disk full, read-only, permissions) become :class:`StorageError`
  naming the file and the cause. A failed journal append is rolled back (the edit was not
  made); a failed checkpoint loses nothing (the journal keeps every acknowledged edit).
"""

from __future__ import annotations

import gc
import os
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from threading import RLock
from typing import Any

import orjson
from tinydb import TinyDB
from tinydb.storages import Storage
from tinydb.table import Table

from annotate.errors import (
    CheckpointError,
    DamagedDatabaseError,
    StorageError,
    StoreError,
)
from annotate.model import (
    Claim,
    Document,
    EntitySpan,
    Offsets,
    Review,
    ReviewState,
)
from annotate.store.journal import (
    JournalContents,
    JournalWriter,
    atomic_write,
    read_journal,
    stale_temporaries,
)
from annotate.store.lock import WriteLock

SCHEMA_VERSION = 1
TABLES = (
    "meta",
    "documents",
    "spans",
    "claims",
    "reviews",
    "preannotated",
    "history",
    "ui_state",
    "assignments",
)
#: Tables whose records are unique by these fields, with an index from them to the record id.
UNIQUE_FIELDS = {
    "reviews": ("doc_id", "annotator"),
    "preannotated": ("doc_id", "origin"),
    "ui_state": ("annotator",),
    "assignments": ("doc_id", "annotator"),
}
DEFAULT_DB_NAME = "claimscope.json"
#: How often a read-only open tries again when a writer's checkpoint moved the files under it.
READ_ATTEMPTS = 40
#: How often a read-only open reads again before it reports damage.
DAMAGE_REREADS = 3
DB_ENV_VAR = "CLAIMSCOPE_DB"

Data = dict[str, dict[str, dict[str, Any]]]
Op = dict[str, Any]

#: ``MIGRATIONS[v]`` turns a version-``v`` database (TinyDB layout, in memory) into ``v + 1``.
MIGRATIONS: dict[int, Callable[[Data], None]] = {}


def utc_now() -> str:
    """The timestamp every edit is stamped with."""
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def resolve_db_path(option: str | Path | None) -> Path:
    """``--db`` wins, then ``$CLAIMSCOPE_DB``, then ``claimscope.json`` in the current folder."""
    chosen = option or os.environ.get(DB_ENV_VAR) or DEFAULT_DB_NAME
    return Path(chosen).expanduser()


@dataclass(slots=True)
class DocCounts:
    """Per-document tallies the document list shows, maintained as records change."""

    pending: int = 0
    entities: int = 0
    claims: int = 0
    labels: Counter[str] = field(default_factory=Counter)
    kinds: Counter[str] = field(default_factory=Counter)
    verdicts: Counter[str] = field(default_factory=Counter)
    #: Who made or last changed the document's spans and claims (models have no annotator).
    annotators: Counter[str] = field(default_factory=Counter)

    def count_span(self, record: dict[str, Any], sign: int) -> None:
        status = record["status"]
        if status == "suggested":
            self.pending += sign
        if status != "rejected":
            self.entities += sign
            self.labels[record["label"]] += sign
        if record.get("annotator"):
            self.annotators[record["annotator"]] += sign

    def count_claim(self, record: dict[str, Any], sign: int) -> None:
        status = record["status"]
        if status == "suggested":
            self.pending += sign
        if status != "rejected":
            self.claims += sign
            self.kinds[record.get("kind", "")] += sign
            self.verdicts[record.get("verdict", "unreviewed")] += sign
        if record.get("annotator"):
            self.annotators[record["annotator"]] += sign


@dataclass(frozen=True, slots=True)
class UndoTag:
    """Marks a transaction as one undoable edit by ``annotator`` in ``doc_id``."""

    annotator: str
    doc_id: str
    action: str


class _LiveStorage(Storage):
    """Lets TinyDB query the store's in-memory tables; writes must go through the journal."""

    def __init__(self, data: Data) -> None:
        self._data = data

    def read(self) -> Data:
        return self._data

    def write(self, data: Data) -> None:
        raise StoreError("write through Store methods, not TinyDB, so edits are journaled")


class Transaction:
    """Collects the operations of one all-or-nothing commit."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self.ops: list[Op] = []
        self._next_id = dict(store._next_id)
        self.stamp = utc_now()

    def new_id(self, table: str) -> int:
        value = self._next_id[table]
        self._next_id[table] = value + 1
        return value

    def put(self, table: str, record_id: int, record: dict[str, Any]) -> None:
        self.ops.append({"op": "put", "t": table, "id": record_id, "r": record})

    def patch(self, table: str, record_id: int, changes: dict[str, Any]) -> None:
        self.ops.append({"op": "set", "t": table, "id": record_id, "r": changes})

    def delete(self, table: str, record_id: int) -> None:
        self.ops.append({"op": "del", "t": table, "id": record_id})

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


class Store:
    """An open Claimscope database. Use :meth:`open` or ``with Store.open(path) as store``."""

    def __init__(
        self,
        path: Path,
        *,
        readonly: bool = False,
        checkpoint_every: int = 10_000,
        checkpoint_bytes: int = 64 * 1024 * 1024,
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
        self._checkpoint_at_entries = checkpoint_every
        self._checkpoint_at_bytes = checkpoint_bytes
        #: (table, record id) pairs the latest commit touched, for incremental screen updates.
        self.last_changes: set[tuple[str, int]] = set()
        self._mutex = RLock()
        self._lock: WriteLock | None = None
        self._journal: JournalWriter | None = None
        self._data: Data = {}
        self._seq = 0
        self._next_id: dict[str, int] = {}
        self._doc_key: dict[str, int] = {}
        self._spans_by_doc: dict[str, set[int]] = defaultdict(set)
        self._claims_by_doc: dict[str, set[int]] = defaultdict(set)
        self._unique: dict[str, dict[tuple[str, ...], int]] = {t: {} for t in UNIQUE_FIELDS}
        self._history: dict[tuple[str, str], list[int]] = defaultdict(list)
        self._counts: dict[str, DocCounts] = defaultdict(DocCounts)
        self._closed = False
        # Loading creates millions of small dicts: the cyclic GC would rescan them again and
        # again while they are built, and on every later collection. Pause it, then freeze the
        # loaded objects out of its reach (they are plain data with no cycles).
        gc_was_enabled = gc.isenabled()
        gc.disable()
        try:
            self._open()
        except BaseException:
            self._release()
            raise
        finally:
            gc.freeze()
            if gc_was_enabled:
                gc.enable()
        self.tinydb = TinyDB(storage=_LiveStorage, data=self._data)

    @classmethod
    def open(cls, path: str | Path, *, readonly: bool = False, **options: Any) -> Store:
        return cls(Path(path), readonly=readonly, **options)

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # Opening, recovery, checkpoints ---------------------------------------------------------

    def _open(self) -> None:
        if not self.readonly:
            self._lock = WriteLock.acquire(self.path, self.lock_path)
            for leftover in stale_temporaries(self.path):  # of a checkpoint cut short
                leftover.unlink(missing_ok=True)
        elif not self.path.exists() and not self.journal_path.exists():
            raise StoreError(f"no database at {self.path} (run `claimscope import` first)")
        journal, file_version = self._read_consistent_state()
        self.recovered_torn_bytes = journal.torn_bytes
        migrated = self._migrate(file_version)
        self._build_indexes()
        if self.readonly:
            return
        try:
            self._journal = JournalWriter(self.journal_path, keep_bytes=journal.valid_bytes)
        except OSError as error:
            raise StorageError(
                "open the journal", self.journal_path, error, safe="nothing was changed"
            ) from error
        if migrated or not self.path.exists():
            self.checkpoint()

    def _read_consistent_state(self) -> tuple[JournalContents, int]:
        """Load the checkpoint and replay the journal after it.

        The writer holds the lock, so nothing moves under it. A reader may meet a checkpoint
        in progress: the file it read was replaced and the journal emptied before it read the
        journal, or the journal does not continue the file's sequence. It then starts again
        (the old file stays open meanwhile, so its inode cannot be reused and mistaken)."""
        attempts = READ_ATTEMPTS if self.readonly else 1
        damage_seen = 0
        for attempt in range(attempts):
            self._seq = 0
            self._next_id = {}
            self.replayed_entries = 0
            try:
                return self._read_state_once()
            except (_MovedUnderUsError, DamagedDatabaseError) as error:
                # A line being appended can look damaged for an instant; damage that stays
                # through a few reads is real and reported at once.
                damage_seen += isinstance(error, DamagedDatabaseError)
                if attempt == attempts - 1 or damage_seen > DAMAGE_REREADS:
                    raise
                self.read_retries += 1
                time.sleep(0.002 * (attempt + 1))
        raise AssertionError("unreachable")

    def _read_state_once(self) -> tuple[JournalContents, int]:
        checkpoint_fd = self._open_checkpoint()
        try:
            self._data = self._load_checkpoint(checkpoint_fd)
            meta = self._meta()
            file_version = int(meta.get("schema_version", SCHEMA_VERSION))
            if file_version > SCHEMA_VERSION:
                raise StoreError(
                    f"{self.path} was written by a newer Claimscope (schema {file_version}; "
                    f"this one reads up to {SCHEMA_VERSION}); upgrade claimscope to open it"
                )
            self._seq = int(meta.get("last_seq", 0))
            journal = read_journal(self.journal_path)
            if self.readonly and not self._still_current(checkpoint_fd):
                raise _MovedUnderUsError
        finally:
            if checkpoint_fd is not None:
                os.close(checkpoint_fd)
        for entry in journal.entries:
            seq = int(entry["seq"])
            if seq <= self._seq:
                continue  # already in the checkpoint (crash between rename and reset)
            if seq != self._seq + 1:
                if self.readonly:
                    raise _MovedUnderUsError
                raise DamagedDatabaseError(
                    f"{self.journal_path}: entry {seq} follows entry {self._seq}: entries "
                    "are missing. Nothing was changed — restore the files from a backup."
                )
            try:
                for op in entry["ops"]:
                    self._apply_raw(op)
            except (KeyError, TypeError) as error:
                raise DamagedDatabaseError(
                    f"{self.journal_path}: entry {seq} does not apply to the database "
                    f"({type(error).__name__}: {error}). Nothing was changed."
                ) from None
            self._seq = seq
            self.replayed_entries += 1
        return journal, file_version

    def _open_checkpoint(self) -> int | None:
        try:
            return os.open(self.path, os.O_RDONLY)
        except FileNotFoundError:
            return None
        except OSError as error:
            raise StorageError("read", self.path, error, safe="nothing was changed") from error

    def _still_current(self, checkpoint_fd: int | None) -> bool:
        """Whether the file read is still the one at ``self.path`` (no checkpoint replaced it)."""
        try:
            now = os.stat(self.path).st_ino
        except FileNotFoundError:
            return checkpoint_fd is None
        return checkpoint_fd is not None and os.fstat(checkpoint_fd).st_ino == now

    def _load_checkpoint(self, fd: int | None) -> Data:
        if fd is None:
            return self._empty_data()
        try:
            with os.fdopen(os.dup(fd), "rb") as file:
                raw = file.read()
        except OSError as error:
            raise StorageError("read", self.path, error, safe="nothing was changed") from error
        if not raw.strip():
            raise DamagedDatabaseError(
                f"{self.path} is empty ({len(raw)} bytes), and Claimscope never writes an empty "
                "database; it was left untouched — restore it from a backup or move it aside"
            )
        try:
            loaded = orjson.loads(raw)
        except orjson.JSONDecodeError as error:
            raise DamagedDatabaseError(
                f"{self.path} is damaged ({error}); it was left untouched — "
                "restore it from a backup or move it aside"
            ) from None
        if not isinstance(loaded, dict) or not all(isinstance(t, dict) for t in loaded.values()):
            raise DamagedDatabaseError(
                f"{self.path} is not a TinyDB database (expected an object of tables)"
            )
        has_content = any(loaded.values())
        if "meta" not in loaded and has_content:
            raise StoreError(f"{self.path} is a TinyDB file but not a Claimscope database")
        data: Data = loaded
        for table in TABLES:
            data.setdefault(table, {})
        if not data["meta"]:
            data["meta"]["1"] = self._new_meta()
        return data

    def _empty_data(self) -> Data:
        data: Data = {table: {} for table in TABLES}
        data["meta"]["1"] = self._new_meta()
        return data

    @staticmethod
    def _new_meta() -> dict[str, Any]:
        return {"schema_version": SCHEMA_VERSION, "created_at": utc_now(), "last_seq": 0}

    def _meta(self) -> dict[str, Any]:
        return self._data["meta"]["1"]

    def _migrate(self, version: int) -> bool:
        migrated = False
        while version < SCHEMA_VERSION:
            step = MIGRATIONS.get(version)
            if step is None:
                raise StoreError(f"{self.path}: no migration from schema {version}")
            step(self._data)
            version += 1
            self._meta()["schema_version"] = version
            migrated = True
        return migrated

    def _build_indexes(self) -> None:
        saved = self._meta().get("next_ids")
        for table in TABLES:
            known = self._next_id.get(table, 1)
            if saved and table in saved:  # written at every checkpoint: no scan of the keys
                self._next_id[table] = max(known, int(saved[table]))
            else:
                highest = max(map(int, self._data[table]), default=0)
                self._next_id[table] = max(known, highest + 1)
        self._doc_key = {rec["id"]: int(key) for key, rec in self._data["documents"].items()}
        for key, rec in self._data["spans"].items():
            self._spans_by_doc[rec["doc_id"]].add(int(key))
            self._counts[rec["doc_id"]].count_span(rec, 1)
        for key, rec in self._data["claims"].items():
            self._claims_by_doc[rec["doc_id"]].add(int(key))
            self._counts[rec["doc_id"]].count_claim(rec, 1)
        for key, rec in sorted(self._data["history"].items(), key=lambda item: int(item[0])):
            self._history[(rec["annotator"], rec["doc_id"])].append(int(key))
        for table, names in UNIQUE_FIELDS.items():
            self._unique[table] = {
                tuple(rec[n] for n in names): int(key) for key, rec in self._data[table].items()
            }

    def checkpoint(self) -> None:
        """Write everything to the TinyDB file atomically and empty the journal.

        Raises :class:`CheckpointError` when the file cannot be written; nothing is lost then,
        since the journal still holds every acknowledged edit."""
        with self._mutex:
            journal = self._require_writable()
            self._meta()["last_seq"] = self._seq
            self._meta()["next_ids"] = dict(self._next_id)
            safe = f"every acknowledged edit is kept in {self.journal_path.name}"
            try:
                atomic_write(self.path, orjson.dumps(self._data))
            except OSError as error:
                raise CheckpointError("checkpoint", self.path, error, safe=safe) from error
            try:
                journal.reset()
            except OSError as error:  # the new file holds it all; old entries are skipped
                raise CheckpointError("empty", self.journal_path, error, safe=safe) from error
            self.checkpoint_failure = None
            self._checkpoint_at_entries = self.checkpoint_every
            self._checkpoint_at_bytes = self.checkpoint_bytes

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
                if self._journal.size or self.replayed_entries or self.recovered_torn_bytes:
                    self.checkpoint()
                self._journal.close()
                self._journal = None
                self.journal_path.unlink(missing_ok=True)  # empty, and we hold the lock
        finally:
            self._closed = True
            self._release()

    def _release(self) -> None:
        if self._journal is not None:
            empty = self._journal.size == 0
            self._journal.close()
            self._journal = None
            if empty and not self.path.exists():  # an open that failed before any write
                self.journal_path.unlink(missing_ok=True)
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    def _require_writable(self) -> JournalWriter:
        if self._closed:
            raise StoreError(f"{self.path} is closed")
        if self._journal is None:
            raise StoreError(f"{self.path} was opened read-only")
        return self._journal

    # Transactions ---------------------------------------------------------------------------

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

    def _record_history(self, tx: Transaction, tag: UndoTag) -> None:
        forward = list(tx.ops)
        inverse = self._inverse_of(forward)
        for entry_id in self._history.get((tag.annotator, tag.doc_id), ()):
            if self._data["history"][str(entry_id)]["state"] == "undone":
                tx.patch("history", entry_id, {"state": "dropped"})  # a new edit ends redo
        tx.put(
            "history",
            tx.new_id("history"),
            {
                "annotator": tag.annotator,
                "doc_id": tag.doc_id,
                "action": tag.action,
                "at": tx.stamp,
                "state": "done",
                "ops": forward,
                "inverse": inverse,
            },
        )

    def _inverse_of(self, ops: list[Op]) -> list[Op]:
        """Operations that undo ``ops``: the before-image of every record they touch."""
        current: dict[tuple[str, int], dict[str, Any] | None] = {}
        inverse: list[Op] = []
        for op in ops:
            key = (op["t"], int(op["id"]))
            before = current[key] if key in current else self._data[op["t"]].get(str(op["id"]))
            if before is None:
                inverse.append({"op": "del", "t": op["t"], "id": op["id"]})
            else:
                inverse.append({"op": "put", "t": op["t"], "id": op["id"], "r": dict(before)})
            if op["op"] == "put":
                current[key] = op["r"]
            elif op["op"] == "set":
                current[key] = {**(before or {}), **op["r"]}
            else:
                current[key] = None
        inverse.reverse()
        return inverse

    def _history_entries(self, annotator: str, doc_id: str) -> list[tuple[int, dict[str, Any]]]:
        table = self._data["history"]
        return [(i, table[str(i)]) for i in self._history.get((annotator, doc_id), ())]

    def undo(self, annotator: str, doc_id: str) -> str | None:
        """Undo the annotator's last edit in the document; returns what it was, or None."""
        done = [(i, e) for i, e in self._history_entries(annotator, doc_id) if e["state"] == "done"]
        if not done:
            return None
        entry_id, entry = done[-1]
        with self.transaction() as tx:
            tx.ops.extend(entry["inverse"])
            tx.patch("history", entry_id, {"state": "undone"})
        return str(entry["action"])

    def redo(self, annotator: str, doc_id: str) -> str | None:
        """Redo the edit undone most recently; returns what it was, or None."""
        undone = [
            (i, e) for i, e in self._history_entries(annotator, doc_id) if e["state"] == "undone"
        ]
        if not undone:
            return None
        entry_id, entry = undone[0]
        with self.transaction() as tx:
            tx.ops.extend(entry["ops"])
            tx.patch("history", entry_id, {"state": "done"})
        return str(entry["action"])

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
            except OSError as error:
                safe = "the edit was not made; every acknowledged edit is kept"
                if journal.broken is not None:
                    safe += " (the database is read-only until claimscope is restarted)"
                raise StorageError("save the edit to", self.journal_path, error, safe) from error
            self._seq = seq
            self.last_changes = {(op["t"], int(op["id"])) for op in tx.ops}
            for op in tx.ops:
                self._apply(op)
            if (
                journal.entries >= self._checkpoint_at_entries
                or journal.size >= self._checkpoint_at_bytes
            ):
                self._checkpoint_in_passing(journal)

    def _checkpoint_in_passing(self, journal: JournalWriter) -> None:
        """A checkpoint because the journal grew: the edit that triggered it is already
        acknowledged, so a failure is kept (``checkpoint_failure``), not raised, and the next
        attempt waits until the journal has grown as much again."""
        try:
            self.checkpoint()
        except CheckpointError as error:
            self.checkpoint_failure = error
            self._checkpoint_at_entries = journal.entries + self.checkpoint_every
            self._checkpoint_at_bytes = journal.size + self.checkpoint_bytes

    def _check_op(self, op: Op, pending_texts: dict[str, str]) -> None:
        """Refuse an operation that would break the model's invariants, before it is written."""
        table, record = op["t"], op.get("r")
        if table not in TABLES:
            raise StoreError(f"unknown table {table!r}")
        if op["op"] == "del" or record is None:
            return
        if op["op"] == "set":
            current = self._data[table].get(str(op["id"]))
            if current is None:
                raise StoreError(f"{table} record {op['id']} does not exist")
            record = {**current, **record}
        if table in ("spans", "claims"):
            doc_id = record["doc_id"]
            text = pending_texts.get(doc_id)
            if text is None:
                text = self._text_of(doc_id)
            for name, offsets in _record_offsets(table, record):
                if not offsets.within(len(text)):
                    raise StoreError(
                        f"{table[:-1]} {name} {offsets.start}-{offsets.end} is outside "
                        f"the text (length {len(text)})"
                    )

    def _text_of(self, doc_id: str) -> str:
        key = self._doc_key.get(doc_id)
        if key is None:
            raise StoreError(f"no document {doc_id}")
        text: str = self._data["documents"][str(key)]["text"]
        return text

    def _apply_raw(self, op: Op) -> None:
        """Apply an operation to the tables only (replay, before indexes exist).

        Ids are never reused, even those of deleted records (undo and redo refer to them)."""
        table = self._data[op["t"]]
        key = str(op["id"])
        self._next_id[op["t"]] = max(self._next_id.get(op["t"], 1), int(op["id"]) + 1)
        if op["op"] == "put":
            table[key] = op["r"]
        elif op["op"] == "set":
            table[key] = {**table[key], **op["r"]}
        elif op["op"] == "del":
            table.pop(key, None)
        else:
            raise DamagedDatabaseError(f"{self.journal_path}: unknown operation {op['op']!r}")

    def _apply(self, op: Op) -> None:
        """Apply an operation and keep the indexes and TinyDB's query cache in step."""
        name = op["t"]
        record_id = int(op["id"])
        before = self._data[name].get(str(record_id))
        self._apply_raw(op)
        after = self._data[name].get(str(record_id))
        self._reindex(name, record_id, before, after)
        if name in self.tinydb._tables:
            self.tinydb.table(name).clear_cache()

    def _reindex(
        self,
        table: str,
        record_id: int,
        before: dict[str, Any] | None,
        after: dict[str, Any] | None,
    ) -> None:
        if table == "documents":
            if before is not None:
                self._doc_key.pop(before["id"], None)
            if after is not None:
                self._doc_key[after["id"]] = record_id
        elif table in ("spans", "claims"):
            index = self._spans_by_doc if table == "spans" else self._claims_by_doc
            count = DocCounts.count_span if table == "spans" else DocCounts.count_claim
            if before is not None:
                index[before["doc_id"]].discard(record_id)
                count(self._counts[before["doc_id"]], before, -1)
            if after is not None:
                index[after["doc_id"]].add(record_id)
                count(self._counts[after["doc_id"]], after, 1)
        elif table == "history":
            if before is None and after is not None:
                self._history[(after["annotator"], after["doc_id"])].append(record_id)
            elif before is not None and after is None:
                self._history[(before["annotator"], before["doc_id"])].remove(record_id)
        elif table in UNIQUE_FIELDS:
            names = UNIQUE_FIELDS[table]
            if before is not None:
                self._unique[table].pop(tuple(before[n] for n in names), None)
            if after is not None:
                self._unique[table][tuple(after[n] for n in names)] = record_id

    # Queries --------------------------------------------------------------------------------

    def table(self, name: str) -> Table:
        """A TinyDB table for ad-hoc queries (read-only: writes go through the store)."""
        return self.tinydb.table(name)

    @property
    def last_seq(self) -> int:
        return self._seq

    def document_count(self) -> int:
        return len(self._doc_key)

    def counts(self, doc_id: str) -> DocCounts:
        """Pending suggestions, entities and claims of a document (kept up to date per edit)."""
        return self._counts.get(doc_id) or DocCounts()

    def has_document(self, doc_id: str) -> bool:
        return doc_id in self._doc_key

    def document_ids(self) -> list[str]:
        """Document ids in import order."""
        return [doc_id for doc_id, _ in sorted(self._doc_key.items(), key=lambda item: item[1])]

    def get_document(self, doc_id: str) -> Document:
        key = self._doc_key.get(doc_id)
        if key is None:
            raise StoreError(f"no document {doc_id}")
        return Document.from_dict(self._data["documents"][str(key)])

    def documents(self) -> Iterator[Document]:
        for doc_id in self.document_ids():
            yield self.get_document(doc_id)

    def spans(self, doc_id: str) -> list[EntitySpan]:
        """The document's entity spans, by position."""
        table = self._data["spans"]
        spans = [EntitySpan.from_dict(table[str(i)]) for i in self._spans_by_doc.get(doc_id, ())]
        return sorted(spans, key=lambda s: (s.start, s.end, s.id))

    def all_spans(self) -> Iterator[EntitySpan]:
        for record in self._data["spans"].values():
            yield EntitySpan.from_dict(record)

    def find_span(self, span_id: int) -> EntitySpan | None:
        record = self._data["spans"].get(str(span_id))
        return EntitySpan.from_dict(record) if record is not None else None

    def find_claim(self, claim_id: int) -> Claim | None:
        record = self._data["claims"].get(str(claim_id))
        return Claim.from_dict(record) if record is not None else None

    def get_span(self, span_id: int) -> EntitySpan:
        record = self._data["spans"].get(str(span_id))
        if record is None:
            raise StoreError(f"no span {span_id}")
        return EntitySpan.from_dict(record)

    def claims(self, doc_id: str) -> list[Claim]:
        """The document's claims, by position of their content."""
        table = self._data["claims"]
        found = [Claim.from_dict(table[str(i)]) for i in self._claims_by_doc.get(doc_id, ())]
        return sorted(found, key=lambda c: (c.content.start, c.content.end, c.id))

    def all_claims(self) -> Iterator[Claim]:
        for record in self._data["claims"].values():
            yield Claim.from_dict(record)

    def get_claim(self, claim_id: int) -> Claim:
        record = self._data["claims"].get(str(claim_id))
        if record is None:
            raise StoreError(f"no claim {claim_id}")
        return Claim.from_dict(record)

    def raw_records(self, table: str) -> Iterator[dict[str, Any]]:
        """The stored dicts of a table, for fast read-only scans (do not modify them)."""
        yield from self._data[table].values()

    def reviews(self) -> Iterator[Review]:
        for record in self._data["reviews"].values():
            yield Review.from_dict(record)

    def assignments(self, annotator: str) -> dict[str, int]:
        """``annotator``'s queue: document id → position (empty when nothing is assigned)."""
        return {
            rec["doc_id"]: int(rec["position"])
            for rec in self._data["assignments"].values()
            if rec["annotator"] == annotator
        }

    def assign(self, plan: Iterable[tuple[str, str, int]], annotators: Iterable[str]) -> None:
        """Replace the queues of ``annotators`` with ``plan`` ((document, annotator, position)
        triples), in one transaction."""
        replaced = set(annotators)
        with self.transaction() as tx:
            for key, rec in self._data["assignments"].items():
                if rec["annotator"] in replaced:
                    tx.delete("assignments", int(key))
            for doc_id, annotator, position in plan:
                self.get_document(doc_id)
                record = {"doc_id": doc_id, "annotator": annotator, "position": position}
                tx.put("assignments", tx.new_id("assignments"), record)

    def review_ids(self) -> dict[tuple[str, str], int]:
        """The record id of every review, by (document id, annotator)."""
        return {(key[0], key[1]): value for key, value in self._unique["reviews"].items()}

    def review_state(self, doc_id: str, annotator: str) -> ReviewState:
        key = self._unique["reviews"].get((doc_id, annotator))
        if key is None:
            return ReviewState.TODO
        return ReviewState(self._data["reviews"][str(key)]["state"])

    def preannotated_key(self, doc_id: str, origin: str) -> int | None:
        """The record saying ``origin`` pre-annotated ``doc_id``, if it did."""
        return self._unique["preannotated"].get((doc_id, origin))

    def preannotated_documents(self, origin: str) -> set[str]:
        return {doc_id for doc_id, name in self._unique["preannotated"] if name == origin}

    def ui_state(self, annotator: str) -> dict[str, Any]:
        """What the reader remembers for an annotator (last document, list position, …)."""
        key = self._unique["ui_state"].get((annotator,))
        return dict(self._data["ui_state"][str(key)]) if key is not None else {}

    def save_ui_state(self, annotator: str, **values: Any) -> None:
        key = self._unique["ui_state"].get((annotator,))
        with self.transaction() as tx:
            if key is None:
                tx.put("ui_state", tx.new_id("ui_state"), {"annotator": annotator, **values})
            else:
                tx.patch("ui_state", key, values)

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

    def set_review(self, doc_id: str, annotator: str, state: ReviewState) -> Review:
        self.get_document(doc_id)
        review = Review(doc_id, annotator, state, utc_now())
        with self.transaction() as tx:
            key = self._unique["reviews"].get((doc_id, annotator))
            tx.put("reviews", key if key is not None else tx.new_id("reviews"), review.to_dict())
        return review


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


class _MovedUnderUsError(Exception):
    """A read-only open met a checkpoint in progress and must read again."""
