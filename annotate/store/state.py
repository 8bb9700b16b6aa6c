"""The store's state: what an open database holds in memory, the lock every query takes, and
the constants the store's layers share (see :mod:`annotate.store.database`)."""

from __future__ import annotations

import gc
import os
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from pathlib import Path
from threading import RLock
from typing import Any, ParamSpec, TypeVar

from annotate.errors import CheckpointError, StoreError
from annotate.store.journal import JournalWriter
from annotate.store.lock import WriteLock
from annotate.store.parts import INDEX_TABLES, RECORD_TABLES, UNIQUE_FIELDS, PartIndex, Partition
from annotate.store.placement import Placement

TABLES = (*RECORD_TABLES, *INDEX_TABLES)
#: Documents per partition: a checkpoint after one edit rewrites about this many texts.
PART_DOCS = 200

Changes = frozenset[tuple[str, int]]
#: Per partition: the checksum and journal sequence of its records file, then of its index.
FileSums = list[int]
_P = ParamSpec("_P")
_R = TypeVar("_R")


def locked(method: Callable[_P, _R]) -> Callable[_P, _R]:
    """Run a query under the store's lock, so a checkpoint on another thread (the reader
    runs one when idle) never changes the partitions it is reading."""

    @wraps(method)
    def run(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        store = args[0]
        assert isinstance(store, StoreState)
        with store._mutex:
            return method(*args, **kwargs)

    return run


@contextmanager
def collector_paused() -> Iterator[None]:
    """Decoding a file makes many small dicts with no cycles: the cyclic garbage collector
    would only rescan them while they are built. It runs again afterwards."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class StoreState:
    """What an open database holds in memory: its settings, the partitions read, the indexes,
    the catalog's bookkeeping, the journal and the lock. The layers above it, from
    :mod:`.partition_cache` to :mod:`.database`, each add one family of what the store does."""

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

    def _open(self) -> None:
        """Read the database's files and journal (:class:`annotate.store.opening.Opening`)."""
        raise NotImplementedError

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

    def _close_part_fds(self) -> None:
        for fd in self._part_fds.values():
            if fd is not None:
                os.close(fd)
        self._part_fds = {}

    def _require_writable(self) -> JournalWriter:
        if self._closed:
            raise StoreError(f"{self.path} is closed")
        if self._journal is None:
            raise StoreError(f"{self.path} was opened read-only")
        return self._journal

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
