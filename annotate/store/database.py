"""The database: partitioned TinyDB files, a write-ahead journal for every edit, lazy loading.

The store is built in layers, one family each: :mod:`.state` (what an open database holds),
:mod:`.partition_cache` (partitions read on demand and checked), :mod:`.applying`
(operations applied, indexes kept in step), :mod:`.checkpoints`, :mod:`.opening` (reading the
files and the journal), :mod:`.queries`, and this module's :class:`Store` (transactions,
edits, closing). They and :mod:`annotate.store.parts` are the only ones that touch the files.
Layout:

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

import os
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import orjson
from tinydb import TinyDB
from tinydb.storages import Storage
from tinydb.table import Table

from annotate.errors import StorageError, StoreError
from annotate.model import Claim, EntitySpan, Offsets, Review, ReviewState
from annotate.store.history import UndoHistory
from annotate.store.journal import JournalWriter
from annotate.store.queries import Queries
from annotate.store.state import TABLES, Changes, locked
from annotate.store.transaction import Transaction, UndoTag, utc_now

DEFAULT_DB_NAME = "claimscope.json"
#: A checkpoint runs in passing once this many partitions hold unsaved changes.
DIRTY_PARTS = 64
DB_ENV_VAR = "CLAIMSCOPE_DB"


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


class Store(Queries, UndoHistory):
    """An open Claimscope database. Use :meth:`open` or ``with Store.open(path) as store``."""

    @classmethod
    def open(cls, path: str | Path, *, readonly: bool = False, **options: Any) -> Store:
        return cls(Path(path), readonly=readonly, **options)

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

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

    @locked
    def table(self, name: str) -> Table:
        """A TinyDB table for ad-hoc queries: a snapshot of every partition's records, taken
        now (it reads them all); writes go through the store."""
        if name not in TABLES:
            raise StoreError(f"unknown table {name!r}")
        data = {name: {str(r_id): r for r_id, r in self._keyed_records(name)}}
        return TinyDB(storage=_SnapshotStorage, data=data).table(name)

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
