"""Checkpoints: the partitions that changed and then the main file written atomically, each
with its checksum, and the journal emptied; and the sealing of a schema-2 database."""

from __future__ import annotations

from typing import Any

import orjson

from annotate.errors import CheckpointError, DamagedDatabaseError, StorageError
from annotate.store.applying import Applying
from annotate.store.files import index_path, parts_folder, records_path
from annotate.store.journal import atomic_write
from annotate.store.main_file import SCHEMA_VERSION
from annotate.store.seal import seal


class Checkpoints(Applying):
    """Writing what changed to the files."""

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
